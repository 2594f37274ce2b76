//! Filling a memory file system: from a list of files, or from a tar
//! archive, plain or gzipped (the UEFI loaders' initrd).

use alloc::format;
use alloc::string::String;

use tar_no_std::{PosixHeader, TypeFlag};

use super::mem::MemFs;
use super::resolve::check_path;
use super::{FileSystem, NewNode, NodeId};
use crate::syscall::Errno;

/// Adds the file `path` (relative, `/`-separated) holding `data`, creating
/// its parent directories; an existing file is replaced.
pub fn add_file(fs: &mut MemFs, path: &str, data: &[u8], now: u64) -> Result<(), String> {
    add(fs, path, now, |fs, dir, name| add_data(fs, dir, name, data, now))
}

/// Adds the directory `path` and its parents; existing ones are kept.
pub fn add_dir(fs: &mut MemFs, path: &str, now: u64) -> Result<(), String> {
    if path.split('/').all(|p| p.is_empty() || p == ".") {
        // `./`: the root, which is there.
        return Ok(());
    }
    add(fs, path, now, |fs, dir, name| make_dir(fs, dir, name, now))
}

/// Walks `path`, creating its parent directories, and calls `last` with
/// the parent and the last name.
fn add(
    fs: &mut MemFs,
    path: &str,
    now: u64,
    last: impl FnOnce(&mut MemFs, NodeId, &str) -> Result<(), Errno>,
) -> Result<(), String> {
    let fail = |err: Errno| format!("{path}: {}", err.message());
    check_path(path.as_bytes()).map_err(fail)?;
    let mut parts = path.split('/').filter(|p| !p.is_empty() && *p != ".").peekable();
    let mut dir: NodeId = fs.root().map_err(fail)?;
    while let Some(part) = parts.next() {
        if part == ".." {
            fs.release(dir);
            return Err(fail(Errno::PERM));
        }
        if parts.peek().is_none() {
            let result = last(fs, dir, part);
            fs.release(dir);
            return result.map_err(fail);
        }
        if let Err(err) = make_dir(fs, dir, part, now) {
            fs.release(dir);
            return Err(fail(err));
        }
        let next = fs.lookup(dir, part);
        fs.release(dir);
        dir = next.map_err(fail)?;
    }
    fs.release(dir);
    Err(fail(Errno::NOENT))
}

/// Creates the directory `name` in `dir` unless it is there.
fn make_dir(fs: &mut MemFs, dir: NodeId, name: &str, now: u64) -> Result<(), Errno> {
    match fs.create(dir, name, NewNode::Directory, now) {
        Ok(()) | Err(Errno::EXIST) => Ok(()),
        Err(err) => Err(err),
    }
}

fn add_data(fs: &mut MemFs, dir: NodeId, name: &str, data: &[u8], now: u64) -> Result<(), Errno> {
    match fs.create(dir, name, NewNode::File, now) {
        Ok(()) | Err(Errno::EXIST) => {}
        Err(err) => return Err(err),
    }
    let file = fs.lookup(dir, name)?;
    let result = fs.set_size(file, 0, now).and_then(|()| fs.write(file, 0, data, now));
    fs.release(file);
    result.map(|_| ())
}

/// A memory file system holding `files` (`(path, contents)`).
pub fn from_files<'a>(
    dev: u64,
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    now: u64,
) -> Result<MemFs, String> {
    let mut fs = MemFs::new(dev, now);
    for (path, data) in files {
        add_file(&mut fs, path, data, now)?;
    }
    Ok(fs)
}

/// A memory file system holding a tar archive, plain or gzipped (told
/// apart by gzip's magic number, not by a file name).
pub fn from_archive(dev: u64, archive: &[u8], now: u64) -> Result<MemFs, String> {
    if super::gzip::is_gzip(archive) {
        from_tar(dev, &super::gzip::decompress(archive)?, now)
    } else {
        from_tar(dev, archive, now)
    }
}

/// A memory file system holding the regular files and the directories of a
/// tar archive (ustar or GNU; other entries, such as links, are skipped).
pub fn from_tar(dev: u64, archive: &[u8], now: u64) -> Result<MemFs, String> {
    let tar = tar_no_std::TarArchiveRef::new(archive).map_err(|err| format!("not a valid tar archive: {err:?}"))?;
    let mut fs = MemFs::new(dev, now);
    // `entries()` yields regular files only: an empty directory is in its
    // own header alone.
    for (_, header) in tar.headers() {
        if header.typeflag.try_to_type_flag() == Ok(TypeFlag::DIRTYPE) {
            add_dir(&mut fs, &header_path(header)?, now)?;
        }
    }
    for entry in tar.entries() {
        let name = entry.filename();
        let path = name.as_str().map_err(|_| String::from("a file name in the archive is not UTF-8"))?;
        add_file(&mut fs, path, entry.data(), now)?;
    }
    Ok(fs)
}

/// The path of an entry, with its ustar prefix (as `ArchiveEntry` builds
/// the names of files).
fn header_path(header: &PosixHeader) -> Result<String, String> {
    let utf8 = |_| String::from("a file name in the archive is not UTF-8");
    let name = header.name.as_str().map_err(utf8)?;
    let ustar = (header.magic.as_str(), header.version.as_str()) == (Ok("ustar"), Ok("00"));
    if ustar && !header.prefix.is_empty() {
        Ok(format!("{}/{name}", header.prefix.as_str().map_err(utf8)?))
    } else {
        Ok(name.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn read(fs: &mut MemFs, path: &str) -> Vec<u8> {
        let root = fs.root().unwrap();
        let target = super::super::resolve::resolve(fs, root, path, true).unwrap();
        let node = fs.lookup(target.dir, target.name.as_deref().unwrap()).unwrap();
        let mut buf = alloc::vec![0u8; 64];
        let n = fs.read(node, 0, &mut buf, 0).unwrap();
        buf.truncate(n);
        buf
    }

    #[test]
    fn files_and_their_directories() {
        let mut fs = from_files(1, [("a/b/c.txt", &b"hello"[..]), ("top", b"x"), ("a/b/c.txt", b"again")], 5).unwrap();
        assert_eq!(read(&mut fs, "a/b/c.txt"), b"again");
        assert_eq!(read(&mut fs, "top"), b"x");
        assert!(from_files(1, [("../x", &b""[..])], 0).unwrap_err().contains("not permitted"));
    }

    /// One ustar header block of type `kind`, written by hand.
    fn header(name: &str, kind: u8, size: usize) -> [u8; 512] {
        let mut header = [0u8; 512];
        header[..name.len()].copy_from_slice(name.as_bytes());
        header[100..107].copy_from_slice(b"0000644");
        header[108..115].copy_from_slice(b"0000000");
        header[116..123].copy_from_slice(b"0000000");
        header[124..135].copy_from_slice(format!("{size:011o}").as_bytes());
        header[136..147].copy_from_slice(b"00000000000");
        header[156] = kind;
        header[257..263].copy_from_slice(b"ustar\0");
        header[263..265].copy_from_slice(b"00");
        header[148..156].copy_from_slice(b"        ");
        let sum: u32 = header.iter().map(|&b| u32::from(b)).sum();
        header[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        header
    }

    /// An archive of directories (`name/`) and files.
    fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, data) in entries {
            let kind = if name.ends_with('/') { b'5' } else { b'0' };
            out.extend_from_slice(&header(name, kind, data.len()));
            out.extend_from_slice(data);
            out.resize(out.len().next_multiple_of(512), 0);
        }
        out.resize(out.len() + 1024, 0);
        out
    }

    #[test]
    fn tar_archives() {
        let mut fs = from_tar(2, &tar(&[("etc/motd", b"welcome")]), 0).unwrap();
        assert_eq!(read(&mut fs, "etc/motd"), b"welcome");
        assert!(from_tar(2, b"not a tar", 0).is_err());
    }

    #[test]
    fn gzipped_tar_archives() {
        let archive = tar(&[("etc/", b""), ("etc/motd", b"welcome")]);
        let mut gz = super::super::gzip::tests::member(&archive, 0);
        let mut fs = from_archive(2, &gz, 0).unwrap();
        assert_eq!(read(&mut fs, "etc/motd"), b"welcome");
        let mut fs = from_archive(2, &archive, 0).unwrap();
        assert_eq!(read(&mut fs, "etc/motd"), b"welcome");
        gz.truncate(gz.len() - 1);
        assert_eq!(from_archive(2, &gz, 0).unwrap_err(), "not a valid gzip file: the trailer is truncated");
    }

    #[test]
    fn empty_directories_of_an_archive_are_there() {
        let mut fs = from_tar(2, &tar(&[("./", b""), ("empty/", b""), ("a/b/", b""), ("a/b/f", b"x")]), 0).unwrap();
        let root = fs.root().unwrap();
        let mut names: Vec<_> = fs.read_dir(root).unwrap().into_iter().map(|e| e.name).collect();
        names.sort();
        assert_eq!(names, ["a", "empty"]);
        let empty = fs.lookup(root, "empty").unwrap();
        assert!(fs.read_dir(empty).unwrap().is_empty());
        assert_eq!(read(&mut fs, "a/b/f"), b"x");
        assert!(from_tar(2, &tar(&[("../up/", b"")]), 0).unwrap_err().contains("not permitted"));
    }
}
