//! `walos-efi-app`: the walos kernel as a UEFI application.
//!
//! The firmware keeps running underneath (boot services are never exited):
//! it gives the kernel its allocator, timer events, the keyboard (ConIn),
//! the screen (GOP), random numbers and the boot volume, where the command
//! line (`\walos\cmdline`), the programs (`\srv\NAME.wasm`) and the
//! optional root file system (`\walos\initrd.tar`) are. COM1 carries the
//! log and the program's output byte for byte; the screen shows them too.
//! When the entry program ends, its status goes to QEMU's `isa-debug-exit`
//! device if asked (`--debug-exit`), then the machine powers off.

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
use walos_kernel::vfs::{self, mem::MemFs};
use walos_kernel::{Config, ExitStatus, Kernel, Loader};
use walos_uefi_boot::Cmdline;
use walos_uefi_boot::volume::{CMDLINE, INITRDS};

use crate::machine::Machine;
use crate::store::{BootVolume, ReadError};

/// The device number of the root file system: the initrd, unpacked into
/// memory (writable, lost at power-off) and given to the entry as `/`.
const ROOT_DEV: u64 = 1;

#[entry]
fn main() -> Status {
    // The firmware would reset the machine after five minutes.
    let _ = boot::set_watchdog_timer(0, 0x10000, None);
    serial::take_from_firmware();
    console::clear();

    let status = match start() {
        Ok((volume, cmdline)) => run(volume, &cmdline),
        Err(message) => {
            report(&message);
            None
        }
    };
    power::off(status.as_ref())
}

/// Opens the boot volume and reads the kernel command line from it; the
/// options that only efi-os implements are refused, not ignored.
fn start() -> Result<(BootVolume, Cmdline), String> {
    let mut volume = BootVolume::open().map_err(|err| format!("cannot open the boot volume: {err}"))?;
    let line = volume.read_text(CMDLINE).map_err(|err| format!("cannot read {CMDLINE}: {err}"))?;
    let cmdline = Cmdline::parse(&line).map_err(|err| format!("{CMDLINE}: {err}"))?;
    // The line is understood: from now on, QEMU gets the status if asked.
    power::report_to_qemu(cmdline.debug_exit);
    cmdline.efi_app_supports().map_err(|err| format!("{CMDLINE}: {err}"))?;
    Ok((volume, cmdline))
}

/// The root file system, if the volume has an initrd (the first of
/// [`INITRDS`] there).
fn root_fs(volume: &mut BootVolume) -> Result<Option<MemFs>, String> {
    for path in INITRDS {
        match volume.read(path) {
            Ok(archive) => {
                return vfs::build::from_archive(ROOT_DEV, &archive, 0)
                    .map(Some)
                    .map_err(|err| format!("{path}: {err}"));
            }
            Err(ReadError::NotFound) => {}
            Err(err) => return Err(format!("cannot read {path}: {err}")),
        }
    }
    Ok(None)
}

/// Runs the entry program to its end; `None` if it could not start.
fn run(mut volume: BootVolume, cmdline: &Cmdline) -> Option<ExitStatus> {
    let root = match root_fs(&mut volume) {
        Ok(root) => root,
        Err(message) => {
            report(&message);
            return None;
        }
    };
    let machine = Machine::new(volume);
    let config = Config {
        log_level: cmdline.log,
        unknown_imports: cmdline.unknown_imports,
        max_processes: cmdline.max_processes,
        // Unless given, as much as one process may have: half of the free
        // memory.
        max_total_memory: cmdline.max_total_memory.unwrap_or(machine.memory_limit()),
        max_table_elements: cmdline.max_table_elements,
        max_memory: cmdline.max_memory,
        max_fds: cmdline.max_fds,
        ..Config::default()
    };
    let mut kernel = Kernel::new(Box::new(machine), Box::new(WasmiEngine::new()), config);
    let mut command = cmdline.command();
    if let Some(root) = root {
        kernel.mount("/", Box::new(root));
        command = command.preopen("/");
    }
    match kernel.spawn(command) {
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
