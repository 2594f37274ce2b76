/* Regular files: create, write, read back, truncate, O_EXCL, O_TRUNC, stat,
 * read-only and write-only descriptors, unlink, and the errors of each. */
#include <fcntl.h>
#include <sys/stat.h>

#include "check.h"

int main(void) {
    start();
    char buf[64];
    int fd = open("a.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
    OK(fd);
    CHECK(write(fd, "hello, file\n", 12) == 12);
    FAILS(read(fd, buf, sizeof buf), EBADF);
    OK(close(fd));
    FAILS(close(fd), EBADF);
    FAILS(open("a.txt", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    FAILS(open("missing.txt", O_RDONLY), ENOENT);
    FAILS(open("missing/x.txt", O_RDONLY | O_CREAT, 0644), ENOENT);
    FAILS(open("a.txt/x", O_RDONLY), ENOTDIR);
    FAILS(open("a.txt/", O_RDONLY), ENOTDIR);
    FAILS(open("a.txt/.", O_RDONLY), ENOTDIR);
    FAILS(open("a.txt", O_RDONLY | O_DIRECTORY), ENOTDIR);

    fd = open("a.txt", O_RDONLY);
    OK(fd);
    CHECK(read(fd, buf, sizeof buf) == 12 && memcmp(buf, "hello, file\n", 12) == 0);
    CHECK(read(fd, buf, sizeof buf) == 0);
    FAILS(write(fd, "x", 1), EBADF);
    struct stat st;
    OK(fstat(fd, &st));
    CHECK(S_ISREG(st.st_mode) && st.st_size == 12 && st.st_nlink == 1);
    OK(close(fd));

    OK(stat("a.txt", &st));
    CHECK(st.st_size == 12);
    OK(truncate("a.txt", 5));
    OK(stat("a.txt", &st));
    CHECK(st.st_size == 5);

    fd = open("a.txt", O_RDWR | O_TRUNC);
    OK(fd);
    OK(fstat(fd, &st));
    CHECK(st.st_size == 0);
    CHECK(write(fd, "abc", 3) == 3);
    OK(ftruncate(fd, 10));
    OK(fstat(fd, &st));
    CHECK(st.st_size == 10);
    CHECK(pread(fd, buf, sizeof buf, 0) == 10 && memcmp(buf, "abc\0\0\0\0\0\0\0", 10) == 0);
    OK(fsync(fd));
    OK(fdatasync(fd));
    OK(close(fd));

    /* A big file, written in pieces and read back. */
    fd = open("big.bin", O_RDWR | O_CREAT, 0644);
    OK(fd);
    static char block[100000];
    for (unsigned i = 0; i < sizeof block; i++) block[i] = (char)(i * 7);
    for (int i = 0; i < 5; i++) CHECK(write(fd, block, sizeof block) == sizeof block);
    OK(fstat(fd, &st));
    CHECK(st.st_size == 500000);
    static char back[100000];
    /* A read may be short (wasmtime's are), never wrong. */
    ssize_t got = pread(fd, back, sizeof back, 300000);
    CHECK(got > 0 && memcmp(back, block, got) == 0);
    OK(close(fd));

    OK(unlink("big.bin"));
    FAILS(unlink("big.bin"), ENOENT);
    FAILS(stat("big.bin", &st), ENOENT);
    FAILS(unlink("a.txt/"), ENOTDIR);
    FAILS(unlink("."), EISDIR);
    return done("fs_files");
}
