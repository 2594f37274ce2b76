/* Prints its arguments and its whole environment, then exits with the
 * status in EXIT_STATUS (0 if unset): what a WASI runner must get right. */
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) {
        printf("argv[%d]=[%s]\n", i, argv[i]);
    }
    int count = 0;
    for (char **e = environ; *e; e++, count++) {
        printf("env[%d]=[%s]\n", count, *e);
    }
    printf("envc=%d\n", count);
    const char *status = getenv("EXIT_STATUS");
    fflush(stdout);
    return status ? atoi(status) : 0;
}
