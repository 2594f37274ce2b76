/* Resource bombs: each mode takes one resource until the kernel refuses,
 * then says how far it got and what the refusal was.
 *
 *   bomb memory PAGES     grow the memory PAGES pages at a time, untouched
 *   bomb touch PAGES      the same, writing every new page
 *   bomb many N MODE P    N children `bomb MODE P` at once, each waited for
 *   bomb spawn MAX        children `sleeper` (tests/hostile/sleeper.wat: one
 *                         page, sleeps a minute) until spawn is refused or
 *                         MAX live; then kill them all and spawn once more
 *   bomb fds DIR MAX      open DIR again and again until refused (or MAX)
 *   bomb fill DIR MIB     write files of 1 MiB chunks in DIR until refused
 *                         (or MIB written)
 *   bomb flood MIB        write MIB MiB of lines to stdout as fast as it can
 *
 * Every loop is bounded: a kernel that never refuses shows as reaching the
 * bound. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <walos/proc.h>

#define PAGE 65536

static int grow(unsigned long step, int touch) {
    unsigned long pages = __builtin_wasm_memory_size(0);
    unsigned long start = pages;
    for (;;) {
        long old = __builtin_wasm_memory_grow(0, step);
        if (old < 0)
            break;
        if (touch)
            for (unsigned long p = (unsigned long)old; p < (unsigned long)old + step; p++)
                ((volatile char *)(p * PAGE))[0] = 1;
        pages += step;
    }
    printf("bomb: memory.grow(%lu) refused at %lu pages (%lu MiB grown)\n", step, pages,
           (pages - start) * PAGE >> 20);
    return 0;
}

static walos_res spawn(const char *name, const char **args, uint32_t count, walos_pid *pid) {
    walos_ciovec iov[8];
    for (uint32_t i = 0; i < count; i++) {
        iov[i].base = args[i];
        iov[i].len = strlen(args[i]);
    }
    return proc_spawn(name, strlen(name), iov, count, NULL, 0, pid);
}

static int many(int n, const char *mode, const char *pages) {
    walos_pid pids[64];
    const char *args[] = {mode, pages};
    if (n > 64)
        n = 64;
    for (int i = 0; i < n; i++) {
        walos_res res = spawn("bomb", args, 2, &pids[i]);
        if (res != 0) {
            printf("bomb: spawn %d refused: %d\n", i, res);
            n = i;
        }
    }
    int trapped = 0, exited = 0;
    for (int i = 0; i < n; i++) {
        uint32_t status;
        if (proc_wait(pids[i], &status) == 0) {
            if (WALOS_EXITED(status) && WALOS_CODE(status) == 0)
                exited++;
            else
                trapped++;
        }
    }
    printf("bomb: %d children: %d refused and exited, %d did not\n", n, exited, trapped);
    return 0;
}

#define MAX_CHILDREN 1024

static int spawns(int max) {
    static walos_pid pids[MAX_CHILDREN];
    if (max > MAX_CHILDREN)
        max = MAX_CHILDREN;
    int live = 0;
    walos_res refused = 0;
    while (live < max) {
        refused = spawn("sleeper", NULL, 0, &pids[live]);
        if (refused != 0)
            break;
        live++;
    }
    if (refused)
        printf("bomb: spawn refused with %d after %d children\n", refused, live);
    else
        printf("bomb: %d children spawned, none refused\n", live);
    for (int i = 0; i < live; i++) {
        uint32_t status;
        proc_kill(pids[i]);
        proc_wait(pids[i], &status);
    }
    walos_pid again;
    walos_res res = spawn("sleeper", NULL, 0, &again);
    printf("bomb: after killing them, spawn: %d\n", res);
    if (res == 0) {
        uint32_t status;
        proc_kill(again);
        proc_wait(again, &status);
    }
    return 0;
}

static int fds(const char *dir, int max) {
    int opened = 0;
    int err = 0;
    while (opened < max) {
        int fd = open(dir, O_RDONLY | O_DIRECTORY);
        if (fd < 0) {
            err = errno;
            break;
        }
        opened++;
    }
    if (err)
        printf("bomb: open refused after %d descriptors: %s\n", opened, strerror(err));
    else
        printf("bomb: %d descriptors opened, none refused\n", opened);
    /* The table is still usable once some are closed. */
    close(3 + opened);
    close(4 + opened / 2);
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    printf("bomb: after closing two, open: %s\n", fd >= 0 ? "ok" : strerror(errno));
    return 0;
}

static int fill(const char *dir, long max_mib) {
    static char chunk[1 << 20];
    memset(chunk, 'x', sizeof chunk);
    char path[512];
    long written = 0;
    int files = 0, err = 0;
    while (written < max_mib && !err) {
        snprintf(path, sizeof path, "%s/f%d", dir, files++);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) {
            err = errno;
            break;
        }
        for (int i = 0; i < 64 && written < max_mib; i++) {
            if (write(fd, chunk, sizeof chunk) != (ssize_t)sizeof chunk) {
                err = errno;
                break;
            }
            written++;
        }
        close(fd);
    }
    if (err)
        printf("bomb: writing refused after %ld MiB in %d files: %s\n", written, files, strerror(err));
    else
        printf("bomb: %ld MiB written in %d files, none refused\n", written, files);
    return 0;
}

static int flood(long mib) {
    static char line[1024];
    memset(line, 'f', sizeof line - 1);
    line[sizeof line - 1] = '\n';
    for (long i = 0; i < mib * 1024; i++)
        if (write(1, line, sizeof line) != (ssize_t)sizeof line) {
            printf("bomb: flood write failed: %s\n", strerror(errno));
            return 1;
        }
    return 0;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "memory") == 0 && argc == 3)
        return grow(strtoul(argv[2], NULL, 10), 0);
    if (strcmp(mode, "touch") == 0 && argc == 3)
        return grow(strtoul(argv[2], NULL, 10), 1);
    if (strcmp(mode, "many") == 0 && argc == 5)
        return many(atoi(argv[2]), argv[3], argv[4]);
    if (strcmp(mode, "spawn") == 0 && argc == 3)
        return spawns(atoi(argv[2]));
    if (strcmp(mode, "fds") == 0 && argc == 4)
        return fds(argv[2], atoi(argv[3]));
    if (strcmp(mode, "fill") == 0 && argc == 4)
        return fill(argv[2], atol(argv[3]));
    if (strcmp(mode, "flood") == 0 && argc == 3)
        return flood(atol(argv[2]));
    fprintf(stderr, "bomb: unknown mode `%s`\n", mode);
    return 2;
}
