/* Runs an embedded wasm module as a child process with sys.exec, as the
 * original walos sample did: the build tool compiles embed.c and hands its
 * bytes to this file as `embed.wasm.h` (`embed_wasm`, `embed_wasm_len`). */
#include <walos/stdout.h>
#include <walos/sys.h>

#include "embed.wasm.h"

/* Writes `n` in decimal, with a sign. */
static void print_int(int32_t n) {
    char digits[12];
    uint32_t i = sizeof(digits), v = n < 0 ? -(uint32_t)n : (uint32_t)n;
    do {
        digits[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (n < 0) digits[--i] = '-';
    walos_ciovec iov = {digits + i, sizeof(digits) - i};
    stdout_write(&iov, 1);
}

void _start(void) {
    stdout_write(&WALOS_STR("exec: running the embedded module\n"), 1);
    int32_t status = sys_exec("embed", 5, embed_wasm, sizeof(embed_wasm));
    stdout_write(&WALOS_STR("exec: embed ended with status "), 1);
    print_int(status);
    stdout_putc('\n');
    walos_log(WALOS_LOG_INFO, "Return to caller");
}
