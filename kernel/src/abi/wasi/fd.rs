//! `fd_*`: operations on descriptors.
//!
//! Descriptors are console streams and preopened directories for now; the
//! file-system operations on directories answer `ENOSYS` until walos has a
//! file system (then they answer for real).

use alloc::vec;

use super::types::{Abi, Filestat, fdflags, filetype, rights};
use crate::fd::{Descriptor, Object};
use crate::loader::StdStream;
use crate::process::WaitFor;
use crate::syscall::{Call, Errno, SysResult};

/// The most one `fd_read` or `fd_write` moves: it bounds the kernel-side copy
/// whatever buffer lengths the guest passes.
const MAX_IO: usize = 1 << 20;

/// Fails with `EBADF` for console streams (not files), `ENOSYS` for
/// directories (no file system yet).
fn file_only(d: &Descriptor) -> Result<(), Errno> {
    match d.object {
        Object::Std(_) => Err(Errno::BADF),
        Object::PreopenDir { .. } => Err(Errno::NOSYS),
    }
}

/// What `fd_fdstat_get` and `fd_filestat_get` report as the type: a console
/// stream is a character device only when it is a terminal (as in wasmtime,
/// so that `isatty` tells the truth).
fn file_type(c: &Call<'_>, d: &Descriptor) -> u8 {
    match d.object {
        Object::Std(stream) if c.sys.loader.is_terminal(stream) => filetype::CHARACTER_DEVICE,
        Object::Std(_) => filetype::UNKNOWN,
        Object::PreopenDir { .. } => filetype::DIRECTORY,
    }
}

pub fn fd_advise(c: &mut Call<'_>) -> SysResult {
    let d = c.proc.fds.get(c.u32(0))?;
    file_only(d)?;
    if c.u32(3) > 5 {
        return Err(Errno::INVAL.into());
    }
    Ok(())
}

/// `fd_allocate`, `fd_datasync`, `fd_sync`, `fd_filestat_set_size`,
/// `fd_filestat_set_times`, `fd_readdir`: operations on files and
/// directories, which walos does not have yet.
pub fn file_operation(c: &mut Call<'_>) -> SysResult {
    file_only(c.proc.fds.get(c.u32(0))?)?;
    Ok(())
}

pub fn fd_close(c: &mut Call<'_>) -> SysResult {
    c.proc.fds.close(c.u32(0))?;
    Ok(())
}

pub fn fd_fdstat_get(c: &mut Call<'_>) -> SysResult {
    let d = c.proc.fds.get(c.u32(0))?;
    let ty = file_type(c, d);
    let (flags, base, inheriting) = (d.flags, d.rights_base, d.rights_inheriting);
    let at = c.u32(1);
    c.mem.check(at, 24, 8)?;
    c.mem.write_u8(at, ty)?;
    c.mem.write_u8(at + 1, 0)?;
    c.mem.write_u16(at + 2, flags)?;
    c.mem.write_u32(at + 4, 0)?;
    c.mem.write_u64(at + 8, base)?;
    c.mem.write_u64(at + 16, inheriting)?;
    Ok(())
}

pub fn fd_fdstat_set_flags(c: &mut Call<'_>) -> SysResult {
    let flags = c.u32(1);
    let d = c.proc.fds.get_mut(c.u32(0))?;
    if let Object::PreopenDir { .. } = d.object {
        return Err(Errno::NOSYS.into());
    }
    d.require(rights::FD_FDSTAT_SET_FLAGS)?;
    // Console streams take APPEND (meaningless there) and NONBLOCK; the
    // synchronous-I/O flags would need a file.
    let supported = u32::from(fdflags::APPEND | fdflags::NONBLOCK);
    if flags & !supported != 0 {
        return Err(Errno::NOTSUP.into());
    }
    d.flags = flags as u16;
    Ok(())
}

pub fn fd_fdstat_set_rights(c: &mut Call<'_>) -> SysResult {
    let (base, inheriting) = (c.u64(1), c.u64(2));
    let d = c.proc.fds.get_mut(c.u32(0))?;
    // Rights can only shrink.
    if base & !d.rights_base != 0 || inheriting & !d.rights_inheriting != 0 {
        return Err(Errno::NOTCAPABLE.into());
    }
    d.rights_base = base;
    d.rights_inheriting = inheriting;
    Ok(())
}

fn filestat_get(c: &mut Call<'_>, abi: Abi) -> SysResult {
    let d = c.proc.fds.get(c.u32(0))?;
    if let Object::PreopenDir { .. } = d.object {
        return Err(Errno::NOSYS.into());
    }
    d.require(rights::FD_FILESTAT_GET)?;
    // A console stream has no inode, size or times.
    let stat = Filestat { filetype: file_type(c, d), ..Filestat::default() };
    let at = c.u32(1);
    c.mem.check(at, abi.filestat_size().into(), 8)?;
    c.mem.write_bytes(at, &stat.encode(abi))?;
    Ok(())
}

pub fn fd_filestat_get(c: &mut Call<'_>) -> SysResult {
    filestat_get(c, Abi::Preview1)
}

pub fn fd_filestat_get_unstable(c: &mut Call<'_>) -> SysResult {
    filestat_get(c, Abi::Unstable)
}

/// `fd_pread` and `fd_pwrite`: positioned I/O needs a seekable file.
fn positioned(c: &mut Call<'_>, right: u64) -> SysResult {
    let d = c.proc.fds.get(c.u32(0))?;
    let can = match d.object {
        Object::Std(StdStream::Stdin) => right == rights::FD_READ,
        Object::Std(_) => right == rights::FD_WRITE,
        Object::PreopenDir { .. } => false,
    };
    if !can {
        return Err(Errno::BADF.into());
    }
    d.require(right)?;
    // Check the buffers even though nothing will move.
    c.mem.iovecs(c.u32(1), c.u32(2))?;
    Err(Errno::SPIPE.into())
}

pub fn fd_pread(c: &mut Call<'_>) -> SysResult {
    positioned(c, rights::FD_READ)
}

pub fn fd_pwrite(c: &mut Call<'_>) -> SysResult {
    positioned(c, rights::FD_WRITE)
}

pub fn fd_prestat_get(c: &mut Call<'_>) -> SysResult {
    let Object::PreopenDir { guest_path } = &c.proc.fds.get(c.u32(0))?.object else {
        return Err(Errno::BADF.into());
    };
    let len = guest_path.len() as u32;
    let at = c.u32(1);
    c.mem.check(at, 8, 4)?;
    c.mem.write_u32(at, 0)?; // tag 0: a directory
    c.mem.write_u32(at + 4, len)?;
    Ok(())
}

pub fn fd_prestat_dir_name(c: &mut Call<'_>) -> SysResult {
    let Object::PreopenDir { guest_path } = &c.proc.fds.get(c.u32(0))?.object else {
        return Err(Errno::BADF.into());
    };
    let (ptr, len) = (c.u32(1), c.u32(2));
    if (len as usize) < guest_path.len() {
        return Err(Errno::NAMETOOLONG.into());
    }
    c.mem.write_bytes(ptr, guest_path.as_bytes())?;
    Ok(())
}

pub fn fd_read(c: &mut Call<'_>) -> SysResult {
    let (fd, iovs, count, nread) = (c.u32(0), c.u32(1), c.u32(2), c.u32(3));
    let iovecs = c.mem.iovecs(iovs, count)?;
    c.mem.bytes(nread, 4)?;
    let wanted: usize = iovecs.iter().map(|iov| iov.len as usize).sum();
    let mut buf = vec![0u8; wanted.min(MAX_IO)];
    let d = c.proc.fds.get(fd)?;
    let nonblocking = d.flags & fdflags::NONBLOCK != 0;
    match d.read(c.sys, &mut buf)? {
        Some(n) => {
            let copied = c.mem.scatter(&iovecs, &buf[..n])?;
            c.mem.write_u32(nread, copied as u32)?;
            Ok(())
        }
        None if nonblocking => Err(Errno::AGAIN.into()),
        None => Err(c.block(WaitFor { stdin: true, ..WaitFor::default() })),
    }
}

pub fn fd_write(c: &mut Call<'_>) -> SysResult {
    let (fd, iovs, count, nwritten) = (c.u32(0), c.u32(1), c.u32(2), c.u32(3));
    let iovecs = c.mem.iovecs(iovs, count)?;
    c.mem.bytes(nwritten, 4)?;
    // A short write, as POSIX allows: callers loop until all is written.
    let data = c.mem.gather(&iovecs, 0, MAX_IO)?;
    let written = c.proc.fds.get(fd)?.write(c.sys, &data)?;
    c.mem.write_u32(nwritten, written as u32)?;
    Ok(())
}

pub fn fd_renumber(c: &mut Call<'_>) -> SysResult {
    c.proc.fds.renumber(c.u32(0), c.u32(1))?;
    Ok(())
}

fn seek(c: &mut Call<'_>, abi: Abi) -> SysResult {
    let not_seekable = match c.proc.fds.get(c.u32(0))?.object {
        Object::Std(_) => Errno::SPIPE,
        Object::PreopenDir { .. } => Errno::BADF,
    };
    abi.whence(c.u32(2)).ok_or(Errno::INVAL)?;
    Err(not_seekable.into())
}

pub fn fd_seek(c: &mut Call<'_>) -> SysResult {
    seek(c, Abi::Preview1)
}

pub fn fd_seek_unstable(c: &mut Call<'_>) -> SysResult {
    seek(c, Abi::Unstable)
}

pub fn fd_tell(c: &mut Call<'_>) -> SysResult {
    let d = c.proc.fds.get(c.u32(0))?;
    let err = match d.object {
        Object::Std(_) => Errno::SPIPE,
        Object::PreopenDir { .. } => Errno::BADF,
    };
    Err(err.into())
}
