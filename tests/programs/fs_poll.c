/* poll() on files and the console: a file is readable and writable at
 * once; stdout is writable; a timeout with no descriptors sleeps. */
#include <fcntl.h>
#include <poll.h>
#include <time.h>

#include "check.h"


int main(void) {
    start();
    int fd = open("f", O_RDWR | O_CREAT, 0644);
    OK(fd);
    CHECK(write(fd, "abc", 3) == 3);
    /* Writable at once, a file as the console. */
    struct pollfd out[2] = {{fd, POLLOUT, 0}, {1, POLLOUT, 0}};
    CHECK(poll(out, 2, 1000) == 2);
    CHECK(out[0].revents == POLLOUT && out[1].revents == POLLOUT);
    /* Readable: walos says so at once; wasmtime may take a few calls, and
     * only when the file is polled alone. */
    CHECK(lseek(fd, 0, SEEK_SET) == 0);
    struct pollfd in = {fd, POLLIN, 0};
    for (int i = 0; i < 100 && !(in.revents & POLLIN); i++) poll(&in, 1, 1000);
    CHECK(in.revents & POLLIN);
    OK(close(fd));

    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    CHECK(poll(NULL, 0, 30) == 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    CHECK(ms >= 29);
    return done("fs_poll");
}
