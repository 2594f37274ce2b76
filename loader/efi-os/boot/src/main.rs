//! The efi-os stub: a small UEFI application (`\EFI\BOOT\BOOTX64.EFI`)
//! that boots the bare-metal walos kernel.
//!
//! While boot services last it reads everything the kernel will need from
//! the boot volume (`\walos\kernel.elf`, `\walos\cmdline`, `\srv\*.wasm`,
//! `\walos\initrd.tar` or `initrd.tar.gz`), loads the kernel image, and gathers the
//! framebuffer, the ACPI RSDP and the time. Then it exits boot services and
//! jumps to the kernel with a [`BootInfo`]. Everything it hands over lives
//! in UEFI loader memory, which the firmware leaves alone afterwards and the
//! kernel does not reuse.
//!
//! Errors before the jump are printed on the UEFI console (which OVMF
//! mirrors on serial) and end the stub with a failing status.

#![no_std]
#![no_main]

extern crate alloc;

mod files;
mod image;
mod machine;

use alloc::boxed::Box;
use alloc::string::String;

use uefi::prelude::*;
use uefi::{boot, println};
use walos_efi_os_bootinfo::{BootInfo, MemoryMap};
use walos_uefi_boot::volume;

#[entry]
fn main() -> Status {
    match prepare() {
        Ok(info) => jump(info),
        Err(message) => {
            println!("walos efi-os: {message}");
            Status::LOAD_ERROR
        }
    }
}

/// Everything but the memory map, which only exists once boot services
/// are gone.
fn prepare() -> Result<(&'static mut BootInfo, image::Image), String> {
    let mut boot_volume = files::Volume::open()?;
    let kernel_elf = boot_volume.read(volume::KERNEL_IMAGE)?;
    let image = image::load(&kernel_elf)?;
    let cmdline = boot_volume.read(volume::CMDLINE)?;
    let services = boot_volume.services()?;
    let initrd = boot_volume.read_first(&volume::INITRDS)?;
    drop(boot_volume);

    let info = Box::leak(Box::new(BootInfo {
        magic: BootInfo::MAGIC,
        version: BootInfo::VERSION,
        cmdline: files::leak(cmdline),
        services: services.as_ptr(),
        services_count: services.len(),
        initrd_path: initrd
            .as_ref()
            .map_or(walos_efi_os_bootinfo::Bytes::EMPTY, |(path, _)| files::leak(path.as_bytes().to_vec())),
        initrd: initrd.map_or(walos_efi_os_bootinfo::Bytes::EMPTY, |(_, data)| files::leak(data)),
        memory_map: MemoryMap { buffer: core::ptr::null(), descriptor_size: 0, count: 0 },
        framebuffer: machine::framebuffer(),
        rsdp: machine::rsdp(),
        realtime_ns: machine::realtime_ns(),
        kernel_base: image.base,
        kernel_size: image.size,
    }));
    core::mem::forget(services);
    Ok((info, image))
}

/// Exits boot services and enters the kernel; never returns.
fn jump((info, image): (&'static mut BootInfo, image::Image)) -> Status {
    // SAFETY: no boot-services object (protocol, event, allocation to be
    // freed) is used after this point; the map is allocated as loader data,
    // which survives.
    let map = unsafe { boot::exit_boot_services(Some(boot::MemoryType::LOADER_DATA)) };
    use uefi::mem::memory_map::MemoryMap as _;
    let meta = map.meta();
    info.memory_map =
        MemoryMap { buffer: map.buffer().as_ptr(), descriptor_size: meta.desc_size, count: meta.entry_count() };
    core::mem::forget(map);
    // SAFETY: the entry point of a kernel image that `image::load` checked
    // and relocated; it takes the boot information, SysV-style, and never
    // returns.
    unsafe { image.enter(info) }
}

/// A bug in the stub (boot services are still there: nothing panics after
/// the jump): say so, then power off.
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    println!("walos efi-os: stub panic: {info}");
    uefi::runtime::reset(uefi::runtime::ResetType::SHUTDOWN, Status::ABORTED, None)
}
