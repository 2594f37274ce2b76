//! A process's file descriptors and the I/O on what they refer to.

use alloc::string::String;
use alloc::vec::Vec;

use crate::abi::wasi::types::rights;
use crate::loader::{IoError, StdStream, Stream};
use crate::syscall::Errno;
use crate::system::System;

/// What a descriptor refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Object {
    /// One of the console streams.
    Std(StdStream),
    /// A directory granted at start (WASI preopen), named by its guest path.
    PreopenDir { guest_path: String },
}

/// An open descriptor: the object and what the holder may do with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptor {
    pub object: Object,
    /// WASI rights this descriptor grants.
    pub rights_base: u64,
    /// Rights that descriptors opened through this one may have.
    pub rights_inheriting: u64,
    /// WASI fdflags (append, nonblock, ...).
    pub flags: u16,
}

impl Descriptor {
    /// A console stream, readable or writable as its direction allows.
    pub fn std(stream: StdStream) -> Self {
        let common = rights::FD_FDSTAT_SET_FLAGS | rights::FD_FILESTAT_GET | rights::POLL_FD_READWRITE;
        let io = match stream {
            StdStream::Stdin => rights::FD_READ,
            StdStream::Stdout | StdStream::Stderr => rights::FD_WRITE,
        };
        Descriptor { object: Object::Std(stream), rights_base: io | common, rights_inheriting: io | common, flags: 0 }
    }

    /// A preopened directory with the rights wasmtime gives one.
    pub fn preopen(guest_path: String) -> Self {
        Descriptor {
            object: Object::PreopenDir { guest_path },
            rights_base: rights::DIR_BASE,
            rights_inheriting: rights::DIR_INHERITING,
            flags: 0,
        }
    }

    /// Fails with `ENOTCAPABLE` unless every right in `needed` is held.
    pub fn require(&self, needed: u64) -> Result<(), Errno> {
        if self.rights_base & needed == needed { Ok(()) } else { Err(Errno::NOTCAPABLE) }
    }

    /// Writes all of `data`; `EBADF` if the object is not writable.
    pub fn write(&self, sys: &mut System, data: &[u8]) -> Result<usize, Errno> {
        let stream = match self.object {
            Object::Std(StdStream::Stdout) => Stream::Stdout,
            Object::Std(StdStream::Stderr) => Stream::Stderr,
            _ => return Err(Errno::BADF),
        };
        self.require(rights::FD_WRITE)?;
        if data.is_empty() {
            return Ok(0);
        }
        sys.loader.write(stream, data).map_err(|err| match err {
            IoError::BrokenPipe => Errno::PIPE,
            IoError::Other(_) => Errno::IO,
        })?;
        Ok(data.len())
    }

    /// Reads what is available into `buf`: `Ok(None)` if that would block,
    /// `Ok(Some(0))` at end of input; `EBADF` if the object is not readable.
    pub fn read(&self, sys: &mut System, buf: &mut [u8]) -> Result<Option<usize>, Errno> {
        if self.object != Object::Std(StdStream::Stdin) {
            return Err(Errno::BADF);
        }
        self.require(rights::FD_READ)?;
        if buf.is_empty() {
            return Ok(Some(0));
        }
        sys.stdin.fill(&mut *sys.loader);
        if !sys.stdin.ready() {
            return Ok(None);
        }
        Ok(Some(sys.stdin.read(buf)))
    }
}

/// Descriptors by number; numbers are reused lowest first, as in POSIX.
#[derive(Debug, Clone, Default)]
pub struct FdTable {
    slots: Vec<Option<Descriptor>>,
}

impl FdTable {
    /// Standard input, output and error as 0, 1, 2, then the preopened
    /// directories from 3 on.
    pub fn new(preopens: &[String]) -> Self {
        let mut table = FdTable::default();
        for stream in [StdStream::Stdin, StdStream::Stdout, StdStream::Stderr] {
            table.insert(Descriptor::std(stream));
        }
        for path in preopens {
            table.insert(Descriptor::preopen(path.clone()));
        }
        table
    }

    pub fn get(&self, fd: u32) -> Result<&Descriptor, Errno> {
        self.slots.get(fd as usize).and_then(Option::as_ref).ok_or(Errno::BADF)
    }

    pub fn get_mut(&mut self, fd: u32) -> Result<&mut Descriptor, Errno> {
        self.slots.get_mut(fd as usize).and_then(Option::as_mut).ok_or(Errno::BADF)
    }

    /// Adds a descriptor under the lowest free number.
    pub fn insert(&mut self, descriptor: Descriptor) -> u32 {
        let fd = match self.slots.iter().position(Option::is_none) {
            Some(free) => free,
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        };
        self.slots[fd] = Some(descriptor);
        fd as u32
    }

    pub fn close(&mut self, fd: u32) -> Result<Descriptor, Errno> {
        let descriptor = self.slots.get_mut(fd as usize).and_then(Option::take).ok_or(Errno::BADF)?;
        while matches!(self.slots.last(), Some(None)) {
            self.slots.pop();
        }
        Ok(descriptor)
    }

    /// Moves `from` onto `to`, closing what `to` held; both must be open.
    pub fn renumber(&mut self, from: u32, to: u32) -> Result<(), Errno> {
        self.get(from)?;
        self.get(to)?;
        if from != to {
            let descriptor = self.close(from)?;
            self.slots[to as usize] = Some(descriptor);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdio_then_preopens() {
        let fds = FdTable::new(&["/sandbox".into()]);
        assert_eq!(fds.get(0).map(|d| &d.object), Ok(&Object::Std(StdStream::Stdin)));
        assert_eq!(fds.get(2).map(|d| &d.object), Ok(&Object::Std(StdStream::Stderr)));
        assert_eq!(fds.get(3).map(|d| &d.object), Ok(&Object::PreopenDir { guest_path: "/sandbox".into() }));
        assert_eq!(fds.get(4), Err(Errno::BADF));
    }

    #[test]
    fn numbers_are_reused_lowest_first() {
        let mut fds = FdTable::new(&[]);
        assert!(fds.close(0).is_ok());
        assert_eq!(fds.close(0), Err(Errno::BADF));
        assert_eq!(fds.insert(Descriptor::std(StdStream::Stderr)), 0);
        assert_eq!(fds.insert(Descriptor::std(StdStream::Stderr)), 3);
        assert_eq!(fds.get(7), Err(Errno::BADF));
    }

    #[test]
    fn renumber_needs_both_open_and_closes_the_target() {
        let mut fds = FdTable::new(&[]);
        assert_eq!(fds.renumber(1, 5), Err(Errno::BADF));
        assert_eq!(fds.renumber(1, 0), Ok(()));
        assert_eq!(fds.get(0).map(|d| &d.object), Ok(&Object::Std(StdStream::Stdout)));
        assert_eq!(fds.get(1), Err(Errno::BADF));
        assert_eq!(fds.renumber(0, 0), Ok(()));
    }

    #[test]
    fn rights_are_required() {
        let mut out = Descriptor::std(StdStream::Stdout);
        assert_eq!(out.require(rights::FD_WRITE), Ok(()));
        assert_eq!(out.require(rights::FD_READ), Err(Errno::NOTCAPABLE));
        out.rights_base = 0;
        assert_eq!(out.require(rights::FD_WRITE), Err(Errno::NOTCAPABLE));
    }
}
