/* Symbolic links: creating, reading, following, not following, loops, and
 * links that would leave the sandbox. */
#include <fcntl.h>
#include <sys/stat.h>

#include "check.h"

int main(void) {
    start();
    struct stat st;
    char buf[64];
    int fd = open("target.txt", O_WRONLY | O_CREAT, 0644);
    OK(fd);
    CHECK(write(fd, "data", 4) == 4);
    OK(close(fd));
    OK(mkdir("dir", 0755));

    OK(symlink("target.txt", "link"));
    FAILS(symlink("target.txt", "link"), EEXIST);
    FAILS(symlink("x", "dir/"), EEXIST);
    FAILS(symlink("x", "target.txt/"), ENOTDIR);
    FAILS(symlink("x", "new/"), ENOENT);
    OK(symlink("../target.txt", "dir/up"));
    OK(symlink("dir", "dirlink"));
    OK(symlink("missing", "dangling"));
    OK(symlink("self", "self"));
    OK(symlink("../..", "escape"));

    ssize_t n = readlink("link", buf, sizeof buf);
    CHECK(n == 10 && memcmp(buf, "target.txt", 10) == 0);
    n = readlink("link", buf, 3);
    CHECK(n == 3 && memcmp(buf, "tar", 3) == 0);
    FAILS(readlink("target.txt", buf, sizeof buf), EINVAL);
    FAILS(readlink("nothing", buf, sizeof buf), ENOENT);

    OK(stat("link", &st));
    CHECK(S_ISREG(st.st_mode) && st.st_size == 4);
    OK(lstat("link", &st));
    CHECK(S_ISLNK(st.st_mode));
    OK(stat("dir/up", &st));
    CHECK(S_ISREG(st.st_mode));
    OK(stat("dirlink/up", &st));
    CHECK(S_ISREG(st.st_mode));
    OK(stat("dirlink/", &st));
    CHECK(S_ISDIR(st.st_mode));

    fd = open("link", O_RDONLY);
    OK(fd);
    CHECK(read(fd, buf, sizeof buf) == 4);
    OK(close(fd));
    FAILS(open("link", O_RDONLY | O_NOFOLLOW), ELOOP);
    FAILS(open("dangling", O_RDONLY), ENOENT);
    FAILS(stat("self", &st), ELOOP);
    OK(lstat("self", &st));
    FAILS(stat("escape/x", &st), EPERM);
    FAILS(open("escape", O_RDONLY), EPERM);
    FAILS(symlink("/etc/passwd", "abs"), EPERM);

    /* Creating through a dangling link creates its target. */
    fd = open("dangling", O_WRONLY | O_CREAT, 0644);
    OK(fd);
    OK(close(fd));
    OK(stat("missing", &st));

    /* Removing a link leaves its target. */
    OK(unlink("link"));
    OK(stat("target.txt", &st));
    OK(unlink("dirlink"));
    OK(stat("dir", &st));
    FAILS(rmdir("self"), ENOTDIR);
    return done("fs_symlinks");
}
