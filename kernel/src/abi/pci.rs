//! `pci`: the PCI devices granted to a driver service, their registers,
//! DMA buffers and interrupt lines.
//!
//! Like `x86`, the linker binds these only for a service the loader
//! declared a driver, on a machine with a PCI bus
//! ([`crate::loader::Loader::pci`]). A driver sees only the functions its
//! grant names (`--driver NAME=pci:VVVV:DDDD`), numbered from 0 in bus
//! order; it reaches their registers relative to a BAR, never by address,
//! and DMA memory through copies, never by pointer. A device number, BAR,
//! offset or width out of range is a bug of the driver: it traps, naming
//! what was wrong.

use alloc::format;
use alloc::string::String;

use walos_engine::{HostFlow, Trap};

use crate::device::dma::{self, DmaBuffer};
use crate::device::pci::{self, Bar, BarKind, PciDevice};
use crate::loader::Width;
use crate::log::Level;
use crate::process::WaitFor;
use crate::syscall::valtypes::{ERRNO, I32, I64, NONE};
use crate::syscall::{Errno, Fault, HostCall, Interface, Stop, SysResult, Syscall};

/// `pci`: devices, configuration space, BAR registers, DMA buffers and
/// interrupt waits (docs/abi.md, "`pci`").
pub static PCI: Interface = Interface {
    name: "pci",
    base: None,
    funcs: &[
        Syscall::sync("count", NONE, &[I32], count),
        Syscall::sync("info", &[I32, I32, I32], ERRNO, info),
        Syscall::sync("config_read", &[I32, I32, I32], &[I32], config_read),
        Syscall::sync("config_write", &[I32, I32, I32, I32], NONE, config_write),
        Syscall::sync("bar_read", &[I32, I32, I32, I32], &[I32], bar_read),
        Syscall::sync("bar_write", &[I32, I32, I32, I32, I32], NONE, bar_write),
        Syscall::sync("dma_alloc", &[I32], &[I32], dma_alloc),
        Syscall::sync("dma_address", &[I32], &[I64], dma_address),
        Syscall::sync("dma_write", &[I32, I32, I32, I32], ERRNO, dma_write),
        Syscall::sync("dma_read", &[I32, I32, I32, I32], ERRNO, dma_read),
        Syscall::sync("dma_free", &[I32], ERRNO, dma_free),
        Syscall::suspending("irq_wait", &[I32], &[I32], irq_wait),
    ],
};

/// The size of what `info` writes.
pub const INFO_BYTES: u32 = 16 + 6 * 24;

/// The most DMA buffers one driver holds at once.
pub const MAX_DMA_BUFFERS: usize = 256;

fn trap(message: String) -> Stop {
    Stop::Flow(HostFlow::Trap(Trap::host(format!("pci: {message}"))))
}

fn efault(_: Fault) -> Stop {
    Errno::FAULT.into()
}

/// The devices granted to the caller, in bus order.
fn granted<'a>(devices: &'a [PciDevice], driver: &'a str) -> impl Iterator<Item = &'a PciDevice> {
    devices.iter().filter(move |d| d.driver.as_deref() == Some(driver))
}

/// The caller's device number `n`.
fn device(c: &HostCall<'_>, n: u32) -> Result<PciDevice, Stop> {
    granted(&c.sys.devices, &c.proc.name).nth(n as usize).cloned().ok_or_else(|| {
        trap(format!("no device {n}: {} granted to {}", granted(&c.sys.devices, &c.proc.name).count(), c.proc.name))
    })
}

fn width(bytes: u32) -> Result<Width, Stop> {
    Width::of(bytes).ok_or_else(|| trap(format!("an access of {bytes} bytes: 1, 2 or 4")))
}

/// `count() -> n`: how many devices are granted to the caller.
fn count(c: &mut HostCall<'_>) -> SysResult {
    let n = granted(&c.sys.devices, &c.proc.name).count();
    c.ret_i32(n as i32);
    Ok(())
}

/// `info(device, out, out_len) -> errno`: writes [`INFO_BYTES`] bytes at
/// `out`: vendor and device id (u16 each), class, subclass, programming
/// interface, interrupt line (0xff: none), bus, slot, function, 5 bytes
/// of zeros, then 6 BARs of {kind u32 (0 none, 1 ports, 2 memory below
/// 4 GiB, 3 memory), 0 u32, base u64, size u64}. `EINVAL` for a device
/// that is not granted, `EFAULT` for `out`, `E2BIG` if `out_len` is short.
fn info(c: &mut HostCall<'_>) -> SysResult {
    let (n, out, out_len) = (c.u32(0), c.u32(1), c.u32(2));
    let Some(dev) = granted(&c.sys.devices, &c.proc.name).nth(n as usize).cloned() else {
        return Err(Errno::INVAL.into());
    };
    if out_len < INFO_BYTES {
        return Err(Errno::TOOBIG.into());
    }
    let mut record = [0u8; INFO_BYTES as usize];
    record[0..2].copy_from_slice(&dev.id.vendor.to_le_bytes());
    record[2..4].copy_from_slice(&dev.id.device.to_le_bytes());
    record[4..7].copy_from_slice(&dev.class);
    record[7] = dev.irq.unwrap_or(0xff);
    record[8..11].copy_from_slice(&[dev.address.bus, dev.address.device, dev.address.function]);
    for (slot, bar) in dev.bars.iter().enumerate() {
        let at = 16 + slot * 24;
        if let Some(bar) = bar {
            record[at..at + 4].copy_from_slice(&bar.kind.code().to_le_bytes());
            record[at + 8..at + 16].copy_from_slice(&bar.base.to_le_bytes());
            record[at + 16..at + 24].copy_from_slice(&bar.size.to_le_bytes());
        }
    }
    c.mem.write_bytes(out, &record).map_err(efault)
}

/// The configuration-space register at `offset` of `width` bytes.
fn config_register(offset: u32, bytes: u32) -> Result<(u8, Width), Stop> {
    let width = width(bytes)?;
    if !offset.is_multiple_of(bytes) || offset > 256 - bytes {
        return Err(trap(format!(
            "configuration register {offset:#x} of {bytes} bytes is not in the 256 bytes, aligned"
        )));
    }
    Ok((offset as u8, width))
}

/// `config_read(device, offset, width) -> value`.
fn config_read(c: &mut HostCall<'_>) -> SysResult {
    let dev = device(c, c.u32(0))?;
    let (offset, width) = config_register(c.u32(1), c.u32(2))?;
    let value = c.sys.loader.pci().map_or(u32::MAX, |bus| bus.config_read(dev.address, offset, width));
    c.ret_i32(value as i32);
    Ok(())
}

/// `config_write(device, offset, width, value)`: the command and status
/// registers and those past the header only ([`pci::driver_may_write`]).
fn config_write(c: &mut HostCall<'_>) -> SysResult {
    let dev = device(c, c.u32(0))?;
    let (offset, width) = config_register(c.u32(1), c.u32(2))?;
    if !pci::driver_may_write(offset, width) {
        return Err(trap(format!(
            "configuration register {offset:#x} of {} is the kernel's: drivers write 0x04-0x07 and 0x40-0xff",
            dev.address
        )));
    }
    let value = c.u32(3);
    if let Some(bus) = c.sys.loader.pci() {
        bus.config_write(dev.address, offset, width, value);
    }
    Ok(())
}

/// BAR `slot` of the caller's device `n`, and `width` at `offset` in it.
fn bar_access(c: &mut HostCall<'_>) -> Result<(Bar, u64, Width), Stop> {
    let dev = device(c, c.u32(0))?;
    let slot = c.u32(1);
    let bar = dev
        .bars
        .get(slot as usize)
        .copied()
        .flatten()
        .ok_or_else(|| trap(format!("{} has no BAR {slot}", dev.address)))?;
    let (offset, bytes) = (u64::from(c.u32(2)), c.u32(3));
    let width = width(bytes)?;
    if !offset.is_multiple_of(u64::from(bytes)) || offset + u64::from(bytes) > bar.size {
        return Err(trap(format!(
            "offset {offset:#x} of {bytes} bytes is not inside BAR {slot} of {} ({} bytes), aligned",
            dev.address, bar.size
        )));
    }
    if bar.kind != BarKind::Io && !c.sys.loader.pci().is_some_and(|bus| bus.mmio_mapped(bar.base, bar.size)) {
        return Err(trap(format!("BAR {slot} of {} at {:#x} is outside the kernel's mapping", dev.address, bar.base)));
    }
    Ok((bar, offset, width))
}

/// `bar_read(device, bar, offset, width) -> value`: a port or device
/// memory register.
fn bar_read(c: &mut HostCall<'_>) -> SysResult {
    let (bar, offset, width) = bar_access(c)?;
    let value = match bar.kind {
        BarKind::Io => c.sys.loader.ports().map(|ports| ports.read((bar.base + offset) as u16, width)),
        _ => c.sys.loader.pci().map(|bus| bus.mmio_read(bar.base + offset, width)),
    };
    c.ret_i32(value.unwrap_or(u32::MAX) as i32);
    Ok(())
}

/// `bar_write(device, bar, offset, width, value)`.
fn bar_write(c: &mut HostCall<'_>) -> SysResult {
    let (bar, offset, width) = bar_access(c)?;
    let value = c.u32(4);
    match bar.kind {
        BarKind::Io => {
            if let Some(ports) = c.sys.loader.ports() {
                ports.write((bar.base + offset) as u16, width, value);
            }
        }
        _ => {
            if let Some(bus) = c.sys.loader.pci() {
                bus.mmio_write(bar.base + offset, width, value);
            }
        }
    }
    Ok(())
}

/// `dma_alloc(bytes) -> handle`: a zeroed, page-aligned buffer of at
/// least `bytes` that devices can reach, charged to the memory budget of
/// all processes; `-EINVAL` for 0 or more than 16 MiB, `-ENOMEM` past
/// the budget, the heap or [`MAX_DMA_BUFFERS`].
fn dma_alloc(c: &mut HostCall<'_>) -> SysResult {
    let bytes = c.u32(0) as usize;
    let free = c.proc.dma.iter().position(Option::is_none);
    if free.is_none() && c.proc.dma.len() >= MAX_DMA_BUFFERS {
        c.ret_i32(-i32::from(Errno::NOMEM.0));
        return Ok(());
    }
    let made = match c.sys.loader.pci() {
        Some(bus) => DmaBuffer::new(bytes, &c.sys.memory, bus),
        None => Err(dma::DmaError::Unreachable),
    };
    let buffer = match made {
        Ok(buffer) => buffer,
        Err(error) => {
            let errno = if matches!(error, dma::DmaError::Size(_)) { Errno::INVAL } else { Errno::NOMEM };
            c.sys.log(Level::Warn, &c.proc.name.clone(), format_args!("pci.dma_alloc: {error}"));
            c.ret_i32(-i32::from(errno.0));
            return Ok(());
        }
    };
    let handle = match free {
        Some(handle) => {
            c.proc.dma[handle] = Some(buffer);
            handle
        }
        None => {
            c.proc.dma.push(Some(buffer));
            c.proc.dma.len() - 1
        }
    };
    c.ret_i32(handle as i32);
    Ok(())
}

fn buffer(dma: &[Option<DmaBuffer>], handle: u32) -> Option<&DmaBuffer> {
    dma.get(handle as usize).and_then(Option::as_ref)
}

/// `dma_address(handle) -> address`: where its devices see the buffer.
fn dma_address(c: &mut HostCall<'_>) -> SysResult {
    let handle = c.u32(0);
    let address = buffer(&c.proc.dma, handle)
        .map(|b| b.device_address())
        .ok_or_else(|| trap(format!("no DMA buffer {handle}")))?;
    c.ret_i64(address as i64);
    Ok(())
}

/// The buffer `handle` and the range `offset..offset + len` in it.
fn dma_range(c: &mut HostCall<'_>) -> Result<(usize, usize, u32), Stop> {
    let (handle, offset, len) = (c.u32(0), c.u32(1) as usize, c.u32(3));
    let size = buffer(&c.proc.dma, handle).ok_or(Errno::BADF)?.size();
    if offset.checked_add(len as usize).is_none_or(|end| end > size) {
        return Err(Errno::INVAL.into());
    }
    Ok((handle as usize, offset, len))
}

/// `dma_write(handle, offset, src, len) -> errno`: copies `len` bytes of
/// the caller's memory at `src` into the buffer at `offset`. `EBADF`: no
/// such buffer; `EINVAL`: past its end; `EFAULT`: `src`.
fn dma_write(c: &mut HostCall<'_>) -> SysResult {
    let (handle, offset, len) = dma_range(c)?;
    let src = c.mem.bytes(c.u32(2), len).map_err(efault)?;
    if let Some(Some(buffer)) = c.proc.dma.get(handle) {
        buffer.write(offset, src);
    }
    Ok(())
}

/// `dma_read(handle, offset, dst, len) -> errno`: the other way.
fn dma_read(c: &mut HostCall<'_>) -> SysResult {
    let (handle, offset, len) = dma_range(c)?;
    let dst = c.mem.bytes_mut(c.u32(2), len).map_err(efault)?;
    if let Some(Some(buffer)) = c.proc.dma.get(handle) {
        buffer.read(offset, dst);
    }
    Ok(())
}

/// `dma_free(handle) -> errno`: gives the buffer back (`EBADF` if none).
/// The driver must have stopped its devices using it.
fn dma_free(c: &mut HostCall<'_>) -> SysResult {
    let handle = c.u32(0) as usize;
    let slot = c.proc.dma.get_mut(handle).ok_or(Errno::BADF)?;
    slot.take().map(drop).ok_or(Errno::BADF.into())
}

/// `irq_wait(devices) -> fired`: parks the driver until the interrupt line
/// of one of `devices` (bit n = its device n) fired since it last looked,
/// and returns the devices whose line did. A driver answers its devices,
/// then waits: the lines are unmasked only then
/// ([`crate::loader::Loader::irq_arm`]). No devices with a line: 0 at
/// once.
fn irq_wait(c: &mut HostCall<'_>) -> SysResult {
    let devices = c.u32(0);
    let lines_of = |mask: u32| {
        granted(&c.sys.devices, &c.proc.name)
            .enumerate()
            .filter(|(n, _)| *n < 32 && mask & (1 << n) != 0)
            .filter_map(|(n, d)| d.irq.map(|irq| (n, 1u32 << irq)))
            .collect::<alloc::vec::Vec<_>>()
    };
    let lines: alloc::vec::Vec<(usize, u32)> = lines_of(devices);
    let all = lines.iter().fold(0, |all, (_, line)| all | line);
    let mut fired = c.sys.take_irqs(all);
    if fired == 0 && all != 0 {
        c.sys.loader.irq_arm(all);
        fired = c.sys.take_irqs(all);
        if fired == 0 {
            return Err(c.block(WaitFor { irqs: all, ..WaitFor::default() }));
        }
    }
    let woken = lines.iter().filter(|(_, line)| fired & line != 0).fold(0u32, |mask, (n, _)| mask | 1 << n);
    c.ret_i32(woken as i32);
    Ok(())
}
