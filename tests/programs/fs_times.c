/* File times: set with utimensat/futimens (exact values, UTIME_NOW,
 * UTIME_OMIT), and a write moves the modification time. */
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include "check.h"

int main(void) {
    start();
    struct stat st;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int fd = open("t", O_RDWR | O_CREAT, 0644);
    OK(fd);
    OK(fstat(fd, &st));
    /* New files are stamped with the current time (within a minute). */
    CHECK(st.st_mtim.tv_sec >= now.tv_sec - 60 && st.st_mtim.tv_sec <= now.tv_sec + 60);

    struct timespec times[2] = {{1000000000, 5}, {1500000000, 7}};
    OK(futimens(fd, times));
    OK(fstat(fd, &st));
    CHECK(st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 5);
    CHECK(st.st_mtim.tv_sec == 1500000000 && st.st_mtim.tv_nsec == 7);

    struct timespec later[2] = {{1200000000, 0}, {1300000000, 0}};
    OK(utimensat(AT_FDCWD, "t", later, 0));
    OK(stat("t", &st));
    CHECK(st.st_atim.tv_sec == 1200000000 && st.st_mtim.tv_sec == 1300000000);

    OK(futimens(fd, times));
    CHECK(write(fd, "x", 1) == 1);
    OK(fstat(fd, &st));
    CHECK(st.st_mtim.tv_sec >= now.tv_sec - 60);
    OK(close(fd));

    OK(symlink("t", "l"));
    OK(utimensat(AT_FDCWD, "l", times, 0));
    OK(stat("t", &st));
    CHECK(st.st_mtim.tv_sec == 1500000000);
    /* The link itself, not its target. */
    OK(utimensat(AT_FDCWD, "l", later, AT_SYMLINK_NOFOLLOW));
    OK(lstat("l", &st));
    CHECK(st.st_mtim.tv_sec == 1300000000);
    OK(stat("t", &st));
    CHECK(st.st_mtim.tv_sec == 1500000000);
    FAILS(utimensat(AT_FDCWD, "missing", times, 0), ENOENT);
    struct timespec bad[2] = {{0, 2000000000}, {0, 0}};
    FAILS(utimensat(AT_FDCWD, "t", bad, 0), EINVAL);
    return done("fs_times");
}
