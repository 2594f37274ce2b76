/* Matrices: multiply two 64x64 integer matrices, then the product by the
 * first again. Nested loops over arrays: what compilers vectorise. */
#include "bench.h"

#define N 64

static int32_t a[N][N], b[N][N], c[N][N];

static void multiply(int32_t (*x)[N], int32_t (*y)[N], int32_t (*out)[N]) {
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            out[i][j] = 0;
        }
        for (int k = 0; k < N; k++) {
            int32_t xik = x[i][k];
            for (int j = 0; j < N; j++) {
                out[i][j] += xik * y[k][j];
            }
        }
    }
}

static uint32_t workload(uint32_t seed) {
    uint32_t state = seed * 2654435761u + 7;
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            a[i][j] = (int32_t)(next_random(&state) % 100) - 50;
            b[i][j] = (int32_t)(next_random(&state) % 100) - 50;
        }
    }
    multiply(a, b, c);
    multiply(c, a, b);
    uint32_t sum = 0;
    for (int i = 0; i < N; i++) {
        sum += (uint32_t)b[i][(i * 7) % N];
    }
    return sum;
}
