//! The bare machine as the kernel's [`Loader`].

use alloc::string::ToString;
use core::sync::atomic::{AtomicU64, Ordering};

use walos_efi_os_bootinfo::BootInfo;
use walos_kernel::loader::{
    Framebuffer, IoError, Loader, PortIo, PortWidth, ServiceStore, StdStream, StdinRead, Stream, Wake,
};
use walos_kernel::log::Level;
use walos_uefi_boot::rdrand::Rdrand;
use x86_64::instructions::interrupts;
use x86_64::instructions::port::Port;

use crate::console::{self, Screen};
use crate::store::BootStore;
use crate::{irqs, serial, timer};

/// A 32-bit wasm memory is at most 4 GiB; the heap is smaller anyway.
const MEMORY_LIMIT: usize = 4 << 30;

static RSDP: AtomicU64 = AtomicU64::new(0);

/// The ACPI RSDP the stub found, if any.
pub fn rsdp() -> Option<u64> {
    Some(RSDP.load(Ordering::Relaxed)).filter(|&a| a != 0)
}

pub fn set_rsdp(addr: u64) {
    RSDP.store(addr, Ordering::Relaxed);
}

pub struct Machine {
    store: BootStore,
    screen: Option<Screen>,
    /// Wall-clock time at monotonic 0.
    realtime_base: u64,
    rdrand: Option<Rdrand>,
}

impl Machine {
    /// # Safety
    /// `info` must be the stub's, whose memory stays valid for good.
    pub unsafe fn new(info: &'static BootInfo) -> Machine {
        Machine {
            // SAFETY: per the caller.
            store: unsafe { BootStore::new(info.services()) },
            // SAFETY: the firmware's framebuffer, used by nothing else now.
            screen: unsafe { Screen::new(&info.framebuffer) },
            realtime_base: info.realtime_ns.saturating_sub(timer::now_ns()),
            rdrand: Rdrand::new(),
        }
    }
}

/// Program output, log lines and messages go to COM1 and the screen.
pub fn output(bytes: &[u8]) {
    serial::write(bytes);
    console::write(bytes);
}

impl Loader for Machine {
    fn log(&mut self, _: Level, line: &str) {
        output(line.as_bytes());
        output(b"\n");
    }

    fn monotonic_ns(&self) -> u64 {
        timer::now_ns()
    }

    fn realtime_ns(&self) -> u64 {
        self.realtime_base + timer::now_ns()
    }

    fn clock_resolution_ns(&self) -> u64 {
        timer::TICK_NS
    }

    /// Halts until the deadline passes or one of the interrupt lines asked
    /// for fires; every interrupt (the 1 kHz tick at least) looks again.
    /// Stdin has no source of its own here (it comes from the input
    /// service), so it wakes nothing.
    fn wait(&mut self, wake: Wake) {
        loop {
            interrupts::disable();
            let due = wake.deadline.is_some_and(|at| timer::now_ns() >= at);
            if due || irqs::pending(wake.irqs) || (wake.deadline.is_none() && wake.irqs == 0) {
                interrupts::enable();
                return;
            }
            // `sti; hlt`: an interrupt between the check and the halt still
            // wakes it, as `sti` takes effect after the next instruction.
            interrupts::enable_and_hlt();
        }
    }

    fn random(&mut self, buf: &mut [u8]) -> Result<(), IoError> {
        let rdrand = self.rdrand.ok_or_else(|| IoError::Other("no random source: the CPU lacks RDRAND".into()))?;
        rdrand.fill(buf).map_err(|failed| IoError::Other(failed.to_string()))
    }

    fn memory_limit(&self) -> usize {
        MEMORY_LIMIT
    }

    fn services(&mut self) -> &mut dyn ServiceStore {
        &mut self.store
    }

    fn write(&mut self, _: Stream, bytes: &[u8]) -> Result<(), IoError> {
        output(bytes);
        Ok(())
    }

    /// The keyboard and COM1 belong to the driver service: without an
    /// input service on the command line, stdin is empty.
    fn read_stdin(&mut self, _: &mut [u8]) -> StdinRead {
        StdinRead::Eof
    }

    fn irq_take(&mut self, lines: u32) -> u32 {
        irqs::take(lines)
    }

    /// The keyboard and the screen are a terminal.
    fn is_terminal(&self, _: StdStream) -> bool {
        true
    }

    fn framebuffer(&mut self) -> Option<&mut dyn Framebuffer> {
        self.screen.as_mut().map(|screen| screen as &mut dyn Framebuffer)
    }

    fn ports(&mut self) -> Option<&mut dyn PortIo> {
        Some(self)
    }
}

/// The CPU's I/O ports, for the services the kernel lets import `x86`.
impl PortIo for Machine {
    fn read(&mut self, port: u16, width: PortWidth) -> u32 {
        // SAFETY: a port access can reprogram any device; the kernel lets
        // only the driver services the loader declared reach this, which
        // is the trust decision walos makes for drivers.
        unsafe {
            match width {
                PortWidth::U8 => u32::from(Port::<u8>::new(port).read()),
                PortWidth::U16 => u32::from(Port::<u16>::new(port).read()),
                PortWidth::U32 => Port::<u32>::new(port).read(),
            }
        }
    }

    fn write(&mut self, port: u16, width: PortWidth, value: u32) {
        // SAFETY: as for `read`.
        unsafe {
            match width {
                PortWidth::U8 => Port::<u8>::new(port).write(value as u8),
                PortWidth::U16 => Port::<u16>::new(port).write(value as u16),
                PortWidth::U32 => Port::<u32>::new(port).write(value),
            }
        }
    }
}
