/* Hello world on the native walos interface, as the original walos sample:
 * no libc, two buffers through stdout.write, then two bytes through putc. */
#include <walos/stdout.h>

static const walos_ciovec hello[] = {
    {"Hello", 5},
    {" world", 6},
};

void _start(void) {
    stdout_write(hello, sizeof(hello) / sizeof(hello[0]));
    stdout_putc('!');
    stdout_putc('\n');
}
