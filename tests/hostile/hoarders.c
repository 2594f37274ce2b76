/* Callers that make the kernel hold far more memory than they have: each
 * passes the `hoarder` service 1023 iovecs pointing at one 16 KiB buffer,
 * almost 16 MiB for the kernel to copy (the most a call may), from a
 * memory of a few hundred KiB.
 * hoarder's `walos_alloc` sleeps, then fails, so the calls wait in its
 * queue, each with its copy, and fail one after the other.
 *
 *   hoarders one    one call; says what came back
 *   hoarders N      N children `hoarders one` at once, each waited for
 *
 * The copies are charged to the memory budget of all processes: those
 * past it are refused at once (-1, a warning naming the caller), the
 * others when the provider gives no block (-1). The kernel's own memory is
 * never touched. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <walos/proc.h>

#define IOVECS 1023
#define CHUNK (16 * 1024)

__attribute__((import_module("hoarder"), import_name("take"))) int take(const walos_ciovec *iovs, uint32_t n);

static char chunk[CHUNK];
static walos_ciovec iovs[IOVECS];

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "one") == 0) {
        for (int i = 0; i < IOVECS; i++)
            iovs[i] = (walos_ciovec){chunk, CHUNK};
        printf("hoarders: take returned %d\n", take(iovs, IOVECS));
        return 0;
    }
    int n = argc == 2 ? atoi(argv[1]) : 0;
    if (n < 1 || n > 16) {
        fprintf(stderr, "usage: hoarders one | hoarders N (1..16)\n");
        return 2;
    }
    walos_pid pids[16];
    walos_ciovec one = WALOS_STR("one");
    for (int i = 0; i < n; i++)
        if (proc_spawn("hoarders", 8, &one, 1, NULL, 0, &pids[i]) != 0) {
            printf("hoarders: spawn %d failed\n", i);
            return 1;
        }
    int answered = 0;
    for (int i = 0; i < n; i++) {
        uint32_t status;
        if (proc_wait(pids[i], &status) == 0 && WALOS_EXITED(status) && WALOS_CODE(status) == 0)
            answered++;
    }
    printf("hoarders: %d of %d callers got an answer\n", answered, n);
    return 0;
}
