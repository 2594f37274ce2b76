//! walos on bare metal: the kernel image that the efi-os stub boots.
//!
//! The stub has left boot services and jumped to [`start::_start`] with a
//! [`BootInfo`]: the memory map, the framebuffer, the ACPI RSDP, the
//! command line and the services, all in memory. This crate turns that
//! machine into a [`walos_kernel::Loader`]: COM1 and the screen for the log
//! and the console, the PIT as the clock, the keyboard and COM1 interrupt
//! lines for the wasm driver that reads them (stdin comes through the
//! `stdin` and `ps2kbd` services), `hlt` to wait, ACPI to power off. Then it runs the
//! entry program exactly as the Linux loader does, and powers the machine
//! off with its exit status.
//!
//! The firmware's identity mapping is kept (no paging of our own), and the
//! image is a position-independent executable that the stub relocates.

#![no_std]
#![no_main]

extern crate alloc;

mod acpi;
mod console;
mod cpu;
mod heap;
mod irqs;
mod machine;
mod paging;
mod serial;
mod start;
mod store;
mod timer;

use alloc::boxed::Box;
use alloc::format;

use alloc::vec::Vec;
use walos_efi_os_bootinfo::BootInfo;
use walos_engine_wasmi::WasmiEngine;
use walos_kernel::log::Level;
use walos_kernel::{Config, Driver, ExitStatus, Kernel, vfs};
use walos_uefi_boot::cmdline::{Cmdline, ParseError};
use walos_uefi_boot::debug_exit;
use walos_uefi_boot::volume::INITRD;

use crate::machine::Machine;

/// The device number of the root file system (the initrd), as `stat`
/// shows it.
const ROOT_DEVICE: u64 = 1;

/// The Rust entry, on the kernel's own stack, with interrupts off.
fn main(info: &'static BootInfo) -> ! {
    serial::init();
    machine::set_rsdp(info.rsdp);
    if info.magic != BootInfo::MAGIC || info.version != BootInfo::VERSION {
        serial::print(format_args!(
            "walos: boot information of another version (magic {:#x}, version {}): rebuild the stub and the kernel together\n",
            info.magic, info.version
        ));
        acpi::halt();
    }
    // SAFETY: the stub gave the memory map after ExitBootServices; the
    // conventional memory in it is ours.
    let heap = unsafe { heap::init(&info.memory_map) };
    // SAFETY: the heap is up; the kernel uses identity-mapped memory only.
    unsafe { paging::init(&info.memory_map, &info.framebuffer, start::guard_page()) };
    cpu::init();
    timer::init();
    irqs::init();
    x86_64::instructions::interrupts::enable();

    // SAFETY: the stub left the services and the framebuffer in place for
    // good.
    let machine = unsafe { Machine::new(info) };
    // SAFETY: as above, the command line.
    let line = unsafe { info.cmdline.as_slice() };
    // A command line that cannot be parsed still says whether QEMU wants
    // the status.
    let wants_status = line.split(u8::is_ascii_whitespace).any(|word| word == b"--debug-exit");
    let cmdline = match core::str::from_utf8(line).map_err(|_| ParseError::NotUtf8).and_then(Cmdline::parse) {
        Ok(cmdline) => cmdline,
        Err(err) => {
            report(format_args!("{err}"));
            power_off(None, wants_status)
        }
    };
    cpu::DEBUG_EXIT.store(cmdline.debug_exit, core::sync::atomic::Ordering::Relaxed);
    let drivers = match cmdline.drivers.iter().map(|spec| Driver::parse(spec)).collect::<Result<Vec<_>, _>>() {
        Ok(drivers) => drivers,
        Err(err) => {
            report(format_args!("kernel command line: {err}"));
            power_off(None, wants_status)
        }
    };
    let config = Config {
        log_level: cmdline.log,
        drivers,
        input: cmdline.input.clone(),
        unknown_imports: cmdline.unknown_imports,
        max_processes: cmdline.max_processes,
        max_total_memory: cmdline.max_total_memory.unwrap_or(heap::guest_share(heap)),
        max_table_elements: cmdline.max_table_elements,
        max_memory: cmdline.max_memory,
        max_fds: cmdline.max_fds,
        ..Config::default()
    };
    let for_processes = config.max_total_memory;
    let mut kernel = Kernel::new(Box::new(machine), Box::new(WasmiEngine::new()), config);
    kernel.log(
        Level::Info,
        format_args!("heap: {} MiB of conventional memory, {} MiB for processes", heap >> 20, for_processes >> 20),
    );
    let mut command = cmdline.command();
    // SAFETY: the stub left the initrd in place for good.
    let initrd = unsafe { info.initrd.as_slice() };
    if !initrd.is_empty() {
        // SAFETY: as the initrd, which the stub read it for.
        let path = core::str::from_utf8(unsafe { info.initrd_path.as_slice() }).unwrap_or(INITRD);
        let Ok(root) = vfs::build::from_archive(ROOT_DEVICE, initrd, info.realtime_ns)
            .map_err(|err| report(format_args!("{path}: {err}")))
        else {
            power_off(None, cmdline.debug_exit)
        };
        kernel.mount(cmdline.initrd_at.as_str(), Box::new(root));
        command = command.preopen(cmdline.initrd_at.as_str());
        kernel
            .log(Level::Info, format_args!("initrd: {path}, {} bytes, mounted at {}", initrd.len(), cmdline.initrd_at));
    }

    let status = match kernel.spawn(command) {
        Ok(pid) => kernel.run_until_exit(pid),
        Err(err) => {
            report(format_args!("{err}"));
            None
        }
    };
    kernel.log(Level::Info, format_args!("{}: {}", cmdline.entry, describe(status.as_ref())));
    power_off(status.as_ref(), cmdline.debug_exit)
}

/// Why the machine cannot run the entry, as the other loaders say it:
/// `walos: MESSAGE` on the console.
fn report(args: core::fmt::Arguments<'_>) {
    machine::output(format!("walos: {args}\n").as_bytes());
}

fn describe(status: Option<&ExitStatus>) -> alloc::string::String {
    status.map_or_else(|| "could not run".into(), |s| format!("{s}"))
}

/// Reports the status to QEMU when asked to, then powers off.
fn power_off(status: Option<&ExitStatus>, debug_exit: bool) -> ! {
    if debug_exit {
        cpu::debug_exit(debug_exit::value(status));
    }
    acpi::power_off()
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    x86_64::instructions::interrupts::disable();
    serial::print(format_args!("walos: kernel panic: {info}\n"));
    if cpu::DEBUG_EXIT.load(core::sync::atomic::Ordering::Relaxed) {
        cpu::debug_exit(debug_exit::value(None));
    }
    acpi::halt()
}
