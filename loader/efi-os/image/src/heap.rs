//! The kernel heap: every region of conventional memory in the UEFI
//! memory map, handed to talc.

use talc::TalcLock;
use talc::source::Manual;
use walos_efi_os_bootinfo::{CONVENTIONAL, MemoryMap};

#[global_allocator]
static HEAP: TalcLock<spin::mutex::SpinMutex<()>, Manual> = TalcLock::new(Manual);

/// Regions below this are left alone: the first page catches null
/// pointers, and legacy devices live below 1 MiB.
const LOW_LIMIT: u64 = 1 << 20;

/// The part of a heap of `bytes` that the linear memories of all processes
/// may take together (`Config::max_total_memory`): the rest stays the
/// kernel's own, for compiled modules, files and buffers, so that no guest
/// can drive the kernel into the allocator's out-of-memory path.
pub fn guest_share(bytes: usize) -> usize {
    bytes / 4 * 3
}

/// Claims the conventional memory of `map`; returns how many bytes.
///
/// # Safety
/// Boot services must be gone, and conventional memory unused.
pub unsafe fn init(map: &MemoryMap) -> usize {
    let mut total = 0;
    // SAFETY: the stub's memory map, per the caller.
    for region in unsafe { map.regions() } {
        let end = region.start + region.pages * 4096;
        let start = region.start.max(LOW_LIMIT);
        if region.kind != CONVENTIONAL || end <= start {
            continue;
        }
        let size = (end - start) as usize;
        // SAFETY: free memory, identity-mapped by the firmware, owned by
        // nobody else from now on.
        if unsafe { HEAP.lock().claim(start as *mut u8, size) }.is_some() {
            total += size;
        }
    }
    total
}
