//! The `vga` interface: the screen size, drawing with clipping and
//! transparency, bad sizes and pointers, and machines without a screen.

mod common;

use common::Harness;
use walos_engine::TrapCode;
use walos_kernel::{Command, ExitStatus};

/// The screen's colour before anything is drawn.
const BG: u32 = 0x00AB_CDEF;
/// The 3x2 block stored at 256: A T B / C D E, T transparent (0xff000000).
const A: u32 = 0x11;
const B: u32 = 0x22;
const C: u32 = 0x33;
const D: u32 = 0x44;
const E: u32 = 0x55;

/// A program whose `_start` is `body`, with `$info`, `$put`, `$exit` and
/// the 3x2 block (24 bytes) at address 256.
fn program(body: &str) -> String {
    format!(
        r#"(module
  (import "vga" "info" (func $info (param i32 i32) (result i32)))
  (import "vga" "put" (func $put (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 256) "\11\00\00\00\00\00\00\ff\22\00\00\00\33\00\00\00\44\00\00\00\55\00\00\00")
  (func (export "_start") {body}))"#
    )
}

/// Runs `body` on an 8x6 screen.
fn run(body: &str) -> (ExitStatus, Harness) {
    let mut h = Harness::with_screen(&[("draw", &program(body))], 8, 6);
    let status = h.run(Command::new("draw"));
    (status, h)
}

/// `put(x, y, 256, size, w, h)` and exit with its result.
fn put(x: u32, y: u32, size: u32, w: u32, h: u32) -> String {
    format!(
        "(call $exit (call $put (i32.const {x}) (i32.const {y}) (i32.const 256) (i32.const {size}) (i32.const {w}) \
         (i32.const {h})))"
    )
}

fn screen(h: &Harness) -> Vec<u32> {
    h.machine.borrow().screen.clone()
}

/// The screen with `pixels` set at (x, y).
fn expected(pixels: &[(u32, u32, u32)]) -> Vec<u32> {
    let mut screen = vec![BG; 48];
    for &(x, y, p) in pixels {
        screen[(y * 8 + x) as usize] = p;
    }
    screen
}

fn trap_message(status: ExitStatus) -> String {
    match status {
        ExitStatus::Trapped(trap) => match trap.code {
            TrapCode::Host(message) => message,
            other => panic!("expected a host trap, got {other:?}"),
        },
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[test]
fn info_gives_the_screen_size() {
    let body = "(call $exit (i32.add (i32.mul (call $info (i32.const 0) (i32.const 4)) (i32.const 1000000))
                 (i32.add (i32.mul (i32.load (i32.const 0)) (i32.const 1000)) (i32.load (i32.const 4)))))";
    assert_eq!(run(body).0, ExitStatus::Exited(8006));
}

#[test]
fn put_draws_the_block_and_skips_transparent_pixels() {
    let (status, h) = run(&put(2, 1, 24, 3, 2));
    assert_eq!(status, ExitStatus::Exited(0));
    assert_eq!(screen(&h), expected(&[(2, 1, A), (4, 1, B), (2, 2, C), (3, 2, D), (4, 2, E)]));
    // Transparent pixels never reach the loader: the runs go around them.
    assert_eq!(h.machine.borrow().screen_runs, [(2, 1, 1), (4, 1, 1), (2, 2, 3)]);
}

#[test]
fn a_larger_buffer_is_fine() {
    let (status, h) = run(&put(0, 0, 1000, 1, 1));
    assert_eq!(status, ExitStatus::Exited(0));
    assert_eq!(screen(&h), expected(&[(0, 0, A)]));
}

#[test]
fn blocks_partly_off_screen_are_clipped() {
    // Bottom-right corner: only A (and the transparent pixel) fall on screen.
    let (status, h) = run(&put(6, 5, 24, 3, 2));
    assert_eq!(status, ExitStatus::Exited(0));
    assert_eq!(screen(&h), expected(&[(6, 5, A)]));
    assert_eq!(h.machine.borrow().screen_runs, [(6, 5, 1)]);
    // Right edge: the first two columns of both rows.
    let (_, h) = run(&put(6, 0, 24, 3, 2));
    assert_eq!(screen(&h), expected(&[(6, 0, A), (6, 1, C), (7, 1, D)]));
}

#[test]
fn blocks_wholly_off_screen_draw_nothing() {
    for (x, y) in [(8, 0), (0, 6), (u32::MAX, 0), (0, u32::MAX)] {
        let (status, h) = run(&put(x, y, 24, 3, 2));
        assert_eq!(status, ExitStatus::Exited(0), "at {x},{y}");
        assert_eq!(screen(&h), expected(&[]), "at {x},{y}");
    }
}

#[test]
fn a_buffer_too_small_for_the_block_is_einval() {
    for (size, w, h) in [(23, 3, 2), (0, 1, 1), (24, 0x1_0000, 0x1_0000), (u32::MAX, u32::MAX, u32::MAX)] {
        let (status, harness) = run(&put(0, 0, size, w, h));
        assert_eq!(status, ExitStatus::Exited(28), "{size} bytes for {w}x{h}");
        assert_eq!(screen(&harness), expected(&[]));
    }
    // An empty block needs no bytes.
    assert_eq!(run(&put(0, 0, 0, 0, 5)).0, ExitStatus::Exited(0));
}

#[test]
fn huge_blocks_are_read_only_where_they_are_on_screen() {
    // A 16384-pixel row of zeros (black) and a 16384-row column: each
    // clipped to the 8x6 screen.
    let body = "(drop (call $put (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 65536) (i32.const 16384) \
                (i32.const 1)))
                (drop (call $put (i32.const 0) (i32.const 0) (i32.const 256) (i32.const 65280) (i32.const 1) \
                (i32.const 16320)))";
    let (status, h) = run(body);
    assert_eq!(status, ExitStatus::Exited(0));
    let mut want = expected(&[(0, 0, A), (0, 2, B), (0, 3, C), (0, 4, D), (0, 5, E)]);
    want[1..8].fill(0);
    assert_eq!(screen(&h), want);
    assert_eq!(h.machine.borrow().screen_runs, [(0, 0, 8), (0, 0, 1), (0, 2, 1), (0, 3, 1), (0, 4, 1), (0, 5, 1)]);
}

#[test]
fn a_block_outside_memory_traps_naming_vga_put() {
    let (status, h) = run(&put(0, 0, 24, 3, 2).replace("(i32.const 256)", "(i32.const 65530)"));
    assert_eq!(trap_message(status), "vga.put: buffer 0xfffa..0x10012 (24 bytes) is outside the 65536-byte memory");
    assert_eq!(screen(&h), expected(&[]));
    assert!(h.logs().contains("draw: trap: vga.put: buffer 0xfffa"), "{}", h.logs());
}

#[test]
fn bad_size_pointers_trap_naming_vga_info() {
    let misaligned = run("(drop (call $info (i32.const 2) (i32.const 8)))").0;
    assert_eq!(trap_message(misaligned), "vga.info: pointer 0x2 is not aligned to 4 bytes");
    let outside = run("(drop (call $info (i32.const 0) (i32.const 65536)))").0;
    assert_eq!(trap_message(outside), "vga.info: buffer 0x10000..0x10004 (4 bytes) is outside the 65536-byte memory");
}

#[test]
fn without_a_screen_vga_programs_do_not_start() {
    let mut h = Harness::new(&[("draw", &program(""))]);
    let err = h.spawn(Command::new("draw")).unwrap_err().to_string();
    assert_eq!(
        err,
        "cannot link `draw`:\n  import `vga.info` (func (i32, i32) -> i32): this machine has no framebuffer\n  \
         import `vga.put` (func (i32, i32, i32, i32, i32, i32) -> i32): this machine has no framebuffer"
    );
}
