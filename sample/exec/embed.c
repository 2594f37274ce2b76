/* The child that sample/exec embeds: says hello on the native interface and
 * exits with status 42, which its parent gets back from sys.exec. */
#include <walos/stdout.h>

WALOS_IMPORT(wasi_snapshot_preview1, proc_exit) _Noreturn void proc_exit(uint32_t status);

void _start(void) {
    stdout_write(&WALOS_STR("Hello from the embedded module!\n"), 1);
    proc_exit(42);
}
