//! The interrupt lines of the devices that wasm drivers own: IRQ 1 (the
//! PS/2 keyboard, `srv/ps2kbd`) and IRQ 4 (COM1 input). Their handlers
//! only note that the line fired, without touching the device: the driver
//! reads it through the `x86` interface after `x86.irq_wait` or
//! [`Loader::irq_take`](walos_kernel::Loader::irq_take) reports the line.

use core::sync::atomic::{AtomicU32, Ordering};

/// The lines that fired since they were last taken (bit n: IRQ n).
static FIRED: AtomicU32 = AtomicU32::new(0);

/// Unmasks the lines; the dispatcher sends the EOI after each handler.
pub fn init() {
    crate::cpu::set_irq_handler(1, || fired(1));
    crate::cpu::set_irq_handler(4, || fired(4));
}

fn fired(irq: u8) {
    FIRED.fetch_or(1 << irq, Ordering::AcqRel);
}

/// The lines among `lines` that fired since last taken; they are cleared.
pub fn take(lines: u32) -> u32 {
    FIRED.fetch_and(!lines, Ordering::AcqRel) & lines
}

/// Whether one of `lines` fired (and is not taken yet).
pub fn pending(lines: u32) -> bool {
    FIRED.load(Ordering::Acquire) & lines != 0
}
