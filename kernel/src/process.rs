//! Processes: a wasm instance plus what the kernel keeps for it.

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use walos_engine::{Charge, Instance, Trap};

use crate::fd::FdTable;

/// A process identifier; the first process is 1.
pub type Pid = u32;

/// How a process ended.
#[derive(Debug, Clone, PartialEq)]
pub enum ExitStatus {
    /// It exited with this status (`proc_exit`, or 0 when `_start` returned).
    Exited(u32),
    /// It trapped.
    Trapped(Trap),
    /// It was ended by `proc.kill` (`by` that process), or by the kernel
    /// (`by: None`: Ctrl-C on the console, or the kernel's own API).
    Killed {
        /// The killer; `None`: the kernel.
        by: Option<Pid>,
    },
}

impl fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitStatus::Exited(code) => write!(f, "exited with status {code}"),
            ExitStatus::Trapped(trap) => write!(f, "trapped: {trap}"),
            ExitStatus::Killed { by: Some(pid) } => write!(f, "killed by pid {pid}"),
            ExitStatus::Killed { by: None } => f.write_str("killed"),
        }
    }
}

/// What to start: a program from the service store, its arguments, its
/// environment and the directories it may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The program's name in the service store.
    pub program: String,
    /// `argv`, including `argv[0]` (the program name by default).
    pub args: Vec<String>,
    /// The environment, exactly.
    pub env: Vec<(String, String)>,
    /// Guest paths of the directories preopened for the program, in order
    /// (descriptors 3, 4, ...).
    pub preopens: Vec<String>,
    /// The exported function to call instead of `_start` (after
    /// `_initialize`, if exported), with `args[1..]` parsed as its
    /// arguments; its results are printed on standard output, as
    /// `wasmtime run --invoke` does.
    pub invoke: Option<String>,
}

impl Command {
    /// Runs `program` with no arguments (`argv[0]` is `program`), no
    /// environment and no directories.
    pub fn new(program: impl Into<String>) -> Self {
        let program = program.into();
        Command { args: alloc::vec![program.clone()], program, env: Vec::new(), preopens: Vec::new(), invoke: None }
    }

    /// Appends arguments after `argv[0]`.
    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Adds `key=value` to the environment.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Grants the directory mounted at `guest_path` (the next descriptor
    /// from 3 on).
    pub fn preopen(mut self, guest_path: impl Into<String>) -> Self {
        self.preopens.push(guest_path.into());
        self
    }

    /// The process name for logs: the program's file name without `.wasm`.
    pub fn process_name(&self) -> String {
        let file = self.program.rsplit(['/', '\\']).next().unwrap_or(&self.program);
        file.strip_suffix(".wasm").unwrap_or(file).to_string()
    }
}

/// What a blocked process waits for; it is woken when any part holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WaitFor {
    /// The monotonic time to wake up at.
    pub deadline: Option<u64>,
    /// Console input (or its end) is available.
    pub stdin: bool,
    /// This child has ended (`proc.wait`); the kernel then answers the
    /// waiter's request itself.
    pub child: Option<Pid>,
    /// One of these interrupt lines fired (bit n = IRQ n; `x86.irq_wait`).
    pub irqs: u32,
    /// Only the kernel wakes it: the answer to its service call, or (for an
    /// idle service) the next call to serve.
    pub kernel: bool,
}

/// A module a guest handed the kernel (`proc.spawn_module`, `sys.exec`):
/// its bytes, and what they and the code compiled from them take from the
/// memory budget of all processes for as long as the process runs it.
#[derive(Debug)]
pub struct GivenModule {
    pub bytes: Vec<u8>,
    pub charge: Charge,
}

/// What a process asks of the scheduler through a host call that needs
/// other processes (`proc.*`, `sys.exec`). The host function parks the
/// caller with a request; the kernel serves it between slices and leaves a
/// [`Reply`]; the host function, called again, finds the reply and returns.
/// No engine is re-entered from inside a host call.
#[derive(Debug)]
pub enum Request {
    /// Start a child; `wasm` given, or else `command.program` from the
    /// service store.
    Spawn { command: Command, wasm: Option<GivenModule> },
    /// Wait for a child to end and collect its status.
    Wait(Pid),
    /// End a process.
    Kill(Pid),
    /// Describe every process.
    List,
    /// Make this process (0: none) the console's foreground process.
    SetForeground(Pid),
    /// Call the service function behind the caller's service import number
    /// `import` (see [`ProcState::services`]) with the arguments and
    /// buffers of `transfer`.
    CallService { import: usize, transfer: crate::service::copy::Transfer },
}

/// The kernel's answer to a [`Request`].
#[derive(Debug)]
pub enum Reply {
    Spawned(Result<Pid, crate::Errno>),
    Waited(Result<ExitStatus, crate::Errno>),
    Killed(Result<(), crate::Errno>),
    List(Vec<ProcInfo>),
    Foreground(Result<(), crate::Errno>),
    /// The results of a service call, or why it failed.
    /// With the output buffers in the transfer.
    Answered(Result<crate::service::Answer, crate::service::CallError>),
}

/// The exit status a killed process ends with: 128 + SIGKILL, as Unix
/// shells show it.
pub const KILLED_STATUS: u32 = 137;

/// The status a parent sees for a child that trapped: 128 + SIGABRT, what
/// `walos run` exits with when its program traps.
pub const TRAPPED_STATUS: u32 = 134;

/// Bits 8..15 of a status word: how the process ended (see
/// [`ExitStatus::word`]).
const HOW_EXITED: u32 = 0;
const HOW_TRAPPED: u32 = 1;
const HOW_KILLED: u32 = 2;

impl ExitStatus {
    /// The exit status as a Unix shell sees it: the low 8 bits of an exit
    /// code, [`TRAPPED_STATUS`] or [`KILLED_STATUS`]; what `walos run`
    /// exits with.
    pub fn code(&self) -> u32 {
        match self {
            ExitStatus::Exited(code) => code & 0xff,
            ExitStatus::Trapped(_) => TRAPPED_STATUS,
            ExitStatus::Killed { .. } => KILLED_STATUS,
        }
    }

    /// The status word of `proc.wait` and `sys.exec`: [`ExitStatus::code`]
    /// in bits 0..7 (so older callers reading the low byte see what they
    /// always saw) and how it ended in bits 8..15 (0 exited, 1 trapped, 2
    /// killed), so that a kill and an exit with 137 differ.
    pub fn word(&self) -> u32 {
        let how = match self {
            ExitStatus::Exited(_) => HOW_EXITED,
            ExitStatus::Trapped(_) => HOW_TRAPPED,
            ExitStatus::Killed { .. } => HOW_KILLED,
        };
        how << 8 | self.code()
    }
}

/// Where a process is in its life, as `proc.list` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum RunState {
    /// In a slice now (the caller of `proc.list`).
    Running = 0,
    /// Waiting for its turn.
    Ready = 1,
    /// Parked until an event (input, a deadline, a child).
    Blocked = 2,
    /// Ended, its status not collected yet.
    Exited = 3,
}

/// One process as `proc.list` and [`crate::Kernel::processes`] describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcInfo {
    /// Its process id.
    pub pid: Pid,
    /// Who spawned it; `None` for a process the loader started.
    pub parent: Option<Pid>,
    /// Where it is in its life.
    pub state: RunState,
    /// Its name in logs: the program's file name without `.wasm`.
    pub name: String,
    /// CPU time of its slices so far.
    pub cpu_ns: u64,
}

/// What host functions may touch of their own process.
#[derive(Debug)]
pub struct ProcState {
    pub pid: Pid,
    /// The process that spawned it, which alone may wait for it.
    pub parent: Option<Pid>,
    pub name: String,
    pub args: Vec<String>,
    /// `KEY=VALUE` strings, as WASI hands them out.
    pub env: Vec<String>,
    pub fds: FdTable,
    /// The guest paths it was granted, which its children get too.
    pub preopens: Vec<String>,
    /// CPU time of the slices that ended.
    pub cpu_ns: u64,
    /// Monotonic time the current slice started.
    pub slice_start_ns: u64,
    /// Set by a host function that blocks.
    pub wait: Option<WaitFor>,
    /// The deadlines of a `poll_oneoff` that blocked, for its retry.
    pub poll_deadlines: Option<Vec<Option<u64>>>,
    /// Set by a host function that needs the scheduler (see [`Request`]).
    pub request: Option<Request>,
    /// The kernel's answer, for the host function called again.
    pub reply: Option<Reply>,
    /// Requests served in a row without the process giving up the CPU
    /// otherwise: past a few, it waits for its turn like everyone else.
    pub requests_in_a_row: u32,
    /// The service functions its imports are bound to, by the number the
    /// linker gave them.
    pub services: Vec<crate::service::ServiceImport>,
    /// The imports that name nothing, bound to functions that trap
    /// (`--trap-unknown-imports`), by the number the linker gave them.
    pub unknown_imports: Vec<walos_engine::Import>,
    /// What the module it runs takes from the memory budget, when a guest
    /// handed it over ([`GivenModule`]); store modules are bounded by the
    /// store instead. Held for its drop.
    #[allow(dead_code)]
    pub code: Option<Charge>,
    /// The DMA buffers of a driver, by handle (`pci.dma_alloc`).
    pub dma: Vec<Option<crate::device::dma::DmaBuffer>>,
}

impl ProcState {
    /// Process `pid` called `name` with descriptors `fds`, started at `now`:
    /// no parent, arguments, environment, wait or service import yet.
    pub fn new(pid: Pid, name: String, fds: FdTable, now: u64) -> Self {
        ProcState {
            pid,
            parent: None,
            args: alloc::vec![name.clone()],
            name,
            env: Vec::new(),
            fds,
            preopens: Vec::new(),
            cpu_ns: 0,
            slice_start_ns: now,
            wait: None,
            poll_deadlines: None,
            request: None,
            reply: None,
            requests_in_a_row: 0,
            services: Vec::new(),
            unknown_imports: Vec::new(),
            code: None,
            dma: Vec::new(),
        }
    }

    /// CPU time used so far, including the current slice.
    pub fn cpu_time(&self, now: u64) -> u64 {
        self.cpu_ns + now.saturating_sub(self.slice_start_ns)
    }
}

pub(crate) struct Process {
    pub state: ProcState,
    pub instance: Box<dyn Instance>,
    /// The service it is, for a service's process; it serves calls
    /// instead of running `_start`.
    pub serves: Option<String>,
    /// The calls to start one after the other when the current one
    /// returns: `_initialize` and `_start` after the start function.
    pub then: alloc::collections::VecDeque<crate::sched::Call>,
    /// Whether the current call is its start function, whose trap is
    /// reported as such.
    pub starting: bool,
    /// Whether the results of its last call are printed (`--invoke`).
    pub prints: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_names_come_from_the_file_name() {
        assert_eq!(Command::new("target/sample/hello.wasm").process_name(), "hello");
        assert_eq!(Command::new("hello").process_name(), "hello");
        assert_eq!(Command::new("C:\\srv\\vga.wasm").process_name(), "vga");
    }

    #[test]
    fn status_words_keep_the_code_low_and_say_how_above() {
        assert_eq!(ExitStatus::Exited(3).word(), 3);
        assert_eq!(ExitStatus::Exited(0x1_0089).word(), 0x89);
        assert_eq!(ExitStatus::Trapped(Trap::host("x")).word(), 0x186);
        assert_eq!(ExitStatus::Killed { by: Some(1) }.word(), 0x289);
        assert_eq!(ExitStatus::Killed { by: None }.code(), 137);
        assert_eq!(ExitStatus::Killed { by: Some(4) }.to_string(), "killed by pid 4");
        assert_eq!(ExitStatus::Killed { by: None }.to_string(), "killed");
    }

    #[test]
    fn argv0_is_the_program() {
        let cmd = Command::new("a.wasm").args(["x", "y"]).env("K", "V");
        assert_eq!(cmd.args, ["a.wasm", "x", "y"]);
        assert_eq!(cmd.env, [("K".into(), "V".into())]);
    }
}
