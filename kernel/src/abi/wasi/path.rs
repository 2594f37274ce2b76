//! `path_*`: operations on paths under a directory descriptor.
//!
//! Paths are resolved by the kernel ([`crate::vfs::resolve`]) inside the
//! directory, whatever file system is mounted there.

use alloc::string::{String, ToString};

use super::fd::{filestat, set_times};
use super::types::{Abi, LOOKUP_SYMLINK_FOLLOW, fdflags, oflags};
use crate::fd::{Descriptor, Object, OpenNode, Rights};
use crate::syscall::{Errno, HostCall, Stop, SysResult};
use crate::vfs::resolve::{Target, check_path, resolve};
use crate::vfs::{FileSystem, NewNode, NodeId, NodeKind};

/// The directory descriptor in argument `arg`, holding `right`, and its
/// inheriting rights.
fn dir_arg(c: &HostCall<'_>, arg: usize, right: Rights) -> Result<(OpenNode, Rights), Errno> {
    let d = c.proc.fds.get(c.u32(arg))?;
    let dir = d.dir()?.clone();
    d.require(right)?;
    Ok((dir, d.rights_inheriting))
}

/// The path in arguments `ptr` and `len`, checked.
fn path_arg(c: &HostCall<'_>, ptr: usize, len: usize) -> Result<String, Stop> {
    let bytes = c.mem.bytes(c.u32(ptr), c.u32(len))?;
    Ok(check_path(bytes)?.to_string())
}

/// Resolves `path` in `dir` and runs `op` on the target, then gives the
/// target's directory back.
fn at<T>(
    c: &mut HostCall<'_>,
    dir: &OpenNode,
    path: &str,
    follow: bool,
    op: impl FnOnce(&mut dyn FileSystem, &Target, u64) -> Result<T, Errno>,
) -> Result<T, Errno> {
    let now = c.sys.loader.realtime_ns();
    let fs = c.sys.mounts.fs(dir.mount)?;
    let target = resolve(fs, dir.node, path, follow)?;
    let result = op(fs, &target, now);
    fs.release(target.dir);
    result
}

/// A reference to the node a target names.
fn node_of(fs: &mut dyn FileSystem, target: &Target) -> Result<NodeId, Errno> {
    let node = match &target.name {
        Some(name) => fs.lookup(target.dir, name)?,
        None => fs.retain(target.dir)?,
    };
    if target.must_be_dir && fs.stat(node).map(|s| s.kind) != Ok(NodeKind::Directory) {
        fs.release(node);
        return Err(Errno::NOTDIR);
    }
    Ok(node)
}

/// Runs `op` on the node a target names.
fn with_node<T>(
    fs: &mut dyn FileSystem,
    target: &Target,
    op: impl FnOnce(&mut dyn FileSystem, NodeId) -> Result<T, Errno>,
) -> Result<T, Errno> {
    let node = node_of(fs, target)?;
    let result = op(fs, node);
    fs.release(node);
    result
}

pub fn path_create_directory(c: &mut HostCall<'_>) -> SysResult {
    let (dir, _) = dir_arg(c, 0, Rights::PATH_CREATE_DIRECTORY)?;
    let path = path_arg(c, 1, 2)?;
    at(c, &dir, &path, false, |fs, t, now| match &t.name {
        Some(name) => fs.create(t.dir, name, NewNode::Directory, now),
        None => Err(Errno::EXIST),
    })?;
    Ok(())
}

fn filestat_get(c: &mut HostCall<'_>, abi: Abi) -> SysResult {
    let (dir, _) = dir_arg(c, 0, Rights::PATH_FILESTAT_GET)?;
    let follow = c.u32(1) & LOOKUP_SYMLINK_FOLLOW != 0;
    let path = path_arg(c, 2, 3)?;
    let out = c.u32(4);
    c.mem.check(out, abi.filestat_size().into(), 8)?;
    let stat = at(c, &dir, &path, follow, |fs, t, _| with_node(fs, t, |fs, node| fs.stat(node)))?;
    c.mem.write_bytes(out, &filestat(&stat).encode(abi))?;
    Ok(())
}

pub fn path_filestat_get(c: &mut HostCall<'_>) -> SysResult {
    filestat_get(c, Abi::Preview1)
}

pub fn path_filestat_get_unstable(c: &mut HostCall<'_>) -> SysResult {
    filestat_get(c, Abi::Unstable)
}

pub fn path_filestat_set_times(c: &mut HostCall<'_>) -> SysResult {
    let (dir, _) = dir_arg(c, 0, Rights::PATH_FILESTAT_SET_TIMES)?;
    let follow = c.u32(1) & LOOKUP_SYMLINK_FOLLOW != 0;
    let path = path_arg(c, 2, 3)?;
    let now = c.sys.loader.realtime_ns();
    let (atim, mtim) = set_times(c.u64(4), c.u64(5), c.u32(6), now)?;
    at(c, &dir, &path, follow, |fs, t, now| with_node(fs, t, |fs, node| fs.set_times(node, atim, mtim, now)))?;
    Ok(())
}

/// `EXDEV` unless both directories are on one file system.
fn same_mount(a: &OpenNode, b: &OpenNode) -> Result<(), Errno> {
    if a.mount == b.mount { Ok(()) } else { Err(Errno::XDEV) }
}

pub fn path_link(c: &mut HostCall<'_>) -> SysResult {
    let (from_dir, _) = dir_arg(c, 0, Rights::PATH_LINK_SOURCE)?;
    let follow = c.u32(1) & LOOKUP_SYMLINK_FOLLOW != 0;
    let from = path_arg(c, 2, 3)?;
    let (to_dir, _) = dir_arg(c, 4, Rights::PATH_LINK_TARGET)?;
    let to = path_arg(c, 5, 6)?;
    same_mount(&from_dir, &to_dir)?;
    at(c, &from_dir, &from, follow, |fs, source, now| {
        let Some(name) = &source.name else {
            return Err(Errno::PERM);
        };
        // The source must exist before the target is looked at.
        let kind = with_node(fs, source, |fs, node| fs.stat(node))?.kind;
        if kind == NodeKind::Directory {
            return Err(Errno::PERM);
        }
        let target = resolve(fs, to_dir.node, &to, false)?;
        let result = match &target.name {
            Some(_) if target.must_be_dir => Err(Errno::NOENT),
            Some(to_name) => fs.link(source.dir, name, target.dir, to_name, now),
            None => Err(Errno::EXIST),
        };
        fs.release(target.dir);
        result
    })?;
    Ok(())
}

/// Rights a new descriptor may have for a node of this kind.
fn rights_for(kind: NodeKind) -> Rights {
    if kind == NodeKind::Directory { Rights::DIR } else { Rights::FILE }
}

pub fn path_open(c: &mut HostCall<'_>) -> SysResult {
    let (dir, inheriting) = dir_arg(c, 0, Rights::PATH_OPEN)?;
    let follow = c.u32(1) & LOOKUP_SYMLINK_FOLLOW != 0;
    let path = path_arg(c, 2, 3)?;
    let open_flags = c.u32(4) as u16;
    let (base, inherit) = (Rights::from_bits(c.u64(5)), Rights::from_bits(c.u64(6)));
    let flags = c.u32(7) as u16;
    let out = c.u32(8);
    c.mem.check(out, 4, 4)?;
    let has = |flag: u16| open_flags & flag != 0;
    if has(oflags::CREAT) {
        c.proc.fds.get(c.u32(0))?.require(Rights::PATH_CREATE_FILE)?;
    }
    let writing = base.intersects(Rights::WRITING);
    let (node, kind) = at(c, &dir, &path, follow, |fs, t, now| {
        let node = match &t.name {
            Some(name) => match fs.lookup(t.dir, name) {
                Ok(_) if has(oflags::CREAT) && has(oflags::EXCL) => {
                    return Err(Errno::EXIST);
                }
                Ok(node) => node,
                Err(Errno::NOENT) if has(oflags::CREAT) => {
                    if t.must_be_dir || has(oflags::DIRECTORY) {
                        return Err(if t.must_be_dir { Errno::ISDIR } else { Errno::NOENT });
                    }
                    fs.create(t.dir, name, NewNode::File, now)?;
                    fs.lookup(t.dir, name)?
                }
                Err(err) => return Err(err),
            },
            None if has(oflags::CREAT) && has(oflags::EXCL) => return Err(Errno::EXIST),
            None => fs.retain(t.dir)?,
        };
        let checked = (|| {
            let kind = fs.stat(node)?.kind;
            match kind {
                // Not following a symlink in last position: `O_NOFOLLOW`.
                NodeKind::Symlink => Err(Errno::LOOP),
                NodeKind::Directory if writing || has(oflags::TRUNC) => Err(Errno::ISDIR),
                NodeKind::Directory => Ok(kind),
                _ if has(oflags::DIRECTORY) || t.must_be_dir => Err(Errno::NOTDIR),
                _ => {
                    if has(oflags::TRUNC) {
                        fs.set_size(node, 0, now)?;
                    }
                    Ok(kind)
                }
            }
        })();
        match checked {
            Ok(kind) => Ok((node, kind)),
            Err(err) => {
                fs.release(node);
                Err(err)
            }
        }
    })?;
    let open = OpenNode {
        mount: dir.mount,
        node,
        dir: kind == NodeKind::Directory,
        preopen: None,
        readable: base.intersects(Rights::READING),
        writable: writing,
        offset: 0,
    };
    // Unknown rights are dropped; those not inheritable are not granted.
    let allowed = inheriting & rights_for(kind);
    let descriptor = Descriptor {
        object: Object::Node(open),
        rights_base: base & allowed,
        rights_inheriting: inherit & inheriting & Rights::ALL,
        flags: flags & (fdflags::APPEND | fdflags::DSYNC | fdflags::NONBLOCK | fdflags::RSYNC | fdflags::SYNC),
    };
    match c.proc.fds.insert(descriptor) {
        Ok(fd) => {
            c.mem.write_u32(out, fd)?;
            Ok(())
        }
        Err((errno, descriptor)) => {
            descriptor.release(&mut c.sys.mounts);
            Err(errno.into())
        }
    }
}

pub fn path_readlink(c: &mut HostCall<'_>) -> SysResult {
    let (dir, _) = dir_arg(c, 0, Rights::PATH_READLINK)?;
    let path = path_arg(c, 1, 2)?;
    let (buf, buf_len, used) = (c.u32(3), c.u32(4), c.u32(5));
    c.mem.bytes(buf, buf_len)?;
    c.mem.check(used, 4, 4)?;
    let target = at(c, &dir, &path, false, |fs, t, _| match t.name {
        Some(_) => with_node(fs, t, |fs, node| fs.readlink(node)),
        None => Err(Errno::INVAL),
    })?;
    // Cut to the buffer, as POSIX `readlink` does.
    let n = target.len().min(buf_len as usize);
    c.mem.write_bytes(buf, &target.as_bytes()[..n])?;
    c.mem.write_u32(used, n as u32)?;
    Ok(())
}

pub fn path_remove_directory(c: &mut HostCall<'_>) -> SysResult {
    let (dir, _) = dir_arg(c, 0, Rights::PATH_REMOVE_DIRECTORY)?;
    let path = path_arg(c, 1, 2)?;
    at(c, &dir, &path, false, |fs, t, now| match &t.name {
        Some(name) => fs.remove_dir(t.dir, name, now),
        None => Err(Errno::INVAL),
    })?;
    Ok(())
}

pub fn path_rename(c: &mut HostCall<'_>) -> SysResult {
    let (from_dir, _) = dir_arg(c, 0, Rights::PATH_RENAME_SOURCE)?;
    let from = path_arg(c, 1, 2)?;
    // A file as the target directory is `EBADF` here (wasmtime).
    let (to_dir, _) = dir_arg(c, 3, Rights::PATH_RENAME_TARGET)
        .map_err(|err| if err == Errno::NOTDIR { Errno::BADF } else { err })?;
    let to = path_arg(c, 4, 5)?;
    same_mount(&from_dir, &to_dir)?;
    at(c, &from_dir, &from, false, |fs, source, now| {
        let Some(name) = &source.name else {
            return Err(Errno::BUSY);
        };
        let kind = with_node(fs, &Target { must_be_dir: false, ..source.clone() }, |fs, node| fs.stat(node))?.kind;
        let target = resolve(fs, to_dir.node, &to, false)?;
        let result = match &target.name {
            _ if (source.must_be_dir || target.must_be_dir) && kind != NodeKind::Directory => Err(Errno::NOTDIR),
            Some(to_name) => fs.rename(source.dir, name, target.dir, to_name, now),
            None => Err(Errno::BUSY),
        };
        fs.release(target.dir);
        result
    })?;
    Ok(())
}

pub fn path_symlink(c: &mut HostCall<'_>) -> SysResult {
    let link_target = path_arg(c, 0, 1)?;
    let (dir, _) = dir_arg(c, 2, Rights::PATH_SYMLINK)?;
    let path = path_arg(c, 3, 4)?;
    // A link that could only lead outside the directory is refused when
    // made, as wasmtime does.
    if link_target.starts_with('/') {
        return Err(Errno::PERM.into());
    }
    at(c, &dir, &path, false, |fs, t, now| match &t.name {
        // `name/`: whatever is there is in the way.
        Some(name) if t.must_be_dir => match fs.lookup(t.dir, name) {
            Ok(node) => {
                let kind = fs.stat(node).map(|s| s.kind);
                fs.release(node);
                Err(if kind? == NodeKind::Directory { Errno::EXIST } else { Errno::NOTDIR })
            }
            Err(err) => Err(err),
        },
        Some(name) => fs.create(t.dir, name, NewNode::Symlink(&link_target), now),
        None => Err(Errno::EXIST),
    })?;
    Ok(())
}

pub fn path_unlink_file(c: &mut HostCall<'_>) -> SysResult {
    let (dir, _) = dir_arg(c, 0, Rights::PATH_UNLINK_FILE)?;
    let path = path_arg(c, 1, 2)?;
    at(c, &dir, &path, false, |fs, t, now| match &t.name {
        Some(name) if t.must_be_dir => {
            let kind = with_node(fs, &Target { must_be_dir: false, ..t.clone() }, |fs, node| fs.stat(node))?.kind;
            if kind == NodeKind::Directory {
                Err(Errno::ISDIR)
            } else {
                let _ = name;
                Err(Errno::NOTDIR)
            }
        }
        Some(name) => fs.unlink(t.dir, name, now),
        None => Err(Errno::ISDIR),
    })?;
    Ok(())
}
