//! WASI preview1 constants and memory layouts (witx `snapshot-01`), and the
//! few layouts that differ in `wasi_unstable` (`snapshot-00`). Rights are
//! descriptors' own type: [`crate::fd::Rights`].

#![allow(dead_code)] // The full vocabulary is listed even where unused yet.

/// `oflags` of `path_open`.
pub mod oflags {
    pub const CREAT: u16 = 1 << 0;
    pub const DIRECTORY: u16 = 1 << 1;
    pub const EXCL: u16 = 1 << 2;
    pub const TRUNC: u16 = 1 << 3;
}

/// `lookupflags`: follow a symlink in last position.
pub const LOOKUP_SYMLINK_FOLLOW: u32 = 1;

/// `fstflags` of the `*_set_times` functions.
pub mod fstflags {
    pub const ATIM: u16 = 1 << 0;
    pub const ATIM_NOW: u16 = 1 << 1;
    pub const MTIM: u16 = 1 << 2;
    pub const MTIM_NOW: u16 = 1 << 3;
}

/// File types (`filetype`, u8).
pub mod filetype {
    pub const UNKNOWN: u8 = 0;
    pub const BLOCK_DEVICE: u8 = 1;
    pub const CHARACTER_DEVICE: u8 = 2;
    pub const DIRECTORY: u8 = 3;
    pub const REGULAR_FILE: u8 = 4;
    pub const SOCKET_DGRAM: u8 = 5;
    pub const SOCKET_STREAM: u8 = 6;
    pub const SYMBOLIC_LINK: u8 = 7;
}

/// Descriptor flags (`fdflags`, u16).
pub mod fdflags {
    pub const APPEND: u16 = 1 << 0;
    pub const DSYNC: u16 = 1 << 1;
    pub const NONBLOCK: u16 = 1 << 2;
    pub const RSYNC: u16 = 1 << 3;
    pub const SYNC: u16 = 1 << 4;
}

/// Clocks (`clockid`, u32).
pub mod clock {
    pub const REALTIME: u32 = 0;
    pub const MONOTONIC: u32 = 1;
    pub const PROCESS_CPUTIME: u32 = 2;
    pub const THREAD_CPUTIME: u32 = 3;
}

/// Event types (`eventtype`, u8).
pub mod eventtype {
    pub const CLOCK: u8 = 0;
    pub const FD_READ: u8 = 1;
    pub const FD_WRITE: u8 = 2;
}

/// `subclockflags`: the timeout is an absolute time.
pub const SUBSCRIPTION_CLOCK_ABSTIME: u16 = 1;

/// `eventrwflags`: the peer hung up.
pub const EVENT_FD_READWRITE_HANGUP: u16 = 1;

/// Which snapshot an import was made against: a few layouts and enums differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Abi {
    /// `wasi_snapshot_preview1`.
    Preview1,
    /// `wasi_unstable` (snapshot 0).
    Unstable,
}

/// `whence` for `fd_seek`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whence {
    Set,
    Cur,
    End,
}

impl Abi {
    /// Decodes a `whence`: preview1 is SET, CUR, END; snapshot 0 was
    /// CUR, END, SET.
    pub fn whence(self, raw: u32) -> Option<Whence> {
        let order = match self {
            Abi::Preview1 => [Whence::Set, Whence::Cur, Whence::End],
            Abi::Unstable => [Whence::Cur, Whence::End, Whence::Set],
        };
        order.get(raw as usize).copied()
    }

    /// Size of a `filestat`: snapshot 0 had a 32-bit `nlink`.
    pub fn filestat_size(self) -> u32 {
        match self {
            Abi::Preview1 => 64,
            Abi::Unstable => 56,
        }
    }

    /// Size of a `subscription`: snapshot 0 clocks had an extra identifier.
    pub fn subscription_size(self) -> u32 {
        match self {
            Abi::Preview1 => 48,
            Abi::Unstable => 56,
        }
    }
}

/// A `filestat`, before it is laid out for one snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Filestat {
    pub dev: u64,
    pub ino: u64,
    pub filetype: u8,
    pub nlink: u64,
    pub size: u64,
    pub atim: u64,
    pub mtim: u64,
    pub ctim: u64,
}

impl Filestat {
    /// The bytes of this filestat in the given snapshot's layout.
    pub fn encode(&self, abi: Abi) -> alloc::vec::Vec<u8> {
        let mut out = alloc::vec![0u8; abi.filestat_size() as usize];
        let mut put = |at: usize, bytes: &[u8]| out[at..at + bytes.len()].copy_from_slice(bytes);
        put(0, &self.dev.to_le_bytes());
        put(8, &self.ino.to_le_bytes());
        put(16, &[self.filetype]);
        let times = match abi {
            Abi::Preview1 => {
                put(24, &self.nlink.to_le_bytes());
                put(32, &self.size.to_le_bytes());
                40
            }
            Abi::Unstable => {
                put(20, &(self.nlink as u32).to_le_bytes());
                put(24, &self.size.to_le_bytes());
                32
            }
        };
        put(times, &self.atim.to_le_bytes());
        put(times + 8, &self.mtim.to_le_bytes());
        put(times + 16, &self.ctim.to_le_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whence_orders_differ_between_snapshots() {
        assert_eq!(Abi::Preview1.whence(0), Some(Whence::Set));
        assert_eq!(Abi::Unstable.whence(0), Some(Whence::Cur));
        assert_eq!(Abi::Unstable.whence(2), Some(Whence::Set));
        assert_eq!(Abi::Preview1.whence(3), None);
    }

    #[test]
    fn filestat_layouts() {
        let stat = Filestat { dev: 1, ino: 2, filetype: 3, nlink: 4, size: 5, atim: 6, mtim: 7, ctim: 8 };
        let p1 = stat.encode(Abi::Preview1);
        assert_eq!(p1.len(), 64);
        assert_eq!(p1[16], 3);
        assert_eq!(p1[24], 4);
        assert_eq!(p1[32], 5);
        assert_eq!(p1[56], 8);
        let s0 = stat.encode(Abi::Unstable);
        assert_eq!(s0.len(), 56);
        assert_eq!(s0[20], 4);
        assert_eq!(s0[24], 5);
        assert_eq!(s0[48], 8);
    }
}
