//! The [`Module`] every engine offers, written once: its description, and
//! instantiation up to the point where the engine's own work begins.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::{Error, Export, ExternType, FuncType, Host, HostFunc, HostFuncId, Import, Instance, Limits, Module};

/// What an engine does its own way for a [`CompiledModule`]: list a
/// compiled module's imports and exports, make a store, the function behind
/// an import, and the instance.
pub trait Compiled {
    /// The engine's own type of a function import, kept from load to every
    /// instantiation so that binding an import needs no conversion.
    type FuncType;
    /// The engine's store for one instance, made before its host functions.
    type Store;
    /// What the engine links an import to.
    type Extern;
    /// The engine's instance.
    type Instance: Instance + 'static;

    /// The imports in declaration order: module, name, type, and the
    /// engine's own type when it is a function.
    fn list_imports(&self) -> impl Iterator<Item = (&str, &str, ExternType, Option<Self::FuncType>)>;

    /// The exports in declaration order: name and type.
    fn list_exports(&self) -> impl Iterator<Item = (&str, ExternType)>;

    /// A store for one instance, within `limits`.
    fn store(&self, limits: &Limits) -> Self::Store;

    /// The engine function behind a function import of type `ty`: it calls
    /// the host as `func` says, synchronously unless it may suspend.
    fn host_func(&self, store: &mut Self::Store, ty: &Self::FuncType, func: HostFunc) -> Self::Extern;

    /// Instantiates with `imports` (one per import, in order) and runs the
    /// start function, as [`Module::instantiate`] says.
    ///
    /// # Errors
    /// As [`Module::instantiate`]; a failed start is told by
    /// [`StartFailure`](crate::StartFailure).
    fn instantiate(
        &self,
        store: Self::Store,
        imports: &[Self::Extern],
        limits: &Limits,
        host: &mut dyn Host,
    ) -> Result<Self::Instance, Error>;
}

/// An engine's compiled module with its engine-neutral description: the
/// [`Module`] that [`Engine::load`](crate::Engine::load) returns.
pub struct CompiledModule<C: Compiled> {
    compiled: C,
    imports: Vec<Import>,
    exports: Vec<Export>,
    /// The engine's types of the function imports, in order: once
    /// [`bound_imports`] has checked that every import is a function, one
    /// per import.
    func_types: Vec<C::FuncType>,
}

impl<C: Compiled> CompiledModule<C> {
    /// Describes `compiled` once, for all the instances to come.
    pub fn new(compiled: C) -> Self {
        let (mut imports, mut func_types) = (Vec::new(), Vec::new());
        for (module, name, ty, func_type) in compiled.list_imports() {
            imports.push(Import { module: String::from(module), name: String::from(name), ty });
            func_types.extend(func_type);
        }
        let exports = compiled.list_exports().map(|(name, ty)| Export { name: String::from(name), ty }).collect();
        CompiledModule { compiled, imports, exports, func_types }
    }
}

impl<C: Compiled> Module for CompiledModule<C> {
    fn imports(&self) -> &[Import] {
        &self.imports
    }

    fn exports(&self) -> &[Export] {
        &self.exports
    }

    fn instantiate(
        &self,
        bindings: &[HostFuncId],
        limits: &Limits,
        host: &mut dyn Host,
    ) -> Result<Box<dyn Instance>, Error> {
        let types = bound_imports(&self.imports, bindings)?;
        let mut store = self.compiled.store(limits);
        let mut externs = Vec::with_capacity(bindings.len());
        for ((ty, func_type), &id) in types.into_iter().zip(&self.func_types).zip(bindings) {
            let func = HostFunc::new(ty, id, host.may_suspend(id))?;
            externs.push(self.compiled.host_func(&mut store, func_type, func));
        }
        let instance = self.compiled.instantiate(store, &externs, limits, host)?;
        Ok(Box::new(instance))
    }
}

/// What every engine's [`Module::instantiate`] checks first: one binding
/// per import, and only function imports. Returns the function types of the
/// imports, in order.
///
/// # Errors
/// [`Error::Instantiate`] naming the mismatch or the first import that is
/// not a function.
pub fn bound_imports<'a>(imports: &'a [Import], bindings: &[HostFuncId]) -> Result<Vec<&'a FuncType>, Error> {
    if bindings.len() != imports.len() {
        return Err(Error::Instantiate(format!("{} bindings for {} imports", bindings.len(), imports.len())));
    }
    imports
        .iter()
        .map(|import| match &import.ty {
            ExternType::Func(ty) => Ok(ty),
            other => Err(Error::Instantiate(format!(
                "import `{}.{}` is a {other}, not a function",
                import.module, import.name
            ))),
        })
        .collect()
}
