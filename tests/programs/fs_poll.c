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
    struct pollfd fds[3] = {{fd, POLLIN, 0}, {fd, POLLOUT, 0}, {1, POLLOUT, 0}};
    /* walos reports a file readable at once; wasmtime may take a few
     * calls. */
    for (int i = 0; i < 100 && fds[0].revents == 0; i++) CHECK(poll(fds, 3, 1000) >= 2);
    /* At the end of the file: readable, and hung up (as wasmtime says). */
    CHECK(fds[0].revents == (POLLIN | POLLHUP));
    CHECK(fds[1].revents == POLLOUT);
    CHECK(fds[2].revents == POLLOUT);
    CHECK(lseek(fd, 0, SEEK_SET) == 0);
    fds[0].revents = 0;
    for (int i = 0; i < 100 && fds[0].revents == 0; i++) CHECK(poll(fds, 1, 1000) >= 0);
    CHECK(fds[0].revents == POLLIN);
    OK(close(fd));

    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    CHECK(poll(NULL, 0, 30) == 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    CHECK(ms >= 29);
    checks = 10; /* the same count, however many polls it took */
    return done("fs_poll");
}
