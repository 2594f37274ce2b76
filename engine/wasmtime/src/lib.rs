//! walos's fast engine: [wasmtime] (Cranelift) behind the [`walos_engine`]
//! traits.
//!
//! Preemption keeps the wasmi engine's semantics with wasmtime's own means,
//! one of two chosen when the engine is made ([`Preemption`]): epoch
//! interruption (the default: compiled code checks a counter that the
//! loader's timer bumps through the engine's [`Ticker`], and yields at the
//! first check past the slice's deadline), or fuel metering with an async
//! yield every slice (`fuel_async_yield_interval`), deterministic but
//! slower. Calls are made with `call_async`, whose future
//! [`run`](walos_engine::Instance::run) polls by hand. A host function that
//! yields or blocks suspends the wasm fiber the same way (see the
//! `host_func` module), so the kernel's scheduler sees the same slices,
//! yields and blocked calls whichever engine runs.
//!
//! What every engine does the same way (the module's description, the
//! checks of host functions, the lent host) is `walos-engine`'s and
//! `walos-engine-lend`'s; this crate holds what is wasmtime's own.
//!
//! Hosted only: Cranelift compiles at load time, which needs std.

#![warn(missing_docs)]

mod artifact;
mod convert;
mod host_func;
mod imports;
mod instance;
mod limiter;
mod module;
mod slice;
mod store;

use walos_engine::{self as api, CompiledModule, Preemption, Ticker};
use wasmtime::Config;

use crate::artifact::Artifacts;
use crate::module::WasmtimeModule;

pub use artifact::{Cache, CacheEvent, is_precompiled};

/// The wasm proposals this engine runs beyond wasm 1.0: those the wasmtime
/// 50 command runs by default (wasmtime's own defaults, with the `gc` crate
/// feature that exception handling needs). Not threads (shared memories):
/// the kernel hands host functions one plain memory.
pub const PROPOSALS: &[&str] = &[
    "mutable-global",
    "sign-extension-ops",
    "nontrapping-float-to-int",
    "multi-value",
    "bulk-memory",
    "reference-types",
    "simd",
    "relaxed-simd",
    "tail-call",
    "extended-const",
    "multi-memory",
    "memory64",
    "function-references",
    "gc",
    "exception-handling",
    "wide-arithmetic",
];

/// The wasmtime engine; one per kernel.
pub struct WasmtimeEngine {
    engine: wasmtime::Engine,
    preemption: Preemption,
    artifacts: Artifacts,
}

impl WasmtimeEngine {
    /// An engine whose code is preempted as `preemption` says, with
    /// instances from a pool of [`MAX_INSTANCES`] slots when the address
    /// space allows it.
    pub fn new(preemption: Preemption) -> Self {
        // Instances come from a pool of preallocated slots, so that spawning
        // a process costs no mmap/munmap of its memory, tables and stack.
        // Should the address space not allow the pool (a `ulimit -v`), each
        // instance is allocated on demand instead.
        let engine = wasmtime::Engine::new(Self::config(preemption).allocation_strategy(pool()))
            .or_else(|_| wasmtime::Engine::new(&Self::config(preemption)));
        // The configuration is fixed and valid for the host: this cannot fail.
        let engine = engine.expect("wasmtime supports this host");
        WasmtimeEngine { engine, preemption, artifacts: Artifacts::default() }
    }

    /// Keeps compiled modules in `cache`, so that a module loaded again
    /// (in this process or a later one) is not compiled again.
    pub fn with_cache(mut self, cache: Cache) -> Self {
        self.artifacts.cache = Some(cache);
        self
    }

    /// Lets [`api::Engine::load`] take these precompiled bytes (from
    /// [`WasmtimeEngine::precompile`]): the loader read them from a file the
    /// user named. Other precompiled bytes are refused.
    pub fn trust_precompiled(&self, bytes: &[u8]) {
        self.artifacts.trust(bytes);
    }

    /// `wasm` compiled for this engine, in wasmtime's format (`.cwasm`),
    /// as `wasmtime compile` writes it.
    ///
    /// # Errors
    /// As [`api::Engine::load`] for a module it cannot compile.
    pub fn precompile(&self, wasm: &[u8]) -> Result<Vec<u8>, api::Error> {
        self.engine.precompile_module(wasm).map_err(|err| api::Error::refused("wasmtime", err.root_cause().to_string()))
    }

    fn config(preemption: Preemption) -> Config {
        let mut config = Config::new();
        // Only the instrumentation of the chosen mode is compiled in.
        match preemption {
            Preemption::Fuel => config.consume_fuel(true),
            Preemption::Epoch => config.epoch_interruption(true),
        };
        config
    }
}

/// How many processes can live at once on one wasmtime kernel: each slot
/// reserves (but does not commit) 4 GiB of address space for its memory.
pub const MAX_INSTANCES: u32 = 256;

/// The most memories, and the most tables, one module may define.
const MAX_PER_MODULE: u32 = 16;

fn pool() -> wasmtime::InstanceAllocationStrategy {
    let mut pool = wasmtime::PoolingAllocationConfig::new();
    pool.total_core_instances(MAX_INSTANCES).total_memories(MAX_INSTANCES).total_tables(MAX_INSTANCES);
    pool.total_stacks(MAX_INSTANCES);
    // Multi-memory and reference types give a module several memories and
    // tables; the slots are counted in the totals above.
    pool.max_memories_per_module(MAX_PER_MODULE).max_tables_per_module(MAX_PER_MODULE);
    wasmtime::InstanceAllocationStrategy::Pooling(pool)
}

/// Epoch slices: wasmtime's cheapest preemption.
impl Default for WasmtimeEngine {
    fn default() -> Self {
        Self::new(Preemption::Epoch)
    }
}

impl api::Engine for WasmtimeEngine {
    fn name(&self) -> &'static str {
        "wasmtime"
    }

    fn preemption(&self) -> Preemption {
        self.preemption
    }

    fn ticker(&self) -> Option<Ticker> {
        // `increment_epoch` is one relaxed atomic add: safe from any thread
        // and from an interrupt handler.
        let engine = self.engine.clone();
        (self.preemption == Preemption::Epoch).then(|| Ticker::new(move || engine.increment_epoch()))
    }

    fn imports(&self, wasm: &[u8]) -> Option<Vec<api::Import>> {
        imports::imports(wasm)
    }

    fn load(&self, wasm: &[u8]) -> Result<Box<dyn api::Module>, api::Error> {
        // The root cause is the validator's message, worded as wasmi's.
        let module = self.artifacts.module(&self.engine, wasm)?;
        let compiled = WasmtimeModule { engine: self.engine.clone(), module, preemption: self.preemption };
        Ok(Box::new(CompiledModule::new(compiled)))
    }
}
