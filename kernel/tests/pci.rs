//! The `pci` interface on the fake PCI bus of the test machine: what a
//! driver service is granted, the registers it reaches, DMA buffers its
//! device reads and writes, interrupt waits, and what it cannot reach.

mod common;

use common::Harness;
use common::pci::{self, DEVICE_WRITES};
use walos_kernel::loader::{PciAddress, Width};
use walos_kernel::log::Level;
use walos_kernel::{Command, Config, Driver, ExitStatus};

const BLOCK: PciAddress = PciAddress { bus: 0, device: 4, function: 0 };

/// A driver service `blk` exporting `blk:run`, whose body is `body`, with
/// every `pci` import and helpers: `$hex(v)` prints v as 8 hex digits and
/// a space; data "walos-ok" at 2048.
fn driver(body: &str) -> String {
    format!(
        r#"(module
  (import "pci" "count" (func $count (result i32)))
  (import "pci" "info" (func $info (param i32 i32 i32) (result i32)))
  (import "pci" "config_read" (func $cfg (param i32 i32 i32) (result i32)))
  (import "pci" "config_write" (func $cfgw (param i32 i32 i32 i32)))
  (import "pci" "bar_read" (func $bar (param i32 i32 i32 i32) (result i32)))
  (import "pci" "bar_write" (func $barw (param i32 i32 i32 i32 i32)))
  (import "pci" "dma_alloc" (func $alloc (param i32) (result i32)))
  (import "pci" "dma_address" (func $address (param i32) (result i64)))
  (import "pci" "dma_write" (func $dmaw (param i32 i32 i32 i32) (result i32)))
  (import "pci" "dma_read" (func $dmar (param i32 i32 i32 i32) (result i32)))
  (import "pci" "dma_free" (func $free (param i32) (result i32)))
  (import "pci" "irq_wait" (func $irq_wait (param i32) (result i32)))
  (import "stdout" "putc" (func $putc (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 2048) "walos-ok")
  (func $hex (param $v i32) (local $i i32) (local $d i32)
    (local.set $i (i32.const 28))
    (loop $digit
      (local.set $d (i32.and (i32.shr_u (local.get $v) (local.get $i)) (i32.const 15)))
      (drop (call $putc (i32.add (local.get $d)
        (select (i32.const 87) (i32.const 48) (i32.gt_u (local.get $d) (i32.const 9))))))
      (local.set $i (i32.sub (local.get $i) (i32.const 4)))
      (br_if $digit (i32.ge_s (local.get $i) (i32.const 0))))
    (drop (call $putc (i32.const 32))))
  (func $hex64 (param $v i64)
    (call $hex (i32.wrap_i64 (i64.shr_u (local.get $v) (i64.const 32))))
    (call $hex (i32.wrap_i64 (local.get $v))))
  (func (export "blk:run") (local $h i32) (local $a i64) (local $i i32)
    {body}))"#
    )
}

const MAIN: &str = r#"(module
  (import "blk" "run" (func $run))
  (func (export "_start") (call $run)))"#;

/// A machine with the fake bus, `blk` granted the block device (and
/// `more` drivers declared after it), running `body` in `blk`.
fn machine(body: &str, more: &[&str]) -> Harness {
    let mut drivers = vec![Driver::parse("blk=pci:1af4:1001").expect("a grant")];
    drivers.extend(more.iter().map(|spec| Driver::parse(spec).expect("a grant")));
    let config = Config { log_level: Level::Debug, drivers, ..Config::default() };
    Harness::with_pci(&[("main", MAIN), ("blk", &driver(body))], config, pci::bus())
}

fn run(h: &mut Harness) -> ExitStatus {
    h.run(Command::new("main"))
}

#[test]
fn the_bus_is_enumerated_and_a_driver_is_told_of_its_devices_only() {
    let body = r#"(call $hex (call $count))
      (call $hex (call $info (i32.const 0) (i32.const 1024) (i32.const 160)))
      (loop $word
        (call $hex (i32.load (i32.add (i32.const 1024) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br_if $word (i32.lt_u (local.get $i) (i32.const 112))))
      (call $hex (call $info (i32.const 1) (i32.const 1024) (i32.const 160)))
      (call $hex (call $info (i32.const 0) (i32.const 1024) (i32.const 159)))
      (call $hex (call $info (i32.const 0) (i32.const 65500) (i32.const 160)))"#;
    let mut h = machine(body, &["net=pci:8086:100e"]);
    assert_eq!(run(&mut h), ExitStatus::Exited(0));
    let words = [
        // ids, class 01.00.00 and IRQ 11, bus 0 slot 4 function 0
        "00000001 00000000 10011af4 0b000001 00000400 00000000",
        // BAR 0: ports 0xc000, 64
        "00000001 00000000 0000c000 00000000 00000040 00000000",
        // BAR 1: memory 0xfebf0000, 4 KiB
        "00000002 00000000 febf0000 00000000 00001000 00000000",
        // BAR 2: 64-bit memory at 512 GiB, 16 KiB; BAR 3 its high half
        "00000003 00000000 00000000 00000080 00004000 00000000",
        "00000000 00000000 00000000 00000000 00000000 00000000",
    ];
    // Then: device 1 is not granted (EINVAL), a short record (E2BIG), a
    // record past the memory (EFAULT).
    assert_eq!(h.stdout(), format!("{} 0000001c 00000001 00000015 ", words.join(" ")));
    let logs = h.logs();
    assert!(logs.contains("pci 00:04.0 1af4:1001 (class 01.00.00, irq 11): granted to blk\n"), "{logs}");
    assert!(logs.contains("pci 00:05.0 8086:100e (class 02.00.00, irq 10): granted to net\n"), "{logs}");
}

#[test]
fn devices_no_driver_is_granted_are_logged_and_an_id_not_found_is_warned_of() {
    let h = machine("", &["net=pci:1af4:1042"]);
    let logs = h.logs();
    assert!(logs.contains("pci 00:05.0 8086:100e (class 02.00.00, irq 10)\n"), "{logs}");
    assert!(logs.contains("driver net: no PCI device 1af4:1042 for it"), "{logs}");
    // Only a granted function's BARs are sized: nobody else's decoding
    // was turned off.
    let other = PciAddress { bus: 0, device: 5, function: 0 };
    assert!(h.machine.borrow().config_writes.iter().all(|(at, ..)| *at != other));
}

#[test]
fn a_driver_reads_and_writes_configuration_space_but_not_the_kernels_registers() {
    let body = r#"(call $hex (call $cfg (i32.const 0) (i32.const 0) (i32.const 4)))
      (call $hex (call $cfg (i32.const 0) (i32.const 0x3c) (i32.const 1)))
      (call $cfgw (i32.const 0) (i32.const 4) (i32.const 2) (i32.const 7))
      (call $cfgw (i32.const 0) (i32.const 0x40) (i32.const 4) (i32.const 0x12345678))
      (call $hex (call $cfg (i32.const 0) (i32.const 4) (i32.const 2)))
      (call $cfgw (i32.const 0) (i32.const 0x10) (i32.const 4) (i32.const 0xfee00000))"#;
    let mut h = machine(body, &[]);
    run(&mut h);
    assert!(h.logs().contains("blk: blk:run: trapped: "), "{}", h.logs());
    assert_eq!(h.stdout(), "10011af4 0000000b 00000007 ");
    let logs = h.logs();
    assert!(
        logs.contains(
            "pci: configuration register 0x10 of 00:04.0 is the kernel's: drivers write 0x04-0x07 and 0x40-0xff"
        ),
        "{logs}"
    );
    let machine = h.machine.borrow();
    assert_eq!(machine.pci[0].read(0x10, Width::U32), 0xc001, "the BAR was not moved");
    assert_eq!(machine.pci[0].read(0x40, Width::U32), 0x1234_5678);
}

fn trap_message(body: &str) -> String {
    let mut h = machine(body, &[]);
    run(&mut h);
    assert!(h.logs().contains("blk: blk:run: trapped: "), "{}", h.logs());
    let logs = h.logs();
    let line =
        logs.lines().find(|line| line.contains("trapped: pci: ")).unwrap_or_else(|| panic!("no pci trap: {logs}"));
    let message = &line[line.find("trapped: pci: ").unwrap() + 9..];
    message[..message.find("; the call of").unwrap_or(message.len())].to_string()
}

#[test]
fn bar_registers_are_reached_relative_to_the_bar_and_only_inside_it() {
    let body = r#"(call $barw (i32.const 0) (i32.const 0) (i32.const 0x10) (i32.const 2) (i32.const 0x1234))
      (call $hex (call $bar (i32.const 0) (i32.const 0) (i32.const 0x12) (i32.const 1)))
      (call $barw (i32.const 0) (i32.const 1) (i32.const 0xffc) (i32.const 4) (i32.const 0xcafe))
      (call $hex (call $bar (i32.const 0) (i32.const 1) (i32.const 0x20) (i32.const 4)))"#;
    let mut h = machine(body, &[]);
    assert_eq!(run(&mut h), ExitStatus::Exited(0));
    // A port read of P gives P + 1 on the test machine; memory at A its
    // low bits.
    assert_eq!(h.stdout(), "0000c013 febf0020 ");
    let machine = h.machine.borrow();
    assert_eq!(machine.port_writes, [(0xc010, Width::U16, 0x1234)]);
    assert_eq!(machine.mmio_writes, [(0xfebf_0ffc, Width::U32, 0xcafe)]);
    drop(machine);

    let cases = [
        (
            "(drop (call $bar (i32.const 0) (i32.const 0) (i32.const 0x40) (i32.const 1)))",
            "pci: offset 0x40 of 1 bytes is not inside BAR 0 of 00:04.0 (64 bytes), aligned",
        ),
        (
            "(drop (call $bar (i32.const 0) (i32.const 1) (i32.const 2) (i32.const 4)))",
            "pci: offset 0x2 of 4 bytes is not inside BAR 1 of 00:04.0 (4096 bytes), aligned",
        ),
        (
            "(drop (call $bar (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 8)))",
            "pci: an access of 8 bytes: 1, 2 or 4",
        ),
        ("(drop (call $bar (i32.const 0) (i32.const 3) (i32.const 0) (i32.const 4)))", "pci: 00:04.0 has no BAR 3"),
        ("(drop (call $bar (i32.const 0) (i32.const 9) (i32.const 0) (i32.const 4)))", "pci: 00:04.0 has no BAR 9"),
        (
            "(drop (call $bar (i32.const 0) (i32.const 2) (i32.const 0) (i32.const 4)))",
            "pci: BAR 2 of 00:04.0 at 0x8000000000 is outside the kernel's mapping",
        ),
        (
            "(drop (call $bar (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 4)))",
            "pci: no device 1: 1 granted to blk",
        ),
        (
            "(drop (call $cfg (i32.const 0) (i32.const 0xfe) (i32.const 4)))",
            "pci: configuration register 0xfe of 4 bytes is not in the 256 bytes, aligned",
        ),
        (
            "(drop (call $cfg (i32.const 0) (i32.const 0xfffffffc) (i32.const 4)))",
            "pci: configuration register 0xfffffffc of 4 bytes is not in the 256 bytes, aligned",
        ),
    ];
    for (body, message) in cases {
        assert_eq!(trap_message(body), message, "{body}");
    }
}

#[test]
fn a_device_reads_and_writes_the_dma_buffers_of_its_driver() {
    let body = r#"(local.set $h (call $alloc (i32.const 100)))
      (call $hex (local.get $h))
      (call $hex (call $dmaw (local.get $h) (i32.const 0) (i32.const 2048) (i32.const 8)))
      (local.set $a (call $address (local.get $h)))
      (call $hex (i32.and (i32.wrap_i64 (local.get $a)) (i32.const 0xfff)))
      (call $barw (i32.const 0) (i32.const 1) (i32.const 0x10) (i32.const 4) (i32.wrap_i64 (local.get $a)))
      (call $barw (i32.const 0) (i32.const 1) (i32.const 0x14) (i32.const 4)
        (i32.wrap_i64 (i64.shr_u (local.get $a) (i64.const 32))))
      (call $barw (i32.const 0) (i32.const 1) (i32.const 0x18) (i32.const 4) (i32.const 1))
      (call $barw (i32.const 0) (i32.const 1) (i32.const 0x18) (i32.const 4) (i32.const 2))
      (call $hex (call $dmar (local.get $h) (i32.const 0) (i32.const 3072) (i32.const 8)))
      (call $hex64 (i64.load (i32.const 3072)))
      ;; Errors: a bad handle, past the buffer's end (a page), a bad pointer.
      (call $hex (call $dmaw (i32.const 7) (i32.const 0) (i32.const 2048) (i32.const 8)))
      (call $hex (call $dmaw (local.get $h) (i32.const 4090) (i32.const 2048) (i32.const 8)))
      (call $hex (call $dmar (local.get $h) (i32.const 0) (i32.const 65530) (i32.const 8)))
      (call $hex (call $free (local.get $h)))
      (call $hex (call $free (local.get $h)))
      (call $hex (call $dmaw (local.get $h) (i32.const 0) (i32.const 2048) (i32.const 8)))
      (call $hex (call $alloc (i32.const 0)))
      (call $hex (call $alloc (i32.const 0x1000001)))
      (call $hex (call $alloc (i32.const 4096)))"#;
    let mut h = machine(body, &[]);
    assert_eq!(run(&mut h), ExitStatus::Exited(0));
    let fromdev = u64::from_le_bytes(*DEVICE_WRITES);
    assert_eq!(
        h.stdout(),
        format!(
            "00000000 00000000 00000000 00000000 {:08x} {:08x} 00000008 0000001c 00000015 00000000 00000008 00000008 \
             ffffffe4 ffffffe4 00000000 ",
            fromdev >> 32,
            fromdev as u32
        )
    );
    assert_eq!(h.machine.borrow().dma_seen, [*b"walos-ok"]);
    assert!(h.logs().contains("pci.dma_alloc: a DMA buffer of 0 bytes: 1 to 16777216 bytes"), "{}", h.logs());
}

#[test]
fn dma_buffers_are_charged_to_the_memory_of_all_processes() {
    let body = r#"(call $hex (call $alloc (i32.const 0x100000)))
      (call $hex (call $alloc (i32.const 0x100000)))"#;
    let mut drivers = vec![Driver::parse("blk=pci:1af4:1001").expect("a grant")];
    drivers.truncate(1);
    let config = Config { log_level: Level::Debug, drivers, max_total_memory: 3 << 19, ..Config::default() };
    let mut h = Harness::with_pci(&[("main", MAIN), ("blk", &driver(body))], config, pci::bus());
    assert_eq!(run(&mut h), ExitStatus::Exited(0));
    // 48: ENOMEM, as a negative handle.
    assert_eq!(h.stdout(), "00000000 ffffffd0 ");
    assert!(h.logs().contains("pci.dma_alloc: no memory for a DMA buffer: "), "{}", h.logs());
}

#[test]
fn a_driver_waits_for_its_devices_interrupt_and_the_line_is_armed_first() {
    let body = r#"(call $hex (call $irq_wait (i32.const 1)))
      (call $hex (call $irq_wait (i32.const 0)))"#;
    let mut h = machine(body, &[]);
    h.machine.borrow_mut().irqs_on_wait.push_back(1 << 11);
    assert_eq!(run(&mut h), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "00000001 00000000 ");
    let machine = h.machine.borrow();
    assert_eq!(machine.irq_arms, [1 << 11]);
    assert!(machine.waits.iter().any(|wake| wake.irqs == 1 << 11), "{:?}", machine.waits);
}

#[test]
fn a_driver_that_ends_leaves_its_devices_unable_to_do_dma() {
    let body = r#"(call $cfgw (i32.const 0) (i32.const 4) (i32.const 2) (i32.const 7))
      (drop (call $alloc (i32.const 4096)))
      unreachable"#;
    let mut h = machine(body, &[]);
    run(&mut h);
    assert!(h.logs().contains("blk: blk:run: trapped: "), "{}", h.logs());
    let machine = h.machine.borrow();
    assert_eq!(machine.pci[0].read(4, Width::U16), 0b011, "bus mastering is off, decoding on");
    assert_eq!(machine.config_writes.last(), Some(&(BLOCK, 4, Width::U16, 0b011)));
}

#[test]
fn a_service_not_declared_a_driver_cannot_link_the_pci_interface() {
    let config = Config { log_level: Level::Debug, drivers: vec![Driver::named("other")], ..Config::default() };
    let mut h = Harness::with_pci(&[("main", MAIN), ("blk", &driver(""))], config, pci::bus());
    let error = h.spawn(Command::new("main")).map(|_| ()).unwrap_err().to_string();
    assert!(
        error.contains("import `pci.count` (func () -> i32): `pci` is for driver services, and `blk` is not one"),
        "{error}"
    );
    assert!(h.machine.borrow().mmio_writes.is_empty());
}
