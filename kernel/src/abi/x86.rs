//! `x86`: port I/O and interrupt waits, for driver services only.
//!
//! The linker binds these imports only for a service the loader declared a
//! driver ([`crate::Config::drivers`]) on a machine with ports
//! ([`crate::loader::Loader::ports`]); nothing else can reach a port.

use walos_engine::{HostFlow, Trap};

use crate::loader::Width;
use crate::process::WaitFor;
use crate::syscall::Interface;
use crate::syscall::valtypes::{I32, NONE};
use crate::syscall::{HostCall, Stop, SysResult, Syscall};

/// `x86`: `io_read8/16/32(port) -> value`, `io_write8/16/32(port, value)`,
/// `irq_wait(lines) -> lines`.
pub static X86: Interface = Interface {
    name: "x86",
    base: None,
    funcs: &[
        Syscall::sync("io_read8", &[I32], &[I32], read8),
        Syscall::sync("io_read16", &[I32], &[I32], read16),
        Syscall::sync("io_read32", &[I32], &[I32], read32),
        Syscall::sync("io_write8", &[I32, I32], NONE, write8),
        Syscall::sync("io_write16", &[I32, I32], NONE, write16),
        Syscall::sync("io_write32", &[I32, I32], NONE, write32),
        Syscall::suspending("irq_wait", &[I32], &[I32], irq_wait),
    ],
};

/// The port argument; a number above 0xffff is a bug of the driver, which
/// traps.
fn port(c: &HostCall<'_>) -> Result<u16, Stop> {
    u16::try_from(c.u32(0))
        .map_err(|_| Stop::Flow(HostFlow::Trap(Trap::host(alloc::format!("x86: port {:#x} out of range", c.u32(0))))))
}

fn read(c: &mut HostCall<'_>, width: Width) -> SysResult {
    let port = port(c)?;
    let value = c.sys.loader.ports().map_or(u32::MAX, |ports| ports.read(port, width));
    c.ret_i32(value as i32);
    Ok(())
}

fn write(c: &mut HostCall<'_>, width: Width) -> SysResult {
    let (port, value) = (port(c)?, c.u32(1));
    if let Some(ports) = c.sys.loader.ports() {
        ports.write(port, width, value);
    }
    Ok(())
}

fn read8(c: &mut HostCall<'_>) -> SysResult {
    read(c, Width::U8)
}

fn read16(c: &mut HostCall<'_>) -> SysResult {
    read(c, Width::U16)
}

fn read32(c: &mut HostCall<'_>) -> SysResult {
    read(c, Width::U32)
}

fn write8(c: &mut HostCall<'_>) -> SysResult {
    write(c, Width::U8)
}

fn write16(c: &mut HostCall<'_>) -> SysResult {
    write(c, Width::U16)
}

fn write32(c: &mut HostCall<'_>) -> SysResult {
    write(c, Width::U32)
}

/// `irq_wait(lines) -> fired`: parks the driver until one of `lines` (bit n
/// = IRQ n) fired since the driver last took it, and returns those that
/// did. A driver checks its device, then waits: a line that fired in
/// between is still marked, so nothing is lost and nothing busy-waits.
/// No lines (0) returns 0 at once.
fn irq_wait(c: &mut HostCall<'_>) -> SysResult {
    let lines = c.u32(0);
    let fired = c.sys.take_irqs(lines);
    if fired == 0 && lines != 0 {
        return Err(c.block(WaitFor { irqs: lines, ..WaitFor::default() }));
    }
    c.ret_i32(fired as i32);
    Ok(())
}
