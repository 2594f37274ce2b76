//! COM1: the log and the program's output go out exactly as written; what
//! comes in is read by the keyboard driver service (`srv/ps2kbd`), woken
//! by IRQ 4 (see [`crate::irqs`]).

use core::fmt::{self, Write};

use spin::mutex::SpinMutex;
use uart_16550::backend::PioBackend;
use uart_16550::spec::registers::IER;
use uart_16550::{Config, Uart16550};

/// The I/O port of COM1.
const COM1: u16 = 0x3f8;

static PORT: SpinMutex<Option<Uart16550<PioBackend>>> = SpinMutex::new(None);

/// Sets COM1 up at 115200 baud, raising IRQ 4 when a byte arrives (for
/// the driver service).
pub fn init() {
    // SAFETY: COM1's registers, used only through `PORT`.
    let Ok(mut uart) = (unsafe { Uart16550::new_port(COM1) }) else { return };
    let config =
        Config { baud_rate: uart_16550::BaudRate::Baud115200, interrupts: IER::DATA_READY, ..Config::default() };
    if uart.init(config).is_ok() {
        *PORT.lock() = Some(uart);
    }
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
                    let mut status = x86_64::instructions::port::Port::<u8>::new(COM1 + 5);
                    while status.read() & 0x20 == 0 {
                        core::hint::spin_loop();
                    }
                    x86_64::instructions::port::Port::<u8>::new(COM1).write(byte);
                }
            }
            Ok(())
        }
    }
    let _ = Raw.write_fmt(args);
}
