//! The `x86` port-I/O interface: granted only to the services the loader
//! declares drivers.

mod common;

use common::Harness;
use walos_kernel::loader::PortWidth;
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
    let drivers = drivers.iter().map(|d| d.to_string()).collect();
    Harness::with_config(modules, Config { log_level: Level::Debug, drivers, ..Config::default() })
}

#[test]
fn a_declared_driver_reaches_the_ports() {
    let mut h = harness(&[("main", MAIN), ("hw", KBD)], &["hw"]);
    assert_eq!(h.run(Command::new("main")), ExitStatus::Exited(0));
    // Port 0x60 reads 0x61 on the test machine: `a`.
    assert_eq!(h.stdout(), "a");
    assert_eq!(h.machine.borrow().port_writes, [(0x61, PortWidth::U8, 7)]);
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
