//! The logo that `sample/vga` draws centred on the screen, to check screen
//! images (`walos run --framebuffer`, QEMU's `screendump`) against.

use vga::tga::{self, TRANSPARENT};

use crate::ppm::Ppm;
use crate::root;

/// `sample/vga/logo.tga`, decoded.
pub fn image() -> tga::Image {
    let path = root().join("sample/vga/logo.tga");
    let data = std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    tga::decode(&data).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// Where `sample/vga` puts the logo's top-left corner on `screen`.
pub fn origin(screen: &Ppm) -> (u32, u32) {
    let logo = image();
    vga::centre((screen.width, screen.height), (logo.width, logo.height))
}

/// Checks that every opaque pixel of the logo is on `screen`, centred;
/// whatever the transparent parts show is not looked at. The error counts
/// the wrong pixels and names the first.
pub fn check_centred(screen: &Ppm) -> Result<(), String> {
    let logo = image();
    let (x0, y0) = origin(screen);
    let mut wrong = Vec::new();
    for y in 0..logo.height.min(screen.height - y0) {
        for x in 0..logo.width.min(screen.width - x0) {
            let want = logo.pixel(x, y).expect("inside the logo");
            let got = screen.pixel(x0 + x, y0 + y);
            if want != TRANSPARENT && got != want {
                wrong.push((x0 + x, y0 + y, want, got));
            }
        }
    }
    match wrong.first() {
        None => Ok(()),
        Some((x, y, want, got)) => Err(format!(
            "{} pixels of the logo are wrong on the {}x{} screen; first at ({x}, {y}): {got:#08x} instead of {want:#08x}",
            wrong.len(),
            screen.width,
            screen.height
        )),
    }
}
