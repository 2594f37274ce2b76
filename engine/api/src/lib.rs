//! The wasm engine boundary of walos.
//!
//! The kernel drives every engine through these traits and never names an
//! engine type. An engine validates and instantiates modules, runs a call for
//! a bounded [`Slice`], and routes every imported function to the kernel's
//! [`Host`] together with the caller's linear memory. Host functions are thus
//! written once, in the kernel, and every engine binds the same set.
//!
//! Preemption and blocking are part of the contract: [`Instance::run`] returns
//! when the slice is over ([`RunOutcome::Preempted`]: its fuel spent, or its
//! timer ticks passed, as the engine's [`Preemption`] says) or when a host
//! function asks to suspend ([`HostFlow::Yield`], [`HostFlow::Block`]), and the
//! next `run` continues where the previous one stopped. An engine that
//! preempts by epoch gives the loader a [`Ticker`] to drive it.
//!
//! What the engines would otherwise each write again lives here too: the
//! [`Module`] around an engine's compiled module ([`CompiledModule`], over
//! what the engine does its own way, [`Compiled`]), the checks of a host
//! function's types ([`HostFunc`]) and the wording of a failed start
//! ([`StartFailure`]).

#![cfg_attr(not(feature = "conformance"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

mod compiled;
#[cfg(feature = "conformance")]
pub mod conformance;
mod error;
mod host;
mod host_func;
mod preempt;
mod proposal;
mod quota;
mod start;
mod trap;
mod types;

use alloc::boxed::Box;
use alloc::sync::Arc;

pub use compiled::{Compiled, CompiledModule, bound_imports};
pub use error::Error;
pub use host::{Host, HostFlow, HostFuncId};
pub use host_func::{HostFunc, I32Shape, INLINE, MAX_TYPED, Values};
pub use preempt::{Preemption, Slice, Ticker};
pub use proposal::needed_proposal;
pub use quota::{Charge, MemoryBudget, Quota, Refusal, TABLE_ELEMENT_BYTES};
pub use start::StartFailure;
pub use trap::{Frame, Trap, TrapCode};
pub use types::{Export, ExternType, FuncType, Import, Val, ValType};

/// A wasm engine: turns bytes into [`Module`]s.
pub trait Engine {
    /// A short name for logs and the command line (`wasmi`, `wasmtime`).
    fn name(&self) -> &'static str;

    /// How this engine ends slices; chosen when it is made, fixed since
    /// (the compiled code depends on it).
    fn preemption(&self) -> Preemption;

    /// The tick source to drive with a timer when slices are counted in
    /// ticks ([`Preemption::Epoch`]); `None` under [`Preemption::Fuel`].
    fn ticker(&self) -> Option<Ticker> {
        None
    }

    /// The imports of `wasm`, read without compiling it, for an engine
    /// whose compilation is slow: the kernel links them first, so that a
    /// module that cannot link is refused at once. `None` (the default):
    /// not known before [`Engine::load`]. When given, they are exactly what
    /// the loaded module's [`Module::imports`] lists.
    fn imports(&self, wasm: &[u8]) -> Option<alloc::vec::Vec<Import>> {
        let _ = wasm;
        None
    }

    /// Validates and compiles a module.
    ///
    /// # Errors
    /// [`Error::Invalid`] if `wasm` is not a valid module this engine supports.
    fn load(&self, wasm: &[u8]) -> Result<Box<dyn Module>, Error>;
}

/// A validated module, ready to be instantiated any number of times.
pub trait Module {
    /// The module's imports, in declaration order.
    fn imports(&self) -> &[Import];

    /// The module's exports, in declaration order.
    fn exports(&self) -> &[Export];

    /// Creates an instance whose `i`-th import calls host function
    /// `bindings[i]`, and runs the module's start function if it has one.
    ///
    /// Every import must be a function (the kernel's linker checks this and
    /// the signatures before it gets here). Host calls made by the start
    /// function reach `host`; they may not block.
    ///
    /// # Errors
    /// [`Error::Instantiate`] if the bindings do not fit the imports or a
    /// resource limit is exceeded, [`Error::Trap`] if the start function traps.
    fn instantiate(
        &self,
        bindings: &[HostFuncId],
        limits: &Limits,
        host: &mut dyn Host,
    ) -> Result<Box<dyn Instance>, Error>;
}

/// Per-instance resource limits, enforced by the engine.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest linear memory, in bytes; `memory.grow` beyond it returns -1.
    pub memory_bytes: usize,
    /// Most elements of one table; `table.grow` beyond it returns -1, and
    /// a module whose table starts larger fails to instantiate.
    pub table_elements: usize,
    /// The budget this instance's memories share with every other
    /// instance of the kernel: growth past it returns -1 too.
    pub budget: Arc<MemoryBudget>,
    /// What the module's start function may take, which cannot be
    /// preempted: past it, instantiation fails.
    pub start: Slice,
}

/// A running module: its memory, globals, tables and at most one call in
/// progress.
pub trait Instance {
    /// Starts a call of the exported function `name`; the call makes progress
    /// in the following [`run`](Instance::run)s.
    ///
    /// # Errors
    /// [`Error::NoSuchExport`] if there is no exported function of that name,
    /// [`Error::Busy`] if a call is already in progress, [`Error::Arguments`]
    /// if `args` do not match its parameters.
    fn call(&mut self, name: &str, args: &[Val]) -> Result<(), Error>;

    /// Runs the call in progress for at most one `slice` (its fuel or its
    /// ticks, as the engine's [`Preemption`] says). Host calls made
    /// meanwhile reach `host`.
    ///
    /// After [`RunOutcome::Blocked`] the next `run` first calls the blocked
    /// host function again with the same arguments.
    fn run(&mut self, slice: Slice, host: &mut dyn Host) -> RunOutcome;

    /// The exported linear memory `memory`; empty if the module has none.
    ///
    /// Between two `run`s of a call in progress an engine may answer empty
    /// too (wasmtime: the suspended call owns the store); host functions
    /// always get the memory with each call.
    fn memory(&mut self) -> &mut [u8];
}

/// Why [`Instance::run`] returned.
#[derive(Debug, Clone, PartialEq)]
pub enum RunOutcome {
    /// The call returned these values; the instance is idle again.
    Finished(alloc::vec::Vec<Val>),
    /// The slice is over (its fuel spent, its ticks passed); `run` again
    /// to continue.
    Preempted,
    /// A host function returned [`HostFlow::Yield`]; `run` again to continue.
    Yielded,
    /// A host function returned [`HostFlow::Block`]; `run` again when it may
    /// succeed, and it is called again.
    Blocked,
    /// A host function returned [`HostFlow::Exit`] with this status.
    Exited(u32),
    /// The call trapped; the instance is idle again.
    Trapped(Trap),
}
