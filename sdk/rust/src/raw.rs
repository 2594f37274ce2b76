//! The imports themselves.

use crate::CioVec;

#[link(wasm_import_module = "stdout")]
unsafe extern "C" {
    #[link_name = "write"]
    pub fn stdout_write(iovs: *const CioVec, count: u32) -> i32;
    #[link_name = "putc"]
    pub fn stdout_putc(c: i32) -> i32;
}

#[link(wasm_import_module = "stdio")]
unsafe extern "C" {
    #[link_name = "write"]
    pub fn stdio_write(iovs: *const CioVec, count: u32) -> i32;
    #[link_name = "putc"]
    pub fn stdio_putc(c: i32) -> i32;
    #[link_name = "getc"]
    pub fn stdio_getc() -> i32;
}

#[link(wasm_import_module = "sys")]
unsafe extern "C" {
    #[link_name = "log"]
    pub fn sys_log(level: u32, iovs: *const CioVec, count: u32);
    #[link_name = "yield"]
    pub fn sys_yield();
    #[link_name = "dmesg"]
    pub fn sys_dmesg(buf: *mut u8, len: u32, size: *mut u32) -> i32;
    #[link_name = "set_log_level"]
    pub fn sys_set_log_level(level: u32) -> i32;
    #[link_name = "exec"]
    pub fn sys_exec(name: *const u8, name_len: u32, code: *const u8, code_len: u32) -> i32;
    #[link_name = "nop"]
    pub fn sys_nop();
}

#[link(wasm_import_module = "proc")]
unsafe extern "C" {
    #[link_name = "spawn"]
    pub fn proc_spawn(
        name: *const u8,
        name_len: u32,
        args: *const CioVec,
        args_count: u32,
        env: *const CioVec,
        env_count: u32,
        pid: *mut u32,
    ) -> i32;
    #[link_name = "spawn_module"]
    pub fn proc_spawn_module(
        name: *const u8,
        name_len: u32,
        code: *const u8,
        code_len: u32,
        args: *const CioVec,
        args_count: u32,
        env: *const CioVec,
        env_count: u32,
        pid: *mut u32,
    ) -> i32;
    #[link_name = "wait"]
    pub fn proc_wait(pid: u32, status: *mut u32) -> i32;
    #[link_name = "kill"]
    pub fn proc_kill(pid: u32) -> i32;
    #[link_name = "set_foreground"]
    pub fn proc_set_foreground(pid: u32) -> i32;
    #[link_name = "modules"]
    pub fn proc_modules(buf: *mut u8, len: u32, size: *mut u32) -> i32;
    #[link_name = "list"]
    pub fn proc_list(buf: *mut crate::proc::ProcInfo, buf_size: u32, count: *mut u32) -> i32;
}

#[link(wasm_import_module = "vga")]
unsafe extern "C" {
    #[link_name = "info"]
    pub fn vga_info(width: *mut u32, height: *mut u32) -> i32;
    #[link_name = "put"]
    pub fn vga_put(x: u32, y: u32, buf: *const u32, buf_size: u32, width: u32, height: u32) -> i32;
}

#[link(wasm_import_module = "hw")]
unsafe extern "C" {
    #[link_name = "key_read"]
    pub fn hw_key_read() -> i32;
}

#[link(wasm_import_module = "pci")]
unsafe extern "C" {
    #[link_name = "count"]
    pub fn pci_count() -> u32;
    #[link_name = "info"]
    pub fn pci_info(n: u32, out: *mut u8, len: u32) -> u32;
    #[link_name = "config_read"]
    pub fn pci_config_read(n: u32, offset: u32, width: u32) -> u32;
    #[link_name = "config_write"]
    pub fn pci_config_write(n: u32, offset: u32, width: u32, value: u32);
    #[link_name = "bar_read"]
    pub fn pci_bar_read(n: u32, bar: u32, offset: u32, width: u32) -> u32;
    #[link_name = "bar_write"]
    pub fn pci_bar_write(n: u32, bar: u32, offset: u32, width: u32, value: u32);
    #[link_name = "dma_alloc"]
    pub fn pci_dma_alloc(bytes: u32) -> i32;
    #[link_name = "dma_address"]
    pub fn pci_dma_address(handle: u32) -> u64;
    #[link_name = "dma_write"]
    pub fn pci_dma_write(handle: u32, offset: u32, src: *const u8, len: u32) -> u32;
    #[link_name = "dma_read"]
    pub fn pci_dma_read(handle: u32, offset: u32, dst: *mut u8, len: u32) -> u32;
    #[link_name = "dma_free"]
    pub fn pci_dma_free(handle: u32) -> u32;
    #[link_name = "irq_wait"]
    pub fn pci_irq_wait(devices: u32) -> u32;
}

#[link(wasm_import_module = "x86")]
unsafe extern "C" {
    #[link_name = "io_read8"]
    pub fn x86_io_read8(port: u32) -> u32;
    #[link_name = "io_write8"]
    pub fn x86_io_write8(port: u32, value: u32);
    #[link_name = "irq_wait"]
    pub fn x86_irq_wait(lines: u32) -> u32;
}
