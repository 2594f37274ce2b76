/* Prints a line, then aborts: wasi-libc's abort() is a trap. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    puts("about to abort");
    fflush(stdout);
    abort();
}
