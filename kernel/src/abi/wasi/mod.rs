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
        Syscall::new("args_get", P2, ERRNO, env::args_get),
        Syscall::new("args_sizes_get", P2, ERRNO, env::args_sizes_get),
        Syscall::new("environ_get", P2, ERRNO, env::environ_get),
        Syscall::new("environ_sizes_get", P2, ERRNO, env::environ_sizes_get),
        Syscall::new("clock_res_get", P2, ERRNO, clock::clock_res_get),
        Syscall::new("clock_time_get", &[I32, I64, I32], ERRNO, clock::clock_time_get),
        Syscall::new("fd_advise", &[I32, I64, I64, I32], ERRNO, fd::fd_advise),
        Syscall::new("fd_allocate", &[I32, I64, I64], ERRNO, fd::fd_allocate),
        Syscall::new("fd_close", P1, ERRNO, fd::fd_close),
        Syscall::new("fd_datasync", P1, ERRNO, fd::fd_datasync),
        Syscall::new("fd_fdstat_get", P2, ERRNO, fd::fd_fdstat_get),
        Syscall::new("fd_fdstat_set_flags", P2, ERRNO, fd::fd_fdstat_set_flags),
        Syscall::new("fd_fdstat_set_rights", &[I32, I64, I64], ERRNO, fd::fd_fdstat_set_rights),
        Syscall::new("fd_filestat_get", P2, ERRNO, fd::fd_filestat_get),
        Syscall::new("fd_filestat_set_size", &[I32, I64], ERRNO, fd::fd_filestat_set_size),
        Syscall::new("fd_filestat_set_times", &[I32, I64, I64, I32], ERRNO, fd::fd_filestat_set_times),
        Syscall::new("fd_pread", &[I32, I32, I32, I64, I32], ERRNO, fd::fd_pread),
        Syscall::new("fd_prestat_get", P2, ERRNO, fd::fd_prestat_get),
        Syscall::new("fd_prestat_dir_name", P3, ERRNO, fd::fd_prestat_dir_name),
        Syscall::new("fd_pwrite", &[I32, I32, I32, I64, I32], ERRNO, fd::fd_pwrite),
        Syscall::new("fd_read", P4, ERRNO, fd::fd_read),
        Syscall::new("fd_readdir", &[I32, I32, I32, I64, I32], ERRNO, fd::fd_readdir),
        Syscall::new("fd_renumber", P2, ERRNO, fd::fd_renumber),
        Syscall::new("fd_seek", &[I32, I64, I32, I32], ERRNO, fd::fd_seek),
        Syscall::new("fd_sync", P1, ERRNO, fd::fd_sync),
        Syscall::new("fd_tell", P2, ERRNO, fd::fd_tell),
        Syscall::new("fd_write", P4, ERRNO, fd::fd_write),
        Syscall::new("path_create_directory", P3, ERRNO, path::path_create_directory),
        Syscall::new("path_filestat_get", &[I32, I32, I32, I32, I32], ERRNO, path::path_filestat_get),
        Syscall::new(
            "path_filestat_set_times",
            &[I32, I32, I32, I32, I64, I64, I32],
            ERRNO,
            path::path_filestat_set_times,
        ),
        Syscall::new("path_link", &[I32, I32, I32, I32, I32, I32, I32], ERRNO, path::path_link),
        Syscall::new("path_open", &[I32, I32, I32, I32, I32, I64, I64, I32, I32], ERRNO, path::path_open),
        Syscall::new("path_readlink", &[I32, I32, I32, I32, I32, I32], ERRNO, path::path_readlink),
        Syscall::new("path_remove_directory", P3, ERRNO, path::path_remove_directory),
        Syscall::new("path_rename", &[I32, I32, I32, I32, I32, I32], ERRNO, path::path_rename),
        Syscall::new("path_symlink", &[I32, I32, I32, I32, I32], ERRNO, path::path_symlink),
        Syscall::new("path_unlink_file", P3, ERRNO, path::path_unlink_file),
        Syscall::new("poll_oneoff", P4, ERRNO, poll::poll_oneoff),
        Syscall::new("proc_exit", P1, NONE, proc::proc_exit),
        Syscall::new("proc_raise", P1, ERRNO, proc::proc_raise),
        Syscall::new("sched_yield", NONE, ERRNO, proc::sched_yield),
        Syscall::new("random_get", P2, ERRNO, proc::random_get),
        Syscall::new("sock_accept", P3, ERRNO, sock::sock_accept),
        Syscall::new("sock_recv", &[I32, I32, I32, I32, I32, I32], ERRNO, sock::sock_recv),
        Syscall::new("sock_send", &[I32, I32, I32, I32, I32], ERRNO, sock::sock_send),
        Syscall::new("sock_shutdown", P2, ERRNO, sock::sock_shutdown),
    ],
};

/// Snapshot 0: preview1 but for the `whence` order and the `filestat` and
/// `subscription` layouts.
pub static UNSTABLE: Interface = Interface {
    name: "wasi_unstable",
    base: Some(&PREVIEW1),
    funcs: &[
        Syscall::new("fd_seek", &[I32, I64, I32, I32], ERRNO, fd::fd_seek_unstable),
        Syscall::new("fd_filestat_get", P2, ERRNO, fd::fd_filestat_get_unstable),
        Syscall::new("path_filestat_get", &[I32, I32, I32, I32, I32], ERRNO, path::path_filestat_get_unstable),
        Syscall::new("poll_oneoff", P4, ERRNO, poll::poll_oneoff_unstable),
    ],
};
