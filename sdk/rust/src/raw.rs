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
    #[link_name = "nop"]
    pub fn sys_nop();
}

#[link(wasm_import_module = "vga")]
unsafe extern "C" {
    #[link_name = "info"]
    pub fn vga_info(width: *mut u32, height: *mut u32) -> i32;
    #[link_name = "put"]
    pub fn vga_put(x: u32, y: u32, buf: *const u32, buf_size: u32, width: u32, height: u32) -> i32;
}
