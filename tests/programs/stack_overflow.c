/* Recurses without end: the engine's call stack runs out, a trap. */
#include <stdio.h>

#pragma clang diagnostic ignored "-Winfinite-recursion"

static int depth(volatile int n) {
    volatile char pad[64];
    pad[0] = (char)n;
    return depth(n + 1) + pad[0];
}

int main(void) {
    return depth(0);
}
