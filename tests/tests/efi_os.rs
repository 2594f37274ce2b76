//! The efi-os loader in QEMU: the UEFI stub boots the bare-metal kernel,
//! which runs the entry on COM1, the PIT, the PS/2 keyboard (read by the
//! wasm driver `ps2kbd`, through the `stdin` service) and the GOP
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
fn a_bad_kernel_command_line_is_named_and_fails() {
    let end = Boot::new(LOADER, &sample("hello")).log("loud").start().wait();
    assert_eq!((end.status, end.exit), (None, Exit::Failed));
    assert!(end.serial.starts_with("walos: kernel command line: --log: unknown log level `loud`"), "{}", end.serial);
}

#[test]
fn keys_typed_on_the_ps2_keyboard_reach_stdin_through_the_driver_services() {
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
    // The keyboard came through the chain of wasm services.
    for line in ["kernel: loading service stdin for kernel", "kernel: loading service ps2kbd for stdin"] {
        assert!(end.serial.contains(line), "{line:?} is not in:\n{}", end.serial);
    }
}

#[test]
fn bytes_received_on_com1_reach_stdin_through_the_driver_services() {
    let mut vm = Boot::new(LOADER, &program("cat")).log("info").start();
    vm.wait_for_serial("started `cat`");
    // A terminal sends Enter as a carriage return; UTF-8 as it is; Ctrl-D.
    vm.type_serial("ok\r\u{e9}t\u{e9}\x04".as_bytes());
    let end = vm.wait();
    assert_eq!(end.status, Some(0), "{}", end.serial);
    let output: Vec<&str> = end.serial.lines().filter(|line| !line.starts_with('[')).collect();
    assert_eq!(output, ["ok", "\u{e9}t\u{e9}copied 8 bytes"]);
}

#[test]
fn the_keyboard_driver_is_refused_the_ports_unless_declared() {
    // The machine goes on without console input: cat reads the end.
    let end = Boot::new(LOADER, &program("cat")).drivers(&[]).start().wait();
    assert_eq!(end.status, Some(0), "{}", end.serial);
    let refusal = " err    kernel: no console input from `stdio.getc`:\n  \
        import `x86.io_read8` (func (i32) -> i32): `x86` is for driver services, and `ps2kbd` is not one\n  \
        import `x86.irq_wait` (func (i32) -> i32): `x86` is for driver services, and `ps2kbd` is not one\n";
    assert!(end.serial.contains(refusal), "{}", end.serial);
    assert!(end.serial.ends_with("copied 0 bytes\n"), "{}", end.serial);
}

#[test]
fn the_vga_sample_draws_the_logo_centred_on_the_screen() {
    let mut vm = Boot::new(LOADER, &sample("vga")).keep_screen().start();
    vm.wait_power_off();
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

/// Prints the file `greeting.txt` of the first preopened directory (fd 3).
const PRINT_GREETING: &str = r#"(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "greeting.txt")
  (func (export "_start")
    ;; fd 3, "greeting.txt", rights fd_read; the new fd at 0
    (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 12) (i32.const 0)
                         (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0))
      (then unreachable))
    ;; one iovec at 32: 200 bytes at 64; the count at 40
    (i32.store (i32.const 32) (i32.const 64))
    (i32.store (i32.const 36) (i32.const 200))
    (if (call $fd_read (i32.load (i32.const 0)) (i32.const 32) (i32.const 1) (i32.const 40))
      (then unreachable))
    (i32.store (i32.const 36) (i32.load (i32.const 40)))
    (drop (call $fd_write (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 44)))))"#;

#[test]
fn the_initrd_is_the_root_file_system() {
    let tar = walos_tests::tar_archive("initrd.tar", &[("greeting.txt", b"hello from the initrd\n")]);
    let end = Boot::new(LOADER, &wat_file("greet", PRINT_GREETING)).initrd(&tar).start().wait();
    assert_eq!((end.serial.as_str(), end.status), ("hello from the initrd\n", Some(0)));

    let junk = walos_tests::temp_file("junk.tar", b"not a tar archive");
    let end = Boot::new(LOADER, &sample("hello")).initrd(&junk).start().wait();
    assert_eq!((end.status, end.exit), (None, Exit::Failed));
    assert!(end.serial.starts_with("walos: \\walos\\initrd.tar: not a valid tar archive"), "{}", end.serial);
}

#[test]
fn a_gzipped_initrd_is_unpacked_and_a_damaged_one_named() {
    let gz = walos_tests::tar_archive("initrd.tar.gz", &[("greeting.txt", b"hello from the gzipped initrd\n")]);
    let end = Boot::new(LOADER, &wat_file("greet", PRINT_GREETING)).initrd(&gz).start().wait();
    assert_eq!((end.serial.as_str(), end.status), ("hello from the gzipped initrd\n", Some(0)));

    // The same archive with its last byte (the length in the trailer) cut.
    let bytes = std::fs::read(&gz).unwrap();
    let cut = walos_tests::temp_file("cut-initrd.tar.gz", &bytes[..bytes.len() - 1]);
    let end = Boot::new(LOADER, &sample("hello")).initrd(&cut).start().wait();
    assert_eq!((end.status, end.exit), (None, Exit::Failed));
    assert!(
        end.serial.starts_with("walos: \\walos\\initrd.tar.gz: not a valid gzip file: the trailer is truncated"),
        "{}",
        end.serial
    );
}

#[test]
fn the_shell_runs_programs_typed_on_the_keyboard() {
    let mut vm = Boot::new(LOADER, &sample("shell")).service("hello", &sample("hello")).start();
    vm.wait_for_serial("walos> ");
    // The console does not echo: the shell does, rubbing out a backspace.
    for key in ["h", "e", "l", "l", "p", "backspace", "o", "ret"] {
        vm.sendkey(key);
    }
    vm.wait_for_serial("Hello world!\nwalos> ");
    for key in ["e", "x", "i", "t", "spc", "3", "ret"] {
        vm.sendkey(key);
    }
    let end = vm.wait();
    assert_eq!(end.serial, "walos> hellp\x08 \x08o\nHello world!\nwalos> exit 3\n");
    assert_eq!(end.status, Some(3));
}

#[test]
fn the_shell_recalls_a_line_with_the_ps2_up_arrow() {
    let mut vm = Boot::new(LOADER, &sample("shell")).service("hello", &sample("hello")).start();
    vm.wait_for_serial("walos> ");
    vm.type_text("hello\n");
    vm.wait_for_serial("Hello world!\nwalos> ");
    // The driver decodes the extended scancode; `stdin` sends `ESC [ A`.
    vm.sendkey("up");
    vm.sendkey("ret");
    vm.wait_for_serial("Hello world!\nwalos> hello\nHello world!\nwalos> ");
    vm.type_text("exit\n");
    let end = vm.wait();
    assert_eq!(end.serial, "walos> hello\nHello world!\nwalos> hello\nHello world!\nwalos> exit\n");
    assert_eq!(end.status, Some(0));
}

#[test]
fn ctrl_c_interrupts_the_shell_s_foreground_program() {
    let mut vm = Boot::new(LOADER, &sample("shell")).service("spin", &program("spin")).start();
    vm.wait_for_serial("walos> ");
    vm.type_text("spin\n");
    vm.wait_for_serial("spinning\n");
    // The kernel kills the foreground program; the shell says so. (Pids 1
    // and 2 are the keyboard services, `ps2kbd` then `stdin`.)
    vm.sendkey("ctrl-c");
    vm.wait_for_serial("[4] killed\nwalos> ");
    // At the prompt, Ctrl-C abandons the line.
    vm.type_text("exit 4");
    vm.sendkey("ctrl-c");
    vm.wait_for_serial("walos> exit 4^C\nwalos> ");
    vm.type_text("exit\n");
    let end = vm.wait();
    assert_eq!(end.serial, "walos> spin\nspinning\n^C\n[4] killed\nwalos> exit 4^C\nwalos> exit\n");
    assert_eq!(end.status, Some(0));
}
