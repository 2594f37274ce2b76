/* Tells how three children ended from their status words, with the
 * macros of walos/proc.h: `exit_code 137` exits with 137, `abort` traps,
 * `spin` is killed. Exits 1 on a failed call. */
#include <stdio.h>
#include <string.h>
#include <walos/proc.h>

static walos_pid start(const char *name, const char *arg) {
    walos_ciovec args[1] = {{arg, arg ? strlen(arg) : 0}};
    walos_pid pid = 0;
    if (proc_spawn(name, strlen(name), args, arg ? 1 : 0, NULL, 0, &pid) != 0) {
        printf("cannot start %s\n", name);
        return 0;
    }
    return pid;
}

static void report(const char *name, uint32_t status) {
    const char *how = WALOS_EXITED(status)    ? "exited"
                      : WALOS_TRAPPED(status) ? "trapped"
                      : WALOS_KILLED(status)  ? "killed"
                                              : "?";
    printf("%s: %s, code %u (status 0x%x)\n", name, how, WALOS_CODE(status), status);
}

int main(void) {
    walos_pid exit137 = start("exit_code", "137"), crash = start("abort", NULL), spin = start("spin", NULL);
    if (!exit137 || !crash || !spin) return 1;
    /* Only its parent (or itself) may name a process foreground. */
    if (proc_set_foreground(99) != WALOS_ESRCH || proc_set_foreground(spin) != 0 || proc_set_foreground(0) != 0)
        return 1;
    if (proc_kill(spin) != 0) return 1;
    uint32_t status;
    const char *names[3] = {"exit_code 137", "abort", "spin"};
    walos_pid pids[3] = {exit137, crash, spin};
    for (int i = 0; i < 3; i++) {
        if (proc_wait(pids[i], &status) != 0) return 1;
        report(names[i], status);
    }
    return 0;
}
