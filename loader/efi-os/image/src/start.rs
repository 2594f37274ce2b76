//! The image's entry point: a stack of our own, then Rust.

use walos_efi_os_bootinfo::BootInfo;

/// The kernel's stack. The firmware's stack is boot-services memory, and
/// small; interrupts and the wasm engine run on this one.
const STACK_SIZE: usize = 2 << 20;

/// Page-aligned: its first page is the guard page (see [`crate::paging`]).
#[repr(C, align(4096))]
struct Stack([u8; STACK_SIZE]);

static mut STACK: Stack = Stack([0; STACK_SIZE]);

/// The unmapped page below the usable stack.
pub fn guard_page() -> u64 {
    &raw const STACK as u64
}

/// Called by the stub (SysV ABI) with the boot information in `rdi`:
/// switches to [`STACK`] and calls [`crate::main`], which never returns.
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub extern "sysv64" fn _start(info: &'static BootInfo) -> ! {
    core::arch::naked_asm!(
        "lea rsp, [rip + {stack} + {size}]",
        "xor ebp, ebp",
        "call {main}",
        "ud2",
        stack = sym STACK,
        size = const STACK_SIZE,
        main = sym enter,
    )
}

extern "sysv64" fn enter(info: &'static BootInfo) -> ! {
    crate::main(info)
}
