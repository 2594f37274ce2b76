//! Decoding 32-bit TGA images (Truevision TGA, uncompressed true-colour) to
//! `vga` pixels.
//!
//! The format: an 18-byte header, an optional image id and colour map, then
//! the pixels as B, G, R, A bytes, rows bottom to top unless bit 5 of the
//! descriptor says top to bottom. Anything else is refused with a message
//! that says what the file has and what is supported.

use alloc::vec::Vec;
use core::fmt;

/// The size of the header.
pub const HEADER: usize = 18;

/// A transparent `vga` pixel.
pub const TRANSPARENT: u32 = 0xff00_0000;

/// A decoded image: `width * height` pixels `0x00BBGGRR`, row after row from
/// the top; a pixel whose alpha was below one half is [`TRANSPARENT`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u32>,
}

impl Image {
    /// The pixel at column `x`, row `y` (from the top-left corner).
    pub fn pixel(&self, x: u32, y: u32) -> Option<u32> {
        if x >= self.width || y >= self.height {
            return None;
        }
        self.pixels.get(y as usize * self.width as usize + x as usize).copied()
    }
}

/// Why an image was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Shorter than the header.
    NoHeader { len: usize },
    /// The colour-map type is neither 0 (none) nor 1 (present).
    ColorMapType(u8),
    /// Not an uncompressed true-colour image.
    ImageType(u8),
    /// Not 32 bits per pixel.
    Depth(u8),
    /// The descriptor's alpha depth is neither 8 nor 0.
    AlphaDepth(u8),
    /// Right-to-left pixel order.
    RightToLeft,
    /// Width or height 0.
    Empty { width: u16, height: u16 },
    /// The file ends before the last pixel.
    Truncated { width: u16, height: u16, needed: u64, len: usize },
}

fn type_name(image_type: u8) -> &'static str {
    match image_type {
        0 => "no image data",
        1 => "colour-mapped",
        2 => "true-colour",
        3 => "greyscale",
        9 => "run-length encoded colour-mapped",
        10 => "run-length encoded true-colour",
        11 => "run-length encoded greyscale",
        _ => "unknown",
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoHeader { len } => {
                write!(f, "not a TGA image: {len} bytes is shorter than the {HEADER}-byte header")
            }
            Error::ColorMapType(t) => write!(f, "not a TGA image: colour-map type {t} (0 or 1 expected)"),
            Error::ImageType(t) => write!(
                f,
                "unsupported TGA image type {t} ({}): only uncompressed true-colour (type 2) is supported",
                type_name(*t)
            ),
            Error::Depth(bits) => {
                write!(f, "unsupported TGA pixel depth of {bits} bits: only 32-bit pixels (BGRA) are supported")
            }
            Error::AlphaDepth(bits) => {
                write!(f, "unsupported TGA alpha depth of {bits} bits: 32-bit pixels have 8 (or 0 for none)")
            }
            Error::RightToLeft => f.write_str("unsupported TGA pixel order: right to left"),
            Error::Empty { width, height } => write!(f, "empty TGA image: {width}x{height} pixels"),
            Error::Truncated { width, height, needed, len } => {
                write!(f, "truncated TGA image: {width}x{height} pixels need {needed} bytes, the file has {len}")
            }
        }
    }
}

impl core::error::Error for Error {}

fn u16_at(data: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([data[at], data[at + 1]])
}

/// Decodes a 32-bit uncompressed true-colour TGA image.
pub fn decode(data: &[u8]) -> Result<Image, Error> {
    let header = data.get(..HEADER).ok_or(Error::NoHeader { len: data.len() })?;
    let (id_len, map_type, image_type) = (header[0], header[1], header[2]);
    let (map_len, map_entry_bits) = (u16_at(header, 5), header[7]);
    let (width, height, depth, descriptor) = (u16_at(header, 12), u16_at(header, 14), header[16], header[17]);
    if map_type > 1 {
        return Err(Error::ColorMapType(map_type));
    }
    if image_type != 2 {
        return Err(Error::ImageType(image_type));
    }
    if depth != 32 {
        return Err(Error::Depth(depth));
    }
    let alpha_bits = descriptor & 0x0f;
    if alpha_bits != 8 && alpha_bits != 0 {
        return Err(Error::AlphaDepth(alpha_bits));
    }
    if descriptor & 0x10 != 0 {
        return Err(Error::RightToLeft);
    }
    if width == 0 || height == 0 {
        return Err(Error::Empty { width, height });
    }

    // A true-colour image may carry a colour map; it is skipped.
    let map_bytes = if map_type == 1 { usize::from(map_len) * usize::from(map_entry_bits).div_ceil(8) } else { 0 };
    let start = HEADER + usize::from(id_len) + map_bytes;
    let (w, h) = (usize::from(width), usize::from(height));
    let row_bytes = w * 4;
    // In 64 bits: on wasm32 the largest image overflows `usize`.
    let needed = start as u64 + row_bytes as u64 * h as u64;
    if needed > data.len() as u64 {
        return Err(Error::Truncated { width, height, needed, len: data.len() });
    }
    let pixels = &data[start..needed as usize];

    let top_down = descriptor & 0x20 != 0;
    let mut out = Vec::with_capacity(w * h);
    for row in 0..h {
        let stored = if top_down { row } else { h - 1 - row };
        let bytes = &pixels[stored * row_bytes..][..row_bytes];
        out.extend(bytes.as_chunks::<4>().0.iter().map(|&[b, g, r, a]| {
            if alpha_bits == 8 && a < 0x80 {
                TRANSPARENT
            } else {
                u32::from(r) | u32::from(g) << 8 | u32::from(b) << 16
            }
        }));
    }
    Ok(Image { width: width.into(), height: height.into(), pixels: out })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    /// A header for a `width` x `height` image, then the pixel bytes.
    fn tga(image_type: u8, depth: u8, descriptor: u8, width: u16, height: u16, pixels: &[u8]) -> Vec<u8> {
        let mut data = vec![0u8; HEADER];
        data[2] = image_type;
        data[12..14].copy_from_slice(&width.to_le_bytes());
        data[14..16].copy_from_slice(&height.to_le_bytes());
        data[16] = depth;
        data[17] = descriptor;
        data.extend_from_slice(pixels);
        data
    }

    /// Two rows: red, transparent green / blue, half-opaque white (BGRA).
    const PIXELS: [u8; 16] = [0, 0, 255, 255, 0, 255, 0, 0, 255, 0, 0, 255, 255, 255, 255, 128];

    #[test]
    fn top_down_pixels_keep_their_order() {
        let image = decode(&tga(2, 32, 0x28, 2, 2, &PIXELS)).unwrap();
        assert_eq!((image.width, image.height), (2, 2));
        assert_eq!(image.pixels, [0x0000ff, TRANSPARENT, 0xff0000, 0xffffff]);
        assert_eq!(image.pixel(1, 1), Some(0xffffff));
        assert_eq!(image.pixel(2, 0), None);
    }

    #[test]
    fn bottom_up_rows_are_flipped() {
        let image = decode(&tga(2, 32, 0x08, 2, 2, &PIXELS)).unwrap();
        assert_eq!(image.pixels, [0xff0000, 0xffffff, 0x0000ff, TRANSPARENT]);
    }

    #[test]
    fn without_alpha_bits_every_pixel_is_opaque() {
        let image = decode(&tga(2, 32, 0x20, 2, 2, &PIXELS)).unwrap();
        assert_eq!(image.pixels[1], 0x00ff00);
    }

    #[test]
    fn the_image_id_and_colour_map_are_skipped() {
        let mut data = tga(2, 32, 0x28, 1, 1, &[]);
        data[0] = 3; // id length
        data[1] = 1; // colour map present: 2 entries of 24 bits
        data[5] = 2;
        data[7] = 24;
        data.extend_from_slice(b"id!");
        data.extend_from_slice(&[9; 6]);
        data.extend_from_slice(&[1, 2, 3, 255]);
        assert_eq!(decode(&data).unwrap().pixels, [0x010203]);
    }

    #[test]
    fn bad_images_are_refused_with_a_clear_message() {
        let message = |data: &[u8]| decode(data).unwrap_err().to_string();
        assert_eq!(message(b"GIF89a"), "not a TGA image: 6 bytes is shorter than the 18-byte header");
        let mut bad_map = tga(2, 32, 0x28, 2, 2, &PIXELS);
        bad_map[1] = 7;
        assert_eq!(message(&bad_map), "not a TGA image: colour-map type 7 (0 or 1 expected)");
        assert_eq!(
            message(&tga(10, 32, 0x28, 2, 2, &PIXELS)),
            "unsupported TGA image type 10 (run-length encoded true-colour): only uncompressed true-colour \
             (type 2) is supported"
        );
        assert_eq!(
            message(&tga(2, 24, 0x20, 2, 2, &PIXELS)),
            "unsupported TGA pixel depth of 24 bits: only 32-bit pixels (BGRA) are supported"
        );
        assert_eq!(
            message(&tga(2, 32, 0x21, 2, 2, &PIXELS)),
            "unsupported TGA alpha depth of 1 bits: 32-bit pixels have 8 (or 0 for none)"
        );
        assert_eq!(message(&tga(2, 32, 0x38, 2, 2, &PIXELS)), "unsupported TGA pixel order: right to left");
        assert_eq!(message(&tga(2, 32, 0x28, 0, 5, &[])), "empty TGA image: 0x5 pixels");
        assert_eq!(
            message(&tga(2, 32, 0x28, 2, 2, &PIXELS[..15])),
            "truncated TGA image: 2x2 pixels need 34 bytes, the file has 33"
        );
        // The largest header cannot make the decoder read out of bounds.
        assert_eq!(
            message(&tga(2, 32, 0x28, u16::MAX, u16::MAX, &PIXELS)),
            "truncated TGA image: 65535x65535 pixels need 17179344918 bytes, the file has 34"
        );
    }
}
