//! COM1, the first serial port of a PC: both UEFI loaders carry the log
//! and the programs' output there byte for byte, at 115200 8N1, and read
//! what a terminal types.

use uart_16550::backend::PioBackend;
use uart_16550::spec::registers::IER;
use uart_16550::{BaudRate, Config, Uart16550};

/// The I/O port of COM1's first register.
pub const PORT: u16 = 0x3f8;

/// The driver of the port (`uart_16550`'s).
pub type Com1 = Uart16550<PioBackend>;

/// Whether COM1 raises its interrupt line (IRQ 4) when a byte arrives:
/// efi-os's keyboard driver service waits for it, efi-app polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiveInterrupt {
    Off,
    On,
}

/// A handle on the port, as last set up by [`open`]: the driver keeps no
/// state that matters between handles.
///
/// # Safety
/// No one else may drive COM1 while the handle is used (the firmware's
/// serial terminal, another CPU).
pub unsafe fn handle() -> Com1 {
    // SAFETY: 0x3f8..0x3f8+8 are COM1's registers on every PC; the caller
    // drives them alone.
    unsafe { Uart16550::new_port(PORT) }.expect("COM1's port range is valid")
}

/// Sets COM1 up at 115200 8N1; `None` if the machine has none (an absent
/// port reads as endless 0xff bytes).
///
/// # Safety
/// As for [`handle`].
pub unsafe fn open(interrupt: ReceiveInterrupt) -> Option<Com1> {
    // SAFETY: per the caller.
    let mut uart = unsafe { handle() };
    let interrupts = match interrupt {
        ReceiveInterrupt::Off => IER::empty(),
        ReceiveInterrupt::On => IER::DATA_READY,
    };
    let config = Config { baud_rate: BaudRate::Baud115200, interrupts, ..Config::default() };
    uart.init(config).is_ok().then_some(uart)
}
