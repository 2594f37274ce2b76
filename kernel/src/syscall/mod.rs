//! How a guest's import reaches kernel code.
//!
//! Every host function is a [`Syscall`]: a name, a wasm signature and a
//! [`Handler`]. Interfaces group them under an import module name; the
//! linker binds each import to one by a [`HostFuncId`], and the engine calls
//! back through [`Ctx`], the kernel's [`Host`].

mod errno;
mod memory;

use alloc::format;
use alloc::string::String;
use core::fmt::Write;

use walos_engine::{FuncType, Host, HostFlow, HostFuncId, Trap, Val, ValType};

pub use errno::Errno;
pub use memory::{Fault, Memory};

use crate::abi;
use crate::log::Level;
use crate::process::{ProcState, Reply, Request, WaitFor};
use crate::service::copy::Transfer;
use crate::service::{CallError, SERVICE_BASE};
use crate::system::System;

/// Kernel code behind one import.
pub type Handler = fn(&mut Call<'_>) -> SysResult;

/// What a handler returns: `Ok` leaves the results as the handler wrote
/// them (pre-filled with zeros, which is success for errno results).
pub type SysResult = Result<(), Stop>;

/// Why a handler stopped early.
#[derive(Debug)]
pub enum Stop {
    /// Return this errno as the function's (first) result.
    Errno(Errno),
    /// Suspend, exit or trap the caller.
    Flow(HostFlow),
    /// The guest passed a bad pointer: trap.
    Fault(Fault),
}

impl From<Errno> for Stop {
    fn from(errno: Errno) -> Stop {
        Stop::Errno(errno)
    }
}

impl From<Fault> for Stop {
    fn from(fault: Fault) -> Stop {
        Stop::Fault(fault)
    }
}

/// One host function.
pub struct Syscall {
    pub name: &'static str,
    pub params: &'static [ValType],
    pub results: &'static [ValType],
    pub handler: Handler,
}

impl Syscall {
    pub const fn new(
        name: &'static str,
        params: &'static [ValType],
        results: &'static [ValType],
        handler: Handler,
    ) -> Self {
        Syscall { name, params, results, handler }
    }

    pub fn ty(&self) -> FuncType {
        FuncType::new(self.params, self.results)
    }
}

/// A set of host functions imported under one module name.
pub struct Interface {
    pub name: &'static str,
    pub funcs: &'static [Syscall],
    /// Functions not in `funcs` come from here (`wasi_unstable` is
    /// `wasi_snapshot_preview1` with a few layouts changed).
    pub base: Option<&'static Interface>,
}

/// One call of a host function: the caller and its arguments.
pub struct Call<'a> {
    pub sys: &'a mut System,
    pub proc: &'a mut ProcState,
    pub mem: Memory<'a>,
    args: &'a [Val],
    results: &'a mut [Val],
}

impl Call<'_> {
    /// Argument `i` as an unsigned 32-bit value (pointers, lengths, fds).
    ///
    /// The linker checked the import's signature, so the type always fits;
    /// a missing argument reads as 0 rather than panicking.
    pub fn u32(&self, i: usize) -> u32 {
        match self.args.get(i) {
            Some(Val::I32(v)) => *v as u32,
            Some(Val::I64(v)) => *v as u32,
            _ => 0,
        }
    }

    pub fn u64(&self, i: usize) -> u64 {
        match self.args.get(i) {
            Some(Val::I64(v)) => *v as u64,
            Some(Val::I32(v)) => u64::from(*v as u32),
            _ => 0,
        }
    }

    /// Sets the first result.
    pub fn ret_i32(&mut self, value: i32) {
        if let Some(slot) = self.results.first_mut() {
            *slot = Val::I32(value);
        }
    }

    /// Parks the caller until `wait` may be satisfied; the handler runs again
    /// then, from the start.
    pub fn block(&mut self, wait: WaitFor) -> Stop {
        self.proc.wait = Some(wait);
        Stop::Flow(HostFlow::Block)
    }

    /// Parks the caller until the kernel has served `request`; the handler
    /// runs again then, from the start, and finds the reply in
    /// `proc.reply`.
    pub fn request(&mut self, request: Request) -> Stop {
        self.proc.request = Some(request);
        Stop::Flow(HostFlow::Block)
    }
}

/// The kernel as the engine sees it during one process's slice.
pub struct Ctx<'a> {
    pub sys: &'a mut System,
    pub proc: &'a mut ProcState,
}

impl Host for Ctx<'_> {
    fn call(&mut self, func: HostFuncId, memory: &mut [u8], args: &[Val], results: &mut [Val]) -> HostFlow {
        if func >= SERVICE_BASE {
            return service_call(self, (func - SERVICE_BASE) as usize, memory, args, results);
        }
        let Some((iface, syscall)) = abi::syscall(func) else {
            return HostFlow::Trap(Trap::host(format!("no host function #{func}")));
        };
        let mut call = Call { sys: self.sys, proc: self.proc, mem: Memory::new(memory), args, results };
        let outcome = (syscall.handler)(&mut call);
        if call.sys.logger.enabled(Level::Debug) {
            trace(&mut call, iface, syscall, &outcome);
        }
        match outcome {
            Ok(()) => HostFlow::Return,
            Err(Stop::Errno(errno)) => {
                call.ret_i32(i32::from(errno.0));
                HostFlow::Return
            }
            Err(Stop::Flow(flow)) => flow,
            Err(Stop::Fault(fault)) => HostFlow::Trap(Trap::host(format!("{iface}.{}: {fault}", syscall.name))),
        }
    }
}

/// A call of a service import: checks and copies the caller's buffers
/// (the caller's memory is only reachable during its host calls), parks the
/// caller until the kernel has run the provider, then writes the output
/// buffers and returns the results; or -1 in every result if the call
/// failed (the log says why).
fn service_call(ctx: &mut Ctx<'_>, import: usize, memory: &mut [u8], args: &[Val], results: &mut [Val]) -> HostFlow {
    let outcome = match ctx.proc.reply.take() {
        Some(Reply::Called(Ok((values, transfer)))) => transfer.scatter(memory).map(|()| values),
        Some(Reply::Called(Err(CallError))) => Err(String::new()),
        _ => {
            let Some(target) = ctx.proc.services.get(import) else {
                return HostFlow::Trap(Trap::host(format!("no service import #{import}")));
            };
            match Transfer::plan(target.kinds.as_deref().unwrap_or_default(), args, memory) {
                Ok(transfer) => {
                    ctx.proc.request = Some(Request::Call { import, transfer });
                    return HostFlow::Block;
                }
                Err(error) => {
                    Err(format!("call of {}.{} by {}: {error}", target.provider, target.export, ctx.proc.name))
                }
            }
        }
    };
    match outcome {
        Ok(values) => {
            for (slot, value) in results.iter_mut().zip(values) {
                if slot.ty() == value.ty() {
                    *slot = value;
                }
            }
        }
        Err(error) => {
            if !error.is_empty() {
                let name = ctx.proc.name.clone();
                ctx.sys.log(Level::Warn, &name, format_args!("{error}"));
            }
            for slot in results.iter_mut() {
                *slot = match slot.ty() {
                    ValType::I64 => Val::I64(-1),
                    ValType::F32 => Val::F32(-1.0),
                    ValType::F64 => Val::F64(-1.0),
                    _ => Val::I32(-1),
                };
            }
        }
    }
    HostFlow::Return
}

/// Logs a host call at debug level, `strace` style.
fn trace(call: &mut Call<'_>, iface: &str, syscall: &Syscall, outcome: &SysResult) {
    let mut line = format!("{iface}.{}(", syscall.name);
    for (i, arg) in call.args.iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        let _ = match arg {
            Val::I32(v) => write!(line, "{sep}{v}"),
            Val::I64(v) => write!(line, "{sep}{v}"),
            Val::F32(v) => write!(line, "{sep}{v}"),
            Val::F64(v) => write!(line, "{sep}{v}"),
        };
    }
    line.push(')');
    let _ = match outcome {
        Ok(()) => match call.results.first() {
            Some(Val::I32(v)) => write!(line, " = {v}"),
            _ => Ok(()),
        },
        Err(Stop::Errno(errno)) => write!(line, " = {errno:?}"),
        Err(Stop::Flow(flow)) => write!(line, " -> {flow:?}"),
        Err(Stop::Fault(fault)) => write!(line, " -> fault: {fault}"),
    };
    let name = call.proc.name.clone();
    call.sys.log(Level::Debug, &name, format_args!("{line}"));
}

/// The parameter types of a signature, written compactly in ABI tables.
pub mod sig {
    use super::ValType;

    pub const I32: ValType = ValType::I32;
    pub const I64: ValType = ValType::I64;
    pub const ERRNO: &[ValType] = &[ValType::I32];
    pub const NONE: &[ValType] = &[];
}
