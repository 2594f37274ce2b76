//! The bare machine as the kernel's [`Loader`].

use alloc::string::ToString;
use core::sync::atomic::{AtomicU64, Ordering};

use walos_efi_os_bootinfo::BootInfo;
use walos_kernel::loader::{
    Framebuffer, IoError, Loader, Pci, PciAddress, PortIo, ServiceStore, StdStream, StdinRead, Stream, Wake, Width,
};
use walos_kernel::log::Level;
use walos_uefi_boot::rdrand::Rdrand;
use x86_64::instructions::interrupts;
use x86_64::instructions::port::Port;

use crate::console::{self, Screen};
use crate::store::BootStore;
use crate::{irqs, paging, serial, timer};

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

    fn irq_arm(&mut self, lines: u32) {
        irqs::arm(lines);
    }

    fn pci(&mut self) -> Option<&mut dyn Pci> {
        Some(self)
    }
}

/// Configuration mechanism #1: an address written to 0xcf8 selects the
/// double word that 0xcfc then reads or writes.
const CONFIG_ADDRESS: u16 = 0xcf8;
const CONFIG_DATA: u16 = 0xcfc;

fn select(at: PciAddress, offset: u8) {
    let address = 1 << 31
        | u32::from(at.bus) << 16
        | u32::from(at.device & 31) << 11
        | u32::from(at.function & 7) << 8
        | u32::from(offset & 0xfc);
    // SAFETY: selecting a configuration register has no effect by itself;
    // interrupts are off around select-then-access (see the callers).
    unsafe { Port::<u32>::new(CONFIG_ADDRESS).write(address) };
}

/// The PCI bus through configuration mechanism #1 (every PC since 1993,
/// and QEMU's i440FX and Q35); device memory through the identity map.
impl Pci for Machine {
    fn config_read(&mut self, at: PciAddress, offset: u8, width: Width) -> u32 {
        let data = CONFIG_DATA + u16::from(offset & 3);
        interrupts::without_interrupts(|| {
            select(at, offset);
            PortIo::read(self, data, width)
        })
    }

    fn config_write(&mut self, at: PciAddress, offset: u8, width: Width, value: u32) {
        let data = CONFIG_DATA + u16::from(offset & 3);
        interrupts::without_interrupts(|| {
            select(at, offset);
            PortIo::write(self, data, width, value);
        })
    }

    fn mmio_read(&mut self, address: u64, width: Width) -> u32 {
        // SAFETY: the kernel passes addresses inside a memory BAR of a
        // device granted to the calling driver, checked mapped by
        // `mmio_mapped`; a register read is a volatile access of its width.
        unsafe {
            match width {
                Width::U8 => u32::from((address as *const u8).read_volatile()),
                Width::U16 => u32::from((address as *const u16).read_volatile()),
                Width::U32 => (address as *const u32).read_volatile(),
            }
        }
    }

    fn mmio_write(&mut self, address: u64, width: Width, value: u32) {
        // SAFETY: as for `mmio_read`.
        unsafe {
            match width {
                Width::U8 => (address as *mut u8).write_volatile(value as u8),
                Width::U16 => (address as *mut u16).write_volatile(value as u16),
                Width::U32 => (address as *mut u32).write_volatile(value),
            }
        }
    }

    /// Memory is identity-mapped and there is no IOMMU: a device sees
    /// memory at its physical address, which is its address here.
    fn dma_address(&self, memory: *const u8) -> Option<u64> {
        Some(memory as u64)
    }

    fn mmio_mapped(&self, start: u64, len: u64) -> bool {
        paging::is_mapped(start, len)
    }
}

/// The CPU's I/O ports, for the services the kernel lets import `x86`.
impl PortIo for Machine {
    fn read(&mut self, port: u16, width: Width) -> u32 {
        // SAFETY: a port access can reprogram any device; the kernel lets
        // only the driver services the loader declared reach this, which
        // is the trust decision walos makes for drivers.
        unsafe {
            match width {
                Width::U8 => u32::from(Port::<u8>::new(port).read()),
                Width::U16 => u32::from(Port::<u16>::new(port).read()),
                Width::U32 => Port::<u32>::new(port).read(),
            }
        }
    }

    fn write(&mut self, port: u16, width: Width, value: u32) {
        // SAFETY: as for `read`.
        unsafe {
            match width {
                Width::U8 => Port::<u8>::new(port).write(value as u8),
                Width::U16 => Port::<u16>::new(port).write(value as u16),
                Width::U32 => Port::<u32>::new(port).write(value),
            }
        }
    }
}
