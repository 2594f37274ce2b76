//! `vga` on the Linux loader: `walos run --framebuffer FILE.ppm` saves what
//! programs drew, checked pixel by pixel against the image they drew.

use std::path::{Path, PathBuf};

use vga::tga::{self, TRANSPARENT};
use walos_tests::ppm::{self, Ppm};
use walos_tests::{Run, program, sample, temp_file, walos_run, wat_file};

const BLACK: u32 = 0;

/// A fresh path for an output image.
fn output(name: &str) -> PathBuf {
    let path = temp_file(name, b"");
    std::fs::remove_file(&path).expect("remove");
    path
}

fn framebuffer(path: &Path) -> String {
    path.to_str().expect("UTF-8 path").to_string()
}

fn read(path: &Path) -> Ppm {
    let data = std::fs::read(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    ppm::parse(&data).expect("a PPM image")
}

fn logo() -> tga::Image {
    walos_tests::logo::image()
}

/// Every pixel of `screen` is the logo's at (x, y) where it is opaque, and
/// black elsewhere.
fn assert_logo_at(screen: &Ppm, x: u32, y: u32) {
    let logo = logo();
    for sy in 0..screen.height {
        for sx in 0..screen.width {
            let drawn = sx.checked_sub(x).zip(sy.checked_sub(y)).and_then(|(lx, ly)| logo.pixel(lx, ly));
            let want = drawn.filter(|&p| p != TRANSPARENT).unwrap_or(BLACK);
            assert_eq!(screen.pixel(sx, sy), want, "pixel ({sx}, {sy})");
        }
    }
}

#[test]
fn the_sample_draws_the_logo_centred() {
    let out = output("centred.ppm");
    let run = walos_run(&["--framebuffer", &framebuffer(&out)], &sample("vga"), &[]);
    assert_eq!(run.stdout, "drew the 192x128 logo at (304, 236) on the 800x600 screen\n");
    assert_eq!((run.stderr.as_str(), run.status), ("", 0));
    let screen = read(&out);
    assert_eq!((screen.width, screen.height), (800, 600));
    let logo = logo();
    // The centre of the screen is the centre of the logo.
    let centre = logo.pixel(96, 64).unwrap();
    assert_ne!(centre, TRANSPARENT);
    assert_ne!(centre, BLACK);
    assert_eq!(screen.pixel(400, 300), centre);
    // The logo's rounded corners are transparent: the screen shows through.
    assert_eq!(logo.pixel(1, 1), Some(TRANSPARENT));
    assert_eq!(screen.pixel(305, 237), BLACK);
    // Away from the logo, nothing was drawn.
    assert_eq!(screen.pixel(0, 0), BLACK);
    assert_eq!(screen.pixel(799, 599), BLACK);
    assert_logo_at(&screen, 304, 236);
    assert_eq!(walos_tests::logo::check_centred(&screen), Ok(()));
    // The check used on QEMU's screen finds a wrong pixel.
    let mut spoiled = screen.clone();
    spoiled.pixels[300 * 800 + 400] ^= 1;
    let err = walos_tests::logo::check_centred(&spoiled).unwrap_err();
    assert_eq!(
        err,
        format!(
            "1 pixels of the logo are wrong on the 800x600 screen; first at (400, 300): {:#08x} instead of {centre:#08x}",
            centre ^ 1
        )
    );
}

#[test]
fn a_screen_smaller_than_the_logo_shows_its_top_left_part() {
    let out = output("small.ppm");
    let run = walos_run(&["--framebuffer", &framebuffer(&out), "--framebuffer-size", "100x50"], &sample("vga"), &[]);
    assert_eq!(run.stdout, "drew the 192x128 logo at (0, 0) on the 100x50 screen\n");
    assert_eq!(run.status, 0);
    let screen = read(&out);
    assert_eq!((screen.width, screen.height), (100, 50));
    assert_logo_at(&screen, 0, 0);
}

#[test]
fn without_a_framebuffer_the_sample_does_not_start() {
    let run = walos_run(&[], &sample("vga"), &[]);
    let file = sample("vga");
    assert_eq!(
        run.stderr,
        format!(
            "walos: cannot link `{}`:\n  import `vga.put` (func (i32, i32, i32, i32, i32, i32) -> i32): this machine \
             has no framebuffer\n  import `vga.info` (func (i32, i32) -> i32): this machine has no framebuffer\n\
             (`walos run --framebuffer FILE.ppm` gives the program a screen)\n",
            file.display()
        )
    );
    assert_eq!((run.stdout.as_str(), run.status), ("", 1));
}

#[test]
fn an_unwritable_image_is_reported_before_the_program_runs() {
    let run = walos_run(&["--framebuffer", "/nonexistent/walos/out.ppm"], &sample("vga"), &[]);
    assert_eq!(run.stderr, "walos: --framebuffer /nonexistent/walos/out.ppm: No such file or directory (os error 2)\n");
    assert_eq!((run.stdout.as_str(), run.status), ("", 1));
}

#[test]
fn bad_screen_sizes_are_refused() {
    let out = output("never.ppm");
    let run = walos_run(&["--framebuffer", &framebuffer(&out), "--framebuffer-size", "0x10"], &sample("vga"), &[]);
    assert!(run.stderr.contains("`0x10` is not a screen size: expected WIDTHxHEIGHT"), "{}", run.stderr);
    assert_eq!(run.status, 2);
}

#[test]
fn the_screen_is_saved_when_the_program_traps() {
    let source = r#"(module
      (import "vga" "put" (func $put (param i32 i32 i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 0) "\ff\80\00\00")
      (func (export "_start")
        (drop (call $put (i32.const 3) (i32.const 2) (i32.const 0) (i32.const 4) (i32.const 1) (i32.const 1)))
        unreachable))"#;
    let out = output("trap.ppm");
    let run: Run = walos_run(
        &["--framebuffer", &framebuffer(&out), "--framebuffer-size", "4x3"],
        &wat_file("draw-then-trap", source),
        &[],
    );
    assert_eq!(run.status, 134);
    assert!(run.stderr.contains("draw-then-trap: trap: unreachable"), "{}", run.stderr);
    let screen = read(&out);
    let mut want = vec![BLACK; 12];
    want[2 * 4 + 3] = 0x0080ff;
    assert_eq!(screen.pixels, want);
}

#[test]
fn c_programs_draw_through_the_header() {
    let out = output("corner.ppm");
    let run =
        walos_run(&["--framebuffer", &framebuffer(&out), "--framebuffer-size", "5x4"], &program("vga_corner"), &[]);
    assert_eq!(run.stdout, "info: 0, 5x4\ncorner: 0\ntoo small: 1\n");
    assert_eq!(run.status, 0);
    let screen = read(&out);
    let mut want = vec![BLACK; 20];
    want[19] = 0x0000ff;
    assert_eq!(screen.pixels, want);
}
