//! The interrupt descriptor table, the 8259 PICs, and what each vector
//! does: CPU exceptions are reported and stop the machine; device
//! interrupts call the handler their driver registered.
//!
//! The gates are written here rather than through `x86_64`'s typed IDT,
//! whose entries expect `extern "x86-interrupt"` handlers by name: all we
//! have is one table of naked stubs, installed in a loop.

use core::sync::atomic::{AtomicUsize, Ordering};

use pic8259::ChainedPics;
use spin::mutex::SpinMutex;
use x86_64::VirtAddr;
use x86_64::instructions::segmentation::{CS, Segment};
use x86_64::instructions::tables::lidt;
use x86_64::registers::control::Cr2;
use x86_64::structures::DescriptorTablePointer;

use super::gdt::DOUBLE_FAULT_IST;
use super::stubs::{Frame, STUBS};

/// The vector of IRQ 0 once the PICs are remapped (past the exceptions).
pub const IRQ_BASE: u8 = 32;

const DOUBLE_FAULT: usize = 8;

/// One interrupt gate (64-bit mode).
#[repr(C)]
#[derive(Clone, Copy)]
struct Gate {
    offset_low: u16,
    selector: u16,
    ist: u8,
    flags: u8,
    offset_mid: u16,
    offset_high: u32,
    reserved: u32,
}

impl Gate {
    const ABSENT: Gate =
        Gate { offset_low: 0, selector: 0, ist: 0, flags: 0, offset_mid: 0, offset_high: 0, reserved: 0 };

    /// A present ring-0 interrupt gate (interrupts stay off in the handler).
    fn new(handler: u64, selector: u16, ist: u8) -> Gate {
        Gate {
            offset_low: handler as u16,
            selector,
            ist,
            flags: 0x8e,
            offset_mid: (handler >> 16) as u16,
            offset_high: (handler >> 32) as u32,
            reserved: 0,
        }
    }
}

#[repr(C, align(16))]
struct Table([Gate; 256]);

static mut IDT: Table = Table([Gate::ABSENT; 256]);

// SAFETY: 32 and 40 are past the CPU exceptions and do not overlap.
static PICS: SpinMutex<ChainedPics> = SpinMutex::new(unsafe { ChainedPics::new(IRQ_BASE, IRQ_BASE + 8) });

/// The registered handlers of IRQs 0-15, as function addresses (0: none).
static IRQ_HANDLERS: [AtomicUsize; 16] = [const { AtomicUsize::new(0) }; 16];

pub fn init() {
    let selector = CS::get_reg().0;
    // SAFETY: the table is written once, with interrupts off, before it is
    // loaded; it is static, so it outlives its use.
    unsafe {
        let idt = &raw mut IDT;
        for (vector, stub) in STUBS.iter().enumerate() {
            // The IST index in a gate counts from 1.
            let ist = if vector == DOUBLE_FAULT { DOUBLE_FAULT_IST as u8 + 1 } else { 0 };
            (*idt).0[vector] = Gate::new(*stub as usize as u64, selector, ist);
        }
        lidt(&DescriptorTablePointer {
            limit: (size_of::<Table>() - 1) as u16,
            base: VirtAddr::from_ptr(&raw const IDT),
        });
        let mut pics = PICS.lock();
        pics.initialize();
        // Everything masked until a driver registers.
        pics.write_masks(0xff, 0xff);
    }
}

/// Calls `handler` (with interrupts off, given the IRQ) on each interrupt
/// of `irq`, and unmasks it.
pub fn set_irq_handler(irq: u8, handler: fn(u8)) {
    IRQ_HANDLERS[irq as usize].store(handler as usize, Ordering::Release);
    set_masked(irq, false);
}

/// Whether `irq` has a handler.
pub fn has_irq_handler(irq: u8) -> bool {
    IRQ_HANDLERS[irq as usize].load(Ordering::Acquire) != 0
}

/// Masks or unmasks `irq` at the PIC (unmasking a line of the secondary
/// unmasks the cascade too).
pub fn set_masked(irq: u8, masked: bool) {
    x86_64::instructions::interrupts::without_interrupts(|| {
        let mut pics = PICS.lock();
        // SAFETY: the PIC mask registers; only lines with a handler are
        // unmasked, by the callers.
        unsafe {
            let [mut primary, mut secondary] = pics.read_masks();
            let (mask, bit) = if irq < 8 { (&mut primary, irq) } else { (&mut secondary, irq - 8) };
            if masked {
                *mask |= 1 << bit;
            } else {
                *mask &= !(1 << bit);
                if irq >= 8 {
                    primary &= !(1 << 2); // the cascade
                }
            }
            pics.write_masks(primary, secondary);
        }
    });
}

/// Called by the stubs with the saved frame.
pub extern "sysv64" fn dispatch(frame: &mut Frame) {
    let vector = frame.vector as u8;
    if vector < IRQ_BASE {
        exception(frame);
    }
    let irq = vector - IRQ_BASE;
    let handler = IRQ_HANDLERS[irq as usize].load(Ordering::Acquire);
    if handler != 0 {
        // SAFETY: only `set_irq_handler` stores here, from a `fn(u8)`.
        let handler: fn(u8) = unsafe { core::mem::transmute(handler) };
        handler(irq);
    }
    // SAFETY: acknowledging the interrupt being handled. A spurious IRQ 7
    // or 15 is acknowledged too: harmless on QEMU's PIC.
    unsafe { PICS.lock().notify_end_of_interrupt(vector) };
}

const NAMES: [&str; 32] = [
    "divide error",
    "debug",
    "non-maskable interrupt",
    "breakpoint",
    "overflow",
    "bound range exceeded",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor segment overrun",
    "invalid TSS",
    "segment not present",
    "stack-segment fault",
    "general protection fault",
    "page fault",
    "reserved",
    "x87 floating-point error",
    "alignment check",
    "machine check",
    "SIMD floating-point error",
    "virtualization exception",
    "control protection exception",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "hypervisor injection exception",
    "VMM communication exception",
    "security exception",
    "reserved",
];

/// A CPU exception in the kernel is a kernel bug: report it on COM1 and
/// stop (through debug-exit with the failure status when asked to).
fn exception(frame: &Frame) -> ! {
    let vector = frame.vector as usize;
    super::super::serial::print_unlocked(format_args!(
        "walos: CPU exception {vector} ({}) at rip {:#x}, error code {:#x}",
        NAMES[vector], frame.rip, frame.error_code
    ));
    if vector == 14 {
        super::super::serial::print_unlocked(format_args!(", address {:#x}", Cr2::read_raw()));
    }
    super::super::serial::print_unlocked(format_args!(", rsp {:#x}\n", frame.rsp));
    if super::DEBUG_EXIT.load(Ordering::Relaxed) {
        super::debug_exit(walos_uefi_boot::debug_exit::value(None));
    }
    crate::acpi::halt()
}
