/* `syscall N`: N calls of the no-op walos host function `sys.nop`. */
#include <stdlib.h>
#include <walos/sys.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1;
    for (long i = 0; i < n; i++) {
        sys_nop();
    }
    return 0;
}
