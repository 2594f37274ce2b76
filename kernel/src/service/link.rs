//! Linking a module's imports: built-in interfaces first, then services,
//! each provider loaded (with its own providers) the first time an import
//! needs it. The path from the entry to a provider is kept in `chain`, so
//! that a cycle or a missing provider is reported with the whole path.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use walos_engine::{ExternType, FuncType, HostFuncId, Import};

use super::lifecycle::LoadFailure;
use super::{SERVICE_BASE, ServiceImport};
use crate::Kernel;
use crate::abi::Device;
use crate::linker::{self, DEFAULT_VALUES, LinkError, ServiceProblem, UNKNOWN_BASE, UnknownImports};

/// A module's imports, bound.
pub(crate) struct Linked {
    /// The host function of each import, in order.
    pub bindings: Vec<HostFuncId>,
    /// The service functions behind the ids from [`SERVICE_BASE`] on.
    pub services: Vec<ServiceImport>,
    /// The imports behind the ids from [`UNKNOWN_BASE`] on, which trap.
    pub unknown: Vec<Import>,
}

impl Kernel {
    /// Binds `imports` of the module at the end of `chain`: to built-in
    /// interfaces, else to services, loading those not loaded yet. Imports
    /// of the entry (not of services, as wasmtime's flags are for the main
    /// module) that name nothing get stand-ins as
    /// [`crate::Config::unknown_imports`] says.
    pub(crate) fn link_module(
        &mut self,
        imports: &[Import],
        chain: &mut Vec<String>,
    ) -> Result<Linked, Vec<LinkError>> {
        let framebuffer = self.sys.loader.framebuffer().is_some();
        let ports = self.sys.loader.ports().is_some();
        let pci = self.sys.loader.pci().is_some();
        let has = move |device| match device {
            Device::Framebuffer => framebuffer,
            Device::Ports => ports,
            Device::Pci => pci,
        };
        // Only services are drivers: the entry is at the start of the chain.
        let module = chain.last().cloned().unwrap_or_default();
        let driver = if chain.len() > 1 && self.config.drivers.iter().any(|d| d.name == module) {
            Ok(&*module)
        } else {
            Err(&*module)
        };
        let policy = if chain.len() == 1 { self.config.unknown_imports } else { UnknownImports::Refuse };
        let mut services = Vec::new();
        let mut unknown = Vec::new();
        let mut stand_in = |import: &Import| match policy {
            UnknownImports::Refuse => None,
            UnknownImports::DefaultValues => Some(DEFAULT_VALUES),
            UnknownImports::Trap => {
                unknown.push(import.clone());
                Some(UNKNOWN_BASE + (unknown.len() - 1) as u32)
            }
        };
        let bindings = linker::link(
            imports,
            &has,
            driver,
            &mut |import, ty| {
                services.push(self.service_import(chain, import, ty)?);
                Ok(SERVICE_BASE + (services.len() - 1) as u32)
            },
            &mut stand_in,
        )?;
        Ok(Linked { bindings, services, unknown })
    }

    pub(crate) fn service_import(
        &mut self,
        chain: &mut Vec<String>,
        import: &Import,
        ty: &FuncType,
    ) -> Result<ServiceImport, Vec<LinkError>> {
        let (name, wasm) = self.provider(&import.module, &import.name);
        let error = |chain: &[String], problem| {
            let mut chain = chain.to_vec();
            chain.push(name.clone());
            alloc::vec![LinkError::Service { import: import.clone(), chain, problem }]
        };
        if chain.contains(&name) {
            return Err(error(chain, ServiceProblem::Cycle));
        }
        if !self.services.contains_key(&name) {
            match self.load_service(chain, &name, wasm) {
                Ok(()) => {}
                Err(LoadFailure::Links(errors)) => return Err(errors),
                Err(LoadFailure::Problem(problem)) => return Err(error(chain, problem)),
            }
        }
        let Some(service) = self.services.get(&name) else {
            return Err(error(chain, ServiceProblem::Missing));
        };
        let qualified = format!("{}:{}", import.module, import.name);
        let exports = service.module.exports();
        let plain = exports.iter().find(|e| name == import.module && e.name == import.name);
        let export = plain.or_else(|| exports.iter().find(|e| e.name == qualified));
        let Some(export) = export else {
            return Err(error(chain, ServiceProblem::NoExport));
        };
        match &export.ty {
            ExternType::Func(provided) if provided == ty => {}
            ExternType::Func(provided) => return Err(error(chain, ServiceProblem::Signature(provided.clone()))),
            _ => return Err(error(chain, ServiceProblem::NoExport)),
        }
        let kinds = service.sigs.iter().find(|d| d.describes(&import.module, &import.name));
        Ok(ServiceImport {
            provider: name.clone(),
            export: export.name.clone(),
            kinds: kinds.map(|d| d.kinds.clone()),
            ty: ty.clone(),
        })
    }
}
