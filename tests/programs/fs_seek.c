/* lseek and tell: SEEK_SET, SEEK_CUR, SEEK_END, seeking past the end (a
 * hole on the next write), negative positions, streams and directories. */
#include <fcntl.h>
#include <sys/stat.h>

#include "check.h"

int main(void) {
    start();
    char buf[32];
    int fd = open("f", O_RDWR | O_CREAT, 0644);
    OK(fd);
    CHECK(write(fd, "0123456789", 10) == 10);
    CHECK(lseek(fd, 0, SEEK_CUR) == 10);
    CHECK(lseek(fd, 2, SEEK_SET) == 2);
    CHECK(read(fd, buf, 3) == 3 && memcmp(buf, "234", 3) == 0);
    CHECK(lseek(fd, 0, SEEK_CUR) == 5);
    CHECK(lseek(fd, -2, SEEK_CUR) == 3);
    CHECK(lseek(fd, -1, SEEK_END) == 9);
    CHECK(read(fd, buf, 10) == 1 && buf[0] == '9');
    FAILS(lseek(fd, -1, SEEK_SET), EINVAL);
    FAILS(lseek(fd, -100, SEEK_END), EINVAL);
    CHECK(lseek(fd, 0, SEEK_CUR) == 10);
    CHECK(lseek(fd, 20, SEEK_SET) == 20);
    CHECK(read(fd, buf, 10) == 0);
    CHECK(write(fd, "x", 1) == 1);
    struct stat st;
    OK(fstat(fd, &st));
    CHECK(st.st_size == 21);
    CHECK(pread(fd, buf, 12, 9) == 12 && memcmp(buf, "9\0\0\0\0\0\0\0\0\0\0x", 12) == 0);
    OK(close(fd));

    FAILS(lseek(1, 0, SEEK_CUR), ESPIPE);
    FAILS(lseek(42, 0, SEEK_CUR), EBADF);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    OK(dir);
    FAILS(lseek(dir, 0, SEEK_SET), EBADF);
    FAILS(read(dir, buf, sizeof buf), EBADF);
    OK(close(dir));
    return done("fs_seek");
}
