//! Reading binary PPM (P6) images: what `walos run --framebuffer` writes
//! and what QEMU's `screendump` gives.

/// An image as `0x00BBGGRR` pixels (the `vga` format), row after row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ppm {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u32>,
}

impl Ppm {
    /// The pixel at (`x`, `y`); panics outside the image.
    pub fn pixel(&self, x: u32, y: u32) -> u32 {
        assert!(x < self.width && y < self.height, "({x}, {y}) is outside the {}x{} image", self.width, self.height);
        self.pixels[(y * self.width + x) as usize]
    }
}

/// Parses a P6 image with 8-bit samples (comments allowed in the header).
pub fn parse(data: &[u8]) -> Result<Ppm, String> {
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        match data.get(at) {
            None => return Err("PPM header ends early".into()),
            Some(b'#') => at += data[at..].iter().position(|&b| b == b'\n').unwrap_or(data.len() - at),
            Some(b) if b.is_ascii_whitespace() => at += 1,
            Some(_) => {
                let len = data[at..].iter().position(u8::is_ascii_whitespace).unwrap_or(data.len() - at);
                fields.push(String::from_utf8_lossy(&data[at..at + len]).into_owned());
                at += len;
            }
        }
    }
    // One whitespace byte separates the header from the samples.
    at += 1;
    if fields[0] != "P6" || fields[3] != "255" {
        return Err(format!("not a P6 image with 8-bit samples: {fields:?}"));
    }
    let number = |s: &str| s.parse::<u32>().map_err(|_| format!("bad PPM size `{s}`"));
    let (width, height) = (number(&fields[1])?, number(&fields[2])?);
    let samples = data.get(at..).unwrap_or_default();
    let needed = width as usize * height as usize * 3;
    if samples.len() < needed {
        return Err(format!("PPM {width}x{height} needs {needed} bytes of samples, has {}", samples.len()));
    }
    let pixels = samples[..needed]
        .as_chunks::<3>()
        .0
        .iter()
        .map(|&[r, g, b]| u32::from(r) | u32::from(g) << 8 | u32::from(b) << 16)
        .collect();
    Ok(Ppm { width, height, pixels })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p6_images_parse() {
        let image = parse(b"P6\n# made by hand\n2 1\n255\n\x01\x02\x03\x0a\x0b\x0c").unwrap();
        assert_eq!((image.width, image.height), (2, 1));
        assert_eq!(image.pixels, [0x030201, 0x0c0b0a]);
        assert_eq!(image.pixel(1, 0), 0x0c0b0a);
        assert!(parse(b"P3\n1 1\n255\n1 2 3").is_err());
        assert!(parse(b"P6\n2 2\n255\n\x01").is_err());
    }
}
