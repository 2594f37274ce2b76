//! walos as an ordinary Linux process: the machine ([`host::HostLoader`]),
//! the program store, the screen, the timer of epoch slices and `walos run`. The `walos` command is a
//! thin `main` over this library; the benchmarks (`walos-bench`) run the
//! same kernel on the same machine.

pub mod cli;
pub mod compile;
pub mod framebuffer;
pub mod host;
pub mod hostfs;
pub mod run;
pub mod store;
pub mod timer;
