//! The firmware's text console (ConOut): the log and the program's output
//! on the screen, for a person watching the machine.
//!
//! Once a program draws on the framebuffer the console stops writing:
//! text scrolling the screen would move the picture.

use core::fmt::Write;
use core::sync::atomic::{AtomicBool, Ordering};

use uefi::system;

static SILENT: AtomicBool = AtomicBool::new(false);

/// Starts from a blank screen.
pub fn clear() {
    system::with_stdout(|out| {
        let _ = out.clear();
    });
}

/// Writes `text` (`\n` becomes the console's `\r\n`).
pub fn write(text: &str) {
    if SILENT.load(Ordering::Relaxed) {
        return;
    }
    system::with_stdout(|out| {
        let _ = out.write_str(text);
    });
}

/// Leaves the screen to the program that draws on it.
pub fn silence() {
    SILENT.store(true, Ordering::Relaxed);
}
