//! Services: modules that export functions for other modules.
//!
//! An import `(iface, func)` that no built-in interface provides is bound to
//! the service `iface` of the service store, which exports `func` or
//! `iface:func`. The kernel loads each provider once, when the first module
//! importing it is linked, in dependency order; what nothing imports is
//! never read. A call crosses memories as the provider's `w` section says
//! ([`sig`], [`copy`]). The loading and calling live in the kernel
//! (`kernel/services.rs`); this module holds what they share.

pub mod copy;
pub mod reader;
pub mod sig;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use walos_engine::{FuncType, HostFuncId, Instance, Module};

use crate::process::ProcState;

/// Host function ids from here on are service imports: the low bits are
/// the import's number in [`ProcState::services`].
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
    pub kinds: Option<Vec<sig::Kind>>,
    pub ty: FuncType,
}

/// A failed service call; the reason is in the log. The caller's function
/// returns -1 in every result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallError;

/// A successful call: the results, and the transfer holding the output
/// buffers for the caller.
pub type Called = (Vec<walos_engine::Val>, copy::Transfer);

/// A loaded service.
pub(crate) struct Service {
    pub name: String,
    pub module: Box<dyn Module>,
    pub bindings: Vec<HostFuncId>,
    /// Its own service imports, for each (re)start.
    pub imports: Vec<ServiceImport>,
    /// Its `w` section.
    pub sigs: Vec<sig::SigDesc>,
    /// `None` after a failed call: it is started again on its next use.
    pub instance: Option<Box<dyn Instance>>,
    pub state: ProcState,
}
