//! A compiled wasmi module: what instantiating it takes that is wasmi's own.

use walos_engine::{Compiled, Error, ExternType, Host, HostFunc, Limits, Quota};
use wasmi::Store;

use crate::instance::Instance;
use crate::limiter::Limiter;
use crate::store::StoreData;
use crate::{convert, host_func};

/// A validated wasmi module and the engine it was compiled by.
pub struct WasmiModule {
    /// The engine its stores are made in.
    pub engine: wasmi::Engine,
    /// The module itself.
    pub module: wasmi::Module,
}

impl Compiled for WasmiModule {
    type FuncType = wasmi::FuncType;
    type Store = Store<StoreData>;
    type Extern = wasmi::Extern;
    type Instance = Instance;

    fn list_imports(&self) -> impl Iterator<Item = (&str, &str, ExternType, Option<wasmi::FuncType>)> {
        self.module.imports().map(|import| {
            (import.module(), import.name(), convert::extern_type(import.ty()), import.ty().func().cloned())
        })
    }

    fn list_exports(&self) -> impl Iterator<Item = (&str, ExternType)> {
        self.module.exports().map(|export| (export.name(), convert::extern_type(export.ty())))
    }

    fn store(&self, limits: &Limits) -> Store<StoreData> {
        let limiter = Limiter(Quota::new(limits));
        let mut store = Store::new(&self.engine, StoreData::new(limiter));
        store.limiter(|data| &mut data.limiter);
        store
    }

    fn host_func(&self, store: &mut Store<StoreData>, ty: &wasmi::FuncType, func: HostFunc) -> wasmi::Extern {
        wasmi::Extern::Func(host_func::host_func(store, ty.clone(), func))
    }

    fn instantiate(
        &self,
        store: Store<StoreData>,
        imports: &[wasmi::Extern],
        limits: &Limits,
        host: &mut dyn Host,
    ) -> Result<Instance, Error> {
        Instance::new(store, &self.module, imports, limits.start.fuel, host)
    }
}
