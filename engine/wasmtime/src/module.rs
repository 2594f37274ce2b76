//! A compiled wasmtime module: what instantiating it takes that is
//! wasmtime's own.

use std::sync::Arc;

use walos_engine::{Compiled, Error, ExternType, Host, HostFunc, Limits, Preemption, Quota};
use wasmtime::Store;

use crate::instance::Instance;
use crate::limiter::Limiter;
use crate::store::{Exchange, StoreData};
use crate::{convert, host_func};

/// A compiled wasmtime module and the engine it was compiled by.
pub struct WasmtimeModule {
    /// The engine its stores are made in.
    pub engine: wasmtime::Engine,
    /// The module itself.
    pub module: wasmtime::Module,
    /// How the engine's code is preempted.
    pub preemption: Preemption,
}

impl Compiled for WasmtimeModule {
    type FuncType = wasmtime::FuncType;
    type Store = Store<StoreData>;
    type Extern = wasmtime::Extern;
    type Instance = Instance;

    fn list_imports(&self) -> impl Iterator<Item = (&str, &str, ExternType, Option<wasmtime::FuncType>)> {
        self.module.imports().map(|import| {
            let ty = import.ty();
            (import.module(), import.name(), convert::extern_type(&ty), ty.func().cloned())
        })
    }

    fn list_exports(&self) -> impl Iterator<Item = (&str, ExternType)> {
        self.module.exports().map(|export| (export.name(), convert::extern_type(&export.ty())))
    }

    fn store(&self, limits: &Limits) -> Store<StoreData> {
        let limiter = Limiter(Quota::new(limits));
        let data = StoreData { exchange: Arc::new(Exchange::new(self.preemption)), memory: None, limiter };
        let mut store = Store::new(&self.engine, data);
        store.limiter(|data| &mut data.limiter);
        store
    }

    fn host_func(&self, store: &mut Store<StoreData>, ty: &wasmtime::FuncType, func: HostFunc) -> wasmtime::Extern {
        wasmtime::Extern::Func(host_func::host_func(store, ty.clone(), func))
    }

    fn instantiate(
        &self,
        store: Store<StoreData>,
        imports: &[wasmtime::Extern],
        limits: &Limits,
        host: &mut dyn Host,
    ) -> Result<Instance, Error> {
        Instance::new(store, &self.module, imports, limits.start, host)
    }
}
