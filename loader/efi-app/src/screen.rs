//! The screen: the firmware's Graphics Output Protocol (GOP) behind the
//! kernel's `Framebuffer`.
//!
//! GOP is opened shared, not exclusively: an exclusive open would take the
//! screen away from the firmware's text console. Pixels are written to
//! video memory directly in the RGB and BGR formats; other formats go
//! through the firmware's block transfer.

use alloc::vec::Vec;

use uefi::boot::{self, OpenProtocolAttributes, OpenProtocolParams, ScopedProtocol};
use uefi::proto::console::gop::{BltOp, BltPixel, BltRegion, GraphicsOutput, PixelFormat};
use walos_kernel::loader::Framebuffer;

use crate::console;

pub struct Screen {
    gop: ScopedProtocol<GraphicsOutput>,
    width: u32,
    height: u32,
    /// Pixels per row of video memory.
    stride: usize,
    format: PixelFormat,
}

impl Screen {
    /// The machine's screen, if it has one.
    pub fn open() -> Option<Screen> {
        let handle = boot::get_handle_for_protocol::<GraphicsOutput>().ok()?;
        let params = OpenProtocolParams { handle, agent: boot::image_handle(), controller: None };
        // SAFETY: the console driver keeps using the protocol as well; both
        // only draw, and nobody changes the mode while walos runs.
        let gop = unsafe { boot::open_protocol::<GraphicsOutput>(params, OpenProtocolAttributes::GetProtocol) }.ok()?;
        let info = gop.current_mode_info();
        let (width, height) = info.resolution();
        Some(Screen {
            width: width as u32,
            height: height as u32,
            stride: info.stride(),
            format: info.pixel_format(),
            gop,
        })
    }

    /// Writes one pixel straight to video memory.
    fn store(&mut self, x: u32, y: u32, pixel: u32) {
        let value = match self.format {
            // Memory order R, G, B, reserved: the `vga` format as it is.
            PixelFormat::Rgb => pixel,
            // B, G, R: red and blue swap places.
            _ => (pixel & 0x00ff00) | (pixel & 0xff) << 16 | (pixel >> 16 & 0xff),
        };
        let index = (y as usize * self.stride + x as usize) * 4;
        // SAFETY: (x, y) is on the screen (the kernel clipped the run), so
        // the 4 bytes at `index` are inside the frame buffer.
        unsafe { self.gop.frame_buffer().write_value(index, value) };
    }

    /// Draws opaque runs through the firmware, for formats without direct
    /// access.
    fn blt(&mut self, x: u32, y: u32, pixels: &[u32]) {
        let mut start = 0;
        while start < pixels.len() {
            let opaque = pixels[start..].iter().take_while(|&&p| p >> 24 == 0).count();
            if opaque > 0 {
                let run: Vec<BltPixel> = pixels[start..start + opaque]
                    .iter()
                    .map(|&p| BltPixel::new(p as u8, (p >> 8) as u8, (p >> 16) as u8))
                    .collect();
                let _ = self.gop.blt(BltOp::BufferToVideo {
                    buffer: &run,
                    src: BltRegion::Full,
                    dest: (x as usize + start, y as usize),
                    dims: (opaque, 1),
                });
            }
            start += opaque;
            start += pixels[start..].iter().take_while(|&&p| p >> 24 != 0).count();
        }
    }
}

impl Framebuffer for Screen {
    fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    fn put_row(&mut self, x: u32, y: u32, pixels: &[u32]) {
        console::silence();
        match self.format {
            PixelFormat::Rgb | PixelFormat::Bgr => {
                for (dx, &pixel) in pixels.iter().enumerate() {
                    if pixel >> 24 == 0 {
                        self.store(x + dx as u32, y, pixel);
                    }
                }
            }
            _ => self.blt(x, y, pixels),
        }
    }
}
