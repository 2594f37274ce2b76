//! What `sample/vga` needs besides the screen: a TGA decoder and centring.
//!
//! A library of its own (no_std, host-buildable) so that the tests can
//! decode the same image to check what the sample drew.

#![no_std]

extern crate alloc;

pub mod tga;

/// The top-left corner that centres an `image`-sized block on a `screen`
/// (both `(width, height)`); an image larger than the screen starts at 0
/// and the screen clips its right and bottom parts.
pub fn centre(screen: (u32, u32), image: (u32, u32)) -> (u32, u32) {
    (screen.0.saturating_sub(image.0) / 2, screen.1.saturating_sub(image.1) / 2)
}

#[cfg(test)]
mod tests {
    use super::centre;

    #[test]
    fn images_are_centred_or_start_at_the_corner() {
        assert_eq!(centre((800, 600), (192, 128)), (304, 236));
        assert_eq!(centre((801, 601), (192, 128)), (304, 236));
        assert_eq!(centre((100, 600), (192, 128)), (0, 236));
    }
}
