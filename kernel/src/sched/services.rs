//! The dependency tree and calls between services.
//!
//! Providers are loaded while their first importer is linked, depth first,
//! so a service is instantiated after everything it imports, and what
//! nothing imports is never read from the store. A loaded service is a
//! process that serves one call at a time: a call parks its caller and
//! joins the provider's queue; the provider runs the call in slices like
//! any process, may block inside it, and its answer wakes the caller. A
//! provider that fails a call (trap, exit, a bad block, a call that never
//! ends) ends; the call fails, and the service starts again on its next
//! use.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
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
use crate::process::{Pid, ProcState, Process, Reply, WaitFor};
use crate::service::copy::Transfer;
use crate::service::{CallError, Called, Caller, Job, Phase, SERVICE_BASE, Service, ServiceImport, sig};
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

    pub(super) fn service_import(
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

    /// The service providing `(iface, func)`: the loaded or stored module
    /// `iface`, or else the loaded or stored module that exports
    /// `iface:func`; `iface` (missing) if none does. With the module's
    /// bytes if they were read from the store here, so that loading it does
    /// not read them again. Only export names are read while searching the
    /// store: nothing is compiled or started.
    fn provider(&mut self, iface: &str, func: &str) -> (String, Option<Vec<u8>>) {
        let qualified = format!("{iface}:{func}");
        let exports = |module: &dyn walos_engine::Module| module.exports().iter().any(|e| e.name == qualified);
        if self.services.contains_key(iface) {
            return (iface.to_string(), None);
        }
        if let Some(service) = self.services.values().find(|s| exports(&*s.module)) {
            return (service.name.clone(), None);
        }
        let store = self.sys.loader.services();
        if let Ok(wasm) = store.load(iface) {
            return (iface.to_string(), Some(wasm));
        }
        for name in store.names() {
            if let Ok(wasm) = store.load(&name)
                && crate::service::reader::function_exports(&wasm).is_ok_and(|e| e.contains(&qualified))
            {
                return (name, Some(wasm));
            }
        }
        (iface.to_string(), None)
    }

    /// Reads (unless `wasm` holds it already), links and starts service
    /// `name` for the module at the end of `chain`.
    fn load_service(&mut self, chain: &mut Vec<String>, name: &str, wasm: Option<Vec<u8>>) -> Result<(), LoadFailure> {
        let importer = chain.last().cloned().unwrap_or_default();
        self.sys.log(Level::Info, "kernel", format_args!("loading service {name} for {importer}"));
        let problem = |msg: String| LoadFailure::Problem(ServiceProblem::Load(msg));
        let wasm = match wasm {
            Some(wasm) => wasm,
            None => self.sys.loader.services().load(name).map_err(|error| match error {
                StoreError::NotFound => LoadFailure::Problem(ServiceProblem::Missing),
                StoreError::Io(msg) => problem(msg),
            })?,
        };
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
        let mut service = Box::new(Service {
            name: name.to_string(),
            module,
            bindings,
            imports,
            sigs: descs,
            pid: None,
            started: false,
            current: None,
            queue: VecDeque::new(),
        });
        self.start_service(&mut service).map_err(problem)?;
        self.services.insert(name.to_string(), service);
        Ok(())
    }

    /// Instantiates `service` as a new process, runs its `_initialize` (if
    /// any), and leaves it idle, waiting for calls.
    fn start_service(&mut self, service: &mut Service) -> Result<(), String> {
        if service.started {
            self.sys.log(Level::Info, "kernel", format_args!("restarting service {}", service.name));
        }
        service.started = true;
        let fds = FdTable::new(&mut self.sys.mounts, &[]).unwrap_or_default();
        let pid = self.next_pid;
        let mut state = ProcState {
            services: service.imports.clone(),
            ..ProcState::new(pid, service.name.clone(), fds, self.sys.now())
        };
        let limits = Limits { memory_bytes: self.sys.loader.memory_limit(), start_fuel: self.config.start_fuel };
        let mut ctx = Ctx { sys: &mut self.sys, proc: &mut state };
        let instance = match service.module.instantiate(&service.bindings, &limits, &mut ctx) {
            Ok(instance) => instance,
            Err(error) => {
                self.release(&mut state);
                return Err(error.to_string());
            }
        };
        let mut proc = Box::new(Process { state, instance, serves: Some(service.name.clone()) });
        let init = ExternType::Func(FuncType::default());
        if service.module.exports().iter().any(|e| e.name == "_initialize" && e.ty == init)
            && let Err(error) = self.initialize(&mut proc)
        {
            self.release(&mut proc.state);
            return Err(format!("_initialize: {error}"));
        }
        self.next_pid += 1;
        self.sys.log(Level::Info, "kernel", format_args!("pid {pid}: started service `{}`", service.name));
        proc.state.wait = Some(WaitFor { kernel: true, ..WaitFor::default() });
        self.procs.insert(pid, proc);
        self.blocked.insert(pid);
        service.pid = Some(pid);
        Ok(())
    }

    /// Runs a new service's `_initialize` to its end. It runs before anybody
    /// can call the service, alone: it may use built-in interfaces but not
    /// block or call other services.
    fn initialize(&mut self, proc: &mut Process) -> Result<(), String> {
        proc.instance.call("_initialize", &[]).map_err(|e| e.to_string())?;
        for _ in 0..MAX_CALL_SLICES {
            let outcome = {
                let mut ctx = Ctx { sys: &mut self.sys, proc: &mut proc.state };
                proc.instance.run(self.config.slice_fuel, &mut ctx)
            };
            match outcome {
                RunOutcome::Finished(_) => return Ok(()),
                RunOutcome::Preempted | RunOutcome::Yielded => {}
                RunOutcome::Blocked => return Err("it cannot block or call services".into()),
                RunOutcome::Exited(code) => return Err(format!("exited with status {code}")),
                RunOutcome::Trapped(trap) => return Err(format!("trapped: {trap}")),
            }
        }
        Err(format!("still running after {MAX_CALL_SLICES} slices"))
    }

    /// Queues process `caller`'s call of its service import `import` and
    /// parks the caller until the answer; the reply at once if the call
    /// cannot be made.
    pub(super) fn call_for(&mut self, caller: Pid, import: usize, transfer: Transfer) -> Option<Reply> {
        let proc = self.procs.get_mut(&caller)?;
        let Some(import) = proc.state.services.get(import).cloned() else {
            return Some(Reply::Called(Err(CallError)));
        };
        proc.state.wait = Some(WaitFor { kernel: true, ..WaitFor::default() });
        let caller_name = proc.state.name.clone();
        self.blocked.insert(caller);
        let job =
            Job { caller: Caller::Process(caller), caller_name, import, transfer, phase: Phase::Alloc, slices: 0 };
        self.enqueue(job);
        None
    }

    /// Queues `job` on its provider, which starts on it if idle.
    pub(super) fn enqueue(&mut self, job: Job) {
        let name = job.import.provider.clone();
        let Some(service) = self.services.get_mut(&name) else {
            let caller = &job.caller_name;
            self.sys.log(Level::Err, "kernel", format_args!("{caller}: service {name} is not available"));
            return self.answer(job.caller, Err(CallError));
        };
        service.queue.push_back(job);
        self.next_job(&name);
    }

    /// Starts service `name` on its next call if it is idle.
    fn next_job(&mut self, name: &str) {
        loop {
            let Some(service) = self.services.get_mut(name) else { return };
            if service.current.is_some() {
                return;
            }
            let Some(job) = service.queue.pop_front() else { return };
            if let Caller::Process(pid) = job.caller
                && !self.procs.contains_key(&pid)
            {
                continue; // The caller has ended meanwhile.
            }
            if self.services.get(name).is_some_and(|s| s.pid.is_none())
                && let Some(mut service) = self.services.remove(name)
            {
                let started = self.start_service(&mut service);
                self.services.insert(name.into(), service);
                if let Err(error) = started {
                    let what = format!("call of {name}.{} by {}", job.import.export, job.caller_name);
                    self.sys.log(Level::Err, name, format_args!("cannot restart: {error}; the {what} fails"));
                    self.answer(job.caller, Err(CallError));
                    continue;
                }
            }
            let Some(service) = self.services.get_mut(name) else { return };
            let pid = service.pid.unwrap_or_default();
            service.current = Some(job);
            let begun = match self.procs.get_mut(&pid) {
                Some(proc) => begin(service, proc),
                None => Err("not running".into()),
            };
            match begun {
                Ok(()) => self.resume(pid),
                Err(error) => self.fail(pid, error),
            }
            return;
        }
    }

    /// Makes service process `pid` (idle, or at the end of a step, so in no
    /// run queue) run next: a call hands the CPU over.
    fn resume(&mut self, pid: Pid) {
        if let Some(proc) = self.procs.get_mut(&pid) {
            proc.state.wait = None;
        }
        self.blocked.remove(&pid);
        self.ready.push_front(pid);
    }

    /// Service process `pid` (in the table) finished a step of its call with
    /// `results`: starts the next step, or answers the caller.
    pub(super) fn step(&mut self, pid: Pid, results: Vec<Val>) {
        let Some(proc) = self.procs.get_mut(&pid) else { return };
        let Some(service) = proc.serves.as_ref().and_then(|name| self.services.get_mut(name)) else { return };
        match advance(service, proc, results) {
            Ok(Some(results)) => {
                let name = service.name.clone();
                self.done(&name, pid, Ok(results));
            }
            Ok(None) => self.resume(pid),
            Err(error) => self.fail(pid, error),
        }
    }

    /// Counts a slice of service `name`'s call: false once the call
    /// has taken too many (the provider hangs).
    fn count_slice(&mut self, name: &str) -> bool {
        let job = self.services.get_mut(name).and_then(|s| s.current.as_mut());
        job.is_none_or(|job| {
            job.slices += 1;
            job.slices <= MAX_CALL_SLICES
        })
    }

    /// The end of a slice of service process `proc` (out of the table), if
    /// it ends a step of its call or the service; else the outcome for the
    /// scheduler, with the process.
    pub(super) fn service_slice(
        &mut self,
        proc: Box<Process>,
        outcome: RunOutcome,
    ) -> Option<(Box<Process>, RunOutcome)> {
        let (pid, name) = (proc.state.pid, proc.serves.clone().unwrap_or_default());
        let func = |kernel: &Kernel| {
            let job = kernel.services.get(&name).and_then(|s| s.current.as_ref());
            match job.map(|job| &job.phase) {
                Some(Phase::Alloc) => "walos_alloc".to_string(),
                Some(Phase::Call { .. }) => job.map(|j| j.import.export.clone()).unwrap_or_default(),
                Some(Phase::Free { .. }) => "walos_free".to_string(),
                None => name.clone(),
            }
        };
        match outcome {
            RunOutcome::Finished(results) => {
                self.procs.insert(pid, proc);
                self.step(pid, results);
            }
            RunOutcome::Exited(code) => {
                let error = format!("{}: exited with status {code} during a call", func(self));
                self.service_ended(proc, error);
            }
            RunOutcome::Trapped(trap) => {
                let error = format!("{}: trapped: {trap}", func(self));
                self.service_ended(proc, error);
            }
            RunOutcome::Preempted | RunOutcome::Yielded if !self.count_slice(&name) => {
                let error = format!("{}: still running after {MAX_CALL_SLICES} slices", func(self));
                self.service_ended(proc, error);
            }
            outcome => return Some((proc, outcome)),
        }
        None
    }

    /// Answers the current call of service `name` (process `pid`), which
    /// goes idle and takes the next call.
    fn done(&mut self, name: &str, pid: Pid, result: Result<Vec<Val>, CallError>) {
        let Some(job) = self.services.get_mut(name).and_then(|s| s.current.take()) else { return };
        // It has just run its last step: in no run queue.
        if let Some(proc) = self.procs.get_mut(&pid) {
            proc.state.wait = Some(WaitFor { kernel: true, ..WaitFor::default() });
            self.blocked.insert(pid);
        }
        let Job { caller, transfer, .. } = job;
        self.answer(caller, result.map(|results| (results, transfer)));
        self.next_job(name);
    }

    /// Ends service process `pid` (in the table) because its call failed.
    fn fail(&mut self, pid: Pid, error: String) {
        if let Some(proc) = self.procs.remove(&pid) {
            self.blocked.remove(&pid);
            self.ready.retain(|&p| p != pid);
            self.service_ended(proc, error);
        }
    }

    /// Service process `proc` (out of the table) ended, by `error`: its
    /// call fails, and the service starts again for its next call.
    pub(super) fn service_ended(&mut self, mut proc: Box<Process>, error: String) {
        self.release(&mut proc.state);
        let Some(name) = proc.serves.take() else { return };
        let pid = proc.state.pid;
        self.cancel_calls_of(pid);
        let Some(service) = self.services.get_mut(&name) else { return };
        service.pid = None;
        match service.current.take() {
            Some(job) => {
                let what = format!("call of {name}.{} by {}", job.import.export, job.caller_name);
                self.sys.log(
                    Level::Err,
                    &name,
                    format_args!("{error}; the {what} fails, the service restarts on next use"),
                );
                self.answer(job.caller, Err(CallError));
            }
            None => self.sys.log(Level::Err, &name, format_args!("pid {pid}: {error}; it restarts on next use")),
        }
        self.next_job(&name);
    }

    /// Process `pid` has ended: a provider parked in a call of its, which
    /// nobody will take the answer of, is ended too (it restarts on next
    /// use), rather than keep its later callers waiting, or take input
    /// meant for others, for a call nobody waits for. A provider that is
    /// running finishes the call, whose answer is dropped.
    pub(super) fn cancel_calls_of(&mut self, pid: Pid) {
        let parked: Vec<Pid> = self
            .services
            .values()
            .filter(|s| s.current.as_ref().is_some_and(|job| job.caller == Caller::Process(pid)))
            .filter_map(|s| s.pid)
            .filter(|provider| self.blocked.contains(provider))
            .collect();
        for provider in parked {
            self.fail(provider, format!("its caller, pid {pid}, ended"));
        }
    }

    /// Gives `caller` the answer to its call.
    fn answer(&mut self, caller: Caller, result: Result<Called, CallError>) {
        match caller {
            Caller::Process(pid) => {
                let Some(proc) = self.procs.get_mut(&pid) else { return };
                if !proc.state.wait.is_some_and(|w| w.kernel) {
                    return;
                }
                proc.state.wait = None;
                self.blocked.remove(&pid);
                self.deliver(pid, Reply::Called(result));
            }
            Caller::Input => self.input_answer(result),
        }
    }
}

/// Starts the first step of `service`'s current call in its process
/// `proc`.
fn begin(service: &mut Service, proc: &mut Process) -> Result<(), String> {
    let Some(job) = service.current.as_mut() else {
        return Err("not running".into());
    };
    if job.transfer.total > 0 {
        if !service.module.exports().iter().any(|e| e.name == "walos_alloc") {
            return Err("it exports no `walos_alloc` for the call's buffers".into());
        }
        proc.instance.call("walos_alloc", &[Val::I32(job.transfer.total as i32)]).map_err(|e| e.to_string())?;
        job.phase = Phase::Alloc;
        Ok(())
    } else {
        call_function(job, proc, 0)
    }
}

/// Copies the call's buffers into the provider's block at `base` and
/// calls the service function on them.
fn call_function(job: &mut Job, proc: &mut Process, base: u32) -> Result<(), String> {
    let args = job.transfer.copy_in(base, proc.instance.memory())?;
    proc.instance.call(&job.import.export, &args).map_err(|e| e.to_string())?;
    job.phase = Phase::Call { base };
    Ok(())
}

/// The next step of `service`'s call; `Some(results)` when it is over.
fn advance(service: &mut Service, proc: &mut Process, results: Vec<Val>) -> Result<Option<Vec<Val>>, String> {
    let Some(job) = service.current.as_mut() else {
        return Err("not running".into());
    };
    let total = job.transfer.total;
    match core::mem::replace(&mut job.phase, Phase::Alloc) {
        Phase::Alloc => {
            let base = match results.as_slice() {
                [Val::I32(0)] => return Err(format!("walos_alloc({total}) failed")),
                [Val::I32(ptr)] => *ptr as u32,
                _ => return Err("walos_alloc is not (i32) -> i32".into()),
            };
            call_function(job, proc, base)?;
            Ok(None)
        }
        Phase::Call { base } => {
            job.transfer.copy_out(base, proc.instance.memory())?;
            let free = ExternType::Func(FuncType::new([ValType::I32, ValType::I32], []));
            if total > 0 && service.module.exports().iter().any(|e| e.name == "walos_free" && e.ty == free) {
                let args = [Val::I32(base as i32), Val::I32(total as i32)];
                proc.instance.call("walos_free", &args).map_err(|e| e.to_string())?;
                job.phase = Phase::Free { results };
                return Ok(None);
            }
            Ok(Some(results))
        }
        Phase::Free { results } => Ok(Some(results)),
    }
}
