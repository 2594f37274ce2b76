/* What every compute workload shares: `PROGRAM N` runs the workload N times
 * and exits with a checksum of the results (low 7 bits), so that the wasm
 * and native builds can be checked against each other and the work cannot
 * be optimised away. The harness times `N` against `0` repetitions. */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include <stdlib.h>

static uint32_t workload(uint32_t seed);

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1;
    uint32_t sum = 0;
    for (long i = 0; i < n; i++) {
        sum = sum * 31 + workload((uint32_t)i);
    }
    return (int)(sum & 0x7f);
}

/* A small deterministic generator (xorshift32). */
static inline uint32_t next_random(uint32_t *state) {
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

#endif
