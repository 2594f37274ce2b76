//! How walos boots on a UEFI machine: what the UEFI loaders (efi-app, and
//! efi-os's stub and kernel image) and the build tool that writes their
//! boot volumes (`xtask/qemu`) must agree on, defined once.
//!
//! - [`volume`]: which file is where on the boot volume;
//! - [`cmdline`]: the kernel command line (`\walos\cmdline`), parsed by the
//!   loaders and written by the build tool;
//! - [`debug_exit`]: how the machine hands the entry's exit status to QEMU;
//! - with the `hardware` feature, for the loaders only (the build tool
//!   runs on the host): `com1`, the serial port that carries the console,
//!   and `rdrand`, the CPU's random numbers.

#![no_std]

extern crate alloc;

pub mod cmdline;
#[cfg(feature = "hardware")]
pub mod com1;
pub mod debug_exit;
#[cfg(feature = "hardware")]
pub mod rdrand;
pub mod volume;

pub use cmdline::Cmdline;
