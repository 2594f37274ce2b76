//! Our own GDT and TSS: the firmware's live in boot-services memory, and
//! the TSS gives the double-fault handler a stack of its own (a kernel
//! stack overflow would otherwise turn into a triple fault).

use spin::Once;
use x86_64::VirtAddr;
use x86_64::instructions::segmentation::{CS, DS, ES, SS, Segment};
use x86_64::instructions::tables::load_tss;
use x86_64::structures::gdt::{Descriptor, GlobalDescriptorTable, SegmentSelector};
use x86_64::structures::tss::TaskStateSegment;

/// The interrupt-stack-table slot of the double-fault handler.
pub const DOUBLE_FAULT_IST: u16 = 0;

const IST_SIZE: usize = 64 << 10;

#[repr(C, align(16))]
struct Stack([u8; IST_SIZE]);

static mut DOUBLE_FAULT_STACK: Stack = Stack([0; IST_SIZE]);

static TSS: Once<TaskStateSegment> = Once::new();
static GDT: Once<(GlobalDescriptorTable, SegmentSelector, SegmentSelector, SegmentSelector)> = Once::new();

pub fn init() {
    let tss = TSS.call_once(|| {
        let mut tss = TaskStateSegment::new();
        let stack = &raw const DOUBLE_FAULT_STACK;
        tss.interrupt_stack_table[DOUBLE_FAULT_IST as usize] = VirtAddr::from_ptr(stack) + IST_SIZE as u64;
        tss
    });
    let (gdt, code, data, tss_selector) = GDT.call_once(|| {
        let mut gdt = GlobalDescriptorTable::new();
        let code = gdt.append(Descriptor::kernel_code_segment());
        let data = gdt.append(Descriptor::kernel_data_segment());
        let tss = gdt.append(Descriptor::tss_segment(tss));
        (gdt, code, data, tss)
    });
    gdt.load();
    // SAFETY: the selectors of the GDT just loaded, for ring-0 code and data.
    unsafe {
        CS::set_reg(*code);
        SS::set_reg(*data);
        DS::set_reg(*data);
        ES::set_reg(*data);
        load_tss(*tss_selector);
    }
}
