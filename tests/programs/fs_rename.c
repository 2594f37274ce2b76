/* rename, link and unlink rules: replacing files and empty directories,
 * refusing the rest, hard link counts. */
#include <fcntl.h>
#include <sys/stat.h>

#include "check.h"

static void make(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    OK(fd);
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    OK(close(fd));
}

static int size_of(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (int)st.st_size : -1;
}

int main(void) {
    start();
    struct stat st;
    make("a", "aaa");
    make("b", "bbbbb");
    OK(mkdir("d", 0755));
    OK(mkdir("e", 0755));
    OK(mkdir("full", 0755));
    make("full/x", "x");

    OK(rename("a", "b"));
    CHECK(size_of("b") == 3);
    FAILS(stat("a", &st), ENOENT);
    FAILS(rename("a", "c"), ENOENT);
    OK(rename("b", "b"));
    OK(rename("b", "d/b"));
    CHECK(size_of("d/b") == 3);
    FAILS(rename("d/b", "e"), EISDIR);
    FAILS(rename("d", "d/b"), EINVAL); /* into itself, checked first */
    FAILS(rename("d", "full"), ENOTEMPTY);
    FAILS(rename("d", "d/sub"), EINVAL);
    FAILS(rename("d/b/", "c"), ENOTDIR);
    OK(rename("d", "e"));
    CHECK(size_of("e/b") == 3);
    FAILS(stat("d", &st), ENOENT);
    FAILS(rename("e", "../out"), EPERM);

    /* Hard links share the data and count. */
    OK(link("e/b", "hard"));
    FAILS(link("e/b", "hard"), EEXIST);
    FAILS(link("missing", "x"), ENOENT);
    OK(stat("hard", &st));
    CHECK(st.st_nlink == 2);
    make("e/b", "changed!");
    CHECK(size_of("hard") == 8);
    OK(unlink("e/b"));
    OK(stat("hard", &st));
    CHECK(st.st_nlink == 1 && st.st_size == 8);

    /* An open file outlives its name. */
    int fd = open("hard", O_RDONLY);
    OK(fd);
    OK(unlink("hard"));
    char buf[16];
    CHECK(read(fd, buf, sizeof buf) == 8 && memcmp(buf, "changed!", 8) == 0);
    OK(close(fd));
    return done("fs_rename");
}
