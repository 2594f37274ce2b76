//! The kernel: starts processes and schedules them.
//!
//! Scheduling is round-robin over engine slices: a process runs until its
//! slice's fuel is spent, it yields, blocks, exits or traps. A blocked
//! process waits for a deadline or console input; when nobody can run, the
//! kernel asks the loader to wait for the next event. Nothing busy-waits.
//! What processes ask of each other (`proc.*`) is served in [`requests`].

mod input;
mod requests;
mod services;

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use walos_engine::{Engine, ExternType, FuncType, Limits, Module, RunOutcome, Trap};

use crate::fd::FdTable;
use crate::linker::LinkError;
use crate::loader::{Loader, StoreError, Wake};
use crate::log::Level;
use crate::process::{Command, ExitStatus, Pid, ProcState, Process, Reply};
use crate::service::Service;
use crate::syscall::Ctx;
use crate::system::System;
use crate::vfs::FileSystem;

/// Kernel settings chosen by the loader.
#[derive(Debug, Clone)]
pub struct Config {
    /// The most verbose level logged.
    pub log_level: Level,
    /// Fuel of one scheduling slice (about one wasm instruction per unit).
    pub slice_fuel: u64,
    /// Fuel a module's start function may use (it cannot be preempted).
    pub start_fuel: u64,
    /// The services allowed to import `x86` (port I/O): the loader's
    /// declaration of its drivers.
    pub drivers: Vec<String>,
    /// The interface whose `getc: () -> i32` feeds console input (a byte,
    /// or -1 for its end), called again and again by the kernel: the
    /// keyboard chain `stdin` service -> driver service of efi-os. `None`:
    /// console input comes from [`Loader::read_stdin`].
    pub input: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            log_level: Level::Warn,
            slice_fuel: 1_000_000,
            start_fuel: 1_000_000_000,
            drivers: Vec::new(),
            input: None,
        }
    }
}

/// Why a program could not be started.
#[derive(Debug, Clone, PartialEq)]
pub enum SpawnError {
    /// The service store could not provide it.
    Read { program: String, error: StoreError },
    /// It is not a valid wasm module.
    Invalid { program: String, error: walos_engine::Error },
    /// Some imports cannot be bound.
    Link { program: String, errors: Vec<LinkError> },
    /// It has no `_start` function of type `() -> ()`.
    NoEntry { program: String },
    /// A preopened directory has no file system mounted at its path.
    NoMount { program: String, path: String },
    /// Instantiation failed (a limit, or its start function trapped).
    Instantiate { program: String, error: walos_engine::Error },
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpawnError::Read { program, error } => write!(f, "cannot read `{program}`: {error}"),
            SpawnError::Invalid { program, error: walos_engine::Error::Invalid(msg) } => {
                write!(f, "`{program}` is not a valid wasm module: {msg}")
            }
            SpawnError::Invalid { program, error } => write!(f, "cannot load `{program}`: {error}"),
            SpawnError::Link { program, errors } => {
                write!(f, "cannot link `{program}`:")?;
                for error in errors {
                    write!(f, "\n  {error}")?;
                }
                Ok(())
            }
            SpawnError::NoEntry { program } => {
                write!(f, "`{program}` has no `_start` function of type (): it is not a command module")
            }
            SpawnError::NoMount { program, path } => {
                write!(f, "cannot start `{program}`: no file system is mounted at `{path}`")
            }
            SpawnError::Instantiate { program, error } => write!(f, "cannot start `{program}`: {error}"),
        }
    }
}

impl core::error::Error for SpawnError {}

/// A process that ended and whose status nobody collected yet.
struct Ended {
    /// Who may collect it; `None`: the loader.
    parent: Option<Pid>,
    name: String,
    cpu_ns: u64,
    status: ExitStatus,
}

/// The kernel.
pub struct Kernel {
    sys: System,
    engine: Box<dyn Engine>,
    config: Config,
    /// Live processes; the one running is taken out during its slice.
    /// Boxed: a process is large, and the map moves its values around.
    procs: BTreeMap<Pid, Box<Process>>,
    ready: VecDeque<Pid>,
    blocked: BTreeSet<Pid>,
    /// Exit statuses not collected yet, with the parent that may collect
    /// them (`None`: the loader, through [`Kernel::run_until_exit`]).
    exited: BTreeMap<Pid, Ended>,
    next_pid: Pid,
    /// The services loaded so far, by name; one is taken out while it
    /// serves a call.
    services: BTreeMap<String, Box<Service>>,
    /// Console input's provider, when [`Config::input`] is set.
    input: input::Input,
    /// Compiled modules by program name, with the bytes they came from: a
    /// program spawned again with the same bytes is not compiled again (as
    /// Linux keeps an executable in its page cache).
    modules: BTreeMap<String, (Vec<u8>, Rc<dyn Module>)>,
}

impl Kernel {
    pub fn new(loader: Box<dyn Loader>, engine: Box<dyn Engine>, config: Config) -> Self {
        let mut sys = System::new(loader, config.log_level);
        sys.log(Level::Info, "kernel", format_args!("walos {} with the {} engine", crate::VERSION, engine.name()));
        let mut kernel = Kernel {
            sys,
            engine,
            config,
            procs: BTreeMap::new(),
            ready: VecDeque::new(),
            blocked: BTreeSet::new(),
            exited: BTreeMap::new(),
            next_pid: 1,
            services: BTreeMap::new(),
            input: input::Input::default(),
            modules: BTreeMap::new(),
        };
        kernel.start_input();
        kernel
    }

    /// Writes a line from the kernel to its log, as the loader wants it
    /// (what a booted machine reports besides its processes).
    pub fn log(&mut self, level: Level, args: fmt::Arguments<'_>) {
        self.sys.log(level, "kernel", args);
    }

    /// Loads, links and instantiates `command`'s program and makes it
    /// runnable; it runs during [`Kernel::run_until_exit`].
    pub fn spawn(&mut self, command: Command) -> Result<Pid, SpawnError> {
        self.spawn_child(command, None, None)
    }

    /// [`Kernel::spawn`] for a process's child, from `wasm` if given.
    fn spawn_child(&mut self, command: Command, wasm: Option<Vec<u8>>, parent: Option<Pid>) -> Result<Pid, SpawnError> {
        let program = command.program.clone();
        let wasm = match wasm {
            Some(wasm) => wasm,
            None => self
                .sys
                .loader
                .services()
                .load(&program)
                .map_err(|error| SpawnError::Read { program: program.clone(), error })?,
        };
        let module = self.module(&program, wasm)?;
        let mut chain = alloc::vec![command.process_name()];
        let (bindings, services) = self
            .link_module(module.imports(), &mut chain)
            .map_err(|errors| SpawnError::Link { program: program.clone(), errors })?;
        let entry = ExternType::Func(FuncType::default());
        if !module.exports().iter().any(|e| e.name == "_start" && e.ty == entry) {
            return Err(SpawnError::NoEntry { program });
        }

        let fds = FdTable::new(&mut self.sys.mounts, &command.preopens)
            .map_err(|path| SpawnError::NoMount { program: program.clone(), path })?;
        let pid = self.next_pid;
        let name = command.process_name();
        let mut state = ProcState {
            parent,
            env: command.env.iter().map(|(k, v)| alloc::format!("{k}={v}")).collect(),
            args: command.args,
            preopens: command.preopens,
            services,
            ..ProcState::new(pid, name, fds, self.sys.now())
        };
        let limits = Limits { memory_bytes: self.sys.loader.memory_limit(), start_fuel: self.config.start_fuel };
        let instantiate_error = |error| SpawnError::Instantiate { program: program.clone(), error };
        let mut ctx = Ctx { sys: &mut self.sys, proc: &mut state };
        let started = module.instantiate(&bindings, &limits, &mut ctx).and_then(|mut instance| {
            instance.call("_start", &[])?;
            Ok(instance)
        });
        let instance = match started {
            Ok(instance) => instance,
            Err(error) => {
                // The preopens hold file-system references.
                self.release(&mut state);
                return Err(instantiate_error(error));
            }
        };

        self.next_pid += 1;
        self.sys.log(Level::Info, "kernel", format_args!("pid {pid}: started `{program}` as {}", state.name));
        self.procs.insert(pid, Box::new(Process { state, instance, serves: None }));
        self.ready.push_back(pid);
        Ok(pid)
    }

    /// Mounts `fs` at `guest_path`: programs started afterwards can be
    /// granted it as a preopened directory ([`Command::preopen`]).
    pub fn mount(&mut self, guest_path: impl Into<String>, fs: Box<dyn FileSystem>) {
        self.sys.mounts.mount(guest_path.into(), fs);
    }

    /// The compiled module of `program`, from the cache if its bytes are
    /// unchanged.
    fn module(&mut self, program: &str, wasm: Vec<u8>) -> Result<Rc<dyn Module>, SpawnError> {
        if let Some((bytes, module)) = self.modules.get(program)
            && *bytes == wasm
        {
            return Ok(module.clone());
        }
        let module: Rc<dyn Module> =
            self.engine.load(&wasm).map_err(|error| SpawnError::Invalid { program: program.into(), error })?.into();
        self.modules.insert(program.into(), (wasm, module.clone()));
        Ok(module)
    }

    /// Runs every process until `pid` has ended, and returns how it ended;
    /// `None` if there is no such process.
    pub fn run_until_exit(&mut self, pid: Pid) -> Option<ExitStatus> {
        loop {
            if let Some(ended) = self.exited.remove(&pid) {
                return Some(ended.status);
            }
            if !self.procs.contains_key(&pid) {
                return None;
            }
            self.watch_console();
            self.wake_due();
            match self.ready.pop_front() {
                Some(next) => self.run_slice(next),
                None => self.idle(),
            }
        }
    }

    fn run_slice(&mut self, pid: Pid) {
        let Some(mut proc) = self.procs.remove(&pid) else {
            return;
        };
        let start = self.sys.now();
        proc.state.slice_start_ns = start;
        let outcome = {
            let mut ctx = Ctx { sys: &mut self.sys, proc: &mut proc.state };
            proc.instance.run(self.config.slice_fuel, &mut ctx)
        };
        proc.state.cpu_ns += self.sys.now().saturating_sub(start);
        if !matches!(outcome, RunOutcome::Blocked) || proc.state.request.is_none() {
            proc.state.requests_in_a_row = 0;
        }
        let (proc, outcome) = match proc.serves {
            Some(_) => match self.service_slice(proc, outcome) {
                Some(going_on) => going_on,
                None => return,
            },
            None => (proc, outcome),
        };
        let mut proc = proc;
        match outcome {
            RunOutcome::Preempted | RunOutcome::Yielded => self.ready.push_back(pid),
            RunOutcome::Blocked if proc.state.request.is_some() => {
                let request = proc.state.request.take();
                self.procs.insert(pid, proc);
                return self.serve(pid, request);
            }
            RunOutcome::Blocked if proc.state.wait.is_some() => {
                self.blocked.insert(pid);
            }
            RunOutcome::Blocked => {
                let name = proc.state.name.clone();
                self.sys.log(Level::Err, "kernel", format_args!("pid {pid} ({name}) blocked without a reason"));
                self.ready.push_back(pid);
            }
            RunOutcome::Finished(_) => return self.exit(proc, ExitStatus::Exited(0)),
            RunOutcome::Exited(code) => return self.exit(proc, ExitStatus::Exited(code)),
            RunOutcome::Trapped(trap) => {
                let name = proc.state.name.clone();
                self.sys.log(Level::Err, &name, format_args!("trap: {trap}"));
                return self.exit(proc, ExitStatus::Trapped(trap));
            }
        }
        self.procs.insert(pid, proc);
    }

    /// Ends `proc` with `status`, which goes to its parent if it waits for
    /// it, is kept for it (or for the loader) otherwise, and is dropped if
    /// the parent has ended.
    fn exit(&mut self, mut proc: Box<Process>, status: ExitStatus) {
        if proc.serves.is_some() {
            return self.service_ended(proc, alloc::format!("{status}"));
        }
        let pid = proc.state.pid;
        self.release(&mut proc.state);
        self.sys.log(Level::Info, "kernel", format_args!("pid {pid} ({}): {status}", proc.state.name));
        self.sys.stdin.forget(pid);
        self.cancel_calls_of(pid);
        // Nobody can collect the statuses of its ended children any more.
        self.exited.retain(|_, ended| ended.parent != Some(pid));
        let ended = |status| Ended {
            parent: proc.state.parent,
            name: proc.state.name.clone(),
            cpu_ns: proc.state.cpu_ns,
            status,
        };
        match proc.state.parent {
            None => {
                self.exited.insert(pid, ended(status));
            }
            Some(parent) => match self.procs.get_mut(&parent) {
                Some(waiter) if waiter.state.wait.is_some_and(|w| w.child == Some(pid)) => {
                    waiter.state.wait = None;
                    waiter.state.reply = Some(Reply::Waited(Ok(status)));
                    self.blocked.remove(&parent);
                    self.ready.push_back(parent);
                }
                Some(_) => {
                    self.exited.insert(pid, ended(status));
                }
                None => {}
            },
        }
    }

    /// Gives back what the descriptors of an ended (or never started)
    /// process hold.
    fn release(&mut self, state: &mut ProcState) {
        for descriptor in state.fds.take_all() {
            descriptor.release(&mut self.sys);
        }
    }

    /// Makes runnable every blocked process whose wait is over, without
    /// waiting.
    fn wake_due(&mut self) {
        if self.blocked.is_empty() {
            return;
        }
        let wake = self.waits();
        if wake.stdin {
            self.sys.stdin.fill(&mut *self.sys.loader);
        }
        if wake.irqs != 0 {
            self.sys.poll_irqs(wake.irqs);
        }
        let now = self.sys.now();
        let stdin_ready = self.sys.stdin.ready();
        let fired = self.sys.irqs;
        let procs = &mut self.procs;
        let ready = &mut self.ready;
        self.blocked.retain(|pid| {
            let Some(proc) = procs.get_mut(pid) else {
                return false;
            };
            let wait = proc.state.wait.unwrap_or_default();
            let due =
                wait.deadline.is_some_and(|at| at <= now) || (wait.stdin && stdin_ready) || wait.irqs & fired != 0;
            if due {
                proc.state.wait = None;
                ready.push_back(*pid);
            }
            !due
        });
    }

    /// What the blocked processes wait for, together.
    fn waits(&self) -> Wake {
        let mut wake = Wake::default();
        for wait in self.blocked.iter().filter_map(|pid| self.procs.get(pid)?.state.wait) {
            wake.stdin |= wait.stdin;
            wake.irqs |= wait.irqs;
            if let Some(at) = wait.deadline {
                wake.deadline = Some(wake.deadline.map_or(at, |d| d.min(at)));
            }
        }
        // Ctrl-C for the foreground process.
        wake.stdin |= self.sys.stdin.watching();
        wake
    }

    /// Nobody can run: wait for the next event the blocked processes care
    /// about.
    fn idle(&mut self) {
        let wake = self.waits();
        if wake.deadline.is_none() && !wake.stdin && wake.irqs == 0 {
            // Nothing can ever wake them. Those waiting for a child or a
            // service are woken by the kernel: end the others first; idle
            // services just wait for calls.
            let wait = |pid: &Pid| self.procs.get(pid).and_then(|p| p.state.wait).unwrap_or_default();
            let idle_service = |pid: &Pid| self.procs.get(pid).is_some_and(|p| p.serves.is_some()) && wait(pid).kernel;
            let blocked: Vec<Pid> = self.blocked.iter().copied().filter(|pid| !idle_service(pid)).collect();
            let mut stuck: Vec<Pid> =
                blocked.iter().copied().filter(|pid| wait(pid).child.is_none() && !wait(pid).kernel).collect();
            if stuck.is_empty() {
                stuck = blocked;
            }
            for pid in stuck {
                self.blocked.remove(&pid);
                if let Some(proc) = self.procs.remove(&pid) {
                    let name = proc.state.name.clone();
                    self.sys.log(Level::Err, &name, format_args!("blocked forever: nothing can wake it"));
                    self.exit(proc, ExitStatus::Trapped(Trap::host("deadlock: blocked forever")));
                }
            }
            return;
        }
        self.sys.loader.wait(wake);
    }
}
