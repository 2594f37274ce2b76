//! COM1, written and read directly: the exact byte stream of the log and
//! the program's output.
//!
//! The firmware also uses COM1 as a console (OVMF mirrors its text output
//! there, with terminal escape codes). Its terminal driver is detached
//! first, so that from then on only walos writes the port, unmodified.

use core::sync::atomic::{AtomicBool, Ordering};

use uart_16550::backend::PioBackend;
use uart_16550::{BaudRate, Config, Uart16550};
use uefi::boot;
use uefi::proto::console::serial::Serial;

/// The I/O port of the first serial port.
const COM1: u16 = 0x3f8;

/// Whether COM1 answered when it was set up; an absent port reads as
/// endless 0xff bytes.
static PRESENT: AtomicBool = AtomicBool::new(false);

/// The device, as last configured by [`take_from_firmware`]. The driver
/// keeps no state that matters between calls, so each use makes a handle.
fn com1() -> Uart16550<PioBackend> {
    // SAFETY: 0x3f8..0x3f8+8 are COM1's registers on every PC; the UEFI
    // application runs alone on one CPU, so no one else drives the port
    // once the firmware's terminal is detached.
    unsafe { Uart16550::new_port(COM1) }.expect("COM1's port range is valid")
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
    let config = Config { baud_rate: BaudRate::Baud115200, ..Config::default() };
    // A machine without COM1 still runs, with the screen as its console.
    PRESENT.store(com1().init(config).is_ok(), Ordering::Relaxed);
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
