//! walos's portable engine: the [wasmi] interpreter behind the
//! [`walos_engine`] traits.
//!
//! Preemption uses wasmi's fuel and resumable calls: a call that runs out of
//! fuel is kept as a [`wasmi::ResumableCallOutOfFuel`], and a host function
//! that needs to suspend its caller returns a `Suspend` host error, which
//! turns the call into a [`wasmi::ResumableCallHostTrap`] that the next
//! [`run`](walos_engine::Instance::run) resumes.

#![no_std]

extern crate alloc;

mod convert;
mod instance;
mod trampoline;

use alloc::boxed::Box;
use alloc::string::ToString;
use alloc::vec::Vec;

use walos_engine::{self as api, Host, HostFuncId};
use wasmi::{Config, Store, StoreLimitsBuilder};

use crate::instance::{Instance, StoreData};

/// The wasmi engine; one per kernel.
pub struct WasmiEngine {
    engine: wasmi::Engine,
}

impl WasmiEngine {
    pub fn new() -> Self {
        let mut config = Config::default();
        config.consume_fuel(true);
        // Lazy translation charges fuel when a function first runs, and when
        // that fuel is short wasmi 2.0 fails the call instead of returning a
        // resumable out-of-fuel: a program would trap at a slice boundary.
        config.compilation_mode(wasmi::CompilationMode::Eager);
        WasmiEngine { engine: wasmi::Engine::new(&config) }
    }
}

impl Default for WasmiEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl api::Engine for WasmiEngine {
    fn name(&self) -> &'static str {
        "wasmi"
    }

    fn load(&self, wasm: &[u8]) -> Result<Box<dyn api::Module>, api::Error> {
        let module = wasmi::Module::new(&self.engine, wasm).map_err(|err| api::Error::Invalid(err.to_string()))?;
        let imports = module
            .imports()
            .map(|import| api::Import {
                module: import.module().into(),
                name: import.name().into(),
                ty: convert::extern_type(import.ty()),
            })
            .collect();
        let exports = module
            .exports()
            .map(|export| api::Export { name: export.name().into(), ty: convert::extern_type(export.ty()) })
            .collect();
        Ok(Box::new(Module { engine: self.engine.clone(), module, imports, exports }))
    }
}

struct Module {
    engine: wasmi::Engine,
    module: wasmi::Module,
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
        let mut store = Store::new(&self.engine, StoreData::new(limiter));
        store.limiter(|data| &mut data.limiter);
        let mut externs = Vec::with_capacity(bindings.len());
        for (import, &id) in self.module.imports().zip(bindings) {
            // Checked above: every import is a function.
            if let wasmi::ExternType::Func(ty) = import.ty() {
                externs.push(wasmi::Extern::Func(trampoline::host_func(&mut store, ty.clone(), id)?));
            }
        }
        Instance::new(store, &self.module, &externs, limits.start_fuel, host)
            .map(|instance| Box::new(instance) as Box<dyn api::Instance>)
    }
}
