//! COM1: the log and the program's output go out exactly as written; what
//! comes in is read by the keyboard driver service (`srv/ps2kbd`), woken
//! by IRQ 4 (see [`crate::irqs`]).

use core::fmt::{self, Write};

use spin::mutex::SpinMutex;
use walos_uefi_boot::com1::{self, Com1, ReceiveInterrupt};

static PORT: SpinMutex<Option<Com1>> = SpinMutex::new(None);

/// Sets COM1 up at 115200 baud, raising IRQ 4 when a byte arrives (for
/// the driver service).
pub fn init() {
    // SAFETY: the firmware is gone; the kernel drives COM1 only through
    // `PORT` (and, by registers, when a CPU exception is reported).
    *PORT.lock() = unsafe { com1::open(ReceiveInterrupt::On) };
}

/// Writes `bytes` unmodified.
pub fn write(bytes: &[u8]) {
    x86_64::instructions::interrupts::without_interrupts(|| {
        if let Some(uart) = PORT.lock().as_mut() {
            uart.send_bytes_exact(bytes);
        }
    });
}

struct Writer;

impl Write for Writer {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write(s.as_bytes());
        Ok(())
    }
}

/// Formats straight to COM1, for reports when nothing else may work.
pub fn print(args: fmt::Arguments<'_>) {
    let _ = Writer.write_fmt(args);
}

/// Writes to COM1 without its lock, for the CPU-exception report: the
/// exception may have struck while the lock was held.
pub fn print_unlocked(args: fmt::Arguments<'_>) {
    struct Raw;
    impl Write for Raw {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            for &byte in s.as_bytes() {
                // SAFETY: COM1's line status and data registers; polling
                // the transmitter-empty bit first.
                unsafe {
                    let mut status = x86_64::instructions::port::Port::<u8>::new(com1::PORT + 5);
                    while status.read() & 0x20 == 0 {
                        core::hint::spin_loop();
                    }
                    x86_64::instructions::port::Port::<u8>::new(com1::PORT).write(byte);
                }
            }
            Ok(())
        }
    }
    let _ = Raw.write_fmt(args);
}
