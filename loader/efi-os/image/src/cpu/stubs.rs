//! The entry stubs of the interrupt vectors, as naked functions
//! (`extern "x86-interrupt"` is not stable Rust).
//!
//! Each stub pushes a zero where the CPU pushed no error code, then its
//! vector, and jumps to [`common`], which saves the general registers,
//! calls [`super::idt::dispatch`] with a pointer to the saved [`Frame`], and
//! returns with `iretq`. Floating-point and SSE state is not saved: the
//! kernel is built soft-float and never touches those registers.

use core::arch::naked_asm;

/// What the stubs and the CPU saved, lowest address first.
#[repr(C)]
#[derive(Debug)]
pub struct Frame {
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub r11: u64,
    pub r10: u64,
    pub r9: u64,
    pub r8: u64,
    pub rbp: u64,
    pub rdi: u64,
    pub rsi: u64,
    pub rdx: u64,
    pub rcx: u64,
    pub rbx: u64,
    pub rax: u64,
    pub vector: u64,
    pub error_code: u64,
    pub rip: u64,
    pub cs: u64,
    pub rflags: u64,
    pub rsp: u64,
    pub ss: u64,
}

/// Saves the registers and calls the dispatcher. On entry the stack holds
/// the vector, the error code and the CPU's frame: 7 words, and the CPU
/// aligned the stack to 16 bytes before pushing its 5 (or 6, with the error
/// code) so that, with the 15 saved registers, `rsp` is 16-byte aligned at
/// the call as the SysV ABI wants.
#[unsafe(naked)]
extern "sysv64" fn common() {
    naked_asm!(
        "push rax", "push rbx", "push rcx", "push rdx", "push rsi", "push rdi", "push rbp",
        "push r8", "push r9", "push r10", "push r11", "push r12", "push r13", "push r14", "push r15",
        "cld",
        "mov rdi, rsp",
        "call {dispatch}",
        "pop r15", "pop r14", "pop r13", "pop r12", "pop r11", "pop r10", "pop r9", "pop r8",
        "pop rbp", "pop rdi", "pop rsi", "pop rdx", "pop rcx", "pop rbx", "pop rax",
        "add rsp, 16",
        "iretq",
        dispatch = sym super::idt::dispatch,
    )
}

macro_rules! stubs {
    ($($vector:literal $kind:ident),* $(,)?) => {
        /// The stubs of vectors 0 to 47, in order.
        pub const STUBS: &[extern "sysv64" fn()] = &[$(stubs!(@one $vector $kind)),*];
    };
    (@one $vector:literal plain) => {{
        #[unsafe(naked)]
        extern "sysv64" fn stub() {
            naked_asm!("push 0", "push {v}", "jmp {common}", v = const $vector, common = sym common)
        }
        stub
    }};
    (@one $vector:literal code) => {{
        #[unsafe(naked)]
        extern "sysv64" fn stub() {
            naked_asm!("push {v}", "jmp {common}", v = const $vector, common = sym common)
        }
        stub
    }};
}

// Vectors 8, 10-14, 17, 21, 29 and 30 come with an error code; 32-47 are
// the remapped PIC interrupts.
stubs! {
    0 plain, 1 plain, 2 plain, 3 plain, 4 plain, 5 plain, 6 plain, 7 plain,
    8 code, 9 plain, 10 code, 11 code, 12 code, 13 code, 14 code, 15 plain,
    16 plain, 17 code, 18 plain, 19 plain, 20 plain, 21 code, 22 plain, 23 plain,
    24 plain, 25 plain, 26 plain, 27 plain, 28 plain, 29 code, 30 code, 31 plain,
    32 plain, 33 plain, 34 plain, 35 plain, 36 plain, 37 plain, 38 plain, 39 plain,
    40 plain, 41 plain, 42 plain, 43 plain, 44 plain, 45 plain, 46 plain, 47 plain,
}
