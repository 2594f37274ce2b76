//! What every process shares: the loader, the logger, console input, the
//! mounted file systems and the interrupt lines.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use walos_engine::MemoryBudget;

use crate::console::Stdin;
use crate::device::Driver;
use crate::device::pci::{self, PciDevice};
use crate::dmesg::LogRing;
use crate::fd::DescriptorIo;
use crate::loader::{IoError, Loader, Stream};
use crate::log::{Level, Logger};
use crate::vfs::Mounts;

/// The least severe level kept for `sys.dmesg` whatever the console shows:
/// process starts and ends, and programs' `info` lines.
const KEEP: Level = Level::Info;

/// The kernel state host functions may touch besides their own process.
pub struct System {
    pub loader: Box<dyn Loader>,
    pub logger: Logger,
    /// The recent log lines (`sys.dmesg`).
    pub dmesg: LogRing,
    pub stdin: Stdin,
    /// The mounted file systems.
    pub mounts: Mounts,
    /// Interrupt lines taken from the loader and not yet by a driver.
    pub irqs: u32,
    /// The memory all processes share ([`crate::Config::max_total_memory`]):
    /// their linear memories, and what the kernel holds for them.
    pub memory: Arc<MemoryBudget>,
    /// The PCI functions found at boot, each with its driver if granted.
    pub devices: Vec<PciDevice>,
}

impl System {
    pub fn new(loader: Box<dyn Loader>, level: Level, memory: Arc<MemoryBudget>) -> Self {
        let boot = loader.monotonic_ns();
        System {
            loader,
            logger: Logger::new(level, boot),
            dmesg: LogRing::default(),
            stdin: Stdin::default(),
            mounts: Mounts::default(),
            irqs: 0,
            memory,
            devices: Vec::new(),
        }
    }

    /// Enumerates the PCI bus, if the machine has one, granting each
    /// function to the first of `drivers` whose grant names it; logs what
    /// it found, and each grant that found nothing.
    pub fn find_devices(&mut self, drivers: &[Driver]) {
        let Some(bus) = self.loader.pci() else {
            return;
        };
        self.devices = pci::enumerate(bus, drivers);
        for i in 0..self.devices.len() {
            let device = &self.devices[i];
            let line = match &device.driver {
                Some(driver) => alloc::format!("{device}: granted to {driver}"),
                None => alloc::format!("{device}"),
            };
            let level = if device.driver.is_some() { Level::Info } else { Level::Debug };
            self.log(level, "kernel", format_args!("{line}"));
        }
        for driver in drivers {
            for id in &driver.pci {
                if !self.devices.iter().any(|d| d.id == *id && d.driver.as_ref() == Some(&driver.name)) {
                    self.log(Level::Warn, "kernel", format_args!("driver {}: no PCI device {id} for it", driver.name));
                }
            }
        }
    }

    /// Logs a line from `who` (`kernel` or a process name) if `level` is on,
    /// and keeps it for `sys.dmesg` if it is at least as severe as `info`.
    pub fn log(&mut self, level: Level, who: &str, args: fmt::Arguments<'_>) {
        let show = self.logger.enabled(level);
        if show || level <= KEEP {
            let line = self.logger.format(self.loader.monotonic_ns(), level, who, args);
            self.dmesg.push(&line);
            if show {
                self.loader.log(level, &line);
            }
        }
    }

    /// Collects the lines among `lines` that fired, for
    /// [`System::take_irqs`]; whether any did.
    pub fn poll_irqs(&mut self, lines: u32) -> bool {
        self.irqs |= self.loader.irq_take(lines);
        self.irqs & lines != 0
    }

    /// The lines among `lines` that fired since they were last taken.
    pub fn take_irqs(&mut self, lines: u32) -> u32 {
        self.poll_irqs(lines);
        let fired = self.irqs & lines;
        self.irqs &= !lines;
        fired
    }

    /// The monotonic clock.
    pub fn now(&self) -> u64 {
        self.loader.monotonic_ns()
    }
}

/// Descriptors reach the mounts, the loader's wall clock and console
/// output, and console input through its line discipline.
impl DescriptorIo for System {
    fn mounts(&mut self) -> &mut Mounts {
        &mut self.mounts
    }

    fn realtime_ns(&self) -> u64 {
        self.loader.realtime_ns()
    }

    fn write_console(&mut self, stream: Stream, bytes: &[u8]) -> Result<(), IoError> {
        self.loader.write(stream, bytes)
    }

    fn read_console(&mut self, buf: &mut [u8]) -> Option<usize> {
        self.stdin.fill(&mut *self.loader);
        self.stdin.ready().then(|| self.stdin.read(buf))
    }
}
