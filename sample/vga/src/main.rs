//! `sample/vga`: draws the walos logo centred on the screen, as the
//! original walos's vga sample did.
//!
//! The logo is a 32-bit TGA image with transparent corners, shipped with
//! the sample (`logo.tga`, made by `cargo xtask logo`) and built into the
//! program. The screen size comes from `vga.info`; one `vga.put` draws it.

use vga::{centre, tga};
use walos_sdk::vga as screen;

static LOGO: &[u8] = include_bytes!("../logo.tga");

fn main() {
    if let Err(message) = draw() {
        eprintln!("vga: {message}");
        std::process::exit(1);
    }
}

fn draw() -> Result<(), String> {
    let logo = tga::decode(LOGO).map_err(|err| format!("logo.tga: {err}"))?;
    let (width, height) = screen::info().map_err(|err| format!("vga.info: {err}"))?;
    let (x, y) = centre((width, height), (logo.width, logo.height));
    screen::put(x, y, logo.width, logo.height, &logo.pixels).map_err(|err| format!("vga.put: {err}"))?;
    println!("drew the {}x{} logo at ({x}, {y}) on the {width}x{height} screen", logo.width, logo.height);
    Ok(())
}
