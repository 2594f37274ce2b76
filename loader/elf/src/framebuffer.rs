//! `--framebuffer FILE.ppm`: a screen in memory, saved as an image when the
//! program ends, so that what a program draws with `vga` can be looked at
//! (and tested) without a display.

use std::cell::RefCell;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::str::FromStr;

use walos_kernel::loader::Framebuffer;

/// The largest width or height accepted: memory stays bounded (at most
/// 16384 x 16384 x 4 bytes = 1 GiB).
const MAX_SIDE: u32 = 16384;

/// A screen size, written `WIDTHxHEIGHT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub width: u32,
    pub height: u32,
}

impl FromStr for Size {
    type Err = String;

    fn from_str(text: &str) -> Result<Size, String> {
        let bad =
            || format!("`{text}` is not a screen size: expected WIDTHxHEIGHT, each 1 to {MAX_SIDE}, e.g. 800x600");
        let (width, height) = text.split_once(['x', 'X']).ok_or_else(bad)?;
        let side = |s: &str| s.parse::<u32>().ok().filter(|n| (1..=MAX_SIDE).contains(n)).ok_or_else(bad);
        Ok(Size { width: side(width)?, height: side(height)? })
    }
}

/// The pixels of a screen, `0x00BBGGRR`, row after row; black at first.
#[derive(Debug)]
pub struct Pixels {
    pub size: Size,
    pub data: Vec<u32>,
}

/// The screen the kernel draws on; the loader keeps a handle on the same
/// pixels to save them after the kernel is done.
pub struct Screen {
    pixels: Rc<RefCell<Pixels>>,
}

impl Screen {
    pub fn new(size: Size) -> Screen {
        let data = vec![0; size.width as usize * size.height as usize];
        Screen { pixels: Rc::new(RefCell::new(Pixels { size, data })) }
    }

    /// The pixels, shared with the screen.
    pub fn pixels(&self) -> Rc<RefCell<Pixels>> {
        self.pixels.clone()
    }
}

impl Framebuffer for Screen {
    fn size(&self) -> (u32, u32) {
        let size = self.pixels.borrow().size;
        (size.width, size.height)
    }

    fn put_row(&mut self, x: u32, y: u32, pixels: &[u32]) {
        let mut screen = self.pixels.borrow_mut();
        let start = y as usize * screen.size.width as usize + x as usize;
        // The kernel clipped the run; `get_mut` keeps a wrong one harmless.
        let Some(row) = screen.data.get_mut(start..start + pixels.len()) else { return };
        for (dst, &src) in row.iter_mut().zip(pixels) {
            if src >> 24 == 0 {
                *dst = src;
            }
        }
    }
}

/// An image file to write the screen to, created before the program runs
/// so that a bad path is reported at once.
pub struct Output {
    path: PathBuf,
    file: File,
}

impl Output {
    pub fn create(path: &Path) -> Result<Output, String> {
        let file = File::create(path).map_err(|err| format!("--framebuffer {}: {err}", path.display()))?;
        Ok(Output { path: path.to_path_buf(), file })
    }

    /// Writes the screen as a binary PPM (P6), the format of QEMU's
    /// `screendump`.
    pub fn save(self, pixels: &Pixels) -> Result<(), String> {
        let error = |err: std::io::Error| format!("--framebuffer {}: {err}", self.path.display());
        let mut out = BufWriter::new(&self.file);
        write_ppm(&mut out, pixels).and_then(|()| out.flush()).map_err(error)
    }
}

fn write_ppm(out: &mut impl Write, pixels: &Pixels) -> std::io::Result<()> {
    write!(out, "P6\n{} {}\n255\n", pixels.size.width, pixels.size.height)?;
    for row in pixels.data.chunks(pixels.size.width as usize) {
        let rgb: Vec<u8> = row.iter().flat_map(|&p| [p as u8, (p >> 8) as u8, (p >> 16) as u8]).collect();
        out.write_all(&rgb)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_are_bounded() {
        assert_eq!("640x480".parse(), Ok(Size { width: 640, height: 480 }));
        assert_eq!("1X2".parse(), Ok(Size { width: 1, height: 2 }));
        for bad in ["640", "0x480", "640x", "x", "99999x1", "-1x5", "axb"] {
            let err = bad.parse::<Size>().unwrap_err();
            assert!(err.starts_with(&format!("`{bad}` is not a screen size: expected WIDTHxHEIGHT")), "{err}");
        }
    }

    #[test]
    fn transparent_pixels_are_skipped_and_ppm_is_rgb() {
        let mut screen = Screen::new(Size { width: 3, height: 2 });
        screen.put_row(1, 1, &[0x00_33_22_11, 0xff_ff_ff_ff]);
        screen.put_row(2, 1, &[0x01_00_00_00]);
        let pixels = screen.pixels();
        let mut ppm = Vec::new();
        write_ppm(&mut ppm, &pixels.borrow()).unwrap();
        let mut expected = b"P6\n3 2\n255\n".to_vec();
        expected.extend([0; 12]);
        expected.extend([0x11, 0x22, 0x33, 0, 0, 0]);
        assert_eq!(ppm, expected);
    }
}
