/* Says so, then loops forever without a system call: only a kill (Ctrl-C
 * in the shell) ends it. */
#include <stdio.h>

int main(void) {
    puts("spinning");
    fflush(stdout);
    for (volatile unsigned long i = 0;; i++) {
    }
}
