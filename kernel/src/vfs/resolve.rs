//! Path resolution inside a directory descriptor, with the rules wasmtime
//! applies (checked against it by the `fs_*` test programs):
//!
//! - a path never leaves the directory it is resolved in: an absolute path,
//!   `..` above the start, or a symlink that leads out is `EPERM`;
//! - symlinks are followed in the middle of a path, and at its end when
//!   asked; more than [`MAX_LINKS`] of them is `ELOOP`;
//! - a NUL byte is `EINVAL`, invalid UTF-8 `EILSEQ`, a component longer
//!   than [`MAX_NAME`] bytes or a path longer than [`MAX_PATH`]
//!   `ENAMETOOLONG`, an empty path `ENOENT`;
//! - a trailing `/` (or `/.`) asks for a directory.

use alloc::collections::VecDeque;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::{FileSystem, NodeId, NodeKind};
use crate::syscall::Errno;

/// Symlinks followed in one resolution before `ELOOP` (Linux's limit).
pub const MAX_LINKS: u32 = 40;
/// The longest path component (Linux's `NAME_MAX`).
pub const MAX_NAME: usize = 255;
/// The longest path (Linux's `PATH_MAX`).
pub const MAX_PATH: usize = 4096;

/// Where a path leads: its last component in a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The directory holding the last component: a reference the caller
    /// must release.
    pub dir: NodeId,
    /// The last component; `None` when the path names `dir` itself (`.`,
    /// `a/..`).
    pub name: Option<String>,
    /// The path ended with `/`: the target must be a directory.
    pub must_be_dir: bool,
}

/// Checks a guest path's bytes and returns it as a string.
pub fn check_path(bytes: &[u8]) -> Result<&str, Errno> {
    if bytes.contains(&0) {
        return Err(Errno::INVAL);
    }
    let path = core::str::from_utf8(bytes).map_err(|_| Errno::ILSEQ)?;
    if path.is_empty() {
        return Err(Errno::NOENT);
    }
    if path.len() > MAX_PATH || path.split('/').any(|c| c.len() > MAX_NAME) {
        return Err(Errno::NAMETOOLONG);
    }
    Ok(path)
}

fn components(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|c| !c.is_empty() && *c != ".")
}

/// Resolves `path` from the directory `start` (which stays the caller's),
/// following a symlink in last position if `follow` (or if the path ends
/// with `/`).
pub fn resolve(fs: &mut dyn FileSystem, start: NodeId, path: &str, follow: bool) -> Result<Target, Errno> {
    if path.starts_with('/') {
        return Err(Errno::PERM);
    }
    let mut stack: Vec<NodeId> = Vec::new();
    let result = walk(fs, start, &mut stack, path, follow);
    // Every directory entered but the one returned goes back.
    let keep = result.as_ref().ok().map(|t| t.dir);
    let mut kept = false;
    for node in stack {
        if Some(node) == keep && !kept {
            kept = true;
        } else {
            fs.release(node);
        }
    }
    match result {
        // The path names `start` itself: the caller gets its own reference.
        Ok(target) if !kept => Ok(Target { dir: fs.retain(start)?, ..target }),
        other => other,
    }
}

fn walk(
    fs: &mut dyn FileSystem,
    start: NodeId,
    stack: &mut Vec<NodeId>,
    path: &str,
    follow: bool,
) -> Result<Target, Errno> {
    // `file/` and `file/.` name a directory, or nothing.
    let must_be_dir = path.ends_with('/') || path.ends_with("/.");
    let mut parts: VecDeque<String> = components(path).map(ToString::to_string).collect();
    let mut links = 0;
    let top = |stack: &Vec<NodeId>| stack.last().copied().unwrap_or(start);
    while let Some(part) = parts.pop_front() {
        let last = parts.is_empty();
        if part == ".." {
            match stack.pop() {
                Some(node) => fs.release(node),
                None => return Err(Errno::PERM),
            }
            continue;
        }
        let dir = top(stack);
        if last && !follow && !must_be_dir {
            return Ok(Target { dir, name: Some(part), must_be_dir });
        }
        let node = match fs.lookup(dir, &part) {
            Ok(node) => node,
            Err(Errno::NOENT) if last => return Ok(Target { dir, name: Some(part), must_be_dir }),
            Err(err) => return Err(err),
        };
        let kind = fs.stat(node).map(|s| s.kind);
        match kind {
            Ok(NodeKind::Symlink) => {
                let target = fs.readlink(node);
                fs.release(node);
                let target = target?;
                links += 1;
                if links > MAX_LINKS {
                    return Err(Errno::LOOP);
                }
                if target.starts_with('/') {
                    return Err(Errno::PERM);
                }
                let expanded: Vec<String> = components(&target).map(ToString::to_string).collect();
                for part in expanded.into_iter().rev() {
                    parts.push_front(part);
                }
            }
            Ok(_) if last => {
                fs.release(node);
                return Ok(Target { dir, name: Some(part), must_be_dir });
            }
            Ok(NodeKind::Directory) => stack.push(node),
            Ok(_) => {
                fs.release(node);
                return Err(Errno::NOTDIR);
            }
            Err(err) => {
                fs.release(node);
                return Err(err);
            }
        }
    }
    Ok(Target { dir: top(stack), name: None, must_be_dir })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vfs::NewNode;
    use crate::vfs::mem::MemFs;

    /// `/d/f`, `/d/up -> ..`, `/out -> ../x`, `/abs -> /etc`, `/loop -> loop`,
    /// `/fl -> d/f`.
    fn tree() -> (MemFs, NodeId) {
        let mut fs = MemFs::new(1, 0);
        let root = fs.root().unwrap();
        fs.create(root, "d", NewNode::Directory, 0).unwrap();
        let d = fs.lookup(root, "d").unwrap();
        fs.create(d, "f", NewNode::File, 0).unwrap();
        fs.create(d, "up", NewNode::Symlink(".."), 0).unwrap();
        fs.release(d);
        for (name, target) in [("out", "../x"), ("abs", "/etc"), ("loop", "loop"), ("fl", "d/f")] {
            fs.create(root, name, NewNode::Symlink(target), 0).unwrap();
        }
        (fs, root)
    }

    fn name(fs: &mut MemFs, root: NodeId, path: &str, follow: bool) -> Result<Option<String>, Errno> {
        let target = resolve(fs, root, path, follow)?;
        fs.release(target.dir);
        Ok(target.name)
    }

    #[test]
    fn paths_stay_inside() {
        let (mut fs, root) = tree();
        assert_eq!(name(&mut fs, root, "d/f", true), Ok(Some("f".into())));
        assert_eq!(name(&mut fs, root, "d/../d/./f", true), Ok(Some("f".into())));
        assert_eq!(name(&mut fs, root, "d/up/d/up", true), Ok(None));
        assert_eq!(name(&mut fs, root, "fl", true), Ok(Some("f".into())));
        assert_eq!(name(&mut fs, root, "fl", false), Ok(Some("fl".into())));
        assert_eq!(name(&mut fs, root, "..", true), Err(Errno::PERM));
        assert_eq!(name(&mut fs, root, "d/../..", true), Err(Errno::PERM));
        assert_eq!(name(&mut fs, root, "/d", true), Err(Errno::PERM));
        assert_eq!(name(&mut fs, root, "out", true), Err(Errno::PERM));
        assert_eq!(name(&mut fs, root, "abs/passwd", false), Err(Errno::PERM));
        assert_eq!(name(&mut fs, root, "loop", true), Err(Errno::LOOP));
        assert_eq!(name(&mut fs, root, "d/f/x", true), Err(Errno::NOTDIR));
        assert_eq!(name(&mut fs, root, "nothing/x", true), Err(Errno::NOENT));
        let target = resolve(&mut fs, root, "d/f/", false).unwrap();
        assert!(target.must_be_dir);
        fs.release(target.dir);
    }

    #[test]
    fn bad_paths() {
        assert_eq!(check_path(b"a\0b"), Err(Errno::INVAL));
        assert_eq!(check_path(b"\xff"), Err(Errno::ILSEQ));
        assert_eq!(check_path(b""), Err(Errno::NOENT));
        assert_eq!(check_path(&[b'a'; MAX_NAME + 1]), Err(Errno::NAMETOOLONG));
        assert_eq!(check_path(&[b'a'; MAX_NAME]).map(str::len), Ok(MAX_NAME));
        let long: alloc::vec::Vec<u8> = b"a/".iter().copied().cycle().take(MAX_PATH + 2).collect();
        assert_eq!(check_path(&long), Err(Errno::NAMETOOLONG));
    }

    #[test]
    fn references_are_given_back() {
        let (mut fs, root) = tree();
        for path in ["d/up/d/f", "loop", "out", "d/f/x"] {
            let _ = name(&mut fs, root, path, true);
        }
        let d = fs.lookup(root, "d").unwrap();
        fs.remove_dir(root, "d", 0).unwrap_err();
        fs.release(d);
        // Only the test's own references remain: the unlinked file is freed
        // as soon as it is removed.
        let d = fs.lookup(root, "d").unwrap();
        let f = fs.lookup(d, "f").unwrap();
        fs.release(f);
        fs.unlink(d, "f", 0).unwrap();
        assert_eq!(fs.stat(f), Err(Errno::BADF));
    }
}
