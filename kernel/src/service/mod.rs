//! Services: modules that export functions for other modules, and calls
//! between them.
//!
//! An import `(iface, func)` that no built-in interface provides is bound to
//! the service `iface` of the service store, which exports `func` or
//! `iface:func`. Providers are loaded while their first importer is linked,
//! depth first, so a service is instantiated after everything it imports,
//! and what nothing imports is never read from the store. A loaded service
//! is a process that serves one call at a time: a call parks its caller and
//! joins the provider's queue; the provider runs the call in slices like
//! any process, may block inside it, and its answer wakes the caller. A
//! provider that fails a call (trap, exit, a bad block, a call that never
//! ends) ends; the call fails, and the service starts again on its next
//! use.
//!
//! One file per concern:
//! - [`link`]: binding imports to services, loading providers on demand;
//! - [`discover`]: finding a provider in the store;
//! - [`w_section`]: the `w` section;
//! - [`lifecycle`]: loading, starting and restarting a service;
//! - [`caller`]: the caller's half of a call, inside its host call;
//! - [`copy`]: copying the buffers between the two memories;
//! - [`call`]: the queue of calls and their answers;
//! - [`steps`]: `walos_alloc`, the function, `walos_free`;
//! - [`failure`]: what happens when a provider fails.

mod call;
pub(crate) mod caller;
pub mod copy;
mod discover;
mod failure;
mod lifecycle;
mod link;
mod steps;
pub mod w_section;

pub(crate) use call::CallError;
pub(crate) use failure::ServiceFailure;
pub use lifecycle::{LoadError, StartError};
pub use w_section::{WEntry, WSectionError};

use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use walos_engine::{FuncType, HostFuncId, Module, Val};

use crate::process::Pid;

/// Slices one service call (with the provider's start function and
/// `_initialize` if it is the first) may take before it counts as hung.
const MAX_CALL_SLICES: u32 = 1000;

/// Host function ids from here on are service imports: the low bits are
/// the import's number in [`crate::process::ProcState::services`].
pub const SERVICE_BASE: HostFuncId = 0x8000_0000;

/// The service function an import is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceImport {
    /// The service's name in the store (the import's module name).
    pub provider: String,
    /// The export called: `func` or `iface:func`.
    pub export: String,
    /// How each parameter crosses, from the provider's `w` section; `None`:
    /// flat values only.
    pub kinds: Option<Vec<w_section::ParamKind>>,
    /// The function's type, the import's and the export's alike.
    pub ty: FuncType,
}

/// A successful call: the results, and the transfer holding the output
/// buffers for the caller.
pub type Answer = (Vec<walos_engine::Val>, copy::Transfer);

/// A loaded service: its module, and the calls it serves one at a time.
///
/// While it runs it is a process like the others (its instance and state
/// live in the kernel's process table under [`Service::pid`]), scheduled
/// in slices, so a call may block inside it (an interrupt, a sleep, a call
/// to its own providers) while everybody else runs.
pub(crate) struct Service {
    /// Its name in the store.
    pub name: String,
    /// Its compiled module, instantiated at each (re)start.
    pub module: Rc<dyn Module>,
    /// The host functions its imports are bound to.
    pub bindings: Vec<HostFuncId>,
    /// Its own service imports, for each (re)start.
    pub imports: Vec<ServiceImport>,
    /// Its `w` section.
    pub sigs: Vec<w_section::SigDesc>,
    /// Its process; `None` after a failure: it starts again on next use.
    pub pid: Option<Pid>,
    /// Whether it ran before (a start is then a restart).
    pub started: bool,
    /// What its process runs before it serves the next call: its deferred
    /// start function and `_initialize`, after each (re)start.
    pub startup: VecDeque<&'static str>,
    /// The call it serves now.
    pub current: Option<Job>,
    /// The calls waiting for it, first come first served.
    pub queue: VecDeque<Job>,
}

/// Who is waiting for a call's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Caller {
    /// A process, parked until the answer.
    Process(Pid),
    /// The kernel, reading console input from the input service
    /// ([`crate::Config::input`]).
    InputService,
}

/// One call of a service function.
pub(crate) struct Job {
    /// Who waits for the answer.
    pub caller: Caller,
    /// The caller's name, for the log.
    pub caller_name: String,
    /// The function called.
    pub import: ServiceImport,
    /// The arguments, and the buffers crossing both ways.
    pub transfer: copy::Transfer,
    /// The step the provider is at.
    pub phase: Phase,
    /// Slices the provider has run for it.
    pub slices: u32,
}

/// Where a call is: the first call after a (re)start runs the provider's
/// start function and `_initialize`; the provider's `walos_alloc` gives a
/// block for the buffers, the function runs on copies in that block,
/// `walos_free` gives the block back. Each step is a call the provider
/// runs in slices.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Phase {
    /// One of [`Service::startup`], the first.
    Startup(&'static str),
    /// `walos_alloc` is asked for the block.
    Alloc,
    /// The function runs on the copies in the block at `base`.
    Function { base: u32 },
    /// `walos_free` gives the block back; the function's `results` wait.
    Free { results: Vec<Val> },
}
