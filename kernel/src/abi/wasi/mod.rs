//! WASI preview1 (`wasi_snapshot_preview1`), and `wasi_unstable` for
//! programs built against snapshot 0.
//!
//! Every function of the witx `snapshot-01` is present so that any preview1
//! module links; the errno values follow the specification, and wasmtime
//! where the specification leaves room.

mod clock;
mod env;
mod fd;
mod path;
mod poll;
mod proc;
mod sock;
pub mod types;

use walos_engine::ValType;

use crate::syscall::valtypes::{ERRNO, I32, I64, NONE};
use crate::syscall::{Interface, Syscall};

const P1: &[ValType] = &[I32];
const P2: &[ValType] = &[I32, I32];
const P3: &[ValType] = &[I32, I32, I32];
const P4: &[ValType] = &[I32, I32, I32, I32];

pub static PREVIEW1: Interface = Interface {
    name: "wasi_snapshot_preview1",
    base: None,
    funcs: &[
        Syscall::sync("args_get", P2, ERRNO, env::args_get),
        Syscall::sync("args_sizes_get", P2, ERRNO, env::args_sizes_get),
        Syscall::sync("environ_get", P2, ERRNO, env::environ_get),
        Syscall::sync("environ_sizes_get", P2, ERRNO, env::environ_sizes_get),
        Syscall::sync("clock_res_get", P2, ERRNO, clock::clock_res_get),
        Syscall::sync("clock_time_get", &[I32, I64, I32], ERRNO, clock::clock_time_get),
        Syscall::sync("fd_advise", &[I32, I64, I64, I32], ERRNO, fd::fd_advise),
        Syscall::sync("fd_allocate", &[I32, I64, I64], ERRNO, fd::fd_allocate),
        Syscall::sync("fd_close", P1, ERRNO, fd::fd_close),
        Syscall::sync("fd_datasync", P1, ERRNO, fd::fd_datasync),
        Syscall::sync("fd_fdstat_get", P2, ERRNO, fd::fd_fdstat_get),
        Syscall::sync("fd_fdstat_set_flags", P2, ERRNO, fd::fd_fdstat_set_flags),
        Syscall::sync("fd_fdstat_set_rights", &[I32, I64, I64], ERRNO, fd::fd_fdstat_set_rights),
        Syscall::sync("fd_filestat_get", P2, ERRNO, fd::fd_filestat_get),
        Syscall::sync("fd_filestat_set_size", &[I32, I64], ERRNO, fd::fd_filestat_set_size),
        Syscall::sync("fd_filestat_set_times", &[I32, I64, I64, I32], ERRNO, fd::fd_filestat_set_times),
        Syscall::sync("fd_pread", &[I32, I32, I32, I64, I32], ERRNO, fd::fd_pread),
        Syscall::sync("fd_prestat_get", P2, ERRNO, fd::fd_prestat_get),
        Syscall::sync("fd_prestat_dir_name", P3, ERRNO, fd::fd_prestat_dir_name),
        Syscall::sync("fd_pwrite", &[I32, I32, I32, I64, I32], ERRNO, fd::fd_pwrite),
        Syscall::suspending("fd_read", P4, ERRNO, fd::fd_read),
        Syscall::sync("fd_readdir", &[I32, I32, I32, I64, I32], ERRNO, fd::fd_readdir),
        Syscall::sync("fd_renumber", P2, ERRNO, fd::fd_renumber),
        Syscall::sync("fd_seek", &[I32, I64, I32, I32], ERRNO, fd::fd_seek),
        Syscall::sync("fd_sync", P1, ERRNO, fd::fd_sync),
        Syscall::sync("fd_tell", P2, ERRNO, fd::fd_tell),
        Syscall::sync("fd_write", P4, ERRNO, fd::fd_write),
        Syscall::sync("path_create_directory", P3, ERRNO, path::path_create_directory),
        Syscall::sync("path_filestat_get", &[I32, I32, I32, I32, I32], ERRNO, path::path_filestat_get),
        Syscall::sync(
            "path_filestat_set_times",
            &[I32, I32, I32, I32, I64, I64, I32],
            ERRNO,
            path::path_filestat_set_times,
        ),
        Syscall::sync("path_link", &[I32, I32, I32, I32, I32, I32, I32], ERRNO, path::path_link),
        Syscall::sync("path_open", &[I32, I32, I32, I32, I32, I64, I64, I32, I32], ERRNO, path::path_open),
        Syscall::sync("path_readlink", &[I32, I32, I32, I32, I32, I32], ERRNO, path::path_readlink),
        Syscall::sync("path_remove_directory", P3, ERRNO, path::path_remove_directory),
        Syscall::sync("path_rename", &[I32, I32, I32, I32, I32, I32], ERRNO, path::path_rename),
        Syscall::sync("path_symlink", &[I32, I32, I32, I32, I32], ERRNO, path::path_symlink),
        Syscall::sync("path_unlink_file", P3, ERRNO, path::path_unlink_file),
        Syscall::suspending("poll_oneoff", P4, ERRNO, poll::poll_oneoff),
        Syscall::sync("proc_exit", P1, NONE, proc::proc_exit),
        Syscall::sync("proc_raise", P1, ERRNO, proc::proc_raise),
        Syscall::suspending("sched_yield", NONE, ERRNO, proc::sched_yield),
        Syscall::sync("random_get", P2, ERRNO, proc::random_get),
        Syscall::sync("sock_accept", P3, ERRNO, sock::sock_accept),
        Syscall::sync("sock_recv", &[I32, I32, I32, I32, I32, I32], ERRNO, sock::sock_recv),
        Syscall::sync("sock_send", &[I32, I32, I32, I32, I32], ERRNO, sock::sock_send),
        Syscall::sync("sock_shutdown", P2, ERRNO, sock::sock_shutdown),
    ],
};

/// Snapshot 0: preview1 but for the `whence` order and the `filestat` and
/// `subscription` layouts.
pub static UNSTABLE: Interface = Interface {
    name: "wasi_unstable",
    base: Some(&PREVIEW1),
    funcs: &[
        Syscall::sync("fd_seek", &[I32, I64, I32, I32], ERRNO, fd::fd_seek_unstable),
        Syscall::sync("fd_filestat_get", P2, ERRNO, fd::fd_filestat_get_unstable),
        Syscall::sync("path_filestat_get", &[I32, I32, I32, I32, I32], ERRNO, path::path_filestat_get_unstable),
        Syscall::suspending("poll_oneoff", P4, ERRNO, poll::poll_oneoff_unstable),
    ],
};
