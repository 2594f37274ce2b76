//! COM1, written and read directly: the exact byte stream of the log and
//! the program's output.
//!
//! The firmware also uses COM1 as a console (OVMF mirrors its text output
//! there, with terminal escape codes). Its terminal driver is detached
//! first, so that from then on only walos writes the port, unmodified.

use core::sync::atomic::{AtomicBool, Ordering};

use uefi::boot;
use uefi::proto::console::serial::Serial;
use walos_uefi_boot::com1::{self, Com1, ReceiveInterrupt};

/// Whether COM1 answered when it was set up; an absent port reads as
/// endless 0xff bytes.
static PRESENT: AtomicBool = AtomicBool::new(false);

/// The device, as last configured by [`take_from_firmware`]; each use makes
/// a handle.
fn com1() -> Com1 {
    // SAFETY: the UEFI application runs alone on one CPU, so no one else
    // drives the port once the firmware's terminal is detached.
    unsafe { com1::handle() }
}

/// Detaches the firmware's serial terminal and sets COM1 up (115200 8N1).
pub fn take_from_firmware() {
    if let Ok(handles) = boot::find_handles::<Serial>() {
        for handle in handles {
            // Stops the drivers bound to the port (the terminal), which
            // removes it from the firmware's console; failure only means
            // some escape codes may still reach the port.
            let _ = boot::disconnect_controller(handle, None, None);
        }
    }
    // A machine without COM1 still runs, with the screen as its console.
    // SAFETY: as for `com1`; the firmware's terminal is detached now.
    // Input is polled: boot services own the interrupts.
    PRESENT.store(unsafe { com1::open(ReceiveInterrupt::Off) }.is_some(), Ordering::Relaxed);
}

/// Writes all of `bytes`.
pub fn write(bytes: &[u8]) {
    if !PRESENT.load(Ordering::Relaxed) {
        return;
    }
    let mut uart = com1();
    let mut rest = bytes;
    // Bounded, so that a missing or stuck port cannot hang the machine.
    let mut tries = 0u32;
    while !rest.is_empty() && tries < 1_000_000 {
        let sent = uart.send_bytes(rest);
        rest = &rest[sent..];
        tries = if sent == 0 { tries + 1 } else { 0 };
    }
}

/// The next byte received, if any.
pub fn read_byte() -> Option<u8> {
    PRESENT.load(Ordering::Relaxed).then(|| com1().try_receive_byte().ok()).flatten()
}
