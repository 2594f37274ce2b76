//! The PCI functions of the machine, found once at boot through the
//! loader's configuration-space access, and the BARs of those granted to
//! a driver.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::{Driver, PciId};
use crate::loader::{Pci, PciAddress, Width};

/// Configuration-space registers the kernel reads.
const VENDOR: u8 = 0x00;
const COMMAND: u8 = 0x04;
const PROG_IF: u8 = 0x09;
const HEADER_TYPE: u8 = 0x0e;
const BAR0: u8 = 0x10;
const INTERRUPT_LINE: u8 = 0x3c;
const INTERRUPT_PIN: u8 = 0x3d;

/// The command register's I/O-space and memory-space decode bits.
const DECODE: u32 = 0b11;
/// The command register's bus-master bit: the device may do DMA.
pub const BUS_MASTER: u32 = 1 << 2;

/// A range of ports or device memory a function decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bar {
    /// Ports, or memory below or above 4 GiB.
    pub kind: BarKind,
    /// The first port or physical address.
    pub base: u64,
    /// Its size in bytes (ports).
    pub size: u64,
}

/// What a [`Bar`] decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarKind {
    /// I/O ports.
    Io,
    /// Memory below 4 GiB.
    Memory32,
    /// Memory anywhere (it takes two BAR slots; the second is `None`).
    Memory64,
}

impl BarKind {
    /// The number drivers see in `pci.info`.
    pub fn code(self) -> u32 {
        match self {
            BarKind::Io => 1,
            BarKind::Memory32 => 2,
            BarKind::Memory64 => 3,
        }
    }
}

/// One PCI function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PciDevice {
    /// Where it sits on the bus.
    pub address: PciAddress,
    /// Its vendor and device ids.
    pub id: PciId,
    /// Class, subclass and programming interface.
    pub class: [u8; 3],
    /// Its legacy interrupt line (the IRQ the firmware routed it to).
    pub irq: Option<u8>,
    /// Its BARs; sized only for a granted function (sizing briefly turns
    /// its decoding off, which the kernel does to nobody else's device).
    pub bars: [Option<Bar>; 6],
    /// The driver service granted it, if any.
    pub driver: Option<String>,
}

impl fmt::Display for PciDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [class, subclass, prog_if] = self.class;
        write!(f, "pci {} {} (class {class:02x}.{subclass:02x}.{prog_if:02x}", self.address, self.id)?;
        if let Some(irq) = self.irq {
            write!(f, ", irq {irq}")?;
        }
        f.write_str(")")
    }
}

/// Every function on the bus, each granted to the first of `drivers`
/// whose grant names its id, which gets its BARs sized.
pub fn enumerate(pci: &mut dyn Pci, drivers: &[Driver]) -> Vec<PciDevice> {
    let mut found = Vec::new();
    for bus in 0..=255u8 {
        for device in 0..32u8 {
            let first = PciAddress { bus, device, function: 0 };
            if pci.config_read(first, VENDOR, Width::U16) == 0xffff {
                continue;
            }
            let functions = if pci.config_read(first, HEADER_TYPE, Width::U8) & 0x80 != 0 { 8 } else { 1 };
            for function in 0..functions {
                let at = PciAddress { bus, device, function };
                if let Some(found_one) = function_at(pci, at, drivers) {
                    found.push(found_one);
                }
            }
        }
    }
    found
}

fn function_at(pci: &mut dyn Pci, at: PciAddress, drivers: &[Driver]) -> Option<PciDevice> {
    let ids = pci.config_read(at, VENDOR, Width::U32);
    if ids & 0xffff == 0xffff {
        return None;
    }
    let id = PciId { vendor: ids as u16, device: (ids >> 16) as u16 };
    let class = pci.config_read(at, PROG_IF - 1, Width::U32).to_le_bytes();
    let line = pci.config_read(at, INTERRUPT_LINE, Width::U8) as u8;
    let pin = pci.config_read(at, INTERRUPT_PIN, Width::U8);
    let driver = drivers.iter().find(|d| d.pci.contains(&id)).map(|d| d.name.clone());
    let header = pci.config_read(at, HEADER_TYPE, Width::U8) & 0x7f;
    let slots = match header {
        0 => 6,
        1 => 2,
        _ => 0,
    };
    let bars = if driver.is_some() { size_bars(pci, at, slots) } else { [None; 6] };
    Some(PciDevice {
        address: at,
        id,
        class: [class[3], class[2], class[1]],
        irq: (pin != 0 && line < 16).then_some(line),
        bars,
        driver,
    })
}

/// The first `slots` BARs of `at`, sized by writing all ones and reading
/// back what sticks, with its decoding off meanwhile.
fn size_bars(pci: &mut dyn Pci, at: PciAddress, slots: usize) -> [Option<Bar>; 6] {
    let mut bars = [None; 6];
    let command = pci.config_read(at, COMMAND, Width::U16);
    pci.config_write(at, COMMAND, Width::U16, command & !DECODE);
    let mut slot = 0;
    while slot < slots {
        let offset = BAR0 + 4 * slot as u8;
        let low = probe(pci, at, offset);
        let (original, readback) = low;
        if original & 1 == 1 {
            let mask = readback & 0xffff_fffc & 0xffff;
            if mask != 0 {
                let size = u64::from((!mask & 0xffff) + 1);
                bars[slot] = Some(Bar { kind: BarKind::Io, base: u64::from(original & 0xffff_fffc), size });
            }
            slot += 1;
            continue;
        }
        let wide = (original >> 1) & 0b11 == 0b10 && slot + 1 < slots;
        let (base, mask) = if wide {
            let (high, high_back) = probe(pci, at, offset + 4);
            (
                u64::from(high) << 32 | u64::from(original & !0xf),
                u64::from(high_back) << 32 | u64::from(readback & !0xf),
            )
        } else {
            (u64::from(original & !0xf), u64::from(readback & !0xf) | 0xffff_ffff_0000_0000)
        };
        if mask & 0xffff_ffff != 0 || (wide && mask != 0) {
            let kind = if wide { BarKind::Memory64 } else { BarKind::Memory32 };
            bars[slot] = Some(Bar { kind, base, size: (!mask).wrapping_add(1) });
        }
        slot += if wide { 2 } else { 1 };
    }
    pci.config_write(at, COMMAND, Width::U16, command);
    bars
}

/// The BAR at `offset`, and what reads back after writing all ones to it;
/// the original is written back.
fn probe(pci: &mut dyn Pci, at: PciAddress, offset: u8) -> (u32, u32) {
    let original = pci.config_read(at, offset, Width::U32);
    pci.config_write(at, offset, Width::U32, 0xffff_ffff);
    let readback = pci.config_read(at, offset, Width::U32);
    pci.config_write(at, offset, Width::U32, original);
    (original, readback)
}

/// Whether a driver may write `width` at `offset` of a granted function's
/// configuration space: the command and status registers, and the
/// capabilities and device-specific registers past the header. The ids,
/// BARs, expansion ROM and interrupt line stay as the firmware and the
/// kernel set them, so that a driver cannot move a device over memory it
/// does not own.
pub fn driver_may_write(offset: u8, width: Width) -> bool {
    let end = u32::from(offset) + width.bytes();
    (offset >= 0x04 && end <= 0x08) || offset >= 0x40
}

/// Turns bus mastering off for `at`: its driver ended, and the DMA
/// buffers it gave the device are about to be freed.
pub fn stop_dma(pci: &mut dyn Pci, at: PciAddress) {
    let command = pci.config_read(at, COMMAND, Width::U16);
    pci.config_write(at, COMMAND, Width::U16, command & !BUS_MASTER);
}
