/* `yield N`: gives the CPU away N times; two of them ping-pong. */
#include <stdlib.h>
#include <walos/sys.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1;
    for (long i = 0; i < n; i++) {
        sys_yield();
    }
    return 0;
}
