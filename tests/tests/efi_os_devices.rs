//! Device interfaces on efi-os, in QEMU (issue 16): a driver service in
//! WAT (`tests/devices/virtio_blk_probe.wat`) granted a legacy virtio
//! block device drives it through `pci` alone: BAR registers, DMA buffers
//! its device reads and writes, and the device's interrupt.

use walos_tests::qemu::Boot;
use walos_tests::{root, temp_file, wat_file};

fn devices_wat(name: &str) -> std::path::PathBuf {
    let path = root().join("tests/devices").join(format!("{name}.wat"));
    let source = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    wat_file(name, &source)
}

/// A 1 MiB disk whose sector 0 starts with `text`.
fn disk(text: &[u8]) -> std::path::PathBuf {
    let mut image = vec![0u8; 1 << 20];
    image[..text.len()].copy_from_slice(text);
    temp_file("disk.img", &image)
}

#[test]
fn a_wasm_driver_reads_a_sector_of_a_virtio_disk_by_dma_and_its_interrupt() {
    let end = Boot::new("efi-os", &devices_wat("run_blk"))
        .service("blk", &devices_wat("virtio_blk_probe"))
        .drivers(&["ps2kbd", "blk=pci:1af4:1001"])
        .log("info")
        .disk(&disk(b"walos sector 0: hello, driver"))
        .start()
        .wait();
    // One device; ids 1af4:1001; BAR 0 is ports; 2048 sectors; queue 0 has
    // 256 entries (QEMU's); the device's interrupt fired, the ISR says
    // "used ring", one request done, status 0 (OK); then the data.
    let want = "00000001 10011af4 00000001 00000800 00000100 00000001 00000001 00000001 00000000 walos sector 0: \n";
    let printed: String = end.serial.lines().filter(|line| !line.starts_with('[')).map(|l| format!("{l}\n")).collect();
    assert_eq!((printed.as_str(), end.status), (want, Some(0)), "{}", end.serial);
    assert!(end.serial.contains("1af4:1001 (class 01.00.00, irq "), "{}", end.serial);
    assert!(end.serial.contains("granted to blk"), "{}", end.serial);
}

#[test]
fn a_grant_the_kernel_cannot_read_stops_the_boot_naming_it() {
    let end = Boot::new("efi-os", &devices_wat("run_blk"))
        .service("blk", &devices_wat("virtio_blk_probe"))
        .drivers(&["ps2kbd", "blk=pci:1af4"])
        .start()
        .wait();
    assert_eq!(
        (end.serial.as_str(), end.status),
        (
            "walos: kernel command line: driver `blk=pci:1af4`: `pci:1af4` is not a device grant (pci:VENDOR:DEVICE, in hex)\n",
            None
        )
    );
}
