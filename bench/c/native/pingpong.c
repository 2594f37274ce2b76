/* `pingpong N`: two processes pass a 64-byte message back and forth over
 * two pipes, N round trips (two switches each). */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE 64

static void must(int ok) {
    if (!ok) {
        exit(2);
    }
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1;
    int ping[2], pong[2];
    char buf[SIZE] = {0};
    must(pipe(ping) == 0 && pipe(pong) == 0);
    pid_t child = fork();
    must(child >= 0);
    if (child == 0) {
        for (long i = 0; i < n; i++) {
            must(read(ping[0], buf, SIZE) == SIZE);
            must(write(pong[1], buf, SIZE) == SIZE);
        }
        _exit(0);
    }
    for (long i = 0; i < n; i++) {
        must(write(ping[1], buf, SIZE) == SIZE);
        must(read(pong[0], buf, SIZE) == SIZE);
    }
    int status;
    must(waitpid(child, &status, 0) == child);
    return 0;
}
