/* pread and pwrite: positioned I/O leaves the file position alone; on
 * streams it is ESPIPE; readv and writev gather and scatter. */
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "check.h"

int main(void) {
    start();
    char buf[32];
    int fd = open("p", O_RDWR | O_CREAT, 0644);
    OK(fd);
    CHECK(pwrite(fd, "world", 5, 6) == 5);
    CHECK(lseek(fd, 0, SEEK_CUR) == 0);
    CHECK(pwrite(fd, "hello ", 6, 0) == 6);
    CHECK(pread(fd, buf, 11, 0) == 11 && memcmp(buf, "hello world", 11) == 0);
    CHECK(pread(fd, buf, 10, 11) == 0);
    CHECK(pread(fd, buf, 10, 1000) == 0);
    CHECK(lseek(fd, 0, SEEK_CUR) == 0);
    FAILS(pread(fd, buf, 1, -1), EINVAL);

    /* readv scatters (writev of several buffers is EINVAL on wasmtime). */
    CHECK(pwrite(fd, "abcdef", 6, 0) == 6);
    char x[3], y[5];
    struct iovec in[2] = {{x, 3}, {y, 5}};
    CHECK(lseek(fd, 0, SEEK_SET) == 0);
    ssize_t n = readv(fd, in, 2);
    CHECK(n >= 3 && memcmp(x, "abc", 3) == 0);
    OK(close(fd));

    int ro = open("p", O_RDONLY);
    OK(ro);
    FAILS(pwrite(ro, "z", 1, 0), EBADF);
    OK(close(ro));
    FAILS(pread(0, buf, 1, 0), ESPIPE);
    FAILS(pwrite(1, "z", 1, 0), ESPIPE);
    FAILS(pread(1, buf, 1, 0), EBADF);
    return done("fs_pread");
}
