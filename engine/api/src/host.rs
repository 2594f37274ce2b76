use crate::{Trap, Val};

/// Identifies a host function; the kernel picks the numbering and the engine
/// passes it back with every call.
pub type HostFuncId = u32;

/// The kernel side of every imported function.
pub trait Host {
    /// Runs host function `func` for the instance whose linear memory is
    /// `memory` (empty if it exports none). `results` has one slot per result
    /// of the function's type, pre-filled with zeros of the right types.
    ///
    /// Must not panic on any guest input: a bad pointer is an errno or a
    /// [`HostFlow::Trap`], never a kernel crash.
    fn call(&mut self, func: HostFuncId, memory: &mut [u8], args: &[Val], results: &mut [Val]) -> HostFlow;

    /// Whether host function `func` may suspend its caller
    /// ([`HostFlow::Yield`] or [`HostFlow::Block`]). Asked once per import
    /// at instantiation: a function that never suspends is bound as a plain
    /// synchronous call, the engine's cheapest, and a suspension it returns
    /// all the same traps its caller. The safe answer, the default, is yes.
    fn may_suspend(&self, func: HostFuncId) -> bool {
        let _ = func;
        true
    }
}

/// What the engine does after a host call.
#[derive(Debug, Clone, PartialEq)]
pub enum HostFlow {
    /// `results` are written; the wasm code continues at once.
    Return,
    /// `results` are written, but the caller gives up the CPU: `run` returns
    /// [`RunOutcome::Yielded`](crate::RunOutcome::Yielded) and the next `run`
    /// continues with these results.
    Yield,
    /// The call cannot complete yet: `run` returns
    /// [`RunOutcome::Blocked`](crate::RunOutcome::Blocked) and the next `run`
    /// calls the host function again with the same arguments.
    Block,
    /// The process ends with this status (WASI `proc_exit`).
    Exit(u32),
    /// The call is a fatal error for the caller.
    Trap(Trap),
}
