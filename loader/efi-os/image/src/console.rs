//! The screen: the GOP framebuffer behind the `vga` interface, and a text
//! console on it where the log and the program's output are drawn too.
//!
//! Text is 8x8 `font8x8` glyphs scaled twice (16x16 cells). The console
//! does not scroll (that would move what programs drew): at the bottom it
//! wraps to the top line, clearing each line before writing it.

use font8x8::legacy::BASIC_LEGACY;
use spin::mutex::SpinMutex;
use walos_efi_os_bootinfo::{Framebuffer, PixelFormat};

/// Glyph scale: 8x8 glyphs are too small to read on a 1280x800 screen.
const SCALE: u32 = 2;
const CELL: u32 = 8 * SCALE;
const FOREGROUND: u32 = 0x00c0_c0c0;

/// The framebuffer, as the stub found it. Copies of it draw on the same
/// pixels: the `vga` interface's and the console's (both used from the
/// kernel's one thread, never from interrupt handlers).
#[derive(Clone)]
pub struct Screen {
    base: *mut u32,
    width: u32,
    height: u32,
    stride: u32,
    format: PixelFormat,
}

// SAFETY: the framebuffer is plain memory, reachable from any context.
unsafe impl Send for Screen {}

/// Text on the screen, where the next character goes.
struct Console {
    screen: Screen,
    column: u32,
    row: u32,
}

static CONSOLE: SpinMutex<Option<Console>> = SpinMutex::new(None);

/// Draws `bytes` on the console, if there is a screen.
pub fn write(bytes: &[u8]) {
    if let Some(console) = CONSOLE.lock().as_mut() {
        console.write_text(bytes);
    }
}

impl Screen {
    /// The screen, cleared, which the console draws on too.
    ///
    /// # Safety
    /// `fb` must describe a mapped framebuffer that nothing else uses.
    pub unsafe fn new(fb: &Framebuffer) -> Option<Screen> {
        let fits = u64::from(fb.stride) * u64::from(fb.height) * 4 <= fb.size as u64;
        if fb.base == 0 || fb.width == 0 || fb.stride < fb.width || !fits {
            return None;
        }
        let screen = Screen {
            base: fb.base as *mut u32,
            width: fb.width,
            height: fb.height,
            stride: fb.stride,
            format: fb.format,
        };
        // The firmware's messages are gone with the firmware: start black.
        // SAFETY: the whole framebuffer, checked above.
        unsafe { core::ptr::write_bytes(screen.base, 0, (fb.stride * fb.height) as usize) };
        *CONSOLE.lock() = Some(Console { screen: screen.clone(), column: 0, row: 0 });
        Some(screen)
    }

    /// A `0x00BBGGRR` colour in the framebuffer's format.
    fn native(&self, rgb: u32) -> u32 {
        match self.format {
            PixelFormat::Rgb => rgb & 0x00ff_ffff,
            PixelFormat::Bgr => ((rgb & 0xff) << 16) | (rgb & 0xff00) | ((rgb >> 16) & 0xff),
        }
    }

    fn set(&mut self, x: u32, y: u32, native: u32) {
        if x < self.width && y < self.height {
            // SAFETY: inside the framebuffer (checked in `new` and here);
            // volatile, as it is device memory.
            unsafe { self.base.add((y * self.stride + x) as usize).write_volatile(native) };
        }
    }
}

impl Console {
    /// Writes console text: printable ASCII, `\n`, `\t`, backspace (one
    /// column left, as a shell's `\x08 \x08` rub-out needs); other bytes
    /// show as a box.
    pub fn write_text(&mut self, bytes: &[u8]) {
        let columns = self.screen.width / CELL;
        let rows = self.screen.height / CELL;
        if columns == 0 || rows == 0 {
            return;
        }
        for &byte in bytes {
            if self.column == 0 {
                self.clear_row();
            }
            match byte {
                b'\n' => self.newline(rows),
                b'\r' => self.column = 0,
                0x08 => self.column = self.column.saturating_sub(1),
                b'\t' => {
                    for _ in 0..4 - self.column % 4 {
                        self.glyph(b' ');
                    }
                }
                byte => self.glyph(byte),
            }
            if self.column >= columns {
                self.newline(rows);
            }
        }
    }

    fn newline(&mut self, rows: u32) {
        self.column = 0;
        self.row = (self.row + 1) % rows;
    }

    fn clear_row(&mut self) {
        let black = self.screen.native(0);
        for y in self.row * CELL..(self.row + 1) * CELL {
            for x in 0..self.screen.width {
                self.screen.set(x, y, black);
            }
        }
    }

    fn glyph(&mut self, byte: u8) {
        let shape = BASIC_LEGACY.get(usize::from(byte)).copied().unwrap_or([0xff; 8]);
        let (on, off) = (self.screen.native(FOREGROUND), self.screen.native(0));
        let (x0, y0) = (self.column * CELL, self.row * CELL);
        for (dy, bits) in shape.iter().enumerate() {
            for dx in 0..8 {
                let colour = if bits >> dx & 1 == 1 { on } else { off };
                for sy in 0..SCALE {
                    for sx in 0..SCALE {
                        self.screen.set(x0 + dx * SCALE + sx, y0 + dy as u32 * SCALE + sy, colour);
                    }
                }
            }
        }
        self.column += 1;
    }
}

impl walos_kernel::loader::Framebuffer for Screen {
    fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    fn put_row(&mut self, x: u32, y: u32, pixels: &[u32]) {
        for (i, &pixel) in pixels.iter().enumerate() {
            if pixel >> 24 == 0 {
                let native = self.native(pixel);
                self.set(x + i as u32, y, native);
            }
        }
    }
}
