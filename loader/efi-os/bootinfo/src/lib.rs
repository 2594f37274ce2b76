//! The hand-over from the efi-os stub (a UEFI application) to the
//! bare-metal kernel (an ELF for `x86_64-unknown-none`).
//!
//! The stub fills a [`BootInfo`] in memory that it allocated as UEFI loader
//! data (which stays reserved after `ExitBootServices`), then jumps to the
//! kernel's entry point `extern "sysv64" fn(&BootInfo) -> !` on a stack of
//! its own. The two are built by different compilers' targets (win64 and
//! SysV), so everything here is `#[repr(C)]`, made of plain integers and
//! raw pointers, and checked with [`BootInfo::MAGIC`] and
//! [`BootInfo::VERSION`].
//!
//! All addresses are physical: the kernel keeps the firmware's identity
//! mapping.

#![no_std]

/// A run of bytes in memory.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Bytes {
    pub ptr: *const u8,
    pub len: usize,
}

impl Bytes {
    pub const EMPTY: Bytes = Bytes { ptr: core::ptr::null(), len: 0 };

    /// # Safety
    /// `ptr` must be valid for `len` bytes for `'a` (or `len` 0).
    pub unsafe fn as_slice<'a>(&self) -> &'a [u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: the caller vouches for the memory.
        unsafe { core::slice::from_raw_parts(self.ptr, self.len) }
    }
}

/// A file of the boot volume: a service `\srv\NAME.wasm` (without the
/// suffix) with its bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct File {
    pub name: Bytes,
    pub data: Bytes,
}

/// The UEFI memory map after `ExitBootServices`, as the firmware wrote it:
/// `count` descriptors of `descriptor_size` bytes each (the UEFI
/// `EFI_MEMORY_DESCRIPTOR` layout: type `u32` at 0, physical start `u64` at
/// 8, number of 4 KiB pages `u64` at 24).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MemoryMap {
    pub buffer: *const u8,
    pub descriptor_size: usize,
    pub count: usize,
}

/// A region of the memory map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// The UEFI memory type (7 is conventional memory).
    pub kind: u32,
    pub start: u64,
    pub pages: u64,
}

/// `EfiConventionalMemory`: free once boot services are gone.
pub const CONVENTIONAL: u32 = 7;

impl MemoryMap {
    /// The regions.
    ///
    /// # Safety
    /// `buffer` must hold `count` descriptors of `descriptor_size` bytes.
    pub unsafe fn regions(&self) -> impl Iterator<Item = Region> + '_ {
        (0..self.count).map(move |i| {
            // SAFETY: inside the buffer, per the caller; descriptors may be
            // unaligned for a u64 when descriptor_size is odd, hence
            // read_unaligned.
            unsafe {
                let at = self.buffer.add(i * self.descriptor_size);
                Region {
                    kind: at.cast::<u32>().read_unaligned(),
                    start: at.add(8).cast::<u64>().read_unaligned(),
                    pages: at.add(24).cast::<u64>().read_unaligned(),
                }
            }
        })
    }
}

/// How the framebuffer stores one pixel in its 32 bits.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelFormat {
    /// Byte 0 red, 1 green, 2 blue.
    Rgb = 0,
    /// Byte 0 blue, 1 green, 2 red.
    Bgr = 1,
}

/// The GOP framebuffer, if the machine has a linear one.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Framebuffer {
    /// 0 when there is none.
    pub base: u64,
    pub size: usize,
    pub width: u32,
    pub height: u32,
    /// Pixels per scan line (at least `width`).
    pub stride: u32,
    pub format: PixelFormat,
}

/// Everything the kernel needs from the firmware.
#[repr(C)]
#[derive(Debug)]
pub struct BootInfo {
    /// [`BootInfo::MAGIC`].
    pub magic: u64,
    /// [`BootInfo::VERSION`].
    pub version: u32,
    /// `\walos\cmdline`, UTF-8.
    pub cmdline: Bytes,
    /// The services `\srv\*.wasm`: `services_count` files.
    pub services: *const File,
    pub services_count: usize,
    /// `\walos\initrd.tar` or `initrd.tar.gz`, or empty.
    pub initrd: Bytes,
    /// The path of the file `initrd` was read from, for messages (UTF-8).
    pub initrd_path: Bytes,
    pub memory_map: MemoryMap,
    pub framebuffer: Framebuffer,
    /// The ACPI RSDP (version 2 if the firmware has it), or 0.
    pub rsdp: u64,
    /// Wall-clock time when the stub read it, in nanoseconds since the Unix
    /// epoch (0 if unknown).
    pub realtime_ns: u64,
    /// Where the kernel image was loaded, and its size (reserved memory).
    pub kernel_base: u64,
    pub kernel_size: usize,
}

impl BootInfo {
    /// "walosBI\0" as a little-endian u64.
    pub const MAGIC: u64 = u64::from_le_bytes(*b"walosBI\0");
    /// Bumped whenever the layout changes.
    pub const VERSION: u32 = 2;

    /// The services.
    ///
    /// # Safety
    /// `services` must point to `services_count` files that stay valid.
    pub unsafe fn services(&self) -> &[File] {
        if self.services_count == 0 {
            return &[];
        }
        // SAFETY: per the caller.
        unsafe { core::slice::from_raw_parts(self.services, self.services_count) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Descriptors as OVMF writes them: 48 bytes each (larger than the
    /// 40-byte structure), so the stride must come from the map.
    #[test]
    fn regions_follow_the_descriptor_size() {
        let mut buffer = [0u8; 96];
        for (i, (kind, start, pages)) in [(CONVENTIONAL, 0x10_0000u64, 16u64), (2, 0x20_0000, 1)].iter().enumerate() {
            let at = i * 48;
            buffer[at..at + 4].copy_from_slice(&kind.to_le_bytes());
            buffer[at + 8..at + 16].copy_from_slice(&start.to_le_bytes());
            buffer[at + 24..at + 32].copy_from_slice(&pages.to_le_bytes());
        }
        let map = MemoryMap { buffer: buffer.as_ptr(), descriptor_size: 48, count: 2 };
        // SAFETY: the buffer holds two descriptors of 48 bytes.
        let regions: [Region; 2] = unsafe {
            let mut regions = map.regions();
            [regions.next().unwrap(), regions.next().unwrap()]
        };
        assert_eq!(regions[0], Region { kind: CONVENTIONAL, start: 0x10_0000, pages: 16 });
        assert_eq!(regions[1], Region { kind: 2, start: 0x20_0000, pages: 1 });
    }

    #[test]
    fn the_magic_reads_walosbi() {
        assert_eq!(&BootInfo::MAGIC.to_le_bytes(), b"walosBI\0");
    }
}
