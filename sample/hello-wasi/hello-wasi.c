/* Hello world on WASI with wasi-libc: greets NAME from the environment and
 * prints its arguments. Runs unchanged on any WASI runtime. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    const char *name = getenv("NAME");
    printf("Hello %s!\n", name ? name : "world");
    printf("argc = %d\n", argc);
    for (int i = 0; i < argc; i++) {
        printf("argv[%d] = %s\n", i, argv[i]);
    }
    return 0;
}
