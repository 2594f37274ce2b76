//! walos's fast engine: [wasmtime] (Cranelift) behind the [`walos_engine`]
//! traits.
//!
//! Preemption keeps the wasmi engine's semantics with wasmtime's own means:
//! fuel metering with an async yield every slice (`fuel_async_yield_interval`)
//! and calls made with `call_async`, whose future [`run`](walos_engine::Instance::run)
//! polls by hand. A host function that yields or blocks suspends the wasm
//! fiber the same way (see the `host` module), so the kernel's scheduler sees the same
//! slices, yields and blocked calls whichever engine runs.
//!
//! Hosted only: Cranelift compiles at load time, which needs std.

mod convert;
mod host;
mod instance;

use walos_engine::{self as api, Host, HostFuncId};
use wasmtime::{Config, Store, StoreLimitsBuilder};

use crate::host::{Exchange, StoreData};
use crate::instance::Instance;

/// The wasmtime engine; one per kernel.
pub struct WasmtimeEngine {
    engine: wasmtime::Engine,
}

impl WasmtimeEngine {
    pub fn new() -> Self {
        // Instances come from a pool of preallocated slots, so that spawning
        // a process costs no mmap/munmap of its memory, tables and stack.
        // Should the address space not allow the pool (a `ulimit -v`), each
        // instance is allocated on demand instead.
        let engine = wasmtime::Engine::new(Self::config().allocation_strategy(pool()))
            .or_else(|_| wasmtime::Engine::new(&Self::config()));
        // The configuration is fixed and valid for the host: this cannot fail.
        WasmtimeEngine { engine: engine.expect("wasmtime supports this host") }
    }

    fn config() -> Config {
        let mut config = Config::new();
        config.consume_fuel(true);
        config
    }
}

/// How many processes can live at once on one wasmtime kernel: each slot
/// reserves (but does not commit) 4 GiB of address space for its memory.
pub const MAX_INSTANCES: u32 = 256;

fn pool() -> wasmtime::InstanceAllocationStrategy {
    let mut pool = wasmtime::PoolingAllocationConfig::new();
    pool.total_core_instances(MAX_INSTANCES).total_memories(MAX_INSTANCES).total_tables(MAX_INSTANCES);
    pool.total_stacks(MAX_INSTANCES);
    wasmtime::InstanceAllocationStrategy::Pooling(pool)
}

impl Default for WasmtimeEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl api::Engine for WasmtimeEngine {
    fn name(&self) -> &'static str {
        "wasmtime"
    }

    fn load(&self, wasm: &[u8]) -> Result<Box<dyn api::Module>, api::Error> {
        // The root cause is the validator's message, worded as wasmi's.
        let module = wasmtime::Module::new(&self.engine, wasm)
            .map_err(|err| api::Error::Invalid(err.root_cause().to_string()))?;
        let imports = module
            .imports()
            .map(|import| api::Import {
                module: import.module().into(),
                name: import.name().into(),
                ty: convert::extern_type(&import.ty()),
            })
            .collect();
        let exports = module
            .exports()
            .map(|export| api::Export { name: export.name().into(), ty: convert::extern_type(&export.ty()) })
            .collect();
        Ok(Box::new(Module { engine: self.engine.clone(), module, imports, exports }))
    }
}

struct Module {
    engine: wasmtime::Engine,
    module: wasmtime::Module,
    imports: Vec<api::Import>,
    exports: Vec<api::Export>,
}

impl api::Module for Module {
    fn imports(&self) -> &[api::Import] {
        &self.imports
    }

    fn exports(&self) -> &[api::Export] {
        &self.exports
    }

    fn instantiate(
        &self,
        bindings: &[HostFuncId],
        limits: &api::Limits,
        host: &mut dyn Host,
    ) -> Result<Box<dyn api::Instance>, api::Error> {
        api::bound_imports(&self.imports, bindings)?;
        let limiter = StoreLimitsBuilder::new().memory_size(limits.memory_bytes).build();
        let data = StoreData { exchange: std::sync::Arc::new(Exchange::default()), memory: None, limiter };
        let mut store = Store::new(&self.engine, data);
        store.limiter(|data| &mut data.limiter);
        let mut externs = Vec::with_capacity(bindings.len());
        for (import, &id) in self.module.imports().zip(bindings) {
            // Checked above: every import is a function.
            if let wasmtime::ExternType::Func(ty) = import.ty() {
                externs.push(wasmtime::Extern::Func(host::host_func(&mut store, ty, id)?));
            }
        }
        Instance::new(store, &self.module, &externs, limits.start_fuel, host)
            .map(|instance| Box::new(instance) as Box<dyn api::Instance>)
    }
}
