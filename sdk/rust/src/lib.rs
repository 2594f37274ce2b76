//! The walos native interfaces for Rust programs compiled to wasm.
//!
//! walos runs WASI programs as they are (use `std` for files, time,
//! arguments); this crate adds the interfaces that are walos's own:
//! [`stdout`], [`stdio`], [`sys`] (kernel log, yielding) and [`vga`] (the
//! screen). It is `no_std` and allocates nothing.
//!
//! ```no_run
//! walos_sdk::sys::log(walos_sdk::sys::Level::Info, "hello from Rust");
//! walos_sdk::stdout::write(&[b"Hello", b" world\n"]).unwrap();
//! ```
//!
//! The functions exist on wasm targets only: elsewhere there is no walos
//! kernel to call.

#![no_std]

use core::fmt;

#[cfg(target_family = "wasm")]
mod raw;

/// A failed call: a WASI errno number (the native interfaces share them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Error(pub u32);

impl Error {
    /// The stream is closed or not open for this.
    pub const BADF: Error = Error(8);
    /// An I/O error.
    pub const IO: Error = Error(29);
    /// The reader went away.
    pub const PIPE: Error = Error(64);
    /// An argument is wrong (a buffer too small for what it should hold).
    pub const INVAL: Error = Error(28);
    /// The machine cannot do this (no screen for `vga`).
    pub const NOTSUP: Error = Error(58);

    #[cfg(target_family = "wasm")]
    fn check(status: i32) -> Result<(), Error> {
        if status == 0 { Ok(()) } else { Err(Error(status as u32)) }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "walos error {}", self.0)
    }
}

impl core::error::Error for Error {}

/// A read-only buffer as the interfaces take it (`{ptr: u32, len: u32}`).
#[cfg(target_family = "wasm")]
#[repr(C)]
#[derive(Clone, Copy)]
struct CioVec {
    ptr: *const u8,
    len: usize,
}

/// Calls `write` with `bufs` as iovecs, a few at a time so that nothing is
/// allocated.
#[cfg(target_family = "wasm")]
fn write_all(bufs: &[&[u8]], write: unsafe extern "C" fn(*const CioVec, u32) -> i32) -> Result<(), Error> {
    const BATCH: usize = 16;
    for chunk in bufs.chunks(BATCH) {
        let mut iovs = [CioVec { ptr: core::ptr::null(), len: 0 }; BATCH];
        for (iov, buf) in iovs.iter_mut().zip(chunk) {
            *iov = CioVec { ptr: buf.as_ptr(), len: buf.len() };
        }
        // SAFETY: the iovecs point into live slices for the whole call.
        Error::check(unsafe { write(iovs.as_ptr(), chunk.len() as u32) })?;
    }
    Ok(())
}

/// The `stdout` interface: the program's output.
#[cfg(target_family = "wasm")]
pub mod stdout {
    use super::{Error, raw};

    /// Writes the buffers, in order.
    pub fn write(bufs: &[&[u8]]) -> Result<(), Error> {
        super::write_all(bufs, raw::stdout_write)
    }

    /// Writes one byte.
    pub fn putc(byte: u8) -> Result<(), Error> {
        // SAFETY: a plain value crosses.
        Error::check(unsafe { raw::stdout_putc(byte.into()) })
    }
}

/// The `stdio` interface: output and input.
#[cfg(target_family = "wasm")]
pub mod stdio {
    use super::{Error, raw};

    /// Writes the buffers, in order.
    pub fn write(bufs: &[&[u8]]) -> Result<(), Error> {
        super::write_all(bufs, raw::stdio_write)
    }

    /// Writes one byte.
    pub fn putc(byte: u8) -> Result<(), Error> {
        // SAFETY: a plain value crosses.
        Error::check(unsafe { raw::stdio_putc(byte.into()) })
    }

    /// The next byte of input, waiting for it (the process sleeps
    /// meanwhile); `None` at end of input.
    pub fn getc() -> Option<u8> {
        // SAFETY: no arguments.
        u8::try_from(unsafe { raw::stdio_getc() }).ok()
    }
}

/// The `sys` interface: the kernel log and the scheduler.
pub mod sys {
    /// Log levels, most severe first (syslog order).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    #[repr(u32)]
    pub enum Level {
        Emerg = 0,
        Alert = 1,
        Crit = 2,
        Err = 3,
        Warn = 4,
        Notice = 5,
        Info = 6,
        Debug = 7,
    }

    /// Logs `message` as one line prefixed with the process name, if the
    /// kernel's log level lets `level` through.
    #[cfg(target_family = "wasm")]
    pub fn log(level: Level, message: &str) {
        let iov = super::CioVec { ptr: message.as_ptr(), len: message.len() };
        // SAFETY: the iovec points into `message` for the whole call.
        unsafe { super::raw::sys_log(level as u32, &iov, 1) }
    }

    /// Gives the CPU to the other processes.
    #[cfg(target_family = "wasm")]
    pub fn yield_now() {
        // SAFETY: no arguments.
        unsafe { super::raw::sys_yield() }
    }

    /// Does nothing: the cost of a syscall by itself.
    #[cfg(target_family = "wasm")]
    pub fn nop() {
        // SAFETY: no arguments.
        unsafe { super::raw::sys_nop() }
    }
}

/// The `vga` interface: the screen, a framebuffer of 32-bit pixels.
///
/// Pixels are `0x00BBGGRR` (see [`vga::rgb`]); one whose top byte is not 0
/// is transparent. A program importing `vga` does not start on a machine
/// without a screen (`walos run --framebuffer FILE.ppm` gives the Linux
/// loader one).
pub mod vga {
    /// A transparent pixel: `put` leaves the screen under it unchanged.
    pub const TRANSPARENT: u32 = 0xff00_0000;

    /// A pixel from its red, green and blue components.
    pub const fn rgb(r: u8, g: u8, b: u8) -> u32 {
        r as u32 | (g as u32) << 8 | (b as u32) << 16
    }

    /// Whether `put` draws this pixel.
    pub const fn is_opaque(pixel: u32) -> bool {
        pixel >> 24 == 0
    }

    /// The screen's width and height in pixels; [`super::Error::NOTSUP`]
    /// without a screen.
    #[cfg(target_family = "wasm")]
    pub fn info() -> Result<(u32, u32), super::Error> {
        let (mut width, mut height) = (0, 0);
        // SAFETY: both pointers are to live, aligned `u32`s.
        super::Error::check(unsafe { super::raw::vga_info(&mut width, &mut height) })?;
        Ok((width, height))
    }

    /// Draws `pixels`, a `width` x `height` block stored row after row, with
    /// its top-left corner at (`x`, `y`); what falls off the screen is
    /// dropped. [`super::Error::INVAL`] if `pixels` is shorter than the
    /// block.
    #[cfg(target_family = "wasm")]
    pub fn put(x: u32, y: u32, width: u32, height: u32, pixels: &[u32]) -> Result<(), super::Error> {
        let size = u32::try_from(core::mem::size_of_val(pixels)).unwrap_or(u32::MAX);
        // SAFETY: the kernel reads at most `size` bytes of `pixels`.
        super::Error::check(unsafe { super::raw::vga_put(x, y, pixels.as_ptr(), size, width, height) })
    }
}
