//! The efi-os loader in QEMU: the UEFI stub boots the bare-metal kernel,
//! which runs the entry on COM1, the PIT, the PS/2 keyboard and the GOP
//! framebuffer, and reports the entry's status through `isa-debug-exit`.

use std::path::Path;

use walos_qemu::Exit;
use walos_tests::qemu::{Boot, End, Media};
use walos_tests::{logo, program, sample, wat_file};

const LOADER: &str = "efi-os";

fn run(wasm: &Path, args: &[&str]) -> End {
    Boot::new(LOADER, wasm).args(args).start().wait()
}

#[test]
fn hello_samples_print_exactly_and_exit_0() {
    let end = run(&sample("hello"), &[]);
    assert_eq!((end.serial.as_str(), end.status), ("Hello world!\n", Some(0)));

    let end = run(&sample("hello-wasi"), &["one", "two"]);
    let want = "Hello world!\nargc = 3\nargv[0] = hello-wasi\nargv[1] = one\nargv[2] = two\n";
    assert_eq!((end.serial.as_str(), end.status), (want, Some(0)));

    let end = run(&sample("hello-rs"), &["a", "b"]);
    assert_eq!((end.serial.as_str(), end.status), ("Hello world!\nargs: a b\n", Some(0)));
}

#[test]
fn the_environment_and_the_exit_status_reach_the_machine() {
    let end = Boot::new(LOADER, &sample("hello-wasi")).env("NAME", "walos").start().wait();
    assert!(end.serial.starts_with("Hello walos!\n"), "{}", end.serial);
    let end = run(&program("exit_code"), &["42"]);
    assert_eq!(end.status, Some(42), "{}", end.serial);
}

#[test]
fn the_timer_wakes_a_sleeper_and_the_clocks_hold() {
    // nanosleep blocks the process: the kernel halts until the PIT's tick
    // passes the deadline; the program checks that it did not wake early.
    let end = run(&program("sleep"), &["300"]);
    assert_eq!((end.serial.as_str(), end.status), ("slept 300 ms\n", Some(0)));
    // The wall clock comes from the RTC (after 2023), the monotonic one
    // from the PIT.
    let end = run(&program("clocks"), &[]);
    assert_eq!((end.serial.as_str(), end.status), ("clocks ok\n", Some(0)));
}

#[test]
fn a_trap_is_logged_with_the_program_name_and_fails() {
    let end = run(&program("abort"), &[]);
    assert_eq!((end.status, end.exit), (None, Exit::Failed));
    assert!(end.serial.starts_with("about to abort\n"), "{}", end.serial);
    assert!(end.serial.ends_with(" err    abort: trap: unreachable instruction executed\n"), "{}", end.serial);

    let end = run(&wat_file("trap", r#"(module (func (export "_start") unreachable))"#), &[]);
    assert_eq!((end.status, end.exit), (None, Exit::Failed));
    assert!(end.serial.ends_with(" err    trap: trap: unreachable instruction executed\n"), "{}", end.serial);
}

#[test]
fn a_program_that_cannot_start_is_named_and_fails() {
    let bad = wat_file("needs-nothing", r#"(module (import "nowhere" "f" (func)) (func (export "_start")))"#);
    let end = run(&bad, &[]);
    assert_eq!((end.status, end.exit), (None, Exit::Failed));
    assert!(end.serial.starts_with("walos: cannot link `needs-nothing`:\n"), "{}", end.serial);
}

#[test]
fn keys_typed_on_the_ps2_keyboard_reach_stdin() {
    let mut vm = Boot::new(LOADER, &program("cat")).log("info").start();
    // Keys typed while the firmware boots would go to the firmware.
    vm.wait_for_serial("started `cat`");
    for key in ["h", "i", "shift-w", "spc", "1", "ret", "ctrl-d"] {
        vm.sendkey(key);
    }
    let end = vm.wait();
    assert_eq!(end.status, Some(0), "{}", end.serial);
    let output: Vec<&str> = end.serial.lines().filter(|line| !line.starts_with('[')).collect();
    assert_eq!(output, ["hiW 1", "copied 6 bytes"]);
}

#[test]
fn the_vga_sample_draws_the_logo_centred_on_the_screen() {
    let mut vm = Boot::new(LOADER, &sample("vga")).keep_screen().start();
    vm.wait_for_power_off();
    let screen = vm.screendump();
    assert_eq!(logo::check_centred(&screen), Ok(()));
    let (x, y) = logo::origin(&screen);
    let line = format!("drew the 192x128 logo at ({x}, {y}) on the {}x{} screen\n", screen.width, screen.height);
    let end = vm.wait();
    assert_eq!(end.serial, line);
}

#[test]
fn the_iso_and_the_disk_image_boot() {
    let end = Boot::new(LOADER, &sample("hello")).media(Media::Cdrom).start().wait();
    assert_eq!((end.serial.as_str(), end.status), ("Hello world!\n", Some(0)));
    let end = Boot::new(LOADER, &sample("hello")).media(Media::Disk).start().wait();
    assert_eq!((end.serial.as_str(), end.status), ("Hello world!\n", Some(0)));
}
