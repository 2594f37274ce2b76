//! `proc`: processes starting, waiting for and ending other processes; and
//! `sys.exec`, the original walos's way to run an embedded module.
//!
//! These calls need the scheduler, so each parks its caller with a
//! [`Request`] and returns the kernel's [`Reply`] when called again (see
//! `sched/requests.rs`). Unlike the I/O interfaces, a bad pointer here is
//! `EFAULT`, not a trap: a shell handing on a user's mistake gets an error
//! it can report.

use alloc::string::String;
use alloc::vec::Vec;

use crate::log::Level;
use crate::process::{Command, GivenModule, ProcInfo, Reply, Request};
use crate::syscall::valtypes::{ERRNO, I32};
use crate::syscall::{Errno, Fault, HostCall, Interface, Stop, SysResult, Syscall};

/// `proc`: spawn, wait, kill, list.
pub static PROC: Interface = Interface {
    name: "proc",
    base: None,
    funcs: &[
        Syscall::suspending("spawn", &[I32, I32, I32, I32, I32, I32, I32], ERRNO, spawn),
        Syscall::suspending("spawn_module", &[I32, I32, I32, I32, I32, I32, I32, I32, I32], ERRNO, spawn_module),
        Syscall::suspending("wait", &[I32, I32], ERRNO, wait),
        Syscall::suspending("kill", &[I32], ERRNO, kill),
        Syscall::suspending("set_foreground", &[I32], ERRNO, set_foreground),
        Syscall::suspending("list", &[I32, I32, I32], ERRNO, list),
        Syscall::sync("modules", &[I32, I32, I32], ERRNO, modules),
    ],
};

/// The size of one `proc.list` record (see docs/abi.md).
pub const RECORD_SIZE: u32 = 64;

/// The most bytes of a name a `proc.list` record holds.
const RECORD_NAME: usize = 40;

/// The longest program name.
const MAX_NAME: u32 = 255;

/// The most arguments or environment entries, and their most bytes in all.
const MAX_STRINGS: u32 = 1024;
const MAX_STRING_BYTES: u64 = 64 << 10;

/// The largest module `spawn_module` and `exec` take.
const MAX_MODULE: u32 = 64 << 20;

/// What one byte of a module a guest hands over takes from the memory
/// budget while the process runs it: the byte, while it is compiled, and
/// an estimate of the code compiled from it (wasmi translates eagerly to
/// its register bytecode, a few times the size of the wasm code). Without
/// the charge, modules could fill the kernel heap that the budget guards.
const CHARGE_PER_MODULE_BYTE: usize = 8;

fn efault(_: Fault) -> Stop {
    Errno::FAULT.into()
}

/// The name at `ptr`: 1 to 255 bytes of UTF-8.
fn name(c: &HostCall<'_>, ptr: u32, len: u32) -> Result<String, Stop> {
    if len == 0 || len > MAX_NAME {
        return Err(Errno::INVAL.into());
    }
    let bytes = c.mem.bytes(ptr, len).map_err(efault)?;
    String::from_utf8(bytes.into()).map_err(|_| Errno::ILSEQ.into())
}

/// The strings of a ciovec array: UTF-8 without NUL bytes.
fn strings(c: &HostCall<'_>, ptr: u32, count: u32) -> Result<Vec<String>, Stop> {
    if count > MAX_STRINGS {
        return Err(Errno::TOOBIG.into());
    }
    let iovecs = c.mem.iovecs(ptr, count).map_err(efault)?;
    if iovecs.iter().map(|iov| u64::from(iov.len)).sum::<u64>() > MAX_STRING_BYTES {
        return Err(Errno::TOOBIG.into());
    }
    let mut out = Vec::with_capacity(iovecs.len());
    for iov in iovecs {
        let bytes = c.mem.bytes(iov.ptr, iov.len).map_err(efault)?;
        if bytes.contains(&0) {
            return Err(Errno::INVAL.into());
        }
        out.push(String::from_utf8(bytes.into()).map_err(|_| Errno::ILSEQ)?);
    }
    Ok(out)
}

/// `NAME=VALUE` entries as pairs; one without `=` is `EINVAL`.
fn environment(entries: Vec<String>) -> Result<Vec<(String, String)>, Stop> {
    entries
        .into_iter()
        .map(|entry| match entry.split_once('=') {
            Some((name, value)) if !name.is_empty() => Ok((name.into(), value.into())),
            _ => Err(Errno::INVAL.into()),
        })
        .collect()
}

/// The command of a spawn: `name` as `argv[0]`, then `args`, and exactly
/// `env`.
fn command(c: &HostCall<'_>, name: String, args: (u32, u32), env: (u32, u32)) -> Result<Command, Stop> {
    let args = strings(c, args.0, args.1)?;
    let env = environment(strings(c, env.0, env.1)?)?;
    Ok(Command { env, ..Command::new(name).args(args) })
}

/// Writes the pid of a spawned child, once the kernel replied.
fn spawned(c: &mut HostCall<'_>, pid_out: u32) -> SysResult {
    match c.proc.reply.take() {
        Some(Reply::Spawned(Ok(pid))) => c.mem.write_u32(pid_out, pid).map_err(efault),
        Some(Reply::Spawned(Err(errno))) => Err(errno.into()),
        _ => Err(Errno::IO.into()),
    }
}

/// `spawn(name, name_len, args, args_count, env, env_count, pid_out) -> errno`:
/// starts the module `name` of the service store as a child.
fn spawn(c: &mut HostCall<'_>) -> SysResult {
    let pid_out = c.u32(6);
    if c.proc.reply.is_some() {
        return spawned(c, pid_out);
    }
    let name = name(c, c.u32(0), c.u32(1))?;
    let command = command(c, name, (c.u32(2), c.u32(3)), (c.u32(4), c.u32(5)))?;
    c.mem.check(pid_out, 4, 4).map_err(efault)?;
    Err(c.request(Request::Spawn { command, wasm: None }))
}

/// `spawn_module(name, name_len, code, code_len, args, args_count, env,
/// env_count, pid_out) -> errno`: starts the module in `code` as a child
/// called `name`.
fn spawn_module(c: &mut HostCall<'_>) -> SysResult {
    let pid_out = c.u32(8);
    if c.proc.reply.is_some() {
        return spawned(c, pid_out);
    }
    let name = name(c, c.u32(0), c.u32(1))?;
    let wasm = module(c, c.u32(2), c.u32(3))?;
    let command = command(c, name, (c.u32(4), c.u32(5)), (c.u32(6), c.u32(7)))?;
    c.mem.check(pid_out, 4, 4).map_err(efault)?;
    Err(c.request(Request::Spawn { command, wasm: Some(wasm) }))
}

/// The kernel's copy of the module of `len` bytes at `ptr`, charged to
/// the memory budget ([`CHARGE_PER_MODULE_BYTE`]); `ENOMEM` past it.
fn module(c: &mut HostCall<'_>, ptr: u32, len: u32) -> Result<GivenModule, Stop> {
    if len > MAX_MODULE {
        return Err(Errno::TOOBIG.into());
    }
    let code = c.mem.bytes(ptr, len).map_err(efault)?;
    let charge = match c.sys.memory.charge(code.len() * CHARGE_PER_MODULE_BYTE) {
        Ok(charge) => charge,
        Err(refusal) => {
            let bytes = code.len();
            c.sys.log(Level::Warn, &c.proc.name, format_args!("no memory for a module of {bytes} bytes: {refusal}"));
            return Err(Errno::NOMEM.into());
        }
    };
    let mut bytes = Vec::new();
    bytes.try_reserve_exact(code.len()).map_err(|_| Errno::NOMEM)?;
    bytes.extend_from_slice(code);
    Ok(GivenModule { bytes, charge })
}

/// `wait(pid, status_out) -> errno`: parks until the child `pid` ends and
/// stores its status; `ECHILD` if `pid` is not a child of the caller (or
/// was already waited for).
fn wait(c: &mut HostCall<'_>) -> SysResult {
    let status_out = c.u32(1);
    match c.proc.reply.take() {
        Some(Reply::Waited(Ok(status))) => c.mem.write_u32(status_out, status.word()).map_err(efault),
        Some(Reply::Waited(Err(errno))) => Err(errno.into()),
        _ => {
            c.mem.check(status_out, 4, 4).map_err(efault)?;
            Err(c.request(Request::Wait(c.u32(0))))
        }
    }
}

/// `kill(pid) -> errno`: ends process `pid` (status killed); `ESRCH` if there
/// is none. Killing oneself does not return.
fn kill(c: &mut HostCall<'_>) -> SysResult {
    match c.proc.reply.take() {
        Some(Reply::Killed(result)) => result.map_err(Stop::from),
        _ => Err(c.request(Request::Kill(c.u32(0)))),
    }
}

/// `set_foreground(pid) -> errno`: Ctrl-C on the console kills `pid` (the
/// caller or its child) from now on; 0: nobody, Ctrl-C is input again.
/// `EPERM` for another's process, `ESRCH` for none.
fn set_foreground(c: &mut HostCall<'_>) -> SysResult {
    match c.proc.reply.take() {
        Some(Reply::Foreground(result)) => result.map_err(Stop::from),
        _ => Err(c.request(Request::SetForeground(c.u32(0)))),
    }
}

/// `list(buf, buf_len, count_out) -> errno`: as many 64-byte records as fit
/// in `buf`, and the number of processes in `count_out`.
fn list(c: &mut HostCall<'_>) -> SysResult {
    let (buf, len, count_out) = (c.u32(0), c.u32(1), c.u32(2));
    match c.proc.reply.take() {
        Some(Reply::List(infos)) => {
            let fits = (len / RECORD_SIZE) as usize;
            for (i, info) in infos.iter().take(fits).enumerate() {
                c.mem.write_bytes(buf + i as u32 * RECORD_SIZE, &record(info)).map_err(efault)?;
            }
            c.mem.write_u32(count_out, infos.len() as u32).map_err(efault)
        }
        _ => {
            c.mem.check(buf, len.into(), 1).map_err(efault)?;
            c.mem.check(count_out, 4, 4).map_err(efault)?;
            Err(c.request(Request::List))
        }
    }
}

/// `modules(buf, len, size_out) -> errno`: the names of the modules of the
/// service store, sorted, each followed by a newline, as many whole names
/// as fit in `len` bytes; `size_out` gets the size of the whole list
/// (larger than `len`: call again with a bigger buffer).
fn modules(c: &mut HostCall<'_>) -> SysResult {
    let (buf, len, size_out) = (c.u32(0), c.u32(1), c.u32(2));
    c.mem.check(buf, len.into(), 1).map_err(efault)?;
    c.mem.check(size_out, 4, 4).map_err(efault)?;
    let mut names = c.sys.loader.services().names();
    names.sort();
    names.dedup();
    let mut text = String::new();
    let mut total = 0usize;
    for name in names {
        total += name.len() + 1;
        if total <= len as usize {
            text.push_str(&name);
            text.push('\n');
        }
    }
    c.mem.write_bytes(buf, text.as_bytes()).map_err(efault)?;
    c.mem.write_u32(size_out, u32::try_from(total).unwrap_or(u32::MAX)).map_err(efault)
}

/// `{ pid: u32, parent: u32, state: u32, name_len: u32, cpu_ns: u64,
/// name: [u8; 40] }`, little-endian.
fn record(info: &ProcInfo) -> [u8; RECORD_SIZE as usize] {
    let mut out = [0u8; RECORD_SIZE as usize];
    let name = &info.name.as_bytes()[..info.name.len().min(RECORD_NAME)];
    out[0..4].copy_from_slice(&info.pid.to_le_bytes());
    out[4..8].copy_from_slice(&info.parent.unwrap_or(0).to_le_bytes());
    out[8..12].copy_from_slice(&(info.state as u32).to_le_bytes());
    out[12..16].copy_from_slice(&(name.len() as u32).to_le_bytes());
    out[16..24].copy_from_slice(&info.cpu_ns.to_le_bytes());
    out[24..24 + name.len()].copy_from_slice(name);
    out
}

/// `sys.exec(name, name_len, code, code_len) -> i32`: runs the module in
/// `code` as a child called `name` (with the caller's environment) and
/// returns its status when it ends, as `proc.wait` gives it; a negative
/// errno if it could not start.
pub fn exec(c: &mut HostCall<'_>) -> SysResult {
    let fail = |c: &mut HostCall<'_>, errno: Errno| {
        c.ret_i32(-i32::from(errno.0));
        Ok(())
    };
    match c.proc.reply.take() {
        Some(Reply::Spawned(Ok(pid))) => Err(c.request(Request::Wait(pid))),
        Some(Reply::Waited(Ok(status))) => {
            c.ret_i32(status.word() as i32);
            Ok(())
        }
        Some(Reply::Spawned(Err(errno)) | Reply::Waited(Err(errno))) => fail(c, errno),
        _ => {
            let started = name(c, c.u32(0), c.u32(1)).and_then(|name| Ok((name, module(c, c.u32(2), c.u32(3))?)));
            match started {
                Ok((name, wasm)) => {
                    let env = c.proc.env.iter().filter_map(|e| e.split_once('=')).map(|(k, v)| (k.into(), v.into()));
                    let command = Command { env: env.collect(), ..Command::new(name) };
                    Err(c.request(Request::Spawn { command, wasm: Some(wasm) }))
                }
                Err(Stop::Errno(errno)) => fail(c, errno),
                Err(other) => Err(other),
            }
        }
    }
}
