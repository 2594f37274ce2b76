//! `path_*`: operations on paths under a directory descriptor.
//!
//! walos has no file system yet: every path operation checks its
//! descriptors and buffers, then answers `ENOSYS`.

use crate::fd::Object;
use crate::syscall::{Call, Errno, SysResult};

/// Checks that the arguments at `dirs` are directory descriptors and that the
/// (pointer, length) argument pairs at `paths` are inside memory.
fn unsupported(c: &Call<'_>, dirs: &[usize], paths: &[(usize, usize)]) -> SysResult {
    for &arg in dirs {
        match c.proc.fds.get(c.u32(arg))?.object {
            Object::PreopenDir { .. } => {}
            Object::Std(_) => return Err(Errno::BADF.into()),
        }
    }
    for &(ptr, len) in paths {
        c.mem.bytes(c.u32(ptr), c.u32(len))?;
    }
    Err(Errno::NOSYS.into())
}

pub fn path_create_directory(c: &mut Call<'_>) -> SysResult {
    unsupported(c, &[0], &[(1, 2)])
}

pub fn path_filestat_get(c: &mut Call<'_>) -> SysResult {
    unsupported(c, &[0], &[(2, 3)])
}

pub fn path_filestat_set_times(c: &mut Call<'_>) -> SysResult {
    unsupported(c, &[0], &[(2, 3)])
}

pub fn path_link(c: &mut Call<'_>) -> SysResult {
    unsupported(c, &[0, 4], &[(2, 3), (5, 6)])
}

pub fn path_open(c: &mut Call<'_>) -> SysResult {
    unsupported(c, &[0], &[(2, 3)])
}

pub fn path_readlink(c: &mut Call<'_>) -> SysResult {
    unsupported(c, &[0], &[(1, 2), (3, 4)])
}

pub fn path_remove_directory(c: &mut Call<'_>) -> SysResult {
    unsupported(c, &[0], &[(1, 2)])
}

pub fn path_rename(c: &mut Call<'_>) -> SysResult {
    unsupported(c, &[0, 3], &[(1, 2), (4, 5)])
}

pub fn path_symlink(c: &mut Call<'_>) -> SysResult {
    unsupported(c, &[2], &[(0, 1), (3, 4)])
}

pub fn path_unlink_file(c: &mut Call<'_>) -> SysResult {
    unsupported(c, &[0], &[(1, 2)])
}
