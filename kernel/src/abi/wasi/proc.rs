//! Process control and randomness.

use walos_engine::HostFlow;

use crate::syscall::{Errno, HostCall, Stop, SysResult};

pub fn proc_exit(c: &mut HostCall<'_>) -> SysResult {
    Err(Stop::Flow(HostFlow::Exit(c.u32(0))))
}

/// Signals do not exist in walos (nor in WASI since): `ENOTSUP`, as
/// wasmtime answers.
pub fn proc_raise(_: &mut HostCall<'_>) -> SysResult {
    Err(Errno::NOTSUP.into())
}

pub fn sched_yield(_: &mut HostCall<'_>) -> SysResult {
    Err(Stop::Flow(HostFlow::Yield))
}

pub fn random_get(c: &mut HostCall<'_>) -> SysResult {
    let buf = c.mem.bytes_mut(c.u32(0), c.u32(1))?;
    c.sys.loader.random(buf).map_err(|_| Errno::IO)?;
    Ok(())
}
