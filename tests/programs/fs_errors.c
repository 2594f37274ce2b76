/* Raw WASI calls with bad arguments: NUL bytes, bad UTF-8, long names, bad
 * descriptors, sockets, renumber, preopen names. Each gets its errno. */
#include <stdint.h>
#include <wasi/api.h>

#include "check.h"

#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))
int32_t raw_path_open(int32_t, int32_t, const char *, int32_t, int32_t, int64_t, int64_t, int32_t, int32_t *)
    IMPORT("path_open");
int32_t raw_path_filestat_get(int32_t, int32_t, const char *, int32_t, void *) IMPORT("path_filestat_get");

int main(void) {
    __wasi_filestat_t st;
    __wasi_fd_t fd;
    int32_t out, fd2;
    char name[300];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = 0;
    ERR(raw_path_filestat_get(3, 0, "a\0b", 3, &st), __WASI_ERRNO_INVAL);
    ERR(raw_path_filestat_get(3, 0, "\xff", 1, &st), __WASI_ERRNO_ILSEQ);
    ERR(raw_path_filestat_get(3, 0, "", 0, &st), __WASI_ERRNO_NOENT);
    ERR(raw_path_open(3, 0, name, 299, __WASI_OFLAGS_CREAT, 0x1fffffff, 0x1fffffff, 0, &out), __WASI_ERRNO_NAMETOOLONG);
    ERR(raw_path_open(3, 0, "/abs", 4, 0, 0, 0, 0, &out), __WASI_ERRNO_PERM);
    ERR(raw_path_open(3, 0, "..", 2, 0, 0, 0, 0, &out), __WASI_ERRNO_PERM);
    ERR(raw_path_open(99, 0, "x", 1, 0, 0, 0, 0, &out), __WASI_ERRNO_BADF);
    ERR(raw_path_open(1, 0, "x", 1, 0, 0, 0, 0, &out), __WASI_ERRNO_BADF);
    ERR(__wasi_path_create_directory(1, "x"), __WASI_ERRNO_BADF);
    ERR(__wasi_fd_close(99), __WASI_ERRNO_BADF);
    ERR(__wasi_fd_renumber(1, 99), __WASI_ERRNO_BADF);
    ERR(__wasi_fd_renumber(99, 1), __WASI_ERRNO_BADF);
    __wasi_prestat_t pre;
    ERR(__wasi_fd_prestat_get(1, &pre), __WASI_ERRNO_BADF);
    ERR(__wasi_fd_prestat_get(3, &pre), 0);
    CHECK(pre.u.dir.pr_name_len == 8);
    ERR(__wasi_fd_prestat_dir_name(3, (uint8_t *)name, 3), __WASI_ERRNO_NAMETOOLONG);
    ERR(__wasi_sock_shutdown(1, __WASI_SDFLAGS_WR), __WASI_ERRNO_NOTSOCK);
    ERR(__wasi_sock_shutdown(3, __WASI_SDFLAGS_WR), __WASI_ERRNO_NOTSOCK);
    ERR(__wasi_sock_shutdown(99, __WASI_SDFLAGS_WR), __WASI_ERRNO_BADF);
    ERR(__wasi_sched_yield(), 0);

    /* Opening, renumbering onto another open descriptor, closing. */
    ERR(raw_path_open(3, 0, "r", 1, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, 0, &out), 0);
    fd = (__wasi_fd_t)out;
    ERR(raw_path_open(3, 0, "r", 1, 0, __WASI_RIGHTS_FD_READ, 0, 0, &out), 0);
    ERR(__wasi_fd_renumber(fd, (__wasi_fd_t)out), 0);
    ERR(__wasi_fd_close(fd), __WASI_ERRNO_BADF);
    ERR(__wasi_fd_close((__wasi_fd_t)out), 0);
    ERR(raw_path_open(3, 0, "r", 1, 0, __WASI_RIGHTS_FD_READ, 0, 0, &out), 0);
    ERR(raw_path_open((int32_t)out, 0, "x", 1, 0, 0, 0, 0, &fd2), __WASI_ERRNO_NOTDIR);
    ERR(__wasi_fd_close((__wasi_fd_t)out), 0);
    ERR(__wasi_path_unlink_file(3, "r"), 0);
    ERR(__wasi_fd_readdir(1, (uint8_t *)name, 100, 0, (__wasi_size_t *)&out), __WASI_ERRNO_BADF);
    ERR(__wasi_fd_filestat_set_size(1, 0), __WASI_ERRNO_BADF);
    return done("fs_errors");
}
