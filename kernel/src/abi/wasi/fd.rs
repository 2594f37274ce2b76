//! `fd_*`: operations on descriptors (console streams, files and
//! directories).

use alloc::vec;
use alloc::vec::Vec;

use super::types::{Abi, Filestat, Whence, fdflags, filetype, fstflags};
use crate::fd::{Descriptor, Object, OpenNode, Rights};
use crate::loader::StdStream;
use crate::process::WaitFor;
use crate::syscall::{Errno, HostCall, SysResult};
use crate::vfs::{NodeKind, SetTime, Stat};

/// The most one `fd_read` or `fd_write` moves: it bounds the kernel-side copy
/// whatever buffer lengths the guest passes.
const MAX_IO: usize = 1 << 20;

/// The WASI file type of a node.
pub fn node_type(kind: NodeKind) -> u8 {
    match kind {
        NodeKind::Directory => filetype::DIRECTORY,
        NodeKind::File => filetype::REGULAR_FILE,
        NodeKind::Symlink => filetype::SYMBOLIC_LINK,
        NodeKind::Other => filetype::UNKNOWN,
    }
}

/// A node's `filestat`.
pub fn filestat(stat: &Stat) -> Filestat {
    Filestat {
        dev: stat.dev,
        ino: stat.ino,
        filetype: node_type(stat.kind),
        nlink: stat.nlink,
        size: stat.size,
        atim: stat.atim,
        mtim: stat.mtim,
        ctim: stat.ctim,
    }
}

/// What `fd_fdstat_get` and `fd_filestat_get` report as the type: a console
/// stream is a character device only when it is a terminal (as in wasmtime,
/// so that `isatty` tells the truth).
fn file_type(c: &HostCall<'_>, d: &Descriptor) -> u8 {
    match &d.object {
        Object::Std(stream) if c.sys.loader.is_terminal(*stream) => filetype::CHARACTER_DEVICE,
        Object::Std(_) => filetype::UNKNOWN,
        Object::Node(open) if open.dir => filetype::DIRECTORY,
        Object::Node(_) => filetype::REGULAR_FILE,
    }
}

/// The open file behind argument 0 holding `right`: `EBADF` for streams and
/// directories.
fn open_file(c: &HostCall<'_>, right: Rights) -> Result<OpenNode, Errno> {
    let d = c.proc.fds.get(c.u32(0))?;
    let file = d.file()?.clone();
    d.require(right)?;
    Ok(file)
}

pub fn fd_advise(c: &mut HostCall<'_>) -> SysResult {
    open_file(c, Rights::FD_ADVISE)?;
    if c.u32(3) > 5 {
        return Err(Errno::INVAL.into());
    }
    Ok(())
}

/// wasmtime answers `ENOTSUP` whatever the arguments; the data of a walos
/// file is allocated as it is written, so there is nothing to reserve:
/// walos checks the descriptor and grows the file if asked to.
pub fn fd_allocate(c: &mut HostCall<'_>) -> SysResult {
    let file = open_file(c, Rights::FD_ALLOCATE)?;
    if !file.writable {
        return Err(Errno::BADF.into());
    }
    let end = c.u64(1).checked_add(c.u64(2)).ok_or(Errno::FBIG)?;
    let now = c.sys.loader.realtime_ns();
    let fs = c.sys.mounts.fs(file.mount)?;
    if fs.stat(file.node)?.size < end {
        fs.set_size(file.node, end, now)?;
    }
    Ok(())
}

pub fn fd_close(c: &mut HostCall<'_>) -> SysResult {
    let descriptor = c.proc.fds.close(c.u32(0))?;
    descriptor.release(&mut c.sys.mounts);
    Ok(())
}

/// `fd_sync` and `fd_datasync`, on files only (`EBADF` for a directory, as
/// in wasmtime).
fn sync(c: &mut HostCall<'_>, right: Rights) -> SysResult {
    let d = c.proc.fds.get(c.u32(0))?;
    let open = d.file()?.clone();
    d.require(right)?;
    c.sys.mounts.fs(open.mount)?.sync(open.node)?;
    Ok(())
}

pub fn fd_datasync(c: &mut HostCall<'_>) -> SysResult {
    sync(c, Rights::FD_DATASYNC)
}

pub fn fd_sync(c: &mut HostCall<'_>) -> SysResult {
    sync(c, Rights::FD_SYNC)
}

pub fn fd_fdstat_get(c: &mut HostCall<'_>) -> SysResult {
    let d = c.proc.fds.get(c.u32(0))?;
    let ty = file_type(c, d);
    let (flags, base, inheriting) = (d.flags, d.rights_base, d.rights_inheriting);
    let at = c.u32(1);
    c.mem.check(at, 24, 8)?;
    c.mem.write_u8(at, ty)?;
    c.mem.write_u8(at + 1, 0)?;
    c.mem.write_u16(at + 2, flags)?;
    c.mem.write_u32(at + 4, 0)?;
    c.mem.write_u64(at + 8, base.bits())?;
    c.mem.write_u64(at + 16, inheriting.bits())?;
    Ok(())
}

pub fn fd_fdstat_set_flags(c: &mut HostCall<'_>) -> SysResult {
    let flags = c.u32(1);
    let d = c.proc.fds.get_mut(c.u32(0))?;
    // A directory has no flags to change (`EBADF`, as in wasmtime).
    if matches!(&d.object, Object::Node(open) if open.dir) {
        return Err(Errno::BADF.into());
    }
    d.require(Rights::FD_FDSTAT_SET_FLAGS)?;
    // APPEND and NONBLOCK can change; the synchronous-I/O flags are fixed at
    // open (`EINVAL`, as in wasmtime).
    let supported = u32::from(fdflags::APPEND | fdflags::NONBLOCK);
    if flags & !supported != 0 {
        return Err(Errno::INVAL.into());
    }
    d.flags = (d.flags & !(supported as u16)) | flags as u16;
    Ok(())
}

pub fn fd_fdstat_set_rights(c: &mut HostCall<'_>) -> SysResult {
    let (base, inheriting) = (Rights::from_bits(c.u64(1)), Rights::from_bits(c.u64(2)));
    let d = c.proc.fds.get_mut(c.u32(0))?;
    // Rights can only shrink.
    if !d.rights_base.contains(base) || !d.rights_inheriting.contains(inheriting) {
        return Err(Errno::NOTCAPABLE.into());
    }
    d.rights_base = base;
    d.rights_inheriting = inheriting;
    Ok(())
}

fn filestat_get(c: &mut HostCall<'_>, abi: Abi) -> SysResult {
    let d = c.proc.fds.get(c.u32(0))?;
    d.require(Rights::FD_FILESTAT_GET)?;
    let stat = match &d.object {
        // A console stream has no inode, size or times.
        Object::Std(_) => Filestat { filetype: file_type(c, d), ..Filestat::default() },
        Object::Node(open) => {
            let open = open.clone();
            filestat(&c.sys.mounts.fs(open.mount)?.stat(open.node)?)
        }
    };
    let at = c.u32(1);
    c.mem.check(at, abi.filestat_size().into(), 8)?;
    c.mem.write_bytes(at, &stat.encode(abi))?;
    Ok(())
}

pub fn fd_filestat_get(c: &mut HostCall<'_>) -> SysResult {
    filestat_get(c, Abi::Preview1)
}

pub fn fd_filestat_get_unstable(c: &mut HostCall<'_>) -> SysResult {
    filestat_get(c, Abi::Unstable)
}

pub fn fd_filestat_set_size(c: &mut HostCall<'_>) -> SysResult {
    let file = open_file(c, Rights::FD_FILESTAT_SET_SIZE)?;
    if !file.writable {
        return Err(Errno::BADF.into());
    }
    let (size, now) = (c.u64(1), c.sys.loader.realtime_ns());
    c.sys.mounts.fs(file.mount)?.set_size(file.node, size, now)?;
    Ok(())
}

/// Decodes `(atim, mtim, fstflags)`; both a time and "now" for one of them
/// is `EINVAL`.
pub fn set_times(atim: u64, mtim: u64, flags: u32, now: u64) -> Result<(SetTime, SetTime), Errno> {
    let has = |flag: u16| flags & u32::from(flag) != 0;
    if flags & !0xf != 0 || (has(fstflags::ATIM) && has(fstflags::ATIM_NOW)) {
        return Err(Errno::INVAL);
    }
    if has(fstflags::MTIM) && has(fstflags::MTIM_NOW) {
        return Err(Errno::INVAL);
    }
    let pick = |time, set, set_now| match (has(set), has(set_now)) {
        (true, _) => SetTime::At(time),
        (_, true) => SetTime::At(now),
        _ => SetTime::Keep,
    };
    Ok((pick(atim, fstflags::ATIM, fstflags::ATIM_NOW), pick(mtim, fstflags::MTIM, fstflags::MTIM_NOW)))
}

pub fn fd_filestat_set_times(c: &mut HostCall<'_>) -> SysResult {
    let d = c.proc.fds.get(c.u32(0))?;
    let open = d.node()?.clone();
    d.require(Rights::FD_FILESTAT_SET_TIMES)?;
    let now = c.sys.loader.realtime_ns();
    let (atim, mtim) = set_times(c.u64(1), c.u64(2), c.u32(3), now)?;
    c.sys.mounts.fs(open.mount)?.set_times(open.node, atim, mtim, now)?;
    Ok(())
}

/// The file of `fd_pread` (`right` is `FD_READ`) or `fd_pwrite`
/// (`FD_WRITE`): a console stream has no position (`ESPIPE`; `EBADF` used
/// the wrong way round), a directory is `EBADF`, and so is a file not open
/// that way.
fn positioned(c: &HostCall<'_>, fd: u32, right: Rights) -> Result<OpenNode, Errno> {
    let d = c.proc.fds.get(fd)?;
    if let Object::Std(stream) = d.object {
        let reading = right == Rights::FD_READ;
        if reading != (stream == StdStream::Stdin) {
            return Err(Errno::BADF);
        }
        d.require(right)?;
        return Err(Errno::SPIPE);
    }
    let file = d.file()?.clone();
    if !(if right == Rights::FD_READ { file.readable } else { file.writable }) {
        return Err(Errno::BADF);
    }
    d.require(right | Rights::FD_SEEK)?;
    Ok(file)
}

pub fn fd_pread(c: &mut HostCall<'_>) -> SysResult {
    let (fd, iovs, count, offset, nread) = (c.u32(0), c.u32(1), c.u32(2), c.u64(3), c.u32(4));
    let iovecs = c.mem.iovecs(iovs, count)?;
    c.mem.check(nread, 4, 4)?;
    let file = positioned(c, fd, Rights::FD_READ)?;
    let wanted: usize = iovecs.iter().map(|iov| iov.len as usize).sum();
    let mut buf = vec![0u8; wanted.min(MAX_IO)];
    let now = c.sys.loader.realtime_ns();
    let n = c.sys.mounts.fs(file.mount)?.read(file.node, offset, &mut buf, now)?;
    let copied = c.mem.scatter(&iovecs, &buf[..n])?;
    c.mem.write_u32(nread, copied as u32)?;
    Ok(())
}

pub fn fd_pwrite(c: &mut HostCall<'_>) -> SysResult {
    let (fd, iovs, count, offset, nwritten) = (c.u32(0), c.u32(1), c.u32(2), c.u64(3), c.u32(4));
    let iovecs = c.mem.iovecs(iovs, count)?;
    c.mem.check(nwritten, 4, 4)?;
    let file = positioned(c, fd, Rights::FD_WRITE)?;
    let data = c.mem.gather(&iovecs, 0, MAX_IO)?;
    let now = c.sys.loader.realtime_ns();
    let n = c.sys.mounts.fs(file.mount)?.write(file.node, offset, &data, now)?;
    c.mem.write_u32(nwritten, n as u32)?;
    Ok(())
}

/// The guest path of a preopened directory.
fn preopen_name<'a>(c: &'a HostCall<'_>) -> Result<&'a str, Errno> {
    match &c.proc.fds.get(c.u32(0))?.object {
        Object::Node(OpenNode { preopen: Some(path), .. }) => Ok(path),
        _ => Err(Errno::BADF),
    }
}

pub fn fd_prestat_get(c: &mut HostCall<'_>) -> SysResult {
    let len = preopen_name(c)?.len() as u32;
    let at = c.u32(1);
    c.mem.check(at, 8, 4)?;
    c.mem.write_u32(at, 0)?; // tag 0: a directory
    c.mem.write_u32(at + 4, len)?;
    Ok(())
}

pub fn fd_prestat_dir_name(c: &mut HostCall<'_>) -> SysResult {
    let name = preopen_name(c)?;
    let (ptr, len) = (c.u32(1), c.u32(2));
    if (len as usize) < name.len() {
        return Err(Errno::NAMETOOLONG.into());
    }
    let name = alloc::string::String::from(name);
    c.mem.write_bytes(ptr, name.as_bytes())?;
    Ok(())
}

pub fn fd_read(c: &mut HostCall<'_>) -> SysResult {
    let (fd, iovs, count, nread) = (c.u32(0), c.u32(1), c.u32(2), c.u32(3));
    let iovecs = c.mem.iovecs(iovs, count)?;
    c.mem.check(nread, 4, 4)?;
    let wanted: usize = iovecs.iter().map(|iov| iov.len as usize).sum();
    let mut buf = vec![0u8; wanted.min(MAX_IO)];
    let d = c.proc.fds.get_mut(fd)?;
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

pub fn fd_write(c: &mut HostCall<'_>) -> SysResult {
    let (fd, iovs, count, nwritten) = (c.u32(0), c.u32(1), c.u32(2), c.u32(3));
    let iovecs = c.mem.iovecs(iovs, count)?;
    c.mem.check(nwritten, 4, 4)?;
    // A short write, as POSIX allows: callers loop until all is written.
    let data = c.mem.gather(&iovecs, 0, MAX_IO)?;
    let written = c.proc.fds.get_mut(fd)?.write(c.sys, &data)?;
    c.mem.write_u32(nwritten, written as u32)?;
    Ok(())
}

/// The size of a `dirent` header before its name.
const DIRENT_SIZE: usize = 24;

/// Lists a directory from `cookie` (the index of the next entry, `.` and
/// `..` first), as many entries as fit in the buffer; the last may be cut,
/// which tells the caller to come back with a bigger buffer.
pub fn fd_readdir(c: &mut HostCall<'_>) -> SysResult {
    let (fd, buf, buf_len, cookie, bufused) = (c.u32(0), c.u32(1), c.u32(2), c.u64(3), c.u32(4));
    c.mem.bytes(buf, buf_len)?;
    c.mem.check(bufused, 4, 4)?;
    let d = c.proc.fds.get(fd)?;
    // A file is `EBADF` here, as in wasmtime.
    let dir = match d.node()? {
        open if open.dir => open.clone(),
        _ => return Err(Errno::BADF.into()),
    };
    d.require(Rights::FD_READDIR)?;
    let fs = c.sys.mounts.fs(dir.mount)?;
    let own = fs.stat(dir.node)?;
    let mut entries = vec![(alloc::string::String::from("."), own.ino, NodeKind::Directory)];
    entries.push(("..".into(), 0, NodeKind::Directory));
    entries.extend(fs.read_dir(dir.node)?.into_iter().map(|e| (e.name, e.ino, e.kind)));
    let mut out: Vec<u8> = Vec::new();
    let limit = buf_len as usize;
    for (i, (name, ino, kind)) in entries.iter().enumerate().skip(usize::try_from(cookie).unwrap_or(usize::MAX)) {
        if out.len() >= limit {
            break;
        }
        out.extend_from_slice(&(i as u64 + 1).to_le_bytes());
        out.extend_from_slice(&ino.to_le_bytes());
        out.extend_from_slice(&(name.len() as u32).to_le_bytes());
        out.extend_from_slice(&[node_type(*kind), 0, 0, 0]);
        debug_assert_eq!(out.len() % DIRENT_SIZE, 0);
        out.extend_from_slice(name.as_bytes());
    }
    out.truncate(limit);
    c.mem.write_bytes(buf, &out)?;
    c.mem.write_u32(bufused, out.len() as u32)?;
    Ok(())
}

pub fn fd_renumber(c: &mut HostCall<'_>) -> SysResult {
    if let Some(old) = c.proc.fds.renumber(c.u32(0), c.u32(1))? {
        old.release(&mut c.sys.mounts);
    }
    Ok(())
}

fn seek(c: &mut HostCall<'_>, abi: Abi) -> SysResult {
    let (fd, delta, whence, at) = (c.u32(0), c.u64(1) as i64, c.u32(2), c.u32(3));
    let d = c.proc.fds.get(fd)?;
    let file = match &d.object {
        Object::Std(_) => return Err(Errno::SPIPE.into()),
        Object::Node(open) if open.dir => return Err(Errno::BADF.into()),
        Object::Node(open) => open.clone(),
    };
    // `fd_seek(fd, 0, CUR)` is how `tell` is spelled in C: it needs only
    // the right to tell.
    let whence = abi.whence(whence).ok_or(Errno::INVAL)?;
    let needed = if delta == 0 && whence == Whence::Cur { Rights::FD_TELL } else { Rights::FD_SEEK };
    if d.require(needed).is_err() {
        d.require(Rights::FD_SEEK)?;
    }
    c.mem.check(at, 8, 8)?;
    let base = match whence {
        Whence::Set => 0,
        Whence::Cur => file.offset,
        Whence::End => c.sys.mounts.fs(file.mount)?.stat(file.node)?.size,
    };
    let offset = base.checked_add_signed(delta).filter(|&o| o <= i64::MAX as u64).ok_or(Errno::INVAL)?;
    if let Object::Node(open) = &mut c.proc.fds.get_mut(fd)?.object {
        open.offset = offset;
    }
    c.mem.write_u64(at, offset)?;
    Ok(())
}

pub fn fd_seek(c: &mut HostCall<'_>) -> SysResult {
    seek(c, Abi::Preview1)
}

pub fn fd_seek_unstable(c: &mut HostCall<'_>) -> SysResult {
    seek(c, Abi::Unstable)
}

pub fn fd_tell(c: &mut HostCall<'_>) -> SysResult {
    let d = c.proc.fds.get(c.u32(0))?;
    let offset = match &d.object {
        Object::Std(_) => return Err(Errno::SPIPE.into()),
        Object::Node(open) if open.dir => return Err(Errno::BADF.into()),
        Object::Node(open) => open.offset,
    };
    d.require(Rights::FD_TELL)?;
    c.mem.write_u64(c.u32(1), offset)?;
    Ok(())
}
