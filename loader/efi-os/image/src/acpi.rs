//! Powering off through ACPI, with the tables parsed here: the `acpi`
//! crate needs a physical-memory mapper and an AML interpreter for what
//! takes three table lookups and one byte pattern.
//!
//! RSDP -> XSDT (or RSDT) -> FADT gives the PM1a control port; the sleep
//! type of S5 is the first element of the `\_S5_` package in the DSDT,
//! found by a byte search (`NameOp "_S5_" PackageOp PkgLength NumElements
//! value`). Writing `SLP_TYPa << 10 | SLP_EN` to PM1a_CNT switches the
//! machine off. QEMU's q35 declares `_S5` as 0.

use crate::serial;

/// Stops the processor for good.
pub fn halt() -> ! {
    x86_64::instructions::interrupts::disable();
    loop {
        x86_64::instructions::hlt();
    }
}

/// Switches the machine off; halts if it cannot.
pub fn power_off() -> ! {
    x86_64::instructions::interrupts::disable();
    match crate::machine::rsdp().and_then(|rsdp| {
        // SAFETY: the firmware's ACPI tables, identity-mapped and kept
        // (ACPI reclaim memory is not part of the heap).
        unsafe { s5(rsdp) }
    }) {
        Some((port, sleep_type)) => {
            // SAFETY: the PM1a control register the FADT names.
            unsafe { x86_64::instructions::port::Port::<u16>::new(port).write(sleep_type << 10 | 1 << 13) };
            // The machine may take a moment to go: only complain after a
            // second.
            let give_up = crate::timer::now_ns() + 1_000_000_000;
            while crate::timer::now_ns() < give_up {
                x86_64::instructions::interrupts::enable_and_hlt();
            }
            x86_64::instructions::interrupts::disable();
            serial::print(format_args!("walos: ACPI power-off did not stop the machine\n"));
        }
        None => serial::print(format_args!("walos: no ACPI power-off (FADT or \\_S5 missing); halting\n")),
    }
    halt()
}

/// # Safety
/// `addr` must point to a valid, mapped ACPI table of at least `len` bytes.
unsafe fn bytes<'a>(addr: u64, len: usize) -> &'a [u8] {
    // SAFETY: per the caller.
    unsafe { core::slice::from_raw_parts(addr as *const u8, len) }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// A table with its header's signature and length checked.
///
/// # Safety
/// `addr` must be the address of an ACPI table.
unsafe fn table<'a>(addr: u64, signature: &[u8; 4]) -> Option<&'a [u8]> {
    // SAFETY: every table starts with a 36-byte header.
    let header = unsafe { bytes(addr, 36) };
    if &header[..4] != signature {
        return None;
    }
    // SAFETY: the header gives the table's length.
    Some(unsafe { bytes(addr, u32_at(header, 4) as usize) })
}

/// The PM1a control port and the S5 sleep type.
///
/// # Safety
/// `rsdp` must be the firmware's RSDP.
unsafe fn s5(rsdp: u64) -> Option<(u16, u16)> {
    // SAFETY: an RSDP of revision 2 is 36 bytes, revision 0 is 20.
    let root = unsafe { bytes(rsdp, 20) };
    if &root[..8] != b"RSD PTR " {
        return None;
    }
    // SAFETY: as above, and the tables the RSDP points to.
    let fadt = unsafe {
        let entries: alloc::vec::Vec<u64> = if root[15] >= 2 {
            let xsdt = table(u64_at(bytes(rsdp, 36), 24), b"XSDT")?;
            xsdt[36..].as_chunks::<8>().0.iter().map(|e| u64::from_le_bytes(*e)).collect()
        } else {
            let rsdt = table(u64::from(u32_at(root, 16)), b"RSDT")?;
            rsdt[36..].as_chunks::<4>().0.iter().map(|e| u64::from(u32::from_le_bytes(*e))).collect()
        };
        entries.into_iter().find_map(|addr| table(addr, b"FACP"))?
    };
    let port = u16::try_from(u32_at(fadt, 64)).ok().filter(|&p| p != 0)?;
    let dsdt_addr =
        if fadt.len() >= 148 && u64_at(fadt, 140) != 0 { u64_at(fadt, 140) } else { u32_at(fadt, 40).into() };
    // SAFETY: the DSDT the FADT names.
    let dsdt = unsafe { table(dsdt_addr, b"DSDT")? };
    Some((port, sleep_type(dsdt)?))
}

/// SLP_TYPa of `\_S5_` in AML.
fn sleep_type(aml: &[u8]) -> Option<u16> {
    let at = aml.windows(4).position(|w| w == b"_S5_")?;
    let rest = aml.get(at + 4..)?;
    if *rest.first()? != 0x12 {
        return None; // not a package
    }
    // PkgLength: its first byte's top two bits count the bytes that follow.
    let length_bytes = 1 + usize::from(rest.get(1)? >> 6);
    let element = 1 + length_bytes + 1; // past PackageOp, PkgLength, NumElements
    match *rest.get(element)? {
        0x0a => rest.get(element + 1).map(|&v| u16::from(v)), // BytePrefix
        0x00 => Some(0),                                      // ZeroOp
        0x01 => Some(1),                                      // OneOp
        _ => None,
    }
}
