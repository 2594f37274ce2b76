/* `getpid N`: N `getpid` system calls through syscall(2) (no libc cache). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1;
    for (long i = 0; i < n; i++) {
        syscall(SYS_getpid);
    }
    return 0;
}
