/* `spawn PROGRAM N`: N times fork + exec PROGRAM + wait for its status. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        return 2;
    }
    long n = atol(argv[2]);
    for (long i = 0; i < n; i++) {
        pid_t child = fork();
        if (child == 0) {
            char *args[] = {argv[1], 0};
            execv(argv[1], args);
            _exit(127);
        }
        int status;
        if (child < 0 || waitpid(child, &status, 0) != child || status != 0) {
            return 1;
        }
    }
    return 0;
}
