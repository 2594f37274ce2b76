//! A service's life: loading (read, compile, check its `w` section, link
//! its own imports), starting as a process, and starting again on the
//! next call after a failure.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use walos_engine::ExternType;

use super::Service;
use super::w_section::{self, WSectionError};
use crate::Kernel;
use crate::fd::FdTable;
use crate::linker::{LinkError, ServiceProblem};
use crate::loader::StoreError;
use crate::log::Level;
use crate::process::{ProcState, Process, WaitFor};
use crate::sched::startup;
use crate::syscall::Ctx;

/// Why a service could not be loaded (its importer then does not link).
#[derive(Debug, Clone, PartialEq)]
pub enum LoadError {
    /// The service store could not read it.
    Store(StoreError),
    /// It is not a valid wasm module.
    Compile(walos_engine::Error),
    /// Its `w` section is malformed or does not fit its exports.
    WSection(WSectionError),
    /// It could not be started.
    Start(StartError),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Store(error) => write!(f, "{error}"),
            LoadError::Compile(error) => write!(f, "{error}"),
            LoadError::WSection(error) => write!(f, "{error}"),
            LoadError::Start(error) => write!(f, "{error}"),
        }
    }
}

impl core::error::Error for LoadError {}

/// Why a service's process could not be started, at its first use or at
/// a restart after a failure.
#[derive(Debug, Clone, PartialEq)]
pub enum StartError {
    /// Instantiation failed: a limit, or a segment out of bounds. (Its
    /// start function and `_initialize` run later, as the first steps of
    /// its first call, in its slices.)
    Instantiate(walos_engine::Error),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Instantiate(error) => write!(f, "{error}"),
        }
    }
}

impl core::error::Error for StartError {}

/// Why a service could not be loaded, as linking reports it.
pub(crate) enum LoadFailure {
    /// Its own imports do not link (the errors name the chain).
    Links(Vec<LinkError>),
    /// The service itself is the problem.
    Problem(ServiceProblem),
}

impl Kernel {
    /// Reads (unless `wasm` holds it already), links and starts service
    /// `name` for the module at the end of `chain`.
    pub(super) fn load_service(
        &mut self,
        chain: &mut Vec<String>,
        name: &str,
        wasm: Option<Vec<u8>>,
    ) -> Result<(), LoadFailure> {
        let importer = chain.last().cloned().unwrap_or_default();
        self.sys.log(Level::Info, "kernel", format_args!("loading service {name} for {importer}"));
        let problem = |error: LoadError| LoadFailure::Problem(ServiceProblem::Load(error));
        let w_problem = |error: WSectionError| problem(LoadError::WSection(error));
        let wasm = match wasm {
            Some(wasm) => wasm,
            None => self.sys.loader.services().load(name).map_err(|error| match error {
                StoreError::NotFound => LoadFailure::Problem(ServiceProblem::Missing),
                error @ StoreError::Io(_) => problem(LoadError::Store(error)),
            })?,
        };
        let module = self.compile(&wasm).map_err(|e| problem(LoadError::Compile(e)))?;
        let descs = w_section::parse(&wasm).map_err(w_problem)?;
        for desc in &descs {
            let qualified = format!("{}:{}", desc.module, desc.name);
            let export =
                module.exports().iter().find(|e| desc.module == name && e.name == desc.name || e.name == qualified);
            match export.map(|e| &e.ty) {
                Some(ExternType::Func(ty)) => desc.check(ty).map_err(w_problem)?,
                _ => return Err(w_problem(WSectionError::NoExport { entry: desc.entry() })),
            }
        }
        chain.push(name.to_string());
        let linked = self.link_module(module.imports(), chain);
        chain.pop();
        let linked = linked.map_err(LoadFailure::Links)?;
        let (bindings, imports) = (linked.bindings, linked.services);
        let mut service = Box::new(Service {
            name: name.to_string(),
            module,
            bindings,
            imports,
            sigs: descs,
            pid: None,
            started: false,
            startup: VecDeque::new(),
            current: None,
            queue: VecDeque::new(),
        });
        self.start_service(&mut service).map_err(|e| problem(LoadError::Start(e)))?;
        self.services.insert(name.to_string(), service);
        Ok(())
    }

    /// Instantiates `service` as a new process, idle, waiting for calls.
    /// Its start function and `_initialize` are not run here, inside
    /// somebody's link or call where nothing else could run meanwhile, but
    /// as the first steps of its next call, in slices.
    pub(super) fn start_service(&mut self, service: &mut Service) -> Result<(), StartError> {
        if service.started {
            self.sys.log(Level::Info, "kernel", format_args!("restarting service {}", service.name));
        }
        service.started = true;
        let fds = FdTable::standard(self.config.max_fds);
        let pid = self.next_pid;
        let mut state = ProcState {
            services: service.imports.clone(),
            ..ProcState::new(pid, service.name.clone(), fds, self.sys.now())
        };
        let limits = self.limits();
        let mut ctx = Ctx { sys: &mut self.sys, proc: &mut state };
        let instance = match service.module.instantiate(&service.bindings, &limits, &mut ctx) {
            Ok(instance) => instance,
            Err(error) => {
                self.release(&mut state);
                return Err(StartError::Instantiate(error));
            }
        };
        let mut proc = Box::new(Process {
            state,
            instance,
            serves: Some(service.name.clone()),
            then: Default::default(),
            starting: false,
            prints: false,
        });
        service.startup = startup(service.module.exports()).collect();
        self.next_pid += 1;
        self.sys.log(Level::Info, "kernel", format_args!("pid {pid}: started service `{}`", service.name));
        proc.state.wait = Some(WaitFor { kernel: true, ..WaitFor::default() });
        self.procs.insert(pid, proc);
        self.blocked.insert(pid);
        service.pid = Some(pid);
        Ok(())
    }
}
