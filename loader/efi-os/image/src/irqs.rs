//! The interrupt lines of the devices that wasm drivers own: IRQ 1 (the
//! PS/2 keyboard, `srv/ps2kbd`), IRQ 4 (COM1 input), and the lines of the
//! PCI devices granted to drivers. Their handlers only note that the line
//! fired, without touching the device: the driver reads it through `x86`
//! or `pci` after `irq_wait` or
//! [`Loader::irq_take`](walos_kernel::Loader::irq_take) reports the line.
//!
//! A PCI line is level-triggered: it stays up until the driver has
//! answered its device, so its handler masks it, and the kernel unmasks
//! it ([`arm`]) when the driver waits again.

use core::sync::atomic::{AtomicU32, Ordering};

use crate::cpu;

/// The lines that fired since they were last taken (bit n: IRQ n).
static FIRED: AtomicU32 = AtomicU32::new(0);

/// Lines edge-triggered devices of the machine own: never armed for PCI.
const LEGACY: u32 = 1 << 0 | 1 << 1 | 1 << 2 | 1 << 4;

/// Unmasks the legacy lines; the dispatcher sends the EOI after each
/// handler.
pub fn init() {
    cpu::set_irq_handler(1, fired);
    cpu::set_irq_handler(4, fired);
}

fn fired(irq: u8) {
    FIRED.fetch_or(1 << irq, Ordering::AcqRel);
}

/// A PCI line: masked until its driver waits again.
fn level(irq: u8) {
    cpu::set_masked(irq, true);
    fired(irq);
}

/// Unmasks the PCI `lines` (bit n: IRQ n), installing their handler the
/// first time.
pub fn arm(lines: u32) {
    for irq in (0..16u8).filter(|irq| (lines & !LEGACY) & (1 << irq) != 0) {
        if cpu::has_irq_handler(irq) {
            cpu::set_masked(irq, false);
        } else {
            cpu::set_irq_handler(irq, level);
        }
    }
}

/// The lines among `lines` that fired since last taken; they are cleared.
pub fn take(lines: u32) -> u32 {
    FIRED.fetch_and(!lines, Ordering::AcqRel) & lines
}

/// Whether one of `lines` fired (and is not taken yet).
pub fn pending(lines: u32) -> bool {
    FIRED.load(Ordering::Acquire) & lines != 0
}
