/* Two calls of getentropy must differ, and the bytes must not be all zero. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    unsigned char a[32], b[32], zero[32] = {0};
    if (getentropy(a, sizeof a) || getentropy(b, sizeof b)) {
        perror("getentropy");
        return 2;
    }
    if (!memcmp(a, b, sizeof a) || !memcmp(a, zero, sizeof a)) {
        puts("not random");
        return 1;
    }
    puts("random ok");
    return 0;
}
