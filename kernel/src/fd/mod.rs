//! A process's file descriptors and the I/O on what they refer to.
//!
//! Descriptor I/O reaches only what [`DescriptorIo`] gives it (the mounted
//! file systems, the wall clock, the console), not the whole kernel state,
//! and what a descriptor allows is a set of [`Rights`].

mod rights;

use alloc::string::String;
use alloc::vec::Vec;

pub use rights::Rights;

use crate::abi::wasi::types::fdflags;
use crate::loader::{IoError, StdStream, Stream};
use crate::syscall::Errno;
use crate::vfs::{Mounts, NodeId};

/// The most descriptors a process may have open (`EMFILE` beyond) unless
/// the loader says otherwise (`Config::max_fds`).
pub const DEFAULT_MAX_FDS: usize = 4096;

/// What a descriptor refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Object {
    /// One of the console streams.
    Std(StdStream),
    /// A node of a mounted file system.
    Node(OpenNode),
}

/// An open file or directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenNode {
    /// Index of the file system in the [`Mounts`].
    pub mount: usize,
    /// The node, a reference held until the descriptor is closed.
    pub node: NodeId,
    pub dir: bool,
    /// The guest path of a directory granted at start (WASI preopen).
    pub preopen: Option<String>,
    /// Opened for reading, for writing (what `O_RDONLY`/`O_WRONLY` mean in
    /// WASI: the rights asked for at open time). Using a descriptor the
    /// other way is `EBADF`, as in POSIX and wasmtime.
    pub readable: bool,
    pub writable: bool,
    /// The file position.
    pub offset: u64,
}

/// What descriptor I/O needs besides the descriptor itself.
pub trait DescriptorIo {
    /// The mounted file systems, which node descriptors refer into.
    fn mounts(&mut self) -> &mut Mounts;

    /// The wall-clock time (ns since the epoch) that stamps file times.
    fn realtime_ns(&self) -> u64;

    /// Writes all of `bytes` to the console's output or error stream.
    fn write_console(&mut self, stream: Stream, bytes: &[u8]) -> Result<(), IoError>;

    /// Moves console input into `buf`: `None` if none has arrived (a read
    /// would block), `Some(0)` at its end.
    fn read_console(&mut self, buf: &mut [u8]) -> Option<usize>;
}

/// An open descriptor: the object and what the holder may do with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptor {
    pub object: Object,
    /// WASI rights this descriptor grants.
    pub rights_base: Rights,
    /// Rights that descriptors opened through this one may have.
    pub rights_inheriting: Rights,
    /// WASI fdflags (append, nonblock, ...).
    pub flags: u16,
}

impl Descriptor {
    /// A console stream, readable or writable as its direction allows.
    pub fn std(stream: StdStream) -> Self {
        let common = Rights::FD_FDSTAT_SET_FLAGS | Rights::FD_FILESTAT_GET | Rights::POLL_FD_READWRITE;
        let io = match stream {
            StdStream::Stdin => Rights::FD_READ,
            StdStream::Stdout | StdStream::Stderr => Rights::FD_WRITE,
        };
        Descriptor { object: Object::Std(stream), rights_base: io | common, rights_inheriting: io | common, flags: 0 }
    }

    /// A preopened directory with the rights wasmtime gives one.
    pub fn preopen(guest_path: String, mount: usize, node: NodeId) -> Self {
        let open =
            OpenNode { mount, node, dir: true, preopen: Some(guest_path), readable: true, writable: false, offset: 0 };
        Descriptor {
            object: Object::Node(open),
            rights_base: Rights::DIR_BASE,
            rights_inheriting: Rights::DIR_INHERITING,
            flags: 0,
        }
    }

    /// Fails with `ENOTCAPABLE` unless every right in `needed` is held.
    pub fn require(&self, needed: Rights) -> Result<(), Errno> {
        if self.rights_base.contains(needed) { Ok(()) } else { Err(Errno::NOTCAPABLE) }
    }

    /// The open node, or `EBADF` for a console stream.
    pub fn node(&self) -> Result<&OpenNode, Errno> {
        match &self.object {
            Object::Node(open) => Ok(open),
            Object::Std(_) => Err(Errno::BADF),
        }
    }

    /// The open regular file (or other non-directory), or `EBADF`.
    pub fn file(&self) -> Result<&OpenNode, Errno> {
        self.node().and_then(|open| if open.dir { Err(Errno::BADF) } else { Ok(open) })
    }

    /// The open directory, or `ENOTDIR` for a file and `EBADF` for a stream.
    pub fn dir(&self) -> Result<&OpenNode, Errno> {
        self.node().and_then(|open| if open.dir { Ok(open) } else { Err(Errno::NOTDIR) })
    }

    /// Writes `data` at the file position (at the end with `APPEND`);
    /// `EBADF` if the object is not writable.
    pub fn write(&mut self, io: &mut dyn DescriptorIo, data: &[u8]) -> Result<usize, Errno> {
        let append = self.flags & fdflags::APPEND != 0;
        let stream = match &mut self.object {
            Object::Std(StdStream::Stdout) => Stream::Stdout,
            Object::Std(StdStream::Stderr) => Stream::Stderr,
            Object::Std(StdStream::Stdin) => return Err(Errno::BADF),
            Object::Node(open) => {
                if open.dir || !open.writable {
                    return Err(Errno::BADF);
                }
                if !self.rights_base.contains(Rights::FD_WRITE) {
                    return Err(Errno::NOTCAPABLE);
                }
                let now = io.realtime_ns();
                let fs = io.mounts().fs(open.mount)?;
                if append {
                    open.offset = fs.stat(open.node)?.size;
                }
                let n = fs.write(open.node, open.offset, data, now)?;
                open.offset += n as u64;
                return Ok(n);
            }
        };
        self.require(Rights::FD_WRITE)?;
        if data.is_empty() {
            return Ok(0);
        }
        io.write_console(stream, data).map_err(|err| match err {
            IoError::BrokenPipe => Errno::PIPE,
            IoError::Other(_) => Errno::IO,
        })?;
        Ok(data.len())
    }

    /// Reads what is available into `buf`: `Ok(None)` if that would block,
    /// `Ok(Some(0))` at end of input; `EBADF` if the object is not readable.
    pub fn read(&mut self, io: &mut dyn DescriptorIo, buf: &mut [u8]) -> Result<Option<usize>, Errno> {
        let base = self.rights_base;
        match &mut self.object {
            Object::Std(StdStream::Stdin) => {}
            Object::Std(_) => return Err(Errno::BADF),
            Object::Node(open) => {
                if open.dir || !open.readable {
                    return Err(Errno::BADF);
                }
                if !base.contains(Rights::FD_READ) {
                    return Err(Errno::NOTCAPABLE);
                }
                let now = io.realtime_ns();
                let n = io.mounts().fs(open.mount)?.read(open.node, open.offset, buf, now)?;
                open.offset += n as u64;
                return Ok(Some(n));
            }
        }
        self.require(Rights::FD_READ)?;
        if buf.is_empty() {
            return Ok(Some(0));
        }
        Ok(io.read_console(buf))
    }

    /// Gives the file-system reference back.
    pub fn release(self, mounts: &mut Mounts) {
        if let Object::Node(open) = self.object
            && let Ok(fs) = mounts.fs(open.mount)
        {
            fs.release(open.node);
        }
    }
}

/// Descriptors by number; numbers are reused lowest first, as in POSIX.
#[derive(Debug, Clone)]
pub struct FdTable {
    slots: Vec<Option<Descriptor>>,
    /// The most descriptors open at once.
    limit: usize,
}

impl FdTable {
    /// Standard input, output and error as 0, 1, 2, then the preopened
    /// directories from 3 on, each the root of the file system mounted at
    /// that guest path, at most `limit` open at once; `Err` names a path
    /// where nothing is mounted.
    pub fn new(mounts: &mut Mounts, preopens: &[String], limit: usize) -> Result<Self, String> {
        let mut table = FdTable::standard(limit);
        for path in preopens {
            let mount = mounts.find(path).ok_or_else(|| path.clone())?;
            let root = mounts.fs(mount).and_then(|fs| fs.root()).map_err(|_| path.clone())?;
            table.slots.push(Some(Descriptor::preopen(path.clone(), mount, root)));
        }
        Ok(table)
    }

    /// Standard input, output and error alone (a service's table).
    pub fn standard(limit: usize) -> Self {
        let slots = [StdStream::Stdin, StdStream::Stdout, StdStream::Stderr].map(|s| Some(Descriptor::std(s))).into();
        FdTable { slots, limit }
    }

    pub fn get(&self, fd: u32) -> Result<&Descriptor, Errno> {
        self.slots.get(fd as usize).and_then(Option::as_ref).ok_or(Errno::BADF)
    }

    pub fn get_mut(&mut self, fd: u32) -> Result<&mut Descriptor, Errno> {
        self.slots.get_mut(fd as usize).and_then(Option::as_mut).ok_or(Errno::BADF)
    }

    /// Adds a descriptor under the lowest free number; `EMFILE` when
    /// its limit is open (the descriptor is handed back to be released).
    pub fn insert(&mut self, descriptor: Descriptor) -> Result<u32, (Errno, Descriptor)> {
        let fd = match self.slots.iter().position(Option::is_none) {
            Some(free) => free,
            None if self.slots.len() >= self.limit => return Err((Errno::MFILE, descriptor)),
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        };
        self.slots[fd] = Some(descriptor);
        Ok(fd as u32)
    }

    pub fn close(&mut self, fd: u32) -> Result<Descriptor, Errno> {
        let descriptor = self.slots.get_mut(fd as usize).and_then(Option::take).ok_or(Errno::BADF)?;
        while matches!(self.slots.last(), Some(None)) {
            self.slots.pop();
        }
        Ok(descriptor)
    }

    /// Closes everything (the process ended); the descriptors are returned
    /// to be released.
    pub fn take_all(&mut self) -> Vec<Descriptor> {
        self.slots.drain(..).flatten().collect()
    }

    /// Moves `from` onto `to`; both must be open. Returns what `to` held,
    /// to be released.
    pub fn renumber(&mut self, from: u32, to: u32) -> Result<Option<Descriptor>, Errno> {
        self.get(from)?;
        self.get(to)?;
        if from == to {
            return Ok(None);
        }
        let descriptor = self.close(from)?;
        Ok(self.slots[to as usize].replace(descriptor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vfs::mem::MemFs;

    /// A console that keeps what is written and has `input` to read.
    #[derive(Default)]
    struct Console {
        mounts: Mounts,
        written: Vec<(Stream, Vec<u8>)>,
        input: Option<Vec<u8>>,
    }

    impl DescriptorIo for Console {
        fn mounts(&mut self) -> &mut Mounts {
            &mut self.mounts
        }

        fn realtime_ns(&self) -> u64 {
            7
        }

        fn write_console(&mut self, stream: Stream, bytes: &[u8]) -> Result<(), IoError> {
            self.written.push((stream, bytes.to_vec()));
            Ok(())
        }

        fn read_console(&mut self, buf: &mut [u8]) -> Option<usize> {
            let input = self.input.take()?;
            buf[..input.len()].copy_from_slice(&input);
            Some(input.len())
        }
    }

    #[test]
    fn streams_reach_the_console_and_files_their_mount() {
        let mut io = Console::default();
        io.mounts.mount("/data".into(), alloc::boxed::Box::new(MemFs::new(1, 0)));
        let mut fds = FdTable::new(&mut io.mounts, &["/data".into()], DEFAULT_MAX_FDS).unwrap();
        assert_eq!(fds.get_mut(2).unwrap().write(&mut io, b"oops"), Ok(4));
        assert_eq!(io.written, [(Stream::Stderr, b"oops".to_vec())]);
        assert_eq!(fds.get_mut(0).unwrap().write(&mut io, b"x"), Err(Errno::BADF));
        let mut buf = [0u8; 8];
        assert_eq!(fds.get_mut(0).unwrap().read(&mut io, &mut buf), Ok(None));
        io.input = Some(b"hi".to_vec());
        assert_eq!(fds.get_mut(0).unwrap().read(&mut io, &mut buf), Ok(Some(2)));
        assert_eq!(fds.get_mut(1).unwrap().read(&mut io, &mut buf), Err(Errno::BADF));
        // A directory is neither read nor written as a file.
        assert_eq!(fds.get_mut(3).unwrap().write(&mut io, b"x"), Err(Errno::BADF));
        for descriptor in fds.take_all() {
            descriptor.release(&mut io.mounts);
        }
    }

    #[test]
    fn stdio_then_preopens() {
        let mut mounts = Mounts::default();
        mounts.mount("/sandbox".into(), alloc::boxed::Box::new(MemFs::new(1, 0)));
        let fds = FdTable::new(&mut mounts, &["/sandbox".into()], DEFAULT_MAX_FDS).unwrap();
        assert_eq!(fds.get(0).map(|d| &d.object), Ok(&Object::Std(StdStream::Stdin)));
        assert_eq!(fds.get(2).map(|d| &d.object), Ok(&Object::Std(StdStream::Stderr)));
        assert_eq!(fds.get(3).and_then(Descriptor::dir).map(|d| d.preopen.as_deref()), Ok(Some("/sandbox")));
        assert_eq!(fds.get(4), Err(Errno::BADF));
        assert_eq!(FdTable::new(&mut mounts, &["/other".into()], DEFAULT_MAX_FDS).err(), Some("/other".into()));
    }

    #[test]
    fn numbers_are_reused_lowest_first_up_to_a_limit() {
        let mut fds = FdTable::new(&mut Mounts::default(), &[], DEFAULT_MAX_FDS).unwrap();
        assert!(fds.close(0).is_ok());
        assert_eq!(fds.close(0), Err(Errno::BADF));
        assert_eq!(fds.insert(Descriptor::std(StdStream::Stderr)), Ok(0));
        assert_eq!(fds.insert(Descriptor::std(StdStream::Stderr)), Ok(3));
        assert_eq!(fds.get(7), Err(Errno::BADF));
        for fd in 4..DEFAULT_MAX_FDS as u32 {
            assert_eq!(fds.insert(Descriptor::std(StdStream::Stderr)), Ok(fd));
        }
        assert_eq!(fds.insert(Descriptor::std(StdStream::Stderr)).map_err(|e| e.0), Err(Errno::MFILE));
    }

    #[test]
    fn renumber_needs_both_open_and_closes_the_target() {
        let mut fds = FdTable::new(&mut Mounts::default(), &[], DEFAULT_MAX_FDS).unwrap();
        assert_eq!(fds.renumber(1, 5), Err(Errno::BADF));
        assert_eq!(fds.renumber(1, 0), Ok(Some(Descriptor::std(StdStream::Stdin))));
        assert_eq!(fds.get(0).map(|d| &d.object), Ok(&Object::Std(StdStream::Stdout)));
        assert_eq!(fds.get(1), Err(Errno::BADF));
        assert_eq!(fds.renumber(0, 0), Ok(None));
    }

    #[test]
    fn rights_are_required() {
        let mut out = Descriptor::std(StdStream::Stdout);
        assert_eq!(out.require(Rights::FD_WRITE), Ok(()));
        assert_eq!(out.require(Rights::FD_READ), Err(Errno::NOTCAPABLE));
        out.rights_base = Rights::NONE;
        assert_eq!(out.require(Rights::FD_WRITE), Err(Errno::NOTCAPABLE));
    }
}
