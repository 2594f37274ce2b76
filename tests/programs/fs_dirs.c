/* Directories: mkdir, nested paths, `.` and `..`, rmdir rules, and the
 * sandbox: nothing above the preopened directory can be reached. */
#include <fcntl.h>
#include <sys/stat.h>

#include "check.h"

int main(void) {
    start();
    struct stat st;
    OK(mkdir("d", 0755));
    FAILS(mkdir("d", 0755), EEXIST);
    FAILS(mkdir(".", 0755), EEXIST);
    OK(mkdir("d/e", 0755));
    OK(mkdir("d/e/f/", 0755));
    FAILS(mkdir("d/x/y", 0755), ENOENT);
    OK(stat("d/e/f", &st));
    CHECK(S_ISDIR(st.st_mode));
    OK(stat("d/e/../e/./f/..", &st));
    CHECK(S_ISDIR(st.st_mode));

    int fd = open("d/e/file", O_WRONLY | O_CREAT, 0644);
    OK(fd);
    OK(close(fd));
    FAILS(mkdir("d/e/file/sub", 0755), ENOTDIR);
    FAILS(rmdir("d/e"), ENOTEMPTY);
    FAILS(rmdir("d/e/file"), ENOTDIR);
    FAILS(rmdir("d/missing"), ENOENT);
    FAILS(rmdir("."), EINVAL);
    FAILS(open("d", O_WRONLY), EISDIR);
    FAILS(open("d", O_RDWR), EISDIR);

    /* A directory descriptor, and paths relative to it. */
    int dir = open("d", O_RDONLY | O_DIRECTORY);
    OK(dir);
    OK(fstat(dir, &st));
    CHECK(S_ISDIR(st.st_mode));
    OK(fstatat(dir, "e/file", &st, 0));
    CHECK(S_ISREG(st.st_mode));
    OK(mkdirat(dir, "g", 0755));
    OK(unlinkat(dir, "g", AT_REMOVEDIR));
    OK(close(dir));

    /* Out of the sandbox. */
    FAILS(open("..", O_RDONLY), EPERM);
    FAILS(open("d/../../x", O_RDONLY), EPERM);
    FAILS(mkdir("../escape", 0755), EPERM);
    FAILS(stat("/etc/passwd", &st), ENOTCAPABLE); /* no preopen covers it */

    OK(unlink("d/e/file"));
    OK(rmdir("d/e/f"));
    OK(rmdir("d/e"));
    OK(stat("d", &st));
    CHECK(S_ISDIR(st.st_mode));
    return done("fs_dirs");
}
