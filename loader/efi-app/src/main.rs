//! `walos-efi-app`: the walos kernel as a UEFI application.
//!
//! The firmware keeps running underneath (boot services are never exited):
//! it gives the kernel its allocator, timer events, the keyboard (ConIn),
//! the screen (GOP), random numbers and the boot volume, where the command
//! line (`\walos\cmdline`) and the programs (`\srv\NAME.wasm`) are. COM1
//! carries the log and the program's output byte for byte; the screen
//! shows them too. When the entry program ends, its status goes to QEMU's
//! `isa-debug-exit` device if asked (`--debug-exit`), then the machine
//! powers off.

#![no_std]
#![no_main]

extern crate alloc;

mod clock;
mod console;
mod input;
mod machine;
mod power;
mod screen;
mod serial;
mod store;

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;

use uefi::prelude::*;
use walos_engine_wasmi::WasmiEngine;
use walos_kernel::boot::BootArgs;
use walos_kernel::{Config, ExitStatus, Kernel};

use crate::machine::Machine;
use crate::store::BootVolume;

/// Where the kernel command line is on the boot volume.
const CMDLINE: &str = "\\walos\\cmdline";

#[entry]
fn main() -> Status {
    // The firmware would reset the machine after five minutes.
    let _ = boot::set_watchdog_timer(0, 0x10000, None);
    serial::take_from_firmware();
    console::clear();

    let status = match boot_args() {
        Ok(args) => {
            power::report_to_qemu(args.debug_exit);
            run(&args)
        }
        Err(message) => {
            report(&message);
            None
        }
    };
    power::off(status.as_ref())
}

/// Reads and parses the kernel command line.
fn boot_args() -> Result<BootArgs, String> {
    let mut volume = BootVolume::open().map_err(|err| format!("cannot open the boot volume: {err}"))?;
    let line = volume.read_text(CMDLINE).map_err(|err| format!("cannot read {CMDLINE}: {err}"))?;
    BootArgs::parse(&line).map_err(|err| format!("{CMDLINE}: {err}"))
}

/// Runs the entry program to its end; `None` if it could not start.
fn run(args: &BootArgs) -> Option<ExitStatus> {
    let machine = match BootVolume::open() {
        Ok(volume) => Machine::new(volume),
        Err(err) => {
            report(&format!("cannot open the boot volume: {err}"));
            return None;
        }
    };
    let config = Config { log_level: args.log, ..Config::default() };
    let mut kernel = Kernel::new(Box::new(machine), Box::new(WasmiEngine::new()), config);
    match kernel.spawn(args.command()) {
        Ok(pid) => kernel.run_until_exit(pid),
        Err(err) => {
            report(&format!("{err}"));
            None
        }
    }
}

/// A loader error, on COM1 and the screen, as `walos run` prints it.
fn report(message: &str) {
    let line = format!("walos: {message}\n");
    serial::write(line.as_bytes());
    console::write(&line);
}

/// A bug in walos: say where, then power off with the failure status.
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    report(&format!("kernel panic: {info}"));
    power::off(None)
}
