//! A service's life: loading (read, compile, check its `w` section, link
//! its own imports), starting as a process (instantiation, its start
//! function if deferred, and `_initialize`), and starting again on the
//! next call after a failure.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use walos_engine::{ExternType, FuncType, RunOutcome, Trap};

use super::w_section::{self, WSectionError};
use super::{MAX_CALL_SLICES, Service};
use crate::Kernel;
use crate::binary::START_EXPORT;
use crate::fd::FdTable;
use crate::linker::{LinkError, ServiceProblem};
use crate::loader::StoreError;
use crate::log::Level;
use crate::process::{ProcState, Process, WaitFor};
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
    /// Instantiation failed: a limit, a segment out of bounds, or its start
    /// function (when the engine runs it) failed.
    Instantiate(walos_engine::Error),
    /// A function it runs before serving failed: its start function, if
    /// compiled by `walos compile` (exported as [`START_EXPORT`]), or
    /// `_initialize`, named here.
    Initialize(&'static str, InitFailure),
}

/// How a service's start function or `_initialize` failed. They run
/// alone, before anybody can call the service.
#[derive(Debug, Clone, PartialEq)]
pub enum InitFailure {
    /// It could not be called.
    Call(walos_engine::Error),
    /// It blocked, or called a service.
    Blocked,
    /// It exited with this status.
    Exited(u32),
    /// It trapped.
    Trapped(Trap),
    /// It was still running after the slices a call may take.
    Hung,
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Instantiate(error) => write!(f, "{error}"),
            StartError::Initialize(START_EXPORT, failure) => write!(f, "its start function: {failure}"),
            StartError::Initialize(function, failure) => write!(f, "{function}: {failure}"),
        }
    }
}

impl fmt::Display for InitFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InitFailure::Call(error) => write!(f, "{error}"),
            InitFailure::Blocked => f.write_str("it cannot block or call services"),
            InitFailure::Exited(code) => write!(f, "exited with status {code}"),
            InitFailure::Trapped(trap) => write!(f, "trapped: {trap}"),
            InitFailure::Hung => write!(f, "still running after {MAX_CALL_SLICES} slices"),
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
        let module = self.engine.load(&wasm).map_err(|e| problem(LoadError::Compile(e)))?;
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
            current: None,
            queue: VecDeque::new(),
        });
        self.start_service(&mut service).map_err(|e| problem(LoadError::Start(e)))?;
        self.services.insert(name.to_string(), service);
        Ok(())
    }

    /// Instantiates `service` as a new process, runs its `_initialize` (if
    /// any), and leaves it idle, waiting for calls.
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
        let unit = ExternType::Func(FuncType::default());
        for function in [START_EXPORT, "_initialize"] {
            if service.module.exports().iter().any(|e| e.name == function && e.ty == unit)
                && let Err(failure) = self.initialize(&mut proc, function)
            {
                self.release(&mut proc.state);
                return Err(StartError::Initialize(function, failure));
            }
        }
        self.next_pid += 1;
        self.sys.log(Level::Info, "kernel", format_args!("pid {pid}: started service `{}`", service.name));
        proc.state.wait = Some(WaitFor { kernel: true, ..WaitFor::default() });
        self.procs.insert(pid, proc);
        self.blocked.insert(pid);
        service.pid = Some(pid);
        Ok(())
    }

    /// Runs a new service's `function` (its start function or
    /// `_initialize`) to its end. It runs before anybody can call the
    /// service, alone: it may use built-in interfaces but not block or call
    /// other services.
    fn initialize(&mut self, proc: &mut Process, function: &str) -> Result<(), InitFailure> {
        proc.instance.call(function, &[]).map_err(InitFailure::Call)?;
        for _ in 0..MAX_CALL_SLICES {
            let outcome = {
                let mut ctx = Ctx { sys: &mut self.sys, proc: &mut proc.state };
                proc.instance.run(self.config.slice(), &mut ctx)
            };
            match outcome {
                RunOutcome::Finished(_) => return Ok(()),
                RunOutcome::Preempted | RunOutcome::Yielded => {}
                RunOutcome::Blocked => return Err(InitFailure::Blocked),
                RunOutcome::Exited(code) => return Err(InitFailure::Exited(code)),
                RunOutcome::Trapped(trap) => return Err(InitFailure::Trapped(trap)),
            }
        }
        Err(InitFailure::Hung)
    }
}
