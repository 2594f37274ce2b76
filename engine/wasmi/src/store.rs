//! What a wasmi store carries for the host functions of its instance.

use alloc::rc::Rc;

use walos_engine_lend::LentHost;

use crate::limiter::Limiter;

/// The data of an instance's store.
pub struct StoreData {
    /// The kernel's host during a run (or instantiation); shared with the
    /// [`Instance`](crate::instance::Instance), which lends it while it
    /// holds the store.
    pub host: Rc<LentHost>,
    /// The instance's `memory` export, cached for the host functions.
    pub memory: Option<wasmi::Memory>,
    /// The instance's resource limits ([`walos_engine::Limits`]).
    pub limiter: Limiter,
    /// True while the start function runs: it cannot be suspended.
    pub in_start: bool,
}

impl StoreData {
    /// The data of a new store, nothing lent yet.
    pub fn new(limiter: Limiter) -> Self {
        StoreData { host: Rc::new(LentHost::new()), memory: None, limiter, in_start: false }
    }
}
