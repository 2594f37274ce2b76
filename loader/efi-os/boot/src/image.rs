//! Loading the kernel image: an ELF for `x86_64-unknown-none`, which Rust
//! links as a static position-independent executable.
//!
//! The image is placed anywhere the firmware has room (pages of UEFI
//! loader *code*, so that firmware that maps data pages no-execute still
//! lets it run), and its `R_X86_64_RELATIVE` relocations are applied for
//! that address. No fixed address to keep free in every firmware's memory
//! map, and no linker script.

use alloc::format;
use alloc::string::String;

use elf::ElfBytes;
use elf::abi;
use elf::endian::LittleEndian;
use uefi::boot::{self, AllocateType, MemoryType};
use walos_efi_os_bootinfo::BootInfo;
use walos_uefi_boot::volume::KERNEL_IMAGE;

const PAGE: u64 = 4096;

/// A loaded, relocated kernel image.
pub struct Image {
    pub base: u64,
    pub size: usize,
    entry: u64,
}

impl Image {
    /// Jumps to the kernel's entry with `info`.
    ///
    /// # Safety
    /// Boot services must be gone and `info` complete.
    pub unsafe fn enter(&self, info: &'static BootInfo) -> ! {
        // SAFETY: per `load`, `entry` is the image's entry point, which has
        // this signature (see `start.rs` in `loader/efi-os/image`).
        let entry: extern "sysv64" fn(&'static BootInfo) -> ! = unsafe { core::mem::transmute(self.entry) };
        entry(info)
    }
}

fn bad(what: &str) -> String {
    format!("{KERNEL_IMAGE}: {what}")
}

/// Copies the loadable segments of `file` to fresh pages and relocates them.
pub fn load(file: &[u8]) -> Result<Image, String> {
    let elf = ElfBytes::<LittleEndian>::minimal_parse(file).map_err(|err| bad(&format!("not an ELF file: {err}")))?;
    if elf.ehdr.e_machine != abi::EM_X86_64 || elf.ehdr.e_type != abi::ET_DYN {
        return Err(bad("not a position-independent x86_64 executable (build it for x86_64-unknown-none)"));
    }
    let segments = elf.segments().ok_or_else(|| bad("no program headers"))?;
    let loads = || segments.iter().filter(|ph| ph.p_type == abi::PT_LOAD);
    let end = loads().map(|ph| ph.p_vaddr + ph.p_memsz).max().ok_or_else(|| bad("nothing to load"))?;
    let pages = end.div_ceil(PAGE) as usize;
    let base = boot::allocate_pages(AllocateType::AnyPages, MemoryType::LOADER_CODE, pages)
        .map_err(|err| format!("no memory for the kernel ({pages} pages): {err}"))?
        .as_ptr();
    let size = pages * PAGE as usize;
    // SAFETY: freshly allocated pages of `size` bytes.
    let image = unsafe { core::slice::from_raw_parts_mut(base, size) };
    image.fill(0);
    for ph in loads() {
        let (offset, filesz) = (ph.p_offset as usize, ph.p_filesz as usize);
        let data = file.get(offset..offset + filesz).ok_or_else(|| bad("a segment is outside the file"))?;
        let at = ph.p_vaddr as usize;
        image[at..at + filesz].copy_from_slice(data);
    }
    relocate(&elf, image)?;
    let base = base as u64;
    Ok(Image { base, size, entry: base + elf.ehdr.e_entry })
}

/// Applies the dynamic relocations: only `R_X86_64_RELATIVE` (`base +
/// addend`) occurs in a static PIE.
fn relocate(elf: &ElfBytes<LittleEndian>, image: &mut [u8]) -> Result<(), String> {
    let Some(dynamic) = elf.dynamic().map_err(|err| bad(&format!("dynamic section: {err}")))? else {
        return Ok(());
    };
    let (mut rela, mut rela_size, mut rela_entry) = (0, 0, 24);
    for entry in dynamic.iter() {
        match entry.d_tag {
            abi::DT_RELA => rela = entry.d_ptr() as usize,
            abi::DT_RELASZ => rela_size = entry.d_val() as usize,
            abi::DT_RELAENT => rela_entry = entry.d_val() as usize,
            abi::DT_REL => return Err(bad("REL relocations are not supported")),
            _ => {}
        }
    }
    let base = image.as_ptr() as u64;
    let word = |image: &[u8], at: usize| -> Result<u64, String> {
        let bytes = image.get(at..at + 8).ok_or_else(|| bad("a relocation is outside the image"))?;
        Ok(u64::from_le_bytes(bytes.try_into().expect("8 bytes")))
    };
    for at in (rela..rela + rela_size).step_by(rela_entry.max(1)) {
        let (offset, info, addend) = (word(image, at)?, word(image, at + 8)?, word(image, at + 16)?);
        let kind = info as u32;
        if kind != abi::R_X86_64_RELATIVE {
            return Err(bad(&format!("unsupported relocation type {kind}")));
        }
        let target = image
            .get_mut(offset as usize..offset as usize + 8)
            .ok_or_else(|| bad("a relocation target is outside the image"))?;
        target.copy_from_slice(&base.wrapping_add(addend).to_le_bytes());
    }
    Ok(())
}
