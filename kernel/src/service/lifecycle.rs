//! A service's life: loading (read, compile, check its `w` section, link
//! its own imports), starting as a process (instantiation and
//! `_initialize`), and starting again on the next call after a failure.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use walos_engine::{ExternType, FuncType, Limits, RunOutcome};

use super::{MAX_CALL_SLICES, Service, w_section};
use crate::Kernel;
use crate::fd::FdTable;
use crate::linker::{LinkError, ServiceProblem};
use crate::loader::StoreError;
use crate::log::Level;
use crate::process::{ProcState, Process, WaitFor};
use crate::syscall::Ctx;

/// Why a service could not be loaded.
pub(crate) enum LoadFailure {
    /// Its own imports do not link (the errors name the chain).
    Links(Vec<LinkError>),
    Problem(ServiceProblem),
}

impl Kernel {
    /// Reads (unless `wasm` holds it already), links and starts service
    /// `name` for the module at the end of `chain`.
    pub(crate) fn load_service(
        &mut self,
        chain: &mut Vec<String>,
        name: &str,
        wasm: Option<Vec<u8>>,
    ) -> Result<(), LoadFailure> {
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
        let descs = w_section::parse(&wasm).map_err(problem)?;
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
    pub(crate) fn start_service(&mut self, service: &mut Service) -> Result<(), String> {
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
}
