//! The `x86` port-I/O interface: granted only to the services the loader
//! declares drivers; and the keyboard chain through it, with the real
//! services of `srv/`: stdin (a program's fd 0) <- `stdin` (`stdio:getc`)
//! <- `ps2kbd` (`hw:key_read`) <- a fake PS/2 controller and COM1.

mod common;

use common::{Harness, built, wasi_program};
use walos_kernel::loader::Width;
use walos_kernel::log::Level;
use walos_kernel::{Command, Config, ExitStatus};

/// A keyboard driver: acknowledges on port 0x61 and reads port 0x60.
const KBD: &str = r#"(module
  (import "x86" "io_read8" (func $in (param i32) (result i32)))
  (import "x86" "io_write8" (func $out (param i32 i32)))
  (func (export "hw:key_read") (result i32)
    (call $out (i32.const 0x61) (i32.const 7))
    (call $in (i32.const 0x60))))"#;

const MAIN: &str = r#"(module
  (import "hw" "key_read" (func $key (result i32)))
  (import "stdout" "putc" (func $putc (param i32) (result i32)))
  (func (export "_start") (drop (call $putc (call $key)))))"#;

fn harness(modules: &[(&str, &str)], drivers: &[&str]) -> Harness {
    let drivers = drivers.iter().map(|d| walos_kernel::Driver::from(*d)).collect();
    Harness::with_config(modules, Config { log_level: Level::Debug, drivers, ..Config::default() })
}

#[test]
fn a_declared_driver_reaches_the_ports() {
    let mut h = harness(&[("main", MAIN), ("hw", KBD)], &["hw"]);
    h.machine.borrow_mut().ps2.push_back(b'a');
    assert_eq!(h.run(Command::new("main")), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "a");
    assert_eq!(h.machine.borrow().port_writes, [(0x61, Width::U8, 7)]);
}

#[test]
fn a_service_not_declared_a_driver_is_refused() {
    let mut h = harness(&[("main", MAIN), ("hw", KBD)], &["other"]);
    let error = h.spawn(Command::new("main")).map(|_| ()).unwrap_err().to_string();
    assert_eq!(
        error,
        "cannot link `main`:\n  \
         import `x86.io_read8` (func (i32) -> i32): `x86` is for driver services, and `hw` is not one\n  \
         import `x86.io_write8` (func (i32, i32)): `x86` is for driver services, and `hw` is not one"
    );
    assert!(h.machine.borrow().port_writes.is_empty());
}

#[test]
fn a_program_is_never_a_driver() {
    let direct = r#"(module
      (import "x86" "io_write8" (func $out (param i32 i32)))
      (func (export "_start") (call $out (i32.const 0x64) (i32.const 0xfe))))"#;
    let mut h = harness(&[("main", direct)], &["main"]);
    let error = h.spawn(Command::new("main")).map(|_| ()).unwrap_err().to_string();
    assert_eq!(
        error,
        "cannot link `main`:\n  import `x86.io_write8` (func (i32, i32)): `x86` is for driver services, and `main` is not one"
    );
    assert!(h.machine.borrow().port_writes.is_empty());
}

/// Copies stdin to stdout until the end of input.
fn cat() -> String {
    wasi_program(
        r#"(import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))"#,
        r#"(block $end (loop $more
             (i32.store (i32.const 16) (i32.const 1024))
             (i32.store (i32.const 20) (i32.const 256))
             (br_if $end (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
             (br_if $end (i32.eqz (i32.load (i32.const 24))))
             (drop (call $print (i32.const 1024) (i32.load (i32.const 24))))
             (br $more)))"#,
    )
}

/// A machine whose console input comes from the `stdio` interface, with
/// the keyboard chain in its store and `drivers` declared.
fn keyboard(drivers: &[&str]) -> Harness {
    let modules = vec![("stdin", built("stdin")), ("ps2kbd", built("ps2kbd"))];
    let config = Config {
        log_level: Level::Debug,
        drivers: drivers.iter().map(|d| walos_kernel::Driver::from(*d)).collect(),
        input: Some("stdio".into()),
        ..Config::default()
    };
    Harness::with_modules(&[("cat", &cat())], modules, config)
}

/// Scancodes (set 1) of a key press and release.
fn tap(key: u8) -> [u8; 2] {
    [key, key | 0x80]
}

const H: u8 = 0x23;
const I: u8 = 0x17;
const W: u8 = 0x11;
const D: u8 = 0x20;
const SHIFT: u8 = 0x2a;
const CTRL: u8 = 0x1d;
const BACKSPACE: u8 = 0x0e;
const ENTER: u8 = 0x1c;

/// `key` with `modifier` held.
fn with(modifier: u8, key: u8) -> Vec<u8> {
    [&[modifier][..], &tap(key), &[modifier | 0x80]].concat()
}

#[test]
fn keys_typed_on_the_ps2_keyboard_reach_stdin_through_the_services() {
    let mut h = keyboard(&["ps2kbd"]);
    {
        let mut machine = h.machine.borrow_mut();
        // Typed before the driver started: no interrupt comes for it. The
        // mouse's bytes (`h` and `i` scancodes too) are skipped.
        machine.ps2.extend(tap(H));
        machine.ps2_mouse.extend([tap(H), tap(I)].concat());
        let batches = [tap(I).to_vec(), with(SHIFT, W), [tap(BACKSPACE), tap(ENTER)].concat(), with(CTRL, D)];
        machine.devices_on_wait.extend(batches.into_iter().map(|ps2| (ps2, Vec::new())));
    }
    assert_eq!(h.run(Command::new("cat")), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "hiW\x08\n");
    let machine = h.machine.borrow();
    // The driver was parked between keys, on IRQ 1 and IRQ 4: one wait
    // per batch of keys, nothing else.
    let irq_waits: Vec<u32> = machine.waits.iter().map(|w| w.irqs).filter(|&irqs| irqs != 0).collect();
    assert_eq!(irq_waits, [0x12; 4]);
    assert!(machine.devices_on_wait.is_empty());
    assert!(machine.port_writes.is_empty());
    let logs = machine.log_text();
    assert!(logs.contains("loading service stdin for kernel\n"), "{logs}");
    assert!(logs.contains("loading service ps2kbd for stdin\n"), "{logs}");
}

#[test]
fn com1_bytes_and_special_keys_reach_stdin_as_a_terminal_sends_them() {
    let mut h = keyboard(&["ps2kbd"]);
    {
        let mut machine = h.machine.borrow_mut();
        // The up arrow (an extended scancode), then a line on COM1 ended
        // by a carriage return; then UTF-8 bytes and Ctrl-D.
        machine.devices_on_wait.push_back((vec![0xe0, 0x48, 0xe0, 0xc8], b"ok\r".to_vec()));
        machine.devices_on_wait.push_back((Vec::new(), "\u{e9}t\u{e9}\x04".as_bytes().to_vec()));
    }
    assert_eq!(h.run(Command::new("cat")), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "\x1b[Aok\n\u{e9}t\u{e9}");
}

#[test]
fn the_keyboard_driver_is_refused_the_ports_unless_declared() {
    let mut h = keyboard(&[]);
    // Without console input from the service, the loader's stdin is read.
    h.machine.borrow_mut().stdin.push_back(None);
    assert_eq!(h.run(Command::new("cat")), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "");
    let logs = h.logs();
    let refusal = "no console input from `stdio.getc`:\n  \
        import `x86.io_read8` (func (i32) -> i32): `x86` is for driver services, and `ps2kbd` is not one\n  \
        import `x86.irq_wait` (func (i32) -> i32): `x86` is for driver services, and `ps2kbd` is not one\n";
    assert!(logs.contains(refusal), "{logs}");
    assert!(h.machine.borrow().irq_takes.is_empty());
}
