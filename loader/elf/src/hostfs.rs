//! A host directory as a walos file system (`walos run --dir HOST::GUEST`).
//!
//! The kernel resolves every path; this file system only performs
//! single-component operations relative to a directory it opened itself
//! (`openat`, `mkdirat`, `unlinkat`, ... with `O_NOFOLLOW`), so that no host
//! symlink, `..` or absolute path can lead a program out of the directory.
//! Each node handed out is a host descriptor, kept until the kernel
//! releases the node.

use std::collections::BTreeMap;
use std::ffi::{CStr, CString};
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::FileExt;
use std::path::Path;

use walos_kernel::Errno;
use walos_kernel::vfs::{DirEntry, FileSystem, NewNode, NodeId, NodeKind, SetTime, Stat};

struct Handle {
    fd: OwnedFd,
    refs: u32,
    /// For a symlink (an `O_PATH` descriptor, which `futimens` refuses): its
    /// directory and name, to set its times with `utimensat`.
    at: Option<(OwnedFd, CString)>,
}

pub struct HostFs {
    handles: BTreeMap<NodeId, Handle>,
    next: NodeId,
}

/// The root directory's node.
const ROOT: NodeId = 0;

/// A host error as a WASI errno.
fn errno(err: io::Error) -> Errno {
    let Some(code) = err.raw_os_error() else {
        return Errno::IO;
    };
    match code {
        libc::EACCES => Errno::ACCES,
        libc::EAGAIN => Errno::AGAIN,
        libc::EBADF => Errno::BADF,
        libc::EBUSY => Errno::BUSY,
        libc::EEXIST => Errno::EXIST,
        libc::EFBIG => Errno::FBIG,
        libc::EINVAL => Errno::INVAL,
        libc::EISDIR => Errno::ISDIR,
        libc::ELOOP => Errno::LOOP,
        libc::EMFILE | libc::ENFILE => Errno::MFILE,
        libc::EMLINK => Errno::MLINK,
        libc::ENAMETOOLONG => Errno::NAMETOOLONG,
        libc::ENOENT => Errno::NOENT,
        libc::ENOMEM => Errno::NOMEM,
        libc::ENOSPC => Errno::NOSPC,
        libc::ENOTDIR => Errno::NOTDIR,
        libc::ENOTEMPTY => Errno::NOTEMPTY,
        libc::EPERM => Errno::PERM,
        libc::EROFS => Errno::ROFS,
        libc::EXDEV => Errno::XDEV,
        libc::ESPIPE => Errno::SPIPE,
        _ => Errno::IO,
    }
}

fn last_error() -> Errno {
    errno(io::Error::last_os_error())
}

/// `-1` is an error (in `errno`), anything else success.
fn check(ret: libc::c_int) -> Result<libc::c_int, Errno> {
    if ret == -1 { Err(last_error()) } else { Ok(ret) }
}

fn c_name(name: &str) -> Result<CString, Errno> {
    CString::new(name).map_err(|_| Errno::INVAL)
}

fn stat_of(st: &libc::stat) -> Stat {
    let kind = match st.st_mode & libc::S_IFMT {
        libc::S_IFDIR => NodeKind::Directory,
        libc::S_IFREG => NodeKind::File,
        libc::S_IFLNK => NodeKind::Symlink,
        _ => NodeKind::Other,
    };
    let ns = |sec: i64, nsec: i64| (sec.max(0) as u64) * 1_000_000_000 + nsec.max(0) as u64;
    Stat {
        dev: st.st_dev,
        ino: st.st_ino,
        kind,
        nlink: st.st_nlink,
        size: st.st_size.max(0) as u64,
        atim: ns(st.st_atime, st.st_atime_nsec),
        mtim: ns(st.st_mtime, st.st_mtime_nsec),
        ctim: ns(st.st_ctime, st.st_ctime_nsec),
    }
}

/// `openat(dir, name, flags | O_NOFOLLOW | O_CLOEXEC)`.
fn open_at(dir: RawFd, name: &CStr, flags: libc::c_int) -> Result<OwnedFd, Errno> {
    // SAFETY: `name` is NUL-terminated; the returned descriptor is new and
    // owned by nobody else.
    let fd = check(unsafe { libc::openat(dir, name.as_ptr(), flags | libc::O_NOFOLLOW | libc::O_CLOEXEC) })?;
    // SAFETY: `fd` was just opened.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

impl HostFs {
    /// The host directory `path`.
    pub fn open(path: &Path) -> Result<Self, String> {
        let c_path = CString::new(path.as_os_str().as_encoded_bytes())
            .map_err(|_| format!("{}: the path has a NUL byte", path.display()))?;
        // SAFETY: `c_path` is NUL-terminated.
        let fd = unsafe { libc::open(c_path.as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC) };
        if fd == -1 {
            return Err(format!("{}: {}", path.display(), io::Error::last_os_error()));
        }
        // SAFETY: `fd` was just opened.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(HostFs { handles: BTreeMap::from([(ROOT, Handle { fd, refs: 1, at: None })]), next: ROOT + 1 })
    }

    fn fd(&self, node: NodeId) -> Result<RawFd, Errno> {
        self.handles.get(&node).map(|h| h.fd.as_raw_fd()).ok_or(Errno::BADF)
    }

    /// The node's descriptor as a `File`, for std's I/O helpers.
    fn with_file<T>(&self, node: NodeId, op: impl FnOnce(&File) -> io::Result<T>) -> Result<T, Errno> {
        let fd = self.fd(node)?;
        // SAFETY: `fd` stays open (the handle owns it) while `file` lives,
        // and `ManuallyDrop` keeps `file` from closing it.
        let file = std::mem::ManuallyDrop::new(unsafe { File::from_raw_fd(fd) });
        op(&file).map_err(errno)
    }

    fn fstat(&self, node: NodeId) -> Result<libc::stat, Errno> {
        let fd = self.fd(node)?;
        // SAFETY: an all-zero `stat` is a valid value to overwrite.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: `fd` is open; `st` is writable.
        check(unsafe { libc::fstat(fd, &mut st) })?;
        Ok(st)
    }

    fn stat_at(&self, dir: NodeId, name: &CStr) -> Result<libc::stat, Errno> {
        let fd = self.fd(dir)?;
        // SAFETY: as in `fstat`.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: `name` is NUL-terminated; `st` is writable.
        check(unsafe { libc::fstatat(fd, name.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) })?;
        Ok(st)
    }
}

impl FileSystem for HostFs {
    fn root(&mut self) -> Result<NodeId, Errno> {
        self.retain(ROOT)
    }

    fn retain(&mut self, node: NodeId) -> Result<NodeId, Errno> {
        self.handles.get_mut(&node).ok_or(Errno::BADF)?.refs += 1;
        Ok(node)
    }

    fn release(&mut self, node: NodeId) {
        if let Some(handle) = self.handles.get_mut(&node) {
            handle.refs = handle.refs.saturating_sub(1);
            if handle.refs == 0 && node != ROOT {
                self.handles.remove(&node);
            }
        }
    }

    fn stat(&mut self, node: NodeId) -> Result<Stat, Errno> {
        self.fstat(node).map(|st| stat_of(&st))
    }

    fn lookup(&mut self, dir: NodeId, name: &str) -> Result<NodeId, Errno> {
        let name = c_name(name)?;
        let kind = stat_of(&self.stat_at(dir, &name)?).kind;
        let dir_fd = self.fd(dir)?;
        let mut at = None;
        let fd = match kind {
            NodeKind::Directory => open_at(dir_fd, &name, libc::O_RDONLY | libc::O_DIRECTORY)?,
            // Read and write if the host allows it; the kernel decides what
            // the program may do.
            NodeKind::File => match open_at(dir_fd, &name, libc::O_RDWR) {
                Ok(fd) => fd,
                Err(Errno::ACCES | Errno::ROFS | Errno::PERM) => open_at(dir_fd, &name, libc::O_RDONLY)?,
                Err(err) => return Err(err),
            },
            NodeKind::Symlink | NodeKind::Other => {
                let parent = self.handles.get(&dir).ok_or(Errno::BADF)?.fd.try_clone().map_err(errno)?;
                let fd = open_at(dir_fd, &name, libc::O_PATH)?;
                at = Some((parent, name));
                fd
            }
        };
        let node = self.next;
        self.next += 1;
        self.handles.insert(node, Handle { fd, refs: 1, at });
        Ok(node)
    }

    fn create(&mut self, dir: NodeId, name: &str, new: NewNode<'_>, _now: u64) -> Result<(), Errno> {
        let fd = self.fd(dir)?;
        let name = c_name(name)?;
        match new {
            NewNode::File => {
                let flags = libc::O_RDWR | libc::O_CREAT | libc::O_EXCL;
                // SAFETY: `name` is NUL-terminated; the new descriptor is
                // closed at once.
                let file = check(unsafe {
                    libc::openat(fd, name.as_ptr(), flags | libc::O_NOFOLLOW | libc::O_CLOEXEC, 0o666 as libc::c_uint)
                })?;
                // SAFETY: `file` was just opened and is not used again.
                unsafe { libc::close(file) };
            }
            // SAFETY: `name` is NUL-terminated.
            NewNode::Directory => _ = check(unsafe { libc::mkdirat(fd, name.as_ptr(), 0o777) })?,
            NewNode::Symlink(target) => {
                let target = c_name(target)?;
                // SAFETY: both strings are NUL-terminated.
                check(unsafe { libc::symlinkat(target.as_ptr(), fd, name.as_ptr()) })?;
            }
        }
        Ok(())
    }

    fn readlink(&mut self, node: NodeId) -> Result<String, Errno> {
        let fd = self.fd(node)?;
        let mut buf = vec![0u8; libc::PATH_MAX as usize];
        // SAFETY: an empty path names the `O_PATH` descriptor itself; `buf`
        // is writable for its length.
        let n = unsafe { libc::readlinkat(fd, c"".as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            return Err(match last_error() {
                Errno::NOENT => Errno::INVAL,
                err => err,
            });
        }
        buf.truncate(n as usize);
        String::from_utf8(buf).map_err(|_| Errno::ILSEQ)
    }

    fn read(&mut self, node: NodeId, offset: u64, buf: &mut [u8], _now: u64) -> Result<usize, Errno> {
        self.with_file(node, |file| file.read_at(buf, offset))
    }

    fn write(&mut self, node: NodeId, offset: u64, data: &[u8], _now: u64) -> Result<usize, Errno> {
        self.with_file(node, |file| file.write_at(data, offset))
    }

    fn set_size(&mut self, node: NodeId, size: u64, _now: u64) -> Result<(), Errno> {
        self.with_file(node, |file| file.set_len(size))
    }

    fn set_times(&mut self, node: NodeId, atim: SetTime, mtim: SetTime, _now: u64) -> Result<(), Errno> {
        let fd = self.fd(node)?;
        let spec = |time: SetTime| match time {
            SetTime::Keep => libc::timespec { tv_sec: 0, tv_nsec: libc::UTIME_OMIT },
            SetTime::At(ns) => {
                libc::timespec { tv_sec: (ns / 1_000_000_000) as libc::time_t, tv_nsec: (ns % 1_000_000_000) as _ }
            }
        };
        let times = [spec(atim), spec(mtim)];
        if let Some((dir, name)) = self.handles.get(&node).and_then(|h| h.at.as_ref()) {
            // SAFETY: `dir` is open, `name` NUL-terminated, `times` two
            // timespecs.
            let ret =
                unsafe { libc::utimensat(dir.as_raw_fd(), name.as_ptr(), times.as_ptr(), libc::AT_SYMLINK_NOFOLLOW) };
            check(ret)?;
            return Ok(());
        }
        // SAFETY: `fd` is open; `times` holds two timespecs.
        check(unsafe { libc::futimens(fd, times.as_ptr()) })?;
        Ok(())
    }

    fn read_dir(&mut self, dir: NodeId) -> Result<Vec<DirEntry>, Errno> {
        // A descriptor of its own, so that listing starts at the beginning.
        let fd = open_at(self.fd(dir)?, c".", libc::O_RDONLY | libc::O_DIRECTORY)?;
        // SAFETY: `fd` is an open directory; `fdopendir` takes it over.
        let stream = unsafe { libc::fdopendir(fd.as_raw_fd()) };
        if stream.is_null() {
            return Err(last_error());
        }
        std::mem::forget(fd);
        let mut entries = Vec::new();
        loop {
            // SAFETY: `stream` is an open directory stream.
            let entry = unsafe { libc::readdir(stream) };
            if entry.is_null() {
                break;
            }
            // SAFETY: `readdir` returned a valid entry, alive until the
            // next call.
            let entry = unsafe { &*entry };
            // SAFETY: `d_name` is NUL-terminated.
            let name = unsafe { CStr::from_ptr(entry.d_name.as_ptr()) };
            let Ok(name) = name.to_str() else { continue };
            if name == "." || name == ".." {
                continue;
            }
            let kind = match entry.d_type {
                libc::DT_DIR => NodeKind::Directory,
                libc::DT_REG => NodeKind::File,
                libc::DT_LNK => NodeKind::Symlink,
                _ => NodeKind::Other,
            };
            entries.push(DirEntry { name: name.to_string(), ino: entry.d_ino, kind });
        }
        // SAFETY: `stream` is open and not used again.
        unsafe { libc::closedir(stream) };
        // A stable order: the kernel's cookies are positions in this list.
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(entries)
    }

    fn link(&mut self, dir: NodeId, name: &str, to_dir: NodeId, to_name: &str, _now: u64) -> Result<(), Errno> {
        let (from, to) = (self.fd(dir)?, self.fd(to_dir)?);
        let (name, to_name) = (c_name(name)?, c_name(to_name)?);
        // SAFETY: both names are NUL-terminated; 0: do not follow.
        check(unsafe { libc::linkat(from, name.as_ptr(), to, to_name.as_ptr(), 0) })?;
        Ok(())
    }

    fn unlink(&mut self, dir: NodeId, name: &str, _now: u64) -> Result<(), Errno> {
        let name = c_name(name)?;
        if stat_of(&self.stat_at(dir, &name)?).kind == NodeKind::Directory {
            return Err(Errno::ISDIR);
        }
        // SAFETY: `name` is NUL-terminated.
        check(unsafe { libc::unlinkat(self.fd(dir)?, name.as_ptr(), 0) })?;
        Ok(())
    }

    fn remove_dir(&mut self, dir: NodeId, name: &str, _now: u64) -> Result<(), Errno> {
        let name = c_name(name)?;
        // SAFETY: `name` is NUL-terminated.
        check(unsafe { libc::unlinkat(self.fd(dir)?, name.as_ptr(), libc::AT_REMOVEDIR) })?;
        Ok(())
    }

    fn rename(&mut self, dir: NodeId, name: &str, to_dir: NodeId, to_name: &str, _now: u64) -> Result<(), Errno> {
        let (from, to) = (self.fd(dir)?, self.fd(to_dir)?);
        let (name, to_name) = (c_name(name)?, c_name(to_name)?);
        // SAFETY: both names are NUL-terminated.
        check(unsafe { libc::renameat(from, name.as_ptr(), to, to_name.as_ptr()) })?;
        Ok(())
    }

    fn sync(&mut self, node: NodeId) -> Result<(), Errno> {
        let fd = self.fd(node)?;
        // SAFETY: `fd` is open.
        check(unsafe { libc::fsync(fd) })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use walos_kernel::vfs::resolve::resolve;

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("walos-hostfs-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn files_directories_and_links_on_the_host() {
        let dir = temp_dir("basic");
        let mut fs = HostFs::open(&dir).unwrap();
        let root = fs.root().unwrap();
        fs.create(root, "sub", NewNode::Directory, 0).unwrap();
        let sub = fs.lookup(root, "sub").unwrap();
        fs.create(sub, "f", NewNode::File, 0).unwrap();
        let f = fs.lookup(sub, "f").unwrap();
        assert_eq!(fs.write(f, 2, b"hi", 0), Ok(2));
        assert_eq!(std::fs::read(dir.join("sub/f")).unwrap(), b"\0\0hi");
        fs.create(root, "link", NewNode::Symlink("sub/f"), 0).unwrap();
        let link = fs.lookup(root, "link").unwrap();
        assert_eq!(fs.readlink(link).as_deref(), Ok("sub/f"));
        assert_eq!(fs.readlink(f), Err(Errno::INVAL));
        assert_eq!(fs.stat(link).map(|s| s.kind), Ok(NodeKind::Symlink));
        let names: Vec<String> = fs.read_dir(root).unwrap().into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["link", "sub"]);
        assert_eq!(fs.remove_dir(root, "sub", 0), Err(Errno::NOTEMPTY));
        assert_eq!(fs.unlink(root, "sub", 0), Err(Errno::ISDIR));
        fs.rename(sub, "f", root, "g", 0).unwrap();
        assert_eq!(std::fs::read(dir.join("g")).unwrap(), b"\0\0hi");
        for node in [sub, f, link] {
            fs.release(node);
        }
        assert_eq!(fs.handles.len(), 1);
    }

    #[test]
    fn host_symlinks_cannot_lead_out() {
        let dir = temp_dir("escape");
        std::os::unix::fs::symlink("/etc", dir.join("etc")).unwrap();
        std::os::unix::fs::symlink("../..", dir.join("up")).unwrap();
        let mut fs = HostFs::open(&dir).unwrap();
        let root = fs.root().unwrap();
        assert_eq!(resolve(&mut fs, root, "etc/passwd", true).err(), Some(Errno::PERM));
        assert_eq!(resolve(&mut fs, root, "up/x", true).err(), Some(Errno::PERM));
        // Not following it, the link itself is there.
        let target = resolve(&mut fs, root, "etc", false).unwrap();
        assert_eq!(target.name.as_deref(), Some("etc"));
        fs.release(target.dir);
        assert_eq!(fs.handles.len(), 1);
    }
}
