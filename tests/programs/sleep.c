/* Sleeps for the milliseconds given as argument and checks, against the
 * monotonic clock, that it did not wake up early. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
    long ms = argc > 1 ? atol(argv[1]) : 100;
    long long start = now_ns();
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    if (nanosleep(&ts, NULL) != 0) {
        perror("nanosleep");
        return 2;
    }
    long long slept = now_ns() - start;
    if (slept < ms * 1000000LL) {
        printf("woke up early: %lld ns\n", slept);
        return 1;
    }
    printf("slept %ld ms\n", ms);
    return 0;
}
