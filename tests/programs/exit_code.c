/* Exits through proc_exit with the status given as argument, after writing
 * to stdout and stderr without a trailing newline (buffers must be flushed
 * by exit). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int status = argc > 1 ? atoi(argv[1]) : 0;
    printf("exiting with %d", status);
    fprintf(stderr, "to stderr");
    exit(status);
}
