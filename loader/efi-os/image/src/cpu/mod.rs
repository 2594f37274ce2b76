//! The processor: descriptor tables, interrupts and CPU exceptions, and
//! QEMU's debug-exit port.

mod gdt;
mod idt;
mod stubs;

use core::sync::atomic::AtomicBool;

pub use idt::{has_irq_handler, set_irq_handler, set_masked};

/// Whether the command line asked for `--debug-exit`: the exception
/// handlers report through it too.
pub static DEBUG_EXIT: AtomicBool = AtomicBool::new(false);

pub fn init() {
    gdt::init();
    idt::init();
}

/// Writes `value` to QEMU's `isa-debug-exit` port; QEMU exits at once with
/// `2 * value + 1` (on a machine without the device, nothing happens).
pub fn debug_exit(value: u32) {
    // SAFETY: the callers write only when `--debug-exit` said the machine
    // is QEMU with the device; elsewhere the port is unused.
    unsafe { walos_uefi_boot::debug_exit::write(value) };
}
