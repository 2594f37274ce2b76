//! The virtual file system: file systems behind one trait, mounted at guest
//! paths and handed to programs as preopened directories.
//!
//! A [`FileSystem`] only does single-component operations relative to a
//! directory node it handed out; every path is resolved by the kernel
//! ([`resolve`]), so the rules that keep a program inside its directories
//! (`..`, absolute and escaping symlinks, loops) are enforced once, for
//! every file system.

pub mod build;
pub mod gzip;
pub mod mem;
pub mod resolve;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use walos_engine::MemoryBudget;

use crate::syscall::Errno;

/// A node (file, directory, symlink) of one file system, as that file
/// system numbers them. Handed out nodes are references: every node
/// returned by [`FileSystem::root`] or [`FileSystem::lookup`] must be given
/// back with [`FileSystem::release`] (a host file system keeps a host
/// descriptor open per reference).
pub type NodeId = u64;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// A directory, holding named entries.
    Directory,
    /// A regular file: bytes.
    File,
    /// A symbolic link: a path resolved by the kernel.
    Symlink,
    /// Devices, sockets, pipes of a host file system.
    Other,
}

/// A node's metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    /// The file system's device number.
    pub dev: u64,
    /// The node's number in its file system.
    pub ino: u64,
    /// What the node is.
    pub kind: NodeKind,
    /// How many directory entries name it.
    pub nlink: u64,
    /// Its size in bytes (a symlink: its target's length).
    pub size: u64,
    /// Last access time, ns since the epoch.
    pub atim: u64,
    /// Last modification time, ns since the epoch.
    pub mtim: u64,
    /// Last status change time, ns since the epoch.
    pub ctim: u64,
}

/// One entry of a directory listing (without `.` and `..`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// The entry's name: one path component.
    pub name: String,
    /// The node's number in its file system.
    pub ino: u64,
    /// What the node is.
    pub kind: NodeKind,
}

/// A new time for [`FileSystem::set_times`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetTime {
    /// Leave the time as it is.
    Keep,
    /// Set it to this time, ns since the epoch.
    At(u64),
}

/// What a new node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewNode<'a> {
    /// An empty regular file.
    File,
    /// An empty directory.
    Directory,
    /// A symbolic link to this path.
    Symlink(&'a str),
}

/// A file system. `now` arguments are the wall-clock time (ns since the
/// epoch) for the timestamps a memory file system keeps; names are single
/// path components, never empty, `.` or `..`, and without `/`.
pub trait FileSystem {
    /// A new reference to the root directory.
    fn root(&mut self) -> Result<NodeId, Errno>;
    /// Another reference to a node the caller holds.
    fn retain(&mut self, node: NodeId) -> Result<NodeId, Errno>;
    /// Drops a reference.
    fn release(&mut self, node: NodeId);
    /// The node's metadata.
    fn stat(&mut self, node: NodeId) -> Result<Stat, Errno>;
    /// The entry `name` of `dir`, not following a symlink: a new reference.
    fn lookup(&mut self, dir: NodeId, name: &str) -> Result<NodeId, Errno>;
    /// Creates `name` in `dir`; `EEXIST` if it exists (whatever it is).
    fn create(&mut self, dir: NodeId, name: &str, node: NewNode<'_>, now: u64) -> Result<(), Errno>;
    /// A symlink's target; `EINVAL` for other nodes.
    fn readlink(&mut self, node: NodeId) -> Result<String, Errno>;
    /// Reads from a file at `offset` into `buf`; how many bytes, 0 at the
    /// end.
    fn read(&mut self, node: NodeId, offset: u64, buf: &mut [u8], now: u64) -> Result<usize, Errno>;
    /// Writes `data` to a file at `offset`, growing it as needed; how many
    /// bytes.
    fn write(&mut self, node: NodeId, offset: u64, data: &[u8], now: u64) -> Result<usize, Errno>;
    /// Truncates or extends (with zeros) a file to `size` bytes.
    fn set_size(&mut self, node: NodeId, size: u64, now: u64) -> Result<(), Errno>;
    /// Sets or keeps the access and modification times.
    fn set_times(&mut self, node: NodeId, atim: SetTime, mtim: SetTime, now: u64) -> Result<(), Errno>;
    /// The entries of a directory, without `.` and `..`, in a stable order.
    fn read_dir(&mut self, dir: NodeId) -> Result<Vec<DirEntry>, Errno>;
    /// A new name `to_dir/to_name` for the non-directory `dir/name`.
    fn link(&mut self, dir: NodeId, name: &str, to_dir: NodeId, to_name: &str, now: u64) -> Result<(), Errno>;
    /// Removes a non-directory: `EISDIR` for a directory.
    fn unlink(&mut self, dir: NodeId, name: &str, now: u64) -> Result<(), Errno>;
    /// Removes an empty directory: `ENOTDIR`, `ENOTEMPTY`.
    fn remove_dir(&mut self, dir: NodeId, name: &str, now: u64) -> Result<(), Errno>;
    /// Renames with POSIX `rename` rules (replacing a file, or an empty
    /// directory by a directory).
    fn rename(&mut self, dir: NodeId, name: &str, to_dir: NodeId, to_name: &str, now: u64) -> Result<(), Errno>;
    /// Makes the node's data durable.
    fn sync(&mut self, _node: NodeId) -> Result<(), Errno> {
        Ok(())
    }
    /// From now on, charges what it holds in the kernel's heap for its
    /// guests to `budget` (the memory all processes share), refusing with
    /// `ENOSPC` what does not fit: a file system whose data lives
    /// elsewhere (the host's, a disk) holds nothing to charge.
    fn charge_to(&mut self, _budget: &Arc<MemoryBudget>) {}
}

/// The file systems mounted in the kernel, by guest path.
#[derive(Default)]
pub struct Mounts {
    mounts: Vec<(String, Box<dyn FileSystem>)>,
}

impl Mounts {
    /// Mounts `fs` at `guest_path`; a later mount at the same path hides the
    /// earlier one.
    pub fn mount(&mut self, guest_path: String, fs: Box<dyn FileSystem>) {
        self.mounts.push((guest_path, fs));
    }

    /// The mount at exactly `guest_path`.
    pub fn find(&self, guest_path: &str) -> Option<usize> {
        self.mounts.iter().rposition(|(path, _)| path == guest_path)
    }

    /// The file system of mount number `mount`; `EBADF` if there is none.
    pub fn fs(&mut self, mount: usize) -> Result<&mut dyn FileSystem, Errno> {
        match self.mounts.get_mut(mount) {
            Some((_, fs)) => Ok(fs.as_mut()),
            None => Err(Errno::BADF),
        }
    }
}
