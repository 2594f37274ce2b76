//! What a wasmtime store carries for the host functions of its instance, and
//! the exchange through which they tell [`run`](walos_engine::Instance::run)
//! why wasm stopped.

use std::cell::Cell;
use std::sync::Arc;

use walos_engine::{Preemption, Slice};
use walos_engine_lend::LentHost;

use crate::limiter::Limiter;

/// What a run shares with the host functions of its instance.
///
/// Shared, not owned by the store: while a call is suspended its future owns
/// the store, and `run` still needs to reach these.
pub struct Exchange {
    /// The kernel's host during a run (or instantiation).
    pub host: LentHost,
    /// How the engine preempts: what a slice counts.
    pub preemption: Preemption,
    /// The slice of the current run.
    pub slice: Cell<Slice>,
    /// The slice length the store's automatic yield was last given (fuel
    /// yield interval, or ticks added to the epoch deadline at each
    /// yield); 0: none yet.
    pub interval: Cell<u64>,
    /// Why the last poll stopped inside a host function (yield or block);
    /// `None` when it stopped because the slice's fuel ran out.
    pub suspended: Cell<Option<Suspension>>,
    /// True while the start function runs: it cannot be suspended.
    pub in_start: Cell<bool>,
}

impl Exchange {
    /// The exchange of a new store, under `preemption`.
    pub fn new(preemption: Preemption) -> Self {
        Exchange {
            host: LentHost::new(),
            preemption,
            slice: Cell::new(Slice::new(1, 1)),
            interval: Cell::new(0),
            suspended: Cell::new(None),
            in_start: Cell::new(false),
        }
    }
}

// SAFETY: an exchange is shared only by one `Instance` (which is not `Send`,
// see its `_single_thread` field) and the store it owns; wasmtime requires
// `Send` of store data so that stores may move between threads, which walos
// never does. Every access happens on the thread running `Instance::run`,
// the one that lends the host.
unsafe impl Send for Exchange {}
// SAFETY: as above; there is never a second thread.
unsafe impl Sync for Exchange {}

/// A host call that suspended its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suspension {
    /// [`HostFlow::Yield`](walos_engine::HostFlow::Yield): resume with the
    /// results.
    Yield,
    /// [`HostFlow::Block`](walos_engine::HostFlow::Block): call the host
    /// again first.
    Block,
}

/// The data of an instance's store.
pub struct StoreData {
    /// Shared with the [`Instance`](crate::instance::Instance).
    pub exchange: Arc<Exchange>,
    /// The instance's `memory` export, cached for the host functions.
    pub memory: Option<wasmtime::Memory>,
    /// The instance's resource limits ([`walos_engine::Limits`]).
    pub limiter: Limiter,
}
