//! The end of a run: the exit status to QEMU's `isa-debug-exit` device
//! when asked (`--debug-exit`), then power off through the firmware.

use core::sync::atomic::{AtomicBool, Ordering};

use uefi::Status;
use uefi::runtime::{self, ResetType};
use walos_kernel::ExitStatus;
use walos_uefi_boot::debug_exit;

static DEBUG_EXIT: AtomicBool = AtomicBool::new(false);

/// Whether [`off`] reports the status to `isa-debug-exit` first.
pub fn report_to_qemu(on: bool) {
    DEBUG_EXIT.store(on, Ordering::Relaxed);
}

/// Reports how the entry ended (`None`: it could not run) and powers off.
pub fn off(status: Option<&ExitStatus>) -> ! {
    if DEBUG_EXIT.load(Ordering::Relaxed) {
        // SAFETY: `--debug-exit` says the machine is QEMU with the device;
        // writing it ends QEMU with the status.
        unsafe { debug_exit::write(debug_exit::value(status)) };
    }
    runtime::reset(ResetType::SHUTDOWN, Status::SUCCESS, None)
}
