//! How a guest's import reaches kernel code.
//!
//! Every host function is a [`Syscall`]: a name, a wasm signature and a
//! [`Handler`]. Interfaces group them under an import module name; the
//! linker binds each import to one by a [`HostFuncId`], and the engine calls
//! back through [`Ctx`], the kernel's [`Host`], which runs the handler on a
//! [`HostCall`]. An import bound to a service instead (an id from
//! [`SERVICE_BASE`] on) goes to the caller's half of a service call,
//! [`caller`].

mod errno;
mod memory;

use alloc::format;
use core::fmt::Write;

use walos_engine::{FuncType, Host, HostFlow, HostFuncId, Trap, Val, ValType};

pub use errno::Errno;
pub use memory::{Fault, Memory};

use crate::abi;
use crate::linker::{DEFAULT_VALUES, UNKNOWN_BASE};
use crate::log::Level;
use crate::process::{ProcState, Request, WaitFor};
use crate::service::{SERVICE_BASE, caller};
use crate::system::System;

/// Kernel code behind one import.
pub type Handler = fn(&mut HostCall<'_>) -> SysResult;

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
    /// Whether the handler may suspend its caller ([`HostCall::block`],
    /// [`HostCall::request`], a yield). Engines bind the others as plain
    /// synchronous calls, their cheapest ([`Host::may_suspend`]); a
    /// suspension from one of those traps its caller, naming the syscall.
    pub suspends: bool,
}

impl Syscall {
    /// A host function that never suspends its caller: it returns, exits
    /// or traps.
    pub const fn sync(
        name: &'static str,
        params: &'static [ValType],
        results: &'static [ValType],
        handler: Handler,
    ) -> Self {
        Syscall { name, params, results, handler, suspends: false }
    }

    /// A host function that may block or yield.
    pub const fn suspending(
        name: &'static str,
        params: &'static [ValType],
        results: &'static [ValType],
        handler: Handler,
    ) -> Self {
        Syscall { name, params, results, handler, suspends: true }
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
pub struct HostCall<'a> {
    pub sys: &'a mut System,
    pub proc: &'a mut ProcState,
    pub mem: Memory<'a>,
    args: &'a [Val],
    results: &'a mut [Val],
}

impl HostCall<'_> {
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

    /// Sets the first result to a 64-bit value.
    pub fn ret_i64(&mut self, value: i64) {
        if let Some(slot) = self.results.first_mut() {
            *slot = Val::I64(value);
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
            return caller::service_call(self, (func - SERVICE_BASE) as usize, memory, args, results);
        }
        if func == DEFAULT_VALUES {
            // The results come filled with zeros of their types.
            return HostFlow::Return;
        }
        if func >= UNKNOWN_BASE {
            let import = self.proc.unknown_imports.get((func - UNKNOWN_BASE) as usize);
            let name = import.map_or_else(|| format!("#{func}"), |i| format!("{}::{}", i.module, i.name));
            return HostFlow::Trap(Trap::host(format!("unknown import: `{name}` has not been defined")));
        }
        let Some((iface, syscall)) = abi::syscall(func) else {
            return HostFlow::Trap(Trap::host(format!("no host function #{func}")));
        };
        let mut call = HostCall { sys: self.sys, proc: self.proc, mem: Memory::new(memory), args, results };
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
            Err(Stop::Flow(HostFlow::Yield | HostFlow::Block)) if !syscall.suspends => HostFlow::Trap(Trap::host(
                format!("{iface}.{}: suspended its caller, but its table entry says it never does", syscall.name),
            )),
            Err(Stop::Flow(flow)) => flow,
            Err(Stop::Fault(fault)) => HostFlow::Trap(Trap::host(format!("{iface}.{}: {fault}", syscall.name))),
        }
    }

    fn may_suspend(&self, func: HostFuncId) -> bool {
        match func {
            // A service call parks its caller until the provider answers.
            SERVICE_BASE.. => true,
            // The stand-ins of unknown imports return zeros or trap.
            DEFAULT_VALUES.. => false,
            _ => abi::syscall(func).is_none_or(|(_, syscall)| syscall.suspends),
        }
    }
}

/// Logs a host call at debug level, `strace` style.
fn trace(call: &mut HostCall<'_>, iface: &str, syscall: &Syscall, outcome: &SysResult) {
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

/// Shorthands for the value types of the syscall tables, which keep each
/// table entry on one line.
pub mod valtypes {
    use super::ValType;

    pub const I32: ValType = ValType::I32;
    pub const I64: ValType = ValType::I64;
    pub const ERRNO: &[ValType] = &[ValType::I32];
    pub const NONE: &[ValType] = &[];
}
