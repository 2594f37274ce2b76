//! The walos kernel.
//!
//! walos runs every program and driver as a wasm module in one address
//! space, isolated by the wasm sandbox: a syscall is a function call into
//! this crate. The kernel is `no_std` and knows neither the machine nor the
//! engine: a [`Loader`] gives it the machine (console, clocks, events,
//! services) and a [`walos_engine::Engine`] runs the wasm.
//!
//! ```text
//! Kernel::new(loader, engine, config)
//!   .spawn(Command::new("hello.wasm"))   load, link, instantiate
//!   .run_until_exit(pid)                 schedule until it ends
//! ```

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

mod abi;
mod binary;
mod console;
pub mod device;
mod dmesg;
mod fd;
mod linker;
pub mod loader;
pub mod log;
mod process;
mod sched;
mod service;
mod size;
mod syscall;
mod system;
pub mod vfs;

pub use abi::{Device, ImportInfo, interfaces};
pub use binary::{START_EXPORT, SectionError, defer_start};
pub use device::Driver;
pub use fd::DEFAULT_MAX_FDS;
pub use linker::{LinkError, ServiceProblem, UnknownImports};
pub use loader::Loader;
pub use process::{Command, ExitStatus, KILLED_STATUS, Pid, ProcInfo, RunState, TRAPPED_STATUS};
pub use sched::{Config, DEFAULT_MAX_PROCESSES, DEFAULT_MAX_TABLE_ELEMENTS, InvokeProblem, Kernel, SpawnError};
pub use service::{LoadError, StartError, WEntry, WSectionError, copy, w_section};
pub use size::parse_size;
pub use syscall::Errno;

/// The version of walos.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
