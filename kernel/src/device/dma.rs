//! DMA buffers: kernel memory a driver lends its devices. The driver never
//! gets a pointer to it: it learns the address the device sees it at, and
//! copies between it and its linear memory through the kernel.

use alloc::vec::Vec;
use core::fmt;
use core::sync::atomic::{AtomicU8, Ordering, fence};

use walos_engine::{Charge, MemoryBudget, Refusal};

use crate::loader::Pci;

/// Buffers are page-aligned, as device descriptor rings want them.
pub const ALIGN: usize = 4096;

/// The largest buffer: one allocation of contiguous memory.
pub const MAX_BYTES: usize = 16 << 20;

/// A zeroed, page-aligned, physically contiguous block (the kernel heap is
/// identity-mapped where devices can reach it), charged to the memory
/// budget of all processes, freed on drop.
///
/// Its bytes are atomics because a device writes them behind the
/// compiler's back; the block is over-allocated by a page so that an
/// aligned start can be found in it without unsafe code.
pub struct DmaBuffer {
    memory: Vec<AtomicU8>,
    start: usize,
    len: usize,
    device_address: u64,
    _charge: Charge,
}

/// Why a buffer could not be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DmaError {
    /// 0 bytes, or more than [`MAX_BYTES`].
    Size(usize),
    /// Past the memory budget.
    Budget(Refusal),
    /// The heap has no such block.
    Heap(usize),
    /// Devices cannot reach kernel memory on this machine.
    Unreachable,
}

impl fmt::Display for DmaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DmaError::Size(bytes) => write!(f, "a DMA buffer of {bytes} bytes: 1 to {MAX_BYTES} bytes"),
            DmaError::Budget(refusal) => write!(f, "no memory for a DMA buffer: {refusal}"),
            DmaError::Heap(bytes) => write!(f, "the kernel heap has no free block of {bytes} bytes for DMA"),
            DmaError::Unreachable => f.write_str("devices cannot reach kernel memory on this machine"),
        }
    }
}

impl DmaBuffer {
    /// A buffer of `bytes`, at an address `pci` says devices reach.
    pub fn new(bytes: usize, budget: &alloc::sync::Arc<MemoryBudget>, pci: &dyn Pci) -> Result<Self, DmaError> {
        if bytes == 0 || bytes > MAX_BYTES {
            return Err(DmaError::Size(bytes));
        }
        let len = bytes.next_multiple_of(ALIGN);
        let allocated = len + ALIGN;
        let charge = budget.charge(allocated).map_err(DmaError::Budget)?;
        let mut memory = Vec::new();
        memory.try_reserve_exact(allocated).map_err(|_| DmaError::Heap(allocated))?;
        memory.resize_with(allocated, || AtomicU8::new(0));
        let start = memory.as_ptr().align_offset(ALIGN);
        let device_address = pci.dma_address(memory[start..].as_ptr().cast()).ok_or(DmaError::Unreachable)?;
        Ok(DmaBuffer { memory, start, len, device_address, _charge: charge })
    }

    /// Its size in bytes (a whole number of pages).
    pub fn size(&self) -> usize {
        self.len
    }

    /// The address its device sees it at.
    pub fn device_address(&self) -> u64 {
        self.device_address
    }

    /// Its bytes, as the device sees them.
    fn bytes(&self) -> &[AtomicU8] {
        &self.memory[self.start..self.start + self.len]
    }

    /// Copies `src` into it at `offset`; panics past its end (callers check).
    pub fn write(&self, offset: usize, src: &[u8]) {
        for (cell, byte) in self.bytes()[offset..offset + src.len()].iter().zip(src) {
            cell.store(*byte, Ordering::Relaxed);
        }
        // Seen by the device before the driver's next port or MMIO write.
        fence(Ordering::SeqCst);
    }

    /// Copies from it at `offset` into `dst`; panics past its end.
    pub fn read(&self, offset: usize, dst: &mut [u8]) {
        fence(Ordering::SeqCst);
        let cells = &self.bytes()[offset..offset + dst.len()];
        for (byte, cell) in dst.iter_mut().zip(cells) {
            *byte = cell.load(Ordering::Relaxed);
        }
    }
}

impl fmt::Debug for DmaBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DmaBuffer({} bytes at device address {:#x})", self.size(), self.device_address)
    }
}
