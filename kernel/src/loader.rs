//! What a loader gives the kernel: the machine, seen through one trait.
//!
//! The same kernel runs as a Linux process (the `elf` loader), as a UEFI
//! application and on bare metal; everything that differs between them is
//! behind [`Loader`].

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::log::Level;

/// The machine as the kernel sees it.
pub trait Loader {
    // --- logs ---

    /// Writes one formatted log line (no trailing newline) to the log sink.
    fn log(&mut self, level: Level, line: &str);

    // --- clocks ---

    /// Nanoseconds on a clock that never goes back (from an arbitrary origin).
    fn monotonic_ns(&self) -> u64;

    /// Nanoseconds since the Unix epoch, as well as the machine knows.
    fn realtime_ns(&self) -> u64;

    /// Resolution of both clocks, in nanoseconds.
    fn clock_resolution_ns(&self) -> u64;

    // --- events ---

    /// Sleeps until the monotonic clock reaches `wake.deadline`, or input
    /// arrives on stdin when `wake.stdin`, or any other event the loader knows
    /// of. Returning early is allowed: the kernel checks what happened.
    fn wait(&mut self, wake: Wake);

    // --- entropy ---

    /// Fills `buf` with cryptographically secure random bytes.
    fn random(&mut self, buf: &mut [u8]) -> Result<(), IoError>;

    // --- memory ---

    /// The largest linear memory, in bytes, one process may grow to.
    fn memory_limit(&self) -> usize;

    // --- services ---

    /// Where programs and services come from.
    fn services(&mut self) -> &mut dyn ServiceStore;

    // --- console ---

    /// Writes all of `bytes` to standard output or error.
    fn write(&mut self, stream: Stream, bytes: &[u8]) -> Result<(), IoError>;

    /// Reads available standard input without waiting.
    fn read_stdin(&mut self, buf: &mut [u8]) -> StdinRead;

    /// Whether a standard stream is an interactive terminal.
    fn is_terminal(&self, stream: StdStream) -> bool;

    // --- hardware features ---

    /// The screen, if the machine has one; behind the `vga` interface.
    fn framebuffer(&mut self) -> Option<&mut dyn Framebuffer> {
        None
    }

    /// The x86 I/O ports, if the machine has them and lets drivers use
    /// them; behind the `x86` interface.
    fn ports(&mut self) -> Option<&mut dyn PortIo> {
        None
    }

    /// The lines among `lines` (bit n = IRQ n) that fired since they were
    /// last taken, which are cleared: what `x86.irq_wait` waits for. The
    /// loader's interrupt handler only marks the line; the driver service
    /// talks to the device.
    fn irq_take(&mut self, lines: u32) -> u32 {
        let _ = lines;
        0
    }

    /// A driver is about to wait for `lines` again, having answered its
    /// devices: the loader unmasks those it masked when they fired. A PCI
    /// device's line is level-triggered, so it stays masked from its
    /// interrupt until its driver has acknowledged the device; else it
    /// would interrupt again at once, for ever.
    fn irq_arm(&mut self, lines: u32) {
        let _ = lines;
    }

    /// The PCI bus, if the machine has one that drivers may use; behind
    /// the `pci` interface.
    fn pci(&mut self) -> Option<&mut dyn Pci> {
        None
    }
}

/// A function on the PCI bus: bus, device (slot) and function numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PciAddress {
    /// The bus, 0-255.
    pub bus: u8,
    /// The slot on that bus, 0-31.
    pub device: u8,
    /// The function of that slot, 0-7.
    pub function: u8,
}

impl fmt::Display for PciAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02x}:{:02x}.{}", self.bus, self.device, self.function)
    }
}

/// The PCI bus: configuration space, memory-mapped registers and the
/// addresses devices see memory at. The kernel enumerates the bus through
/// it and lets each driver service reach only the devices granted to it.
pub trait Pci {
    /// Reads `width` bits of the configuration space of `at` at `offset`
    /// (aligned to `width`); all ones when no function answers.
    fn config_read(&mut self, at: PciAddress, offset: u8, width: Width) -> u32;

    /// Writes the low `width` bits of `value` there.
    fn config_write(&mut self, at: PciAddress, offset: u8, width: Width, value: u32);

    /// Reads `width` bits of device memory at physical `address`, inside a
    /// memory BAR of a device.
    fn mmio_read(&mut self, address: u64, width: Width) -> u32;

    /// Writes the low `width` bits of `value` to device memory there.
    fn mmio_write(&mut self, address: u64, width: Width, value: u32);

    /// The address a device reaches kernel memory at `memory` by (a DMA
    /// buffer's); `None` when devices cannot reach kernel memory.
    fn dma_address(&self, memory: *const u8) -> Option<u64>;

    /// Whether device memory `start..start + len` is mapped, so that
    /// [`Pci::mmio_read`] and [`Pci::mmio_write`] reach it there.
    fn mmio_mapped(&self, start: u64, len: u64) -> bool;
}

/// The width of a port, configuration-space or device-memory access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// A byte (`inb`, `outb`).
    U8,
    /// A word (`inw`, `outw`).
    U16,
    /// A double word (`inl`, `outl`).
    U32,
}

impl Width {
    /// The width of `bytes` (1, 2 or 4).
    pub fn of(bytes: u32) -> Option<Width> {
        match bytes {
            1 => Some(Width::U8),
            2 => Some(Width::U16),
            4 => Some(Width::U32),
            _ => None,
        }
    }

    /// Its size in bytes.
    pub fn bytes(self) -> u32 {
        match self {
            Width::U8 => 1,
            Width::U16 => 2,
            Width::U32 => 4,
        }
    }
}

/// x86 port input and output, for driver services.
pub trait PortIo {
    /// Reads `width` bits from `port` (zero-extended).
    fn read(&mut self, port: u16, width: Width) -> u32;

    /// Writes the low `width` bits of `value` to `port`.
    fn write(&mut self, port: u16, width: Width, value: u32);
}

/// A screen of 32-bit pixels, as `vga.info` and `vga.put` see it.
pub trait Framebuffer {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);

    /// Draws one horizontal run of pixels starting at (`x`, `y`). Pixels are
    /// `0x00BBGGRR` (the `vga.put` format); one whose top byte is not 0 is
    /// transparent and left undrawn. The kernel has clipped the run to the
    /// screen: `x + pixels.len() <= width` and `y < height`.
    fn put_row(&mut self, x: u32, y: u32, pixels: &[u32]);
}

/// An output stream of the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output, descriptor 1.
    Stdout,
    /// Standard error, descriptor 2.
    Stderr,
}

/// Any of the three standard streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StdStream {
    /// Standard input, descriptor 0.
    Stdin,
    /// Standard output, descriptor 1.
    Stdout,
    /// Standard error, descriptor 2.
    Stderr,
}

/// The outcome of a non-blocking read of standard input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StdinRead {
    /// This many bytes were read (at least one).
    Data(usize),
    /// End of input.
    Eof,
    /// Nothing to read now; [`Loader::wait`] with `stdin` set returns when
    /// there is.
    Pending,
}

/// What the kernel waits for when no process can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Wake {
    /// Monotonic time at which to return at the latest.
    pub deadline: Option<u64>,
    /// Return when standard input becomes readable.
    pub stdin: bool,
    /// Return when one of these interrupt lines fires (bit n = IRQ n): a
    /// driver waits in `x86.irq_wait`.
    pub irqs: u32,
}

/// A failed console or device operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IoError {
    /// The reader went away.
    BrokenPipe,
    /// Anything else, described.
    Other(String),
}

impl fmt::Display for IoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IoError::BrokenPipe => f.write_str("broken pipe"),
            IoError::Other(msg) => f.write_str(msg),
        }
    }
}

/// Where programs and services come from: a directory, the EFI system
/// partition, an initrd. Modules are read only when something needs them.
pub trait ServiceStore {
    /// The bytes of the module called `name`.
    fn load(&mut self, name: &str) -> Result<Vec<u8>, StoreError>;

    /// The names of the modules it holds, for listing (`proc.modules`);
    /// empty when the store cannot tell.
    fn names(&mut self) -> Vec<String> {
        Vec::new()
    }
}

/// Why a module could not be read from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The store has no module of that name.
    NotFound,
    /// The store could not be read; what the machine said.
    Io(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::NotFound => f.write_str("not found"),
            StoreError::Io(msg) => f.write_str(msg),
        }
    }
}
