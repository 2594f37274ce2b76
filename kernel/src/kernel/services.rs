//! The dependency tree and calls between services.
//!
//! Providers are loaded while their first importer is linked, depth first,
//! so a service is instantiated after everything it imports, and what
//! nothing imports is never read from the store. A call runs the provider
//! to the end of the function while the caller stays parked; a provider
//! only serves one call at a time, since calls are served one after the
//! other and a cycle never links. A provider that fails a call is dropped
//! and started again on its next use.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use walos_engine::{ExternType, FuncType, HostFuncId, Import, Limits, RunOutcome, Val, ValType};

use super::Kernel;
use crate::abi::Device;
use crate::fd::FdTable;
use crate::linker::{self, LinkError, ServiceProblem};
use crate::loader::StoreError;
use crate::log::Level;
use crate::process::{Pid, ProcState, Reply, Request};
use crate::service::copy::Transfer;
use crate::service::{CallError, Called, SERVICE_BASE, Service, ServiceImport, sig};
use crate::syscall::Ctx;

/// Slices one service call may take before it counts as hung.
const MAX_CALL_SLICES: u32 = 1000;

/// Why a service could not be loaded.
enum LoadFailure {
    /// Its own imports do not link (the errors name the chain).
    Links(Vec<LinkError>),
    Problem(ServiceProblem),
}

impl Kernel {
    /// Binds `imports` of the module at the end of `chain`: to built-in
    /// interfaces, else to services, loading those not loaded yet.
    pub(super) fn link_module(
        &mut self,
        imports: &[Import],
        chain: &mut Vec<String>,
    ) -> Result<(Vec<HostFuncId>, Vec<ServiceImport>), Vec<LinkError>> {
        let framebuffer = self.sys.loader.framebuffer().is_some();
        let ports = self.sys.loader.ports().is_some();
        let has = move |device| match device {
            Device::Framebuffer => framebuffer,
            Device::Ports => ports,
        };
        // Only services are drivers: the entry is at the start of the chain.
        let module = chain.last().cloned().unwrap_or_default();
        let driver =
            if chain.len() > 1 && self.config.drivers.contains(&module) { Ok(&*module) } else { Err(&*module) };
        let mut services = Vec::new();
        let bindings = linker::link(imports, &has, driver, &mut |import, ty| {
            services.push(self.service_import(chain, import, ty)?);
            Ok(SERVICE_BASE + (services.len() - 1) as u32)
        })?;
        Ok((bindings, services))
    }

    fn service_import(
        &mut self,
        chain: &mut Vec<String>,
        import: &Import,
        ty: &FuncType,
    ) -> Result<ServiceImport, Vec<LinkError>> {
        let name = self.provider_name(&import.module, &import.name);
        let error = |chain: &[String], problem| {
            let mut chain = chain.to_vec();
            chain.push(name.clone());
            alloc::vec![LinkError::Service { import: import.clone(), chain, problem }]
        };
        if chain.contains(&name) {
            return Err(error(chain, ServiceProblem::Cycle));
        }
        if !self.services.contains_key(&name) {
            match self.load_service(chain, &name) {
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

    /// The service providing `(iface, func)`: the loaded or stored module
    /// `iface`, or else the loaded or stored module that exports
    /// `iface:func`; `iface` (missing) if none does. Only export names are
    /// read while searching the store: nothing is compiled or started.
    fn provider_name(&mut self, iface: &str, func: &str) -> String {
        let qualified = format!("{iface}:{func}");
        let exports = |module: &dyn walos_engine::Module| module.exports().iter().any(|e| e.name == qualified);
        if self.services.contains_key(iface) {
            return iface.to_string();
        }
        if let Some(service) = self.services.values().find(|s| exports(&*s.module)) {
            return service.name.clone();
        }
        let store = self.sys.loader.services();
        if store.load(iface).is_ok() {
            return iface.to_string();
        }
        let found = store.names().into_iter().find(|name| {
            store
                .load(name)
                .is_ok_and(|wasm| crate::service::reader::function_exports(&wasm).is_ok_and(|e| e.contains(&qualified)))
        });
        found.unwrap_or_else(|| iface.to_string())
    }

    /// Reads, links and starts service `name` for the module at the end of
    /// `chain`.
    fn load_service(&mut self, chain: &mut Vec<String>, name: &str) -> Result<(), LoadFailure> {
        let importer = chain.last().cloned().unwrap_or_default();
        self.sys.log(Level::Info, "kernel", format_args!("loading service {name} for {importer}"));
        let problem = |msg: String| LoadFailure::Problem(ServiceProblem::Load(msg));
        let wasm = self.sys.loader.services().load(name).map_err(|error| match error {
            StoreError::NotFound => LoadFailure::Problem(ServiceProblem::Missing),
            StoreError::Io(msg) => problem(msg),
        })?;
        let module = self.engine.load(&wasm).map_err(|e| problem(e.to_string()))?;
        let descs = sig::parse(&wasm).map_err(problem)?;
        for desc in &descs {
            let qualified = format!("{}:{}", desc.module, desc.name);
            let export =
                module.exports().iter().find(|e| desc.module == name && e.name == desc.name || e.name == qualified);
            match export.map(|e| &e.ty) {
                Some(ExternType::Func(ty)) => desc.check(ty).map_err(problem)?,
                _ => {
                    return Err(problem(format!(
                        "`w` entry `{}.{}` describes no exported function",
                        desc.module, desc.name
                    )));
                }
            }
        }
        chain.push(name.to_string());
        let linked = self.link_module(module.imports(), chain);
        chain.pop();
        let (bindings, imports) = linked.map_err(LoadFailure::Links)?;
        let state = self.service_state(name, imports.clone());
        let mut service =
            Service { name: name.to_string(), module, bindings, imports, sigs: descs, instance: None, state };
        self.start_service(&mut service).map_err(problem)?;
        self.services.insert(name.to_string(), service);
        Ok(())
    }

    fn service_state(&mut self, name: &str, services: Vec<ServiceImport>) -> ProcState {
        let fds = FdTable::new(&mut self.sys.mounts, &[]).unwrap_or_default();
        ProcState { services, ..ProcState::new(0, name.to_string(), fds, self.sys.now()) }
    }

    /// Instantiates `service` afresh and runs its `_initialize`, if any.
    fn start_service(&mut self, service: &mut Service) -> Result<(), String> {
        let old = core::mem::replace(&mut service.state, self.service_state(&service.name, service.imports.clone()));
        let mut old = old;
        for descriptor in old.fds.take_all() {
            descriptor.release(&mut self.sys);
        }
        let limits = Limits { memory_bytes: self.sys.loader.memory_limit(), start_fuel: self.config.start_fuel };
        let mut ctx = Ctx { sys: &mut self.sys, proc: &mut service.state };
        let instance = service.module.instantiate(&service.bindings, &limits, &mut ctx).map_err(|e| e.to_string())?;
        service.instance = Some(instance);
        let init = ExternType::Func(FuncType::default());
        if service.module.exports().iter().any(|e| e.name == "_initialize" && e.ty == init) {
            self.run_to_end(service, "_initialize", &[]).map_err(|e| format!("_initialize: {e}"))?;
        }
        Ok(())
    }

    /// Serves process `caller`'s call of its service import `import`.
    pub(super) fn call_for(&mut self, caller: Pid, import: usize, transfer: Transfer) -> Result<Called, CallError> {
        let proc = self.procs.get(&caller).ok_or(CallError)?;
        let name = proc.state.name.clone();
        let import = proc.state.services.get(import).cloned().ok_or(CallError)?;
        self.invoke(&import, &name, transfer)
    }

    /// Calls `import` for `caller` with the arguments and buffers of
    /// `transfer`.
    fn invoke(&mut self, import: &ServiceImport, caller: &str, transfer: Transfer) -> Result<Called, CallError> {
        let Some(mut service) = self.services.remove(&import.provider) else {
            let name = &import.provider;
            self.sys.log(Level::Err, "kernel", format_args!("{caller}: service {name} is not available"));
            return Err(CallError);
        };
        let result = self.invoke_on(&mut service, import, caller, transfer);
        self.services.insert(import.provider.clone(), service);
        result
    }

    fn invoke_on(
        &mut self,
        service: &mut Service,
        import: &ServiceImport,
        caller: &str,
        mut transfer: Transfer,
    ) -> Result<Called, CallError> {
        let what = format!("call of {}.{} by {caller}", service.name, import.export);
        if service.instance.is_none() {
            self.sys.log(Level::Info, "kernel", format_args!("restarting service {}", service.name));
            if let Err(error) = self.start_service(service) {
                service.instance = None;
                self.sys.log(Level::Err, &service.name, format_args!("cannot restart: {error}; the {what} fails"));
                return Err(CallError);
            }
        }
        match self.run_call(service, import, &mut transfer) {
            Ok(results) => Ok((results, transfer)),
            Err(error) => {
                service.instance = None;
                let name = service.name.clone();
                self.sys.log(
                    Level::Err,
                    &name,
                    format_args!("{error}; the {what} fails, the service restarts on next use"),
                );
                Err(CallError)
            }
        }
    }

    /// Gets the block, copies in, calls, copies out, frees the block.
    fn run_call(
        &mut self,
        service: &mut Service,
        import: &ServiceImport,
        transfer: &mut Transfer,
    ) -> Result<Vec<Val>, String> {
        let base = if transfer.total > 0 {
            let exports = service.module.exports();
            if !exports.iter().any(|e| e.name == "walos_alloc") {
                return Err("it exports no `walos_alloc` for the call's buffers".into());
            }
            match self.run_to_end(service, "walos_alloc", &[Val::I32(transfer.total as i32)])?.as_slice() {
                [Val::I32(0)] => return Err(format!("walos_alloc({}) failed", transfer.total)),
                [Val::I32(ptr)] => *ptr as u32,
                _ => return Err("walos_alloc is not (i32) -> i32".into()),
            }
        } else {
            0
        };
        let instance = service.instance.as_mut().ok_or("not running")?;
        let args = transfer.copy_in(base, instance.memory())?;
        let results = self.run_to_end(service, &import.export, &args)?;
        let instance = service.instance.as_mut().ok_or("not running")?;
        transfer.copy_out(base, instance.memory())?;
        let free = ExternType::Func(FuncType::new([ValType::I32, ValType::I32], []));
        if transfer.total > 0 && service.module.exports().iter().any(|e| e.name == "walos_free" && e.ty == free) {
            self.run_to_end(service, "walos_free", &[Val::I32(base as i32), Val::I32(transfer.total as i32)])?;
        }
        Ok(results)
    }

    /// Runs `func` of `service` to its end, serving its own service calls.
    fn run_to_end(&mut self, service: &mut Service, func: &str, args: &[Val]) -> Result<Vec<Val>, String> {
        let instance = service.instance.as_mut().ok_or("not running")?;
        instance.call(func, args).map_err(|e| e.to_string())?;
        for _ in 0..MAX_CALL_SLICES {
            let outcome = {
                let mut ctx = Ctx { sys: &mut self.sys, proc: &mut service.state };
                instance.run(self.config.slice_fuel, &mut ctx)
            };
            match outcome {
                RunOutcome::Finished(results) => return Ok(results),
                RunOutcome::Preempted | RunOutcome::Yielded => {}
                RunOutcome::Blocked => match service.state.request.take() {
                    Some(Request::Call { import, transfer }) => {
                        let import = service.state.services.get(import).cloned().ok_or("bad service import")?;
                        let result = self.invoke(&import, &service.name, transfer);
                        service.state.reply = Some(Reply::Called(result));
                    }
                    _ => return Err(format!("{func}: a service cannot block or manage processes during a call")),
                },
                RunOutcome::Exited(code) => return Err(format!("{func}: exited with status {code} during a call")),
                RunOutcome::Trapped(trap) => return Err(format!("{func}: trapped: {trap}")),
            }
        }
        Err(format!("{func}: still running after {MAX_CALL_SLICES} slices"))
    }
}
