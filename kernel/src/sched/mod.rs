//! The scheduler: the [`Kernel`], which starts processes and runs them.
//!
//! Scheduling is round-robin over engine slices: a process runs until its
//! slice is over (its fuel spent or its timer ticks passed, whichever the
//! engine counts), it yields, blocks, exits or traps. A blocked
//! process waits for a deadline, console input or an interrupt; when
//! nobody can run, the kernel asks the loader to wait for the next event.
//! Nothing busy-waits.
//!
//! - [`spawn`]: loading, linking and instantiating a program;
//! - [`entry`]: what it runs: its start function, then `_start`, or
//!   `_initialize` and an invoked function;
//! - [`run`]: the run loop, one slice at a time, and how a process ends;
//! - [`wait`]: blocking and waking;
//! - [`requests`]: what processes ask of the scheduler (`proc.*`);
//! - [`input_service`]: console input read from a service.
//!
//! Services are processes too; loading them and calling into them is the
//! business of [`crate::service`].

mod entry;
mod input_service;
mod requests;
mod run;
mod spawn;
mod wait;

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::rc::Rc;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use walos_engine::{Engine, Limits, MemoryBudget, Module, Slice};

pub use entry::InvokeProblem;
pub(crate) use entry::{Call, startup};
pub use spawn::SpawnError;

use crate::device::Driver;
use crate::linker::UnknownImports;
use crate::loader::Loader;
use crate::log::Level;
use crate::process::{ExitStatus, Pid, Process};
use crate::service::Service;
use crate::system::System;
use crate::vfs::FileSystem;

/// Kernel settings chosen by the loader.
#[derive(Debug, Clone)]
pub struct Config {
    /// The most verbose level logged.
    pub log_level: Level,
    /// Fuel of one scheduling slice (about one wasm instruction per unit),
    /// for an engine that preempts by fuel.
    pub slice_fuel: u64,
    /// Timer ticks of one scheduling slice, for an engine that preempts by
    /// epoch (the loader's timer sets the tick: 1 ms on the Linux loader).
    pub slice_ticks: u64,
    /// Fuel a start function run inside instantiation may use: it cannot
    /// be preempted. The kernel defers every start function it is given in
    /// wasm (programs' and services' alike run as calls, in slices), so
    /// only a precompiled module built without deferring reaches this.
    pub start_fuel: u64,
    /// Timer ticks such a start function may take, under epoch.
    pub start_ticks: u64,
    /// The services allowed to import `x86` (port I/O) and `pci`, with the
    /// PCI devices granted to each: the loader's declaration of its
    /// drivers.
    pub drivers: Vec<Driver>,
    /// The interface whose `getc: () -> i32` feeds console input (a byte,
    /// or -1 for its end), called again and again by the kernel: the
    /// keyboard chain `stdin` service -> driver service of efi-os. `None`:
    /// console input comes from [`Loader::read_stdin`].
    pub input: Option<String>,
    /// What the entry program's imports that name nothing become: link
    /// errors, or stand-ins that trap or return zeros (wasmtime's
    /// `--trap-unknown-imports` and `--default-values-unknown-imports`).
    pub unknown_imports: UnknownImports,
    /// The most processes alive at once, services included: a spawn past
    /// it is refused (`EAGAIN`), so that no program can fill the machine
    /// (or the engine's instance pool) with children.
    pub max_processes: usize,
    /// The most elements of one table of a process ([`Limits`]).
    pub max_table_elements: usize,
    /// The most linear memory of all processes together, in bytes: past
    /// it `memory.grow` returns -1 and a spawn whose memory does not fit
    /// fails, so that programs cannot take the memory the kernel runs on.
    pub max_total_memory: usize,
    /// The most linear memory of one process, in bytes, within what the
    /// loader allows ([`Loader::memory_limit`]); `None`: all of that.
    pub max_memory: Option<usize>,
    /// The most descriptors one process may have open (`EMFILE` beyond).
    pub max_fds: usize,
}

/// [`Config::max_processes`] unless the loader says otherwise: half of the
/// wasmtime engine's instance pool, so that the kernel's limit, with its
/// clear refusal, is reached first.
pub const DEFAULT_MAX_PROCESSES: usize = 128;

/// [`Config::max_table_elements`] unless the loader says otherwise: what
/// the wasmtime engine's instance pool holds, so that both engines refuse
/// the same tables.
pub const DEFAULT_MAX_TABLE_ELEMENTS: usize = 20_000;

impl Default for Config {
    fn default() -> Self {
        Config {
            log_level: Level::Warn,
            slice_fuel: 1_000_000,
            slice_ticks: 2,
            start_fuel: 1_000_000_000,
            start_ticks: 10_000,
            drivers: Vec::new(),
            input: None,
            unknown_imports: UnknownImports::Refuse,
            max_processes: DEFAULT_MAX_PROCESSES,
            max_table_elements: DEFAULT_MAX_TABLE_ELEMENTS,
            max_total_memory: usize::MAX,
            max_memory: None,
            max_fds: crate::fd::DEFAULT_MAX_FDS,
        }
    }
}

impl Config {
    /// One scheduling slice, in fuel and in ticks: the engine counts the
    /// one it preempts by.
    pub fn slice(&self) -> Slice {
        Slice::new(self.slice_fuel, self.slice_ticks)
    }
}

/// A process that ended and whose status nobody collected yet.
struct Ended {
    /// Who may collect it; `None`: the loader.
    parent: Option<Pid>,
    name: String,
    cpu_ns: u64,
    status: ExitStatus,
}

/// The kernel: every process, the services, and the machine they share.
pub struct Kernel {
    // The fields are the crate's so that `service/`, which runs services as
    // processes, parks and wakes them as the scheduler does.
    /// What host functions share: the loader, the log, console input,
    /// the mounts.
    pub(crate) sys: System,
    pub(crate) engine: Box<dyn Engine>,
    pub(crate) config: Config,
    /// Live processes; the one running is taken out during its slice.
    /// Boxed: a process is large, and the map moves its values around.
    pub(crate) procs: BTreeMap<Pid, Box<Process>>,
    /// The runnable processes, in turn order.
    pub(crate) ready: VecDeque<Pid>,
    /// The parked processes, each with its [`crate::process::WaitFor`].
    pub(crate) blocked: BTreeSet<Pid>,
    /// Exit statuses not collected yet, with the parent that may collect
    /// them (`None`: the loader, through [`Kernel::run_until_exit`]).
    exited: BTreeMap<Pid, Ended>,
    pub(crate) next_pid: Pid,
    /// The services loaded so far, by name; one is taken out while it
    /// (re)starts.
    pub(crate) services: BTreeMap<String, Box<Service>>,
    /// Console input's provider, when [`Config::input`] is set.
    input: input_service::InputService,
    /// Compiled modules by program name, with the bytes they came from: a
    /// program spawned again with the same bytes is not compiled again (as
    /// Linux keeps an executable in its page cache).
    modules: BTreeMap<String, (Vec<u8>, Rc<dyn Module>)>,
}

impl Kernel {
    /// A kernel on `loader`'s machine running wasm with `engine`; with
    /// [`Config::input`], it links the input service at once.
    pub fn new(loader: Box<dyn Loader>, engine: Box<dyn Engine>, config: Config) -> Self {
        let memory = Arc::new(MemoryBudget::new(config.max_total_memory));
        let mut sys = System::new(loader, config.log_level, memory);
        sys.log(Level::Info, "kernel", format_args!("walos {} with the {} engine", crate::VERSION, engine.name()));
        sys.find_devices(&config.drivers);
        if engine.preemption() == walos_engine::Preemption::Epoch {
            sys.log(Level::Debug, "kernel", format_args!("epoch preemption: slices of {} ticks", config.slice_ticks));
        }
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
            input: input_service::InputService::default(),
            modules: BTreeMap::new(),
        };
        kernel.start_input();
        kernel
    }

    /// The resource limits of a new instance: the loader's memory limit,
    /// the table limit, the memory budget of all, and the start function's
    /// budget.
    pub(crate) fn limits(&self) -> Limits {
        let start = Slice::new(self.config.start_fuel, self.config.start_ticks);
        let machine = self.sys.loader.memory_limit();
        Limits {
            memory_bytes: self.config.max_memory.map_or(machine, |limit| limit.min(machine)),
            table_elements: self.config.max_table_elements,
            budget: self.sys.memory.clone(),
            start,
        }
    }

    /// Writes a line from the kernel to its log, as the loader wants it
    /// (what a booted machine reports besides its processes).
    pub fn log(&mut self, level: Level, args: fmt::Arguments<'_>) {
        self.sys.log(level, "kernel", args);
    }

    /// Mounts `fs` at `guest_path`: programs started afterwards can be
    /// granted it as a preopened directory ([`crate::Command::preopen`]).
    /// What it holds for guests from now on is charged to the memory
    /// budget of all processes ([`FileSystem::charge_to`]).
    pub fn mount(&mut self, guest_path: impl Into<String>, mut fs: Box<dyn FileSystem>) {
        fs.charge_to(&self.sys.memory);
        self.sys.mounts.mount(guest_path.into(), fs);
    }
}
