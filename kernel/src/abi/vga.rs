//! `vga`: the screen, as the original walos offered it.
//!
//! Pixels are `u32` values `0x00BBGGRR`; one whose top byte is not 0 is
//! transparent. The interface exists only on machines with a framebuffer:
//! elsewhere the linker refuses its imports (see [`super::Device`]).
//!
//! `put` reads the guest's block one row at a time, clipped to the screen,
//! and hands the loader only the opaque runs of each row: memory use is
//! bounded by the screen width whatever sizes the guest passes, and every
//! [`Framebuffer`] gets transparency right without doing anything.

use alloc::vec::Vec;

use crate::loader::Framebuffer;
use crate::syscall::valtypes::{ERRNO, I32};
use crate::syscall::{Errno, HostCall, Interface, SysResult, Syscall};

/// `vga`: framebuffer size and drawing.
pub static VGA: Interface = Interface {
    name: "vga",
    base: None,
    funcs: &[
        Syscall::sync("info", &[I32, I32], ERRNO, info),
        Syscall::sync("put", &[I32, I32, I32, I32, I32, I32], ERRNO, put),
    ],
};

/// Bytes per pixel.
const PIXEL: u64 = 4;

/// Whether a pixel is drawn.
fn opaque(pixel: u32) -> bool {
    pixel >> 24 == 0
}

/// `info(width: ptr<u32>, height: ptr<u32>) -> status`: the screen size in
/// pixels; `ENOTSUP` without a screen.
fn info(c: &mut HostCall<'_>) -> SysResult {
    let (width_ptr, height_ptr) = (c.u32(0), c.u32(1));
    let (width, height) = c.sys.loader.framebuffer().ok_or(Errno::NOTSUP)?.size();
    c.mem.check(width_ptr, PIXEL, 4)?;
    c.mem.check(height_ptr, PIXEL, 4)?;
    c.mem.write_u32(width_ptr, width)?;
    c.mem.write_u32(height_ptr, height)?;
    Ok(())
}

/// `put(x, y, buf, buf_size, width, height) -> status`: draws the
/// `width` x `height` block of pixels at `buf` with its top-left corner at
/// (`x`, `y`). `EINVAL` if `buf_size` bytes cannot hold the block; what
/// falls off the screen is dropped; transparent pixels are skipped.
fn put(c: &mut HostCall<'_>) -> SysResult {
    let (x, y, buf, buf_size, width, height) = (c.u32(0), c.u32(1), c.u32(2), c.u32(3), c.u32(4), c.u32(5));
    let screen = c.sys.loader.framebuffer().ok_or(Errno::NOTSUP)?;
    let row_bytes = u64::from(width) * PIXEL;
    let needed = row_bytes.checked_mul(u64::from(height)).ok_or(Errno::INVAL)?;
    if u64::from(buf_size) < needed {
        return Err(Errno::INVAL.into());
    }
    c.mem.bytes(buf, buf_size)?;

    let (screen_width, screen_height) = screen.size();
    if x >= screen_width || y >= screen_height {
        return Ok(());
    }
    // Columns and rows of the block that are on the screen.
    let columns = width.min(screen_width - x);
    let rows = height.min(screen_height - y);
    let mut row = Vec::with_capacity(columns as usize);
    for r in 0..rows {
        // In range: the whole block was checked to lie inside memory.
        let start = c.mem.offset(buf, u64::from(r) * row_bytes)?;
        let bytes = c.mem.bytes(start, columns * PIXEL as u32)?;
        row.clear();
        row.extend(bytes.as_chunks::<4>().0.iter().map(|p| u32::from_le_bytes(*p)));
        draw_opaque_runs(screen, x, y + r, &row);
    }
    Ok(())
}

/// Hands `row` to the screen as its maximal runs of opaque pixels.
fn draw_opaque_runs(screen: &mut dyn Framebuffer, x: u32, y: u32, row: &[u32]) {
    let mut at = 0;
    while at < row.len() {
        let Some(start) = row[at..].iter().position(|&p| opaque(p)).map(|s| at + s) else {
            return;
        };
        let end = row[start..].iter().position(|&p| !opaque(p)).map_or(row.len(), |e| start + e);
        screen.put_row(x + start as u32, y, &row[start..end]);
        at = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    struct Runs(Vec<(u32, u32, Vec<u32>)>);

    impl Framebuffer for Runs {
        fn size(&self) -> (u32, u32) {
            (100, 100)
        }

        fn put_row(&mut self, x: u32, y: u32, pixels: &[u32]) {
            self.0.push((x, y, pixels.to_vec()));
        }
    }

    #[test]
    fn only_opaque_runs_reach_the_screen() {
        const T: u32 = 0xff00_0000;
        let mut screen = Runs(Vec::new());
        draw_opaque_runs(&mut screen, 10, 3, &[T, 1, 2, T, 0x0100_0000, 3, T]);
        draw_opaque_runs(&mut screen, 0, 4, &[4, 5]);
        draw_opaque_runs(&mut screen, 0, 5, &[T, T]);
        assert_eq!(screen.0, [(11, 3, vec![1, 2]), (15, 3, vec![3]), (0, 4, vec![4, 5])]);
    }
}
