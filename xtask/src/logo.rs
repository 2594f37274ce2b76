//! `cargo xtask logo`: draws the walos logo that `sample/vga` shows and
//! writes it as `sample/vga/logo.tga`.
//!
//! A navy badge with rounded (transparent) corners, a thick "W" shaded from
//! cyan to violet, and a yellow wave under it. Only exact IEEE operations
//! (no `sin`, no `sqrt`) are used, so every machine draws the same bytes and
//! a test can check that the committed file is this drawing.

use std::path::PathBuf;

use crate::root;

pub const WIDTH: u16 = 192;
pub const HEIGHT: u16 = 128;

/// RGBA, 0 alpha for transparent.
type Rgba = [u8; 4];

const CLEAR: Rgba = [0, 0, 0, 0];
const NAVY: Rgba = [24, 31, 56, 255];
const CYAN: [f64; 3] = [34.0, 211.0, 238.0];
const VIOLET: [f64; 3] = [168.0, 85.0, 247.0];
const YELLOW: Rgba = [250, 204, 21, 255];

/// Radius of the badge's corners.
const CORNER: f64 = 28.0;
/// The "W", as a polyline, and half its stroke width.
const W: [(f64, f64); 5] = [(28.0, 22.0), (62.0, 92.0), (96.0, 44.0), (130.0, 92.0), (164.0, 22.0)];
const STROKE: f64 = 7.0;

/// Where the logo lives in the repository.
pub fn path() -> PathBuf {
    root().join("sample/vga/logo.tga")
}

/// `logo`: writes the logo.
pub fn write() -> Result<(), String> {
    let path = path();
    std::fs::write(&path, tga()).map_err(|err| format!("{}: {err}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

/// The logo as a TGA file: uncompressed true-colour (type 2), 32 bits per
/// pixel with 8 of alpha, rows from the top (descriptor 0x28).
pub fn tga() -> Vec<u8> {
    let mut out = vec![0u8; 18];
    out[2] = 2;
    out[12..14].copy_from_slice(&WIDTH.to_le_bytes());
    out[14..16].copy_from_slice(&HEIGHT.to_le_bytes());
    out[16] = 32;
    out[17] = 0x28;
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let [r, g, b, a] = pixel(f64::from(x) + 0.5, f64::from(y) + 0.5);
            out.extend_from_slice(&[b, g, r, a]);
        }
    }
    out
}

/// The colour at the centre (`x`, `y`) of a pixel.
fn pixel(x: f64, y: f64) -> Rgba {
    if !inside_badge(x, y) {
        return CLEAR;
    }
    if W.windows(2).any(|seg| near_segment((x, y), seg[0], seg[1], STROKE)) {
        let t = (x / f64::from(WIDTH)).clamp(0.0, 1.0);
        let mix = |i: usize| (CYAN[i] + (VIOLET[i] - CYAN[i]) * t) as u8;
        return [mix(0), mix(1), mix(2), 255];
    }
    if (20.0..172.0).contains(&x) && (y - wave(x)).abs() <= 2.5 {
        return YELLOW;
    }
    NAVY
}

/// Inside the rectangle with rounded corners.
fn inside_badge(x: f64, y: f64) -> bool {
    let (w, h) = (f64::from(WIDTH), f64::from(HEIGHT));
    let cx = x.clamp(CORNER, w - CORNER);
    let cy = y.clamp(CORNER, h - CORNER);
    (x - cx) * (x - cx) + (y - cy) * (y - cy) <= CORNER * CORNER
}

/// Whether `p` is within `r` of the segment `a`-`b`.
fn near_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64), r: f64) -> bool {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
    let (ex, ey) = (a.0 + t * dx - p.0, a.1 + t * dy - p.1);
    ex * ex + ey * ey <= r * r
}

/// A wave of parabolic arcs, period 32 pixels, around y = 110.
fn wave(x: f64) -> f64 {
    let phase = x % 32.0;
    let (u, sign) = if phase < 16.0 { (phase / 16.0, 1.0) } else { ((phase - 16.0) / 16.0, -1.0) };
    110.0 - sign * 5.0 * 4.0 * u * (1.0 - u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_logo_is_the_drawing() {
        let committed = std::fs::read(path()).expect("sample/vga/logo.tga");
        assert!(committed == tga(), "sample/vga/logo.tga is stale: run `cargo xtask logo` and commit it");
    }

    #[test]
    fn corners_are_transparent_and_the_middle_is_drawn() {
        assert_eq!(pixel(1.5, 1.5), CLEAR);
        assert_eq!(pixel(190.5, 126.5), CLEAR);
        assert_eq!(pixel(96.5, 64.5), NAVY);
        assert_eq!(pixel(96.5, 44.5)[3], 255);
        assert_ne!(pixel(96.5, 44.5), NAVY);
        assert_eq!(pixel(96.5, 110.0), YELLOW);
    }
}
