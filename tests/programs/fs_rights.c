/* WASI rights, as the specification has them: a descriptor's rights can be
 * narrowed, never widened, and what is gone is refused (ENOTCAPABLE).
 * wasmtime does not implement rights (fd_fdstat_set_rights is ENOTSUP
 * there), so this program runs on walos only. wasi-libc turns ENOTCAPABLE
 * into EBADF for read and write, and into ESPIPE for lseek. */
#include <fcntl.h>
#include <stdint.h>
#include <wasi/api.h>

#include "check.h"

int main(void) {
    start();
    int fd = open("f", O_RDWR | O_CREAT, 0644);
    OK(fd);
    __wasi_fdstat_t st;
    ERR(__wasi_fd_fdstat_get(fd, &st), 0);
    CHECK((st.fs_rights_base & __WASI_RIGHTS_FD_WRITE) != 0);
    __wasi_rights_t read_only = st.fs_rights_base & ~(__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK);
    ERR(__wasi_fd_fdstat_set_rights(fd, read_only, 0), 0);
    ERR(__wasi_fd_fdstat_set_rights(fd, st.fs_rights_base, 0), __WASI_ERRNO_NOTCAPABLE);
    FAILS(write(fd, "x", 1), EBADF);
    FAILS(lseek(fd, 0, SEEK_SET), ESPIPE);
    CHECK(lseek(fd, 0, SEEK_CUR) == 0); /* tell is still allowed */
    ERR(__wasi_fd_fdstat_get(fd, &st), 0);
    CHECK((st.fs_rights_base & __WASI_RIGHTS_FD_WRITE) == 0);
    OK(close(fd));

    /* A directory that may not create files. */
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    OK(dir);
    ERR(__wasi_fd_fdstat_get(dir, &st), 0);
    ERR(__wasi_fd_fdstat_set_rights(dir, st.fs_rights_base & ~__WASI_RIGHTS_PATH_CREATE_FILE, st.fs_rights_inheriting), 0);
    FAILS(openat(dir, "new", O_WRONLY | O_CREAT, 0644), ENOTCAPABLE);
    int old = openat(dir, "f", O_RDONLY);
    OK(old);
    OK(close(old));
    /* Files opened through it inherit only what it may pass on. */
    ERR(__wasi_fd_fdstat_set_rights(dir, st.fs_rights_base & ~__WASI_RIGHTS_PATH_CREATE_FILE, __WASI_RIGHTS_FD_READ), 0);
    int narrow = openat(dir, "f", O_RDWR);
    OK(narrow);
    ERR(__wasi_fd_fdstat_get(narrow, &st), 0);
    CHECK(st.fs_rights_base == __WASI_RIGHTS_FD_READ);
    FAILS(write(narrow, "x", 1), EBADF);
    OK(close(narrow));
    OK(close(dir));

    /* The console too. */
    ERR(__wasi_fd_fdstat_set_rights(2, 0, 0), 0);
    ERR(__wasi_fd_write(2, &(__wasi_ciovec_t){(const uint8_t *)"x", 1}, 1, (__wasi_size_t *)&old), __WASI_ERRNO_NOTCAPABLE);
    return done("fs_rights");
}
