//! Our own page tables: the same identity mapping as the firmware's, but
//! with a hole (a guard page) below the kernel stack, so that a kernel
//! stack overflow faults (and reaches the double-fault handler on its own
//! stack) instead of silently overwriting memory.
//!
//! Memory is mapped with 2 MiB pages up to the highest address the memory
//! map or the framebuffer uses (at least 4 GiB, where the firmware puts
//! device memory); only the 2 MiB around the guard page uses 4 KiB pages.
//! The tables come from the heap, which is identity-mapped too.

use alloc::boxed::Box;
use core::sync::atomic::{AtomicU64, Ordering};

use walos_efi_os_bootinfo::{Framebuffer, MemoryMap};
use x86_64::PhysAddr;
use x86_64::registers::control::{Cr3, Cr3Flags};
use x86_64::structures::paging::{PageTable, PageTableFlags as Flags, PhysFrame};

const KIB4: u64 = 4 << 10;
const MIB2: u64 = 2 << 20;
const GIB1: u64 = 1 << 30;
/// One page-directory-pointer table: 512 GiB.
const MAPPED_MAX: u64 = 512 * GIB1;

/// The end of the identity mapping: device memory below it is reachable.
static MAPPED_END: AtomicU64 = AtomicU64::new(0);

/// Whether `start..start + len` is identity-mapped.
pub fn is_mapped(start: u64, len: u64) -> bool {
    start.checked_add(len).is_some_and(|end| end <= MAPPED_END.load(Ordering::Relaxed))
}

fn table() -> &'static mut PageTable {
    Box::leak(Box::new(PageTable::new()))
}

fn address(table: &PageTable) -> PhysAddr {
    PhysAddr::new(table as *const PageTable as u64)
}

/// Switches to the new tables, with `guard` (a 4 KiB-aligned address) left
/// unmapped.
///
/// # Safety
/// The heap must be set up; nothing may rely on mappings other than the
/// identity mapping of memory and the framebuffer.
pub unsafe fn init(map: &MemoryMap, framebuffer: &Framebuffer, guard: u64) {
    // SAFETY: the stub's memory map, per the caller.
    let memory_end = unsafe { map.regions() }.map(|r| r.start + r.pages * KIB4).max().unwrap_or(0);
    let framebuffer_end = framebuffer.base + framebuffer.size as u64;
    let end = memory_end.max(framebuffer_end).clamp(4 * GIB1, MAPPED_MAX).div_ceil(GIB1) * GIB1;

    MAPPED_END.store(end, Ordering::Relaxed);
    let table_flags = Flags::PRESENT | Flags::WRITABLE;
    let pml4 = table();
    let pdpt = table();
    pml4[0].set_addr(address(pdpt), table_flags);
    for gib in 0..end / GIB1 {
        let directory = table();
        for (i, entry) in directory.iter_mut().enumerate() {
            let at = gib * GIB1 + i as u64 * MIB2;
            if at == guard & !(MIB2 - 1) {
                let pages = table();
                for (j, page) in pages.iter_mut().enumerate() {
                    let at = at + j as u64 * KIB4;
                    if at != guard {
                        page.set_addr(PhysAddr::new(at), table_flags);
                    }
                }
                entry.set_addr(address(pages), table_flags);
            } else {
                entry.set_addr(PhysAddr::new(at), table_flags | Flags::HUGE_PAGE);
            }
        }
        pdpt[gib as usize].set_addr(address(directory), table_flags);
    }
    // SAFETY: the new tables map everything the old ones did that the
    // kernel uses, at the same addresses (per the caller).
    unsafe { Cr3::write(PhysFrame::containing_address(address(pml4)), Cr3Flags::empty()) };
}
