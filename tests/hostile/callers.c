/* Callers of a provider that never answers (the `spinner` service, whose
 * `spin` loops forever):
 *
 *   callers one     calls spinner.spin once and says what came back
 *   callers N       N children `callers one` at once, each waited for
 *
 * The kernel fails a call that runs past its slice limit: each caller gets
 * -1 and goes on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <walos/proc.h>

__attribute__((import_module("spinner"), import_name("spin"))) int spin(void);

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "one") == 0) {
        printf("callers: spin returned %d\n", spin());
        return 0;
    }
    int n = argc == 2 ? atoi(argv[1]) : 0;
    if (n < 1 || n > 16) {
        fprintf(stderr, "usage: callers one | callers N (1..16)\n");
        return 2;
    }
    walos_pid pids[16];
    walos_ciovec one = WALOS_STR("one");
    for (int i = 0; i < n; i++)
        if (proc_spawn("callers", 7, &one, 1, NULL, 0, &pids[i]) != 0) {
            printf("callers: spawn %d failed\n", i);
            return 1;
        }
    int answered = 0;
    for (int i = 0; i < n; i++) {
        uint32_t status;
        if (proc_wait(pids[i], &status) == 0 && WALOS_EXITED(status) && WALOS_CODE(status) == 0)
            answered++;
    }
    printf("callers: %d of %d callers got an answer\n", answered, n);
    return 0;
}
