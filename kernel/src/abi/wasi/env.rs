//! Arguments and environment.

use alloc::string::String;

use crate::process::ProcState;
use crate::syscall::{HostCall, Memory, SysResult};

/// `(count, total bytes with NULs)` of a string list.
fn sizes(strings: &[String]) -> (u32, u32) {
    let bytes: usize = strings.iter().map(|s| s.len() + 1).sum();
    (strings.len() as u32, bytes as u32)
}

/// Writes NUL-terminated copies of `strings` at `buf` and pointers to them
/// at `ptrs`, as `args_get` and `environ_get` do.
fn write_strings(mem: &mut Memory<'_>, strings: &[String], ptrs: u32, buf: u32) -> SysResult {
    let mut at = buf;
    for (i, s) in strings.iter().enumerate() {
        let slot = mem.offset(ptrs, 4 * i as u64)?;
        mem.write_u32(slot, at)?;
        mem.write_bytes(at, s.as_bytes())?;
        let nul = mem.offset(at, s.len() as u64)?;
        mem.write_u8(nul, 0)?;
        at = mem.offset(nul, 1)?;
    }
    Ok(())
}

/// `*_sizes_get(count_ptr, bytes_ptr)` for one list.
fn sizes_get(c: &mut HostCall<'_>, list: fn(&ProcState) -> &[String]) -> SysResult {
    let (count, bytes) = sizes(list(c.proc));
    c.mem.write_u32(c.u32(0), count)?;
    c.mem.write_u32(c.u32(1), bytes)?;
    Ok(())
}

/// `*_get(ptrs, buf)` for one list.
fn get(c: &mut HostCall<'_>, list: fn(&ProcState) -> &[String]) -> SysResult {
    let (ptrs, buf) = (c.u32(0), c.u32(1));
    write_strings(&mut c.mem, list(c.proc), ptrs, buf)
}

pub fn args_sizes_get(c: &mut HostCall<'_>) -> SysResult {
    sizes_get(c, |p| &p.args)
}

pub fn args_get(c: &mut HostCall<'_>) -> SysResult {
    get(c, |p| &p.args)
}

pub fn environ_sizes_get(c: &mut HostCall<'_>) -> SysResult {
    sizes_get(c, |p| &p.env)
}

pub fn environ_get(c: &mut HostCall<'_>) -> SysResult {
    get(c, |p| &p.env)
}
