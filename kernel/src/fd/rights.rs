//! WASI rights: what a descriptor lets its holder do, and what the
//! descriptors opened through it may be granted.
//!
//! A set of rights is its own type rather than a bare `u64`, so that a
//! mask cannot be mixed up with an offset or a size, and checks read as
//! what they mean (`held.contains(needed)`).

use core::fmt;
use core::ops::{BitAnd, BitOr};

/// A set of WASI rights: the `rights` flags of witx `snapshot-01`.
#[derive(Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Rights(u64);

impl Rights {
    /// No right at all.
    #[allow(dead_code, reason = "used by tests; kept with the full set")]
    pub const NONE: Rights = Rights(0);
    /// `fd_datasync`.
    pub const FD_DATASYNC: Rights = Rights(1 << 0);
    /// `fd_read`, `fd_pread`.
    pub const FD_READ: Rights = Rights(1 << 1);
    /// `fd_seek` (and so `fd_tell`).
    pub const FD_SEEK: Rights = Rights(1 << 2);
    /// `fd_fdstat_set_flags`.
    pub const FD_FDSTAT_SET_FLAGS: Rights = Rights(1 << 3);
    /// `fd_sync`.
    pub const FD_SYNC: Rights = Rights(1 << 4);
    /// `fd_tell`, and `fd_seek(fd, 0, CUR)`.
    pub const FD_TELL: Rights = Rights(1 << 5);
    /// `fd_write`, `fd_pwrite`.
    pub const FD_WRITE: Rights = Rights(1 << 6);
    /// `fd_advise`.
    pub const FD_ADVISE: Rights = Rights(1 << 7);
    /// `fd_allocate`.
    pub const FD_ALLOCATE: Rights = Rights(1 << 8);
    /// `path_create_directory`.
    pub const PATH_CREATE_DIRECTORY: Rights = Rights(1 << 9);
    /// `path_open` with `CREAT`.
    pub const PATH_CREATE_FILE: Rights = Rights(1 << 10);
    /// `path_link`, on the source directory.
    pub const PATH_LINK_SOURCE: Rights = Rights(1 << 11);
    /// `path_link`, on the target directory.
    pub const PATH_LINK_TARGET: Rights = Rights(1 << 12);
    /// `path_open`.
    pub const PATH_OPEN: Rights = Rights(1 << 13);
    /// `fd_readdir`.
    pub const FD_READDIR: Rights = Rights(1 << 14);
    /// `path_readlink`.
    pub const PATH_READLINK: Rights = Rights(1 << 15);
    /// `path_rename`, on the source directory.
    pub const PATH_RENAME_SOURCE: Rights = Rights(1 << 16);
    /// `path_rename`, on the target directory.
    pub const PATH_RENAME_TARGET: Rights = Rights(1 << 17);
    /// `path_filestat_get`.
    pub const PATH_FILESTAT_GET: Rights = Rights(1 << 18);
    /// Changing a file's size through a path (`path_open` with `TRUNC`).
    pub const PATH_FILESTAT_SET_SIZE: Rights = Rights(1 << 19);
    /// `path_filestat_set_times`.
    pub const PATH_FILESTAT_SET_TIMES: Rights = Rights(1 << 20);
    /// `fd_filestat_get`.
    pub const FD_FILESTAT_GET: Rights = Rights(1 << 21);
    /// `fd_filestat_set_size`.
    pub const FD_FILESTAT_SET_SIZE: Rights = Rights(1 << 22);
    /// `fd_filestat_set_times`.
    pub const FD_FILESTAT_SET_TIMES: Rights = Rights(1 << 23);
    /// `path_symlink`.
    pub const PATH_SYMLINK: Rights = Rights(1 << 24);
    /// `path_remove_directory`.
    pub const PATH_REMOVE_DIRECTORY: Rights = Rights(1 << 25);
    /// `path_unlink_file`.
    pub const PATH_UNLINK_FILE: Rights = Rights(1 << 26);
    /// `poll_oneoff` on the descriptor.
    pub const POLL_FD_READWRITE: Rights = Rights(1 << 27);
    /// `sock_shutdown`.
    #[allow(dead_code, reason = "walos has no sockets yet; the set is the whole of witx")]
    pub const SOCK_SHUTDOWN: Rights = Rights(1 << 28);
    /// `sock_accept`.
    #[allow(dead_code, reason = "walos has no sockets yet; the set is the whole of witx")]
    pub const SOCK_ACCEPT: Rights = Rights(1 << 29);

    /// What a preopened directory grants (the same set as wasmtime).
    pub const DIR_BASE: Rights = Rights::all_of(&[
        Rights::PATH_CREATE_DIRECTORY,
        Rights::PATH_CREATE_FILE,
        Rights::PATH_LINK_SOURCE,
        Rights::PATH_LINK_TARGET,
        Rights::PATH_OPEN,
        Rights::FD_READDIR,
        Rights::PATH_READLINK,
        Rights::PATH_RENAME_SOURCE,
        Rights::PATH_RENAME_TARGET,
        Rights::PATH_FILESTAT_GET,
        Rights::PATH_FILESTAT_SET_TIMES,
        Rights::FD_FILESTAT_GET,
        Rights::FD_FILESTAT_SET_TIMES,
        Rights::PATH_SYMLINK,
        Rights::PATH_REMOVE_DIRECTORY,
        Rights::PATH_UNLINK_FILE,
    ]);
    /// What a preopened directory lets the descriptors opened through it
    /// have (the same set as wasmtime): every right below the socket ones
    /// but changing sizes through a path.
    pub const DIR_INHERITING: Rights = Rights(((1 << 28) - 1) & !Rights::PATH_FILESTAT_SET_SIZE.0);
    /// Every right a regular file can use.
    pub const FILE: Rights = Rights::all_of(&[
        Rights::FD_DATASYNC,
        Rights::FD_READ,
        Rights::FD_SEEK,
        Rights::FD_FDSTAT_SET_FLAGS,
        Rights::FD_SYNC,
        Rights::FD_TELL,
        Rights::FD_WRITE,
        Rights::FD_ADVISE,
        Rights::FD_ALLOCATE,
        Rights::FD_FILESTAT_GET,
        Rights::FD_FILESTAT_SET_SIZE,
        Rights::FD_FILESTAT_SET_TIMES,
        Rights::POLL_FD_READWRITE,
    ]);
    /// Every right a directory can use.
    pub const DIR: Rights = Rights::DIR_BASE;
    /// The rights that make a descriptor readable (as wasmtime decides a
    /// file's open mode).
    pub const READING: Rights = Rights(Rights::FD_READ.0 | Rights::FD_READDIR.0);
    /// The rights that make a descriptor writable.
    pub const WRITING: Rights = Rights(Rights::FD_WRITE.0 | Rights::FD_ALLOCATE.0 | Rights::FD_FILESTAT_SET_SIZE.0);
    /// Every defined right.
    pub const ALL: Rights = Rights((1 << 30) - 1);

    /// Every right in `rights`.
    const fn all_of(rights: &[Rights]) -> Rights {
        let mut bits = 0;
        let mut i = 0;
        while i < rights.len() {
            bits |= rights[i].0;
            i += 1;
        }
        Rights(bits)
    }

    /// The rights a guest passed, undefined bits included (they are
    /// dropped where a descriptor is made, with [`Rights::ALL`]).
    pub const fn from_bits(bits: u64) -> Rights {
        Rights(bits)
    }

    /// The flags as a guest sees them.
    pub const fn bits(self) -> u64 {
        self.0
    }

    /// Whether every right of `other` is in `self`.
    pub const fn contains(self, other: Rights) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether some right of `other` is in `self`.
    pub const fn intersects(self, other: Rights) -> bool {
        self.0 & other.0 != 0
    }
}

/// The rights in either set.
impl BitOr for Rights {
    type Output = Rights;

    fn bitor(self, other: Rights) -> Rights {
        Rights(self.0 | other.0)
    }
}

/// The rights in both sets.
impl BitAnd for Rights {
    type Output = Rights;

    fn bitand(self, other: Rights) -> Rights {
        Rights(self.0 & other.0)
    }
}

impl fmt::Debug for Rights {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rights({:#x})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_rights_match_wasmtime() {
        assert_eq!(Rights::DIR_BASE.bits(), 0x7b7_fe00);
        assert_eq!(Rights::DIR_INHERITING.bits(), 0xff7_ffff);
    }

    #[test]
    fn sets_combine_and_contain() {
        let rw = Rights::FD_READ | Rights::FD_WRITE;
        assert!(rw.contains(Rights::FD_READ) && rw.contains(rw) && rw.contains(Rights::NONE));
        assert!(!rw.contains(Rights::FD_READ | Rights::FD_SEEK));
        assert!(rw.intersects(Rights::READING) && !rw.intersects(Rights::FD_SEEK));
        assert_eq!(rw & Rights::READING, Rights::FD_READ);
        assert_eq!((Rights::from_bits(u64::MAX) & Rights::ALL).bits(), (1 << 30) - 1);
    }
}
