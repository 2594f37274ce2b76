/* The honest program every hostile case runs beside.
 *
 *   honest [-k] [-r] CASE [ARGS...]
 *
 * Starts CASE (a sibling module in the service store) with ARGS, then does
 * its own work: a computation with a known answer, in steps that give the
 * scheduler turns, so that it only finishes if the kernel keeps running it
 * while CASE misbehaves. With -k it then kills CASE (an endless loop never
 * ends by itself); with -r it reads its standard input to the end and
 * counts the bytes; it always waits for CASE and says how it ended. Its
 * lines start with "honest: ", so that a test finds them among CASE's. */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <walos/proc.h>

/* Steps of the computation: each yields once. */
#define STEPS 20

static void how(const char *name, uint32_t status) {
    if (WALOS_EXITED(status))
        printf("honest: %s exited with %u\n", name, WALOS_CODE(status));
    else if (WALOS_TRAPPED(status))
        printf("honest: %s trapped (%u)\n", name, WALOS_CODE(status));
    else if (WALOS_KILLED(status))
        printf("honest: %s was killed (%u)\n", name, WALOS_CODE(status));
    else
        printf("honest: %s ended with status %#x\n", name, status);
}

int main(int argc, char **argv) {
    int first = 1, kill = 0, read_input = 0;
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (strcmp(argv[first], "-k") == 0)
            kill = 1;
        else if (strcmp(argv[first], "-r") == 0)
            read_input = 1;
        else
            break;
    }
    if (argc <= first) {
        fprintf(stderr, "usage: honest [-k] [-r] CASE [ARGS...]\n");
        return 2;
    }
    const char *name = argv[first];
    walos_ciovec args[16];
    uint32_t count = 0;
    for (int i = first + 1; i < argc && count < 16; i++, count++) {
        args[count].base = argv[i];
        args[count].len = strlen(argv[i]);
    }
    walos_pid pid = 0;
    walos_res spawned = proc_spawn(name, strlen(name), args, count, NULL, 0, &pid);
    printf("honest: spawn %s: %u\n", name, spawned);
    fflush(stdout);
    /* The sum of the squares of 1..STEPS*1000, a step at a time. */
    unsigned long long sum = 0;
    for (unsigned long long step = 0; step < STEPS; step++) {
        for (unsigned long long i = step * 1000 + 1; i <= (step + 1) * 1000; i++)
            sum += i * i;
        sched_yield();
    }
    printf("honest: sum %llu\n", sum);
    fflush(stdout);
    if (read_input) {
        static char buf[4096];
        unsigned long total = 0;
        ssize_t n;
        while ((n = read(0, buf, sizeof buf)) > 0)
            total += (unsigned long)n;
        printf("honest: read %lu bytes of input\n", total);
        fflush(stdout);
    }
    if (spawned != 0)
        return 0;
    if (kill) {
        walos_res killed = proc_kill(pid);
        if (killed != 0 && killed != WALOS_ESRCH)
            printf("honest: kill %s: %u\n", name, killed);
    }
    uint32_t status = 0;
    walos_res waited = proc_wait(pid, &status);
    if (waited != 0)
        printf("honest: wait %s: %u\n", name, waited);
    else
        how(name, status);
    return 0;
}
