/* A tiny check library for the fs_* test programs: each check prints a
 * line only when it fails, and `done()` prints the count and gives the exit
 * status (1 if anything failed). The programs work in the directory
 * preopened as /sandbox, which the test runner gives them empty. */
#ifndef CHECK_H
#define CHECK_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int checks, failures;

static inline void check_at(int ok, const char *what, int line) {
    checks++;
    if (!ok) {
        failures++;
        printf("FAIL line %d: %s (errno %d: %s)\n", line, what, errno, strerror(errno));
    }
}

/* `expr` holds. */
#define CHECK(expr) check_at((expr), #expr, __LINE__)
/* `expr` (a libc call) succeeds: not -1. */
#define OK(expr) check_at((errno = 0, (expr) != -1), #expr, __LINE__)
/* `expr` fails with -1 and errno `err`. */
#define FAILS(expr, err) \
    do { \
        errno = 0; \
        long r_ = (long)(expr); \
        int e_ = errno; \
        checks++; \
        if (r_ != -1 || e_ != (err)) { \
            failures++; \
            printf("FAIL line %d: %s: want errno %d (%s), got %ld errno %d (%s)\n", __LINE__, #expr, (err), \
                   strerror(err), r_, e_, strerror(e_)); \
        } \
    } while (0)

/* A raw WASI call returns errno `want` (0 for success). */
#define ERR(expr, want) \
    do { \
        int32_t got_ = (expr); \
        checks++; \
        if (got_ != (want)) { \
            failures++; \
            printf("FAIL line %d: %s: want %d, got %d\n", __LINE__, #expr, (want), got_); \
        } \
    } while (0)

/* Works in the preopened directory. */
static inline void start(void) {
    if (chdir("/sandbox") != 0) {
        printf("no /sandbox: %s\n", strerror(errno));
        _exit(2);
    }
}

static inline int done(const char *name) {
    printf("%s: %d checks, %d failed\n", name, checks, failures);
    return failures ? 1 : 0;
}

#endif
