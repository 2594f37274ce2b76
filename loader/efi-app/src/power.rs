//! The end of a run: the exit status to QEMU's `isa-debug-exit` device
//! when asked (`--debug-exit`), then power off through the firmware.

use core::sync::atomic::{AtomicBool, Ordering};

use uefi::Status;
use uefi::runtime::{self, ResetType};
use walos_kernel::ExitStatus;
use walos_kernel::boot::{DEBUG_EXIT_PORT, debug_exit_value};
use x86_64::instructions::port::Port;

static DEBUG_EXIT: AtomicBool = AtomicBool::new(false);

/// Whether [`off`] reports the status to `isa-debug-exit` first.
pub fn report_to_qemu(on: bool) {
    DEBUG_EXIT.store(on, Ordering::Relaxed);
}

/// Reports how the entry ended (`None`: it could not run) and powers off.
pub fn off(status: Option<&ExitStatus>) -> ! {
    if DEBUG_EXIT.load(Ordering::Relaxed) {
        let mut port = Port::<u32>::new(DEBUG_EXIT_PORT);
        // SAFETY: `--debug-exit` says the machine is QEMU with the device at
        // this port; writing it ends QEMU with the status.
        unsafe { port.write(debug_exit_value(status)) };
    }
    runtime::reset(ResetType::SHUTDOWN, Status::SUCCESS, None)
}
