//! The native walos interfaces of the original walos, kept compatible:
//! `stdout`, `stdio` and `sys`. Results are WASI errno numbers (0 success).

use alloc::string::String;

use walos_engine::HostFlow;

use crate::log::Level;
use crate::process::WaitFor;
use crate::syscall::valtypes::{ERRNO, I32, NONE};
use crate::syscall::{Errno, HostCall, Interface, Stop, SysResult, Syscall};

/// `stdout`: the program's output.
pub static STDOUT: Interface = Interface {
    name: "stdout",
    base: None,
    funcs: &[Syscall::sync("write", &[I32, I32], ERRNO, write), Syscall::sync("putc", &[I32], ERRNO, putc)],
};

/// `stdio`: output and input.
pub static STDIO: Interface = Interface {
    name: "stdio",
    base: None,
    funcs: &[
        Syscall::sync("write", &[I32, I32], ERRNO, write),
        Syscall::sync("putc", &[I32], ERRNO, putc),
        Syscall::suspending("getc", NONE, &[I32], getc),
    ],
};

/// `sys`: logging and scheduling.
pub static SYS: Interface = Interface {
    name: "sys",
    base: None,
    funcs: &[
        Syscall::sync("log", &[I32, I32, I32], NONE, log),
        Syscall::suspending("yield", NONE, NONE, yield_now),
        Syscall::suspending("exec", &[I32, I32, I32, I32], &[I32], super::proc::exec),
        Syscall::sync("dmesg", &[I32, I32, I32], ERRNO, dmesg),
        Syscall::sync("set_log_level", &[I32], ERRNO, set_log_level),
        Syscall::sync("nop", NONE, NONE, nop),
    ],
};

const STDOUT_FD: u32 = 1;
const STDIN_FD: u32 = 0;

/// The most the kernel copies out of a guest at once.
const CHUNK: usize = 1 << 20;

/// The longest `sys.log` line; the rest is cut.
const MAX_LOG_LINE: usize = 4096;

/// `write(ciovecs, count) -> status`: writes all the buffers to descriptor 1.
fn write(c: &mut HostCall<'_>) -> SysResult {
    let iovecs = c.mem.iovecs(c.u32(0), c.u32(1))?;
    let total: u64 = iovecs.iter().map(|iov| u64::from(iov.len)).sum();
    let stdout = c.proc.fds.get_mut(STDOUT_FD)?;
    let mut done = 0;
    while done < total {
        let data = c.mem.gather(&iovecs, done, CHUNK)?;
        stdout.write(c.sys, &data)?;
        done += data.len() as u64;
    }
    Ok(())
}

/// `putc(c) -> status`: writes one byte.
fn putc(c: &mut HostCall<'_>) -> SysResult {
    let byte = c.u32(0) as u8;
    c.proc.fds.get_mut(STDOUT_FD)?.write(c.sys, &[byte])?;
    Ok(())
}

/// `getc() -> byte`: the next input byte, waiting for it; -1 at end of input
/// or if descriptor 0 cannot be read.
fn getc(c: &mut HostCall<'_>) -> SysResult {
    let mut byte = [0u8];
    let read = match c.proc.fds.get_mut(STDIN_FD) {
        Ok(d) => d.read(c.sys, &mut byte),
        Err(errno) => Err(errno),
    };
    match read {
        Ok(None) => Err(c.block(WaitFor { stdin: true, ..WaitFor::default() })),
        Ok(Some(1)) => {
            c.ret_i32(i32::from(byte[0]));
            Ok(())
        }
        Ok(Some(_)) | Err(_) => {
            c.ret_i32(-1);
            Ok(())
        }
    }
}

/// `log(level, ciovecs, count)`: one log line at a syslog level (0 emerg ..
/// 7 debug), from this process.
fn log(c: &mut HostCall<'_>) -> SysResult {
    let level = Level::from_number(c.u32(0));
    let iovecs = c.mem.iovecs(c.u32(1), c.u32(2))?;
    let text = c.mem.gather(&iovecs, 0, MAX_LOG_LINE)?;
    let text = String::from_utf8_lossy(&text);
    let text = text.trim_end_matches(['\n', '\r']);
    let name = c.proc.name.clone();
    c.sys.log(level, &name, format_args!("{text}"));
    Ok(())
}

/// `dmesg(buf, len, size_out) -> errno`: the newest log lines that fit in
/// `buf`, oldest first, one per line; their size in `size_out`. A bad
/// pointer is `EFAULT`.
fn dmesg(c: &mut HostCall<'_>) -> SysResult {
    let (buf, len, size_out) = (c.u32(0), c.u32(1), c.u32(2));
    let fault = |_| Stop::Errno(Errno::FAULT);
    c.mem.check(buf, len.into(), 1).map_err(fault)?;
    c.mem.check(size_out, 4, 4).map_err(fault)?;
    let text = c.sys.dmesg.tail(len as usize);
    c.mem.write_bytes(buf, text.as_bytes()).map_err(fault)?;
    c.mem.write_u32(size_out, text.len() as u32).map_err(fault)?;
    Ok(())
}

/// `set_log_level(level) -> errno`: the console shows lines up to `level`
/// (0 emerg .. 7 debug) from now on; `EINVAL` above 7.
fn set_log_level(c: &mut HostCall<'_>) -> SysResult {
    let level = c.u32(0);
    if level > Level::Debug as u32 {
        return Err(Errno::INVAL.into());
    }
    c.sys.logger.set_level(Level::from_number(level));
    Ok(())
}

/// `nop()`: nothing; what a syscall costs by itself (`make bench`).
fn nop(_: &mut HostCall<'_>) -> SysResult {
    Ok(())
}

/// `yield()`: lets the others run.
fn yield_now(_: &mut HostCall<'_>) -> SysResult {
    Err(Stop::Flow(HostFlow::Yield))
}
