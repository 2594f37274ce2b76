//! Clocks: wall time, monotonic time, and the process's CPU time (the time
//! its slices ran; a process has one thread, so both CPU clocks agree).

use super::types::clock;
use crate::syscall::{Errno, HostCall, SysResult};

pub fn clock_res_get(c: &mut HostCall<'_>) -> SysResult {
    match c.u32(0) {
        clock::REALTIME | clock::MONOTONIC | clock::PROCESS_CPUTIME | clock::THREAD_CPUTIME => {
            let resolution = c.sys.loader.clock_resolution_ns();
            c.mem.write_u64(c.u32(1), resolution)?;
            Ok(())
        }
        _ => Err(Errno::INVAL.into()),
    }
}

pub fn clock_time_get(c: &mut HostCall<'_>) -> SysResult {
    // The precision argument (1) is a hint; every clock is read exactly.
    let time = now(c, c.u32(0))?;
    c.mem.write_u64(c.u32(2), time)?;
    Ok(())
}

/// The current time of clock `id`.
pub fn now(c: &HostCall<'_>, id: u32) -> Result<u64, Errno> {
    Ok(match id {
        clock::REALTIME => c.sys.loader.realtime_ns(),
        clock::MONOTONIC => c.sys.now(),
        clock::PROCESS_CPUTIME | clock::THREAD_CPUTIME => c.proc.cpu_time(c.sys.now()),
        _ => return Err(Errno::INVAL),
    })
}
