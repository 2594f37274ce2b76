//! An in-memory, writable file system: directories, regular files,
//! symlinks, hard links, timestamps and inode numbers.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;

use walos_engine::{Charge, MemoryBudget};

use super::{DirEntry, FileSystem, NewNode, NodeId, NodeKind, SetTime, Stat};
use crate::syscall::Errno;

/// The largest file: a write or a size beyond it is `EFBIG` (the kernel
/// heap holds the data).
const MAX_FILE: u64 = 1 << 30;

/// What a node costs the heap besides its data, charged at its creation:
/// the node, its directory entry and a name of up to 255 bytes, with room
/// for the maps' own overhead.
const NODE_COST: usize = 512;

/// What one more hard link costs: the entry and its name.
const LINK_COST: usize = 384;

#[derive(Debug)]
enum Data {
    Dir { entries: BTreeMap<String, NodeId>, parent: NodeId },
    File(Vec<u8>),
    Symlink(String),
}

#[derive(Debug)]
struct Node {
    data: Data,
    nlink: u64,
    /// References handed out and not released.
    refs: u64,
    atim: u64,
    mtim: u64,
    ctim: u64,
    /// Bytes of the budget taken for it, given back when it is freed.
    charged: usize,
}

/// The file system; node 1 is the root.
#[derive(Debug)]
pub struct MemFs {
    nodes: BTreeMap<NodeId, Node>,
    next: NodeId,
    dev: u64,
    /// What guests made it hold since it was mounted
    /// ([`FileSystem::charge_to`]); `None`: unlimited but by the heap.
    charge: Option<Charge>,
}

const ROOT: NodeId = 1;

/// Takes `bytes` of `charge`, if any: `ENOSPC` when they do not fit.
fn take(charge: &mut Option<Charge>, bytes: usize) -> Result<(), Errno> {
    match charge {
        Some(charge) => charge.resize(charge.bytes() + bytes).map_err(|_| Errno::NOSPC),
        None => Ok(()),
    }
}

/// Extends a file with zeros to `len`, charging its growth to `charge`
/// (and `node_charged`); `ENOSPC` when the budget or the kernel heap cannot
/// hold it (never an allocation failure, which would stop the kernel).
fn grow(charge: &mut Option<Charge>, node_charged: &mut usize, bytes: &mut Vec<u8>, len: usize) -> Result<(), Errno> {
    let capacity = bytes.capacity();
    if len > capacity {
        // Doubling keeps appends cheap; exactly `len` if that is all the
        // budget has room for.
        let doubled = len.max(capacity.saturating_mul(2)).min(MAX_FILE as usize);
        let target = if take(charge, doubled - capacity).is_ok() {
            doubled
        } else {
            take(charge, len - capacity)?;
            len
        };
        if bytes.try_reserve_exact(target - bytes.len()).is_err() {
            if let Some(charge) = charge {
                let _ = charge.resize(charge.bytes() - (target - capacity));
            }
            return Err(Errno::NOSPC);
        }
        *node_charged += target - capacity;
    }
    bytes.resize(len, 0);
    Ok(())
}

impl MemFs {
    /// An empty file system created at `now` (ns since the epoch); `dev` is
    /// its device number in `filestat`.
    pub fn new(dev: u64, now: u64) -> Self {
        let root = Node {
            data: Data::Dir { entries: BTreeMap::new(), parent: ROOT },
            nlink: 2,
            refs: 1,
            atim: now,
            mtim: now,
            ctim: now,
            charged: 0,
        };
        MemFs { nodes: BTreeMap::from([(ROOT, root)]), next: ROOT + 1, dev, charge: None }
    }

    fn node(&mut self, id: NodeId) -> Result<&mut Node, Errno> {
        self.nodes.get_mut(&id).ok_or(Errno::BADF)
    }

    fn entries(&mut self, dir: NodeId) -> Result<&mut BTreeMap<String, NodeId>, Errno> {
        match &mut self.node(dir)?.data {
            Data::Dir { entries, .. } => Ok(entries),
            _ => Err(Errno::NOTDIR),
        }
    }

    /// The entries of a directory that new names may go in: `ENOENT` once
    /// it was removed (while a descriptor still held it).
    fn live_entries(&mut self, dir: NodeId) -> Result<&mut BTreeMap<String, NodeId>, Errno> {
        if self.node(dir)?.nlink == 0 {
            return Err(Errno::NOENT);
        }
        self.entries(dir)
    }

    fn child(&mut self, dir: NodeId, name: &str) -> Result<NodeId, Errno> {
        self.entries(dir)?.get(name).copied().ok_or(Errno::NOENT)
    }

    fn is_dir(&self, id: NodeId) -> bool {
        matches!(self.nodes.get(&id), Some(Node { data: Data::Dir { .. }, .. }))
    }

    fn touch_dir(&mut self, dir: NodeId, now: u64) -> Result<(), Errno> {
        let node = self.node(dir)?;
        node.mtim = now;
        node.ctim = now;
        Ok(())
    }

    /// Drops a link to `id`; frees it once nothing names or holds it.
    fn drop_link(&mut self, id: NodeId, now: u64) {
        if let Some(node) = self.nodes.get_mut(&id) {
            node.nlink = node.nlink.saturating_sub(if matches!(node.data, Data::Dir { .. }) { 2 } else { 1 });
            node.ctim = now;
            if node.nlink == 0 && node.refs == 0 {
                self.free(id);
            }
        }
    }

    /// Frees node `id`, giving back what it was charged.
    fn free(&mut self, id: NodeId) {
        if let (Some(node), Some(charge)) = (self.nodes.remove(&id), &mut self.charge) {
            let _ = charge.resize(charge.bytes().saturating_sub(node.charged));
        }
    }

    /// Sets file `id`'s size to `len`, growing it with zeros.
    fn resize_file(&mut self, id: NodeId, len: usize) -> Result<(), Errno> {
        let MemFs { nodes, charge, .. } = self;
        let node = nodes.get_mut(&id).ok_or(Errno::BADF)?;
        let Data::File(bytes) = &mut node.data else {
            return Err(Errno::BADF);
        };
        if len > bytes.len() {
            grow(charge, &mut node.charged, bytes, len)
        } else {
            bytes.truncate(len);
            Ok(())
        }
    }

    fn adjust_nlink(&mut self, id: NodeId, delta: i64) {
        if let Some(node) = self.nodes.get_mut(&id) {
            node.nlink = node.nlink.saturating_add_signed(delta);
        }
    }

    /// Whether `ancestor` is `id` or one of its parents.
    fn contains(&self, ancestor: NodeId, mut id: NodeId) -> bool {
        loop {
            if id == ancestor {
                return true;
            }
            match self.nodes.get(&id) {
                Some(Node { data: Data::Dir { parent, .. }, .. }) if *parent != id => id = *parent,
                _ => return false,
            }
        }
    }
}

impl FileSystem for MemFs {
    fn root(&mut self) -> Result<NodeId, Errno> {
        self.node(ROOT)?.refs += 1;
        Ok(ROOT)
    }

    fn retain(&mut self, id: NodeId) -> Result<NodeId, Errno> {
        self.node(id)?.refs += 1;
        Ok(id)
    }

    fn release(&mut self, id: NodeId) {
        if let Some(node) = self.nodes.get_mut(&id) {
            node.refs = node.refs.saturating_sub(1);
            if node.nlink == 0 && node.refs == 0 {
                self.free(id);
            }
        }
    }

    fn stat(&mut self, id: NodeId) -> Result<Stat, Errno> {
        let dev = self.dev;
        let node = self.node(id)?;
        let (kind, size) = match &node.data {
            Data::Dir { entries, .. } => (NodeKind::Directory, entries.len() as u64),
            Data::File(bytes) => (NodeKind::File, bytes.len() as u64),
            Data::Symlink(target) => (NodeKind::Symlink, target.len() as u64),
        };
        Ok(Stat { dev, ino: id, kind, nlink: node.nlink, size, atim: node.atim, mtim: node.mtim, ctim: node.ctim })
    }

    fn lookup(&mut self, dir: NodeId, name: &str) -> Result<NodeId, Errno> {
        let id = self.child(dir, name)?;
        self.node(id)?.refs += 1;
        Ok(id)
    }

    fn create(&mut self, dir: NodeId, name: &str, new: NewNode<'_>, now: u64) -> Result<(), Errno> {
        if self.live_entries(dir)?.contains_key(name) {
            return Err(Errno::EXIST);
        }
        let cost = NODE_COST + if let NewNode::Symlink(target) = new { target.len() } else { 0 };
        take(&mut self.charge, cost)?;
        let id = self.next;
        self.next += 1;
        let (data, nlink) = match new {
            NewNode::File => (Data::File(Vec::new()), 1),
            NewNode::Directory => (Data::Dir { entries: BTreeMap::new(), parent: dir }, 2),
            NewNode::Symlink(target) => (Data::Symlink(target.to_string()), 1),
        };
        self.nodes.insert(id, Node { data, nlink, refs: 0, atim: now, mtim: now, ctim: now, charged: cost });
        self.entries(dir)?.insert(name.to_string(), id);
        if new == NewNode::Directory {
            self.adjust_nlink(dir, 1);
        }
        self.touch_dir(dir, now)
    }

    fn readlink(&mut self, id: NodeId) -> Result<String, Errno> {
        match &self.node(id)?.data {
            Data::Symlink(target) => Ok(target.clone()),
            _ => Err(Errno::INVAL),
        }
    }

    fn read(&mut self, id: NodeId, offset: u64, buf: &mut [u8], now: u64) -> Result<usize, Errno> {
        let node = self.node(id)?;
        let Data::File(bytes) = &node.data else {
            return Err(if matches!(node.data, Data::Dir { .. }) { Errno::ISDIR } else { Errno::BADF });
        };
        let start = offset.min(bytes.len() as u64) as usize;
        let n = buf.len().min(bytes.len() - start);
        buf[..n].copy_from_slice(&bytes[start..start + n]);
        node.atim = now;
        Ok(n)
    }

    fn write(&mut self, id: NodeId, offset: u64, data: &[u8], now: u64) -> Result<usize, Errno> {
        let Data::File(bytes) = &self.node(id)?.data else {
            return Err(Errno::BADF);
        };
        let end = offset.checked_add(data.len() as u64).filter(|&end| end <= MAX_FILE).ok_or(Errno::FBIG)?;
        if end as usize > bytes.len() {
            self.resize_file(id, end as usize)?;
        }
        let node = self.node(id)?;
        let Data::File(bytes) = &mut node.data else {
            return Err(Errno::BADF);
        };
        bytes[offset as usize..end as usize].copy_from_slice(data);
        node.mtim = now;
        node.ctim = now;
        Ok(data.len())
    }

    fn set_size(&mut self, id: NodeId, size: u64, now: u64) -> Result<(), Errno> {
        if !matches!(self.node(id)?.data, Data::File(_)) {
            return Err(Errno::BADF);
        }
        if size > MAX_FILE {
            return Err(Errno::FBIG);
        }
        self.resize_file(id, size as usize)?;
        let node = self.node(id)?;
        node.mtim = now;
        node.ctim = now;
        Ok(())
    }

    fn set_times(&mut self, id: NodeId, atim: SetTime, mtim: SetTime, now: u64) -> Result<(), Errno> {
        let node = self.node(id)?;
        if let SetTime::At(t) = atim {
            node.atim = t;
        }
        if let SetTime::At(t) = mtim {
            node.mtim = t;
        }
        node.ctim = now;
        Ok(())
    }

    fn charge_to(&mut self, budget: &Arc<MemoryBudget>) {
        // Nothing is held yet: charge(0) always fits.
        self.charge = budget.charge(0).ok();
    }

    fn read_dir(&mut self, dir: NodeId) -> Result<Vec<DirEntry>, Errno> {
        let entries: Vec<(String, NodeId)> = self.entries(dir)?.iter().map(|(n, id)| (n.clone(), *id)).collect();
        let mut out = Vec::with_capacity(entries.len());
        for (name, ino) in entries {
            let kind = self.stat(ino)?.kind;
            out.push(DirEntry { name, ino, kind });
        }
        Ok(out)
    }

    fn link(&mut self, dir: NodeId, name: &str, to_dir: NodeId, to_name: &str, now: u64) -> Result<(), Errno> {
        let id = self.child(dir, name)?;
        if self.is_dir(id) {
            return Err(Errno::PERM);
        }
        if self.live_entries(to_dir)?.contains_key(to_name) {
            return Err(Errno::EXIST);
        }
        take(&mut self.charge, LINK_COST)?;
        self.entries(to_dir)?.insert(to_name.to_string(), id);
        let node = self.node(id)?;
        node.charged += LINK_COST;
        node.nlink += 1;
        node.ctim = now;
        self.touch_dir(to_dir, now)
    }

    fn unlink(&mut self, dir: NodeId, name: &str, now: u64) -> Result<(), Errno> {
        let id = self.child(dir, name)?;
        if self.is_dir(id) {
            return Err(Errno::ISDIR);
        }
        self.entries(dir)?.remove(name);
        self.drop_link(id, now);
        self.touch_dir(dir, now)
    }

    fn remove_dir(&mut self, dir: NodeId, name: &str, now: u64) -> Result<(), Errno> {
        let id = self.child(dir, name)?;
        match &self.node(id)?.data {
            Data::Dir { entries, .. } if !entries.is_empty() => return Err(Errno::NOTEMPTY),
            Data::Dir { .. } => {}
            _ => return Err(Errno::NOTDIR),
        }
        self.entries(dir)?.remove(name);
        self.drop_link(id, now);
        self.adjust_nlink(dir, -1);
        self.touch_dir(dir, now)
    }

    fn rename(&mut self, dir: NodeId, name: &str, to_dir: NodeId, to_name: &str, now: u64) -> Result<(), Errno> {
        let id = self.child(dir, name)?;
        self.live_entries(to_dir)?;
        let moving_dir = self.is_dir(id);
        let target = match self.child(to_dir, to_name) {
            Ok(target) => Some(target),
            Err(Errno::NOENT) => None,
            Err(err) => return Err(err),
        };
        if moving_dir && self.contains(id, to_dir) {
            return Err(Errno::INVAL);
        }
        if let Some(target) = target {
            if target == id {
                return Ok(());
            }
            match (moving_dir, self.is_dir(target)) {
                (true, false) => return Err(Errno::NOTDIR),
                (false, true) => return Err(Errno::ISDIR),
                (true, true) => {
                    if !self.entries(target)?.is_empty() {
                        return Err(Errno::NOTEMPTY);
                    }
                    self.adjust_nlink(to_dir, -1);
                }
                (false, false) => {}
            }
            self.entries(to_dir)?.remove(to_name);
            self.drop_link(target, now);
        }
        self.entries(dir)?.remove(name);
        self.entries(to_dir)?.insert(to_name.to_string(), id);
        if moving_dir {
            self.adjust_nlink(dir, -1);
            self.adjust_nlink(to_dir, 1);
            if let Data::Dir { parent, .. } = &mut self.node(id)?.data {
                *parent = to_dir;
            }
        }
        self.node(id)?.ctim = now;
        self.touch_dir(dir, now)?;
        self.touch_dir(to_dir, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fs() -> (MemFs, NodeId) {
        let mut fs = MemFs::new(1, 100);
        let root = fs.root().unwrap();
        (fs, root)
    }

    #[test]
    fn what_guests_store_is_charged_to_the_budget_and_given_back() {
        let (mut fs, root) = fs();
        let budget = Arc::new(MemoryBudget::new(NODE_COST + 4096));
        fs.charge_to(&budget);
        fs.create(root, "f", NewNode::File, 0).unwrap();
        assert_eq!(budget.used(), NODE_COST);
        let f = fs.lookup(root, "f").unwrap();
        assert_eq!(fs.write(f, 0, &[7; 3000], 0), Ok(3000));
        // Doubling past the budget: exactly what the write needs.
        assert_eq!(fs.write(f, 3000, &[8; 1000], 0), Ok(1000));
        assert_eq!(fs.write(f, 4000, &[9; 200], 0), Err(Errno::NOSPC));
        assert_eq!(fs.create(root, "g", NewNode::File, 0), Err(Errno::NOSPC));
        assert_eq!(fs.link(root, "f", root, "h", 0), Err(Errno::NOSPC));
        let mut buf = [0; 4];
        assert_eq!((fs.read(f, 2998, &mut buf, 0), buf), (Ok(4), [7, 7, 8, 8]), "nothing lost");
        // Unlinked, the file lives while it is open.
        fs.unlink(root, "f", 0).unwrap();
        assert_eq!(budget.used(), NODE_COST + 4000);
        fs.release(f);
        assert_eq!(budget.used(), 0);
        assert_eq!(fs.create(root, "g", NewNode::File, 0), Ok(()));
    }

    #[test]
    fn files_hold_data_and_times() {
        let (mut fs, root) = fs();
        fs.create(root, "f", NewNode::File, 200).unwrap();
        let f = fs.lookup(root, "f").unwrap();
        assert_eq!(fs.write(f, 3, b"abc", 300), Ok(3));
        let mut buf = [9u8; 8];
        assert_eq!(fs.read(f, 0, &mut buf, 400), Ok(6));
        assert_eq!(&buf[..6], b"\0\0\0abc");
        let stat = fs.stat(f).unwrap();
        assert_eq!((stat.kind, stat.size, stat.nlink, stat.atim, stat.mtim), (NodeKind::File, 6, 1, 400, 300));
        assert_eq!(fs.create(root, "f", NewNode::Directory, 0), Err(Errno::EXIST));
        assert_eq!(fs.write(f, MAX_FILE, b"x", 0), Err(Errno::FBIG));
    }

    #[test]
    fn links_and_unlinked_open_files() {
        let (mut fs, root) = fs();
        fs.create(root, "a", NewNode::File, 0).unwrap();
        fs.link(root, "a", root, "b", 0).unwrap();
        let a = fs.lookup(root, "a").unwrap();
        assert_eq!(fs.stat(a).unwrap().nlink, 2);
        fs.unlink(root, "a", 0).unwrap();
        fs.unlink(root, "b", 0).unwrap();
        // Still open: still there.
        assert_eq!(fs.stat(a).unwrap().nlink, 0);
        fs.release(a);
        assert_eq!(fs.stat(a), Err(Errno::BADF));
    }

    #[test]
    fn directories_and_rename_rules() {
        let (mut fs, root) = fs();
        fs.create(root, "d", NewNode::Directory, 0).unwrap();
        let d = fs.lookup(root, "d").unwrap();
        fs.create(d, "sub", NewNode::Directory, 0).unwrap();
        fs.create(root, "f", NewNode::File, 0).unwrap();
        assert_eq!(fs.stat(root).unwrap().nlink, 3);
        assert_eq!(fs.remove_dir(root, "d", 0), Err(Errno::NOTEMPTY));
        assert_eq!(fs.remove_dir(root, "f", 0), Err(Errno::NOTDIR));
        assert_eq!(fs.unlink(root, "d", 0), Err(Errno::ISDIR));
        let sub = fs.lookup(d, "sub").unwrap();
        assert_eq!(fs.rename(root, "d", sub, "x", 0), Err(Errno::INVAL));
        assert_eq!(fs.rename(root, "f", d, "sub", 0), Err(Errno::ISDIR));
        assert_eq!(fs.rename(d, "sub", root, "f", 0), Err(Errno::NOTDIR));
        fs.rename(d, "sub", root, "moved", 0).unwrap();
        assert_eq!(fs.lookup(root, "moved"), Ok(sub));
        assert!(fs.contains(root, sub));
        assert_eq!(fs.stat(d).unwrap().nlink, 2);
        fs.rename(root, "d", root, "moved", 0).unwrap();
        let names: Vec<String> = fs.read_dir(root).unwrap().into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["f", "moved"]);
        // `sub` (still held) was replaced: nothing can be created in it.
        assert_eq!(fs.create(sub, "new", NewNode::File, 0), Err(Errno::NOENT));
        assert_eq!(fs.rename(root, "f", sub, "f", 0), Err(Errno::NOENT));
    }
}
