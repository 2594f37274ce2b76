/* Runs hostile cases one after another in one machine (a boot under TCG
 * takes seconds: the efi-os suite shares one).
 *
 *   sequence PROGRAM ARGS... [, PROGRAM ARGS...]...
 *
 * Starts each PROGRAM (normally `honest CASE ...`) with its ARGS, waits for
 * it and says how it ended, then the next; exits 0 once all have ended. */
#include <stdio.h>
#include <string.h>
#include <walos/proc.h>

#define MAX_ARGS 16

static void run(char **words, int count) {
    walos_ciovec args[MAX_ARGS];
    int n = 0;
    for (int i = 1; i < count && n < MAX_ARGS; i++, n++) {
        args[n].base = words[i];
        args[n].len = strlen(words[i]);
    }
    walos_pid pid;
    walos_res res = proc_spawn(words[0], strlen(words[0]), args, (uint32_t)n, NULL, 0, &pid);
    uint32_t status = 0;
    if (res == 0)
        res = proc_wait(pid, &status);
    if (res != 0)
        printf("sequence: %s %s: error %u\n", words[0], count > 1 ? words[1] : "", res);
    else
        printf("sequence: %s %s: status %#x\n", words[0], count > 1 ? words[1] : "", status);
    fflush(stdout);
}

int main(int argc, char **argv) {
    int start = 1;
    for (int i = 1; i <= argc; i++) {
        if (i == argc || strcmp(argv[i], ",") == 0) {
            if (i > start)
                run(&argv[start], i - start);
            start = i + 1;
        }
    }
    printf("sequence: done\n");
    return 0;
}
