//! A fake PCI bus for the test machine: configuration spaces that size
//! their BARs as real ones do, device memory that logs what drivers write,
//! and one device that reads and writes DMA memory at the addresses its
//! driver gives it.

use walos_kernel::loader::{PciAddress, Width};

/// Where the memory BARs of the fake bus live (mapped by the kernel).
pub const MAPPED: std::ops::Range<u64> = 0xfe00_0000..0x1_0000_0000;

/// Device memory registers of [`virtio_like`]'s BAR 1 that make it do DMA:
/// the address (low, high), then a command: 1 reads 8 bytes there into
/// [`super::Machine::dma_seen`], 2 writes [`DEVICE_WRITES`] there.
pub const DMA_LOW: u64 = 0x10;
pub const DMA_HIGH: u64 = 0x14;
pub const DMA_GO: u64 = 0x18;
pub const DEVICE_WRITES: &[u8; 8] = b"fromdev!";

/// One function: its configuration space, and the size of each BAR (0:
/// none) that writes of all ones reveal.
#[derive(Clone)]
pub struct Function {
    pub address: PciAddress,
    pub config: [u8; 256],
    pub bar_sizes: [u64; 6],
}

impl Function {
    fn new(address: PciAddress, vendor: u16, device: u16, class: [u8; 3], irq: Option<u8>) -> Function {
        let mut config = [0u8; 256];
        config[0..2].copy_from_slice(&vendor.to_le_bytes());
        config[2..4].copy_from_slice(&device.to_le_bytes());
        config[4] = 0b11; // I/O and memory decoding on, as firmware leaves it
        config[9..12].copy_from_slice(&[class[2], class[1], class[0]]);
        if let Some(line) = irq {
            config[0x3c] = line;
            config[0x3d] = 1;
        }
        Function { address, config, bar_sizes: [0; 6] }
    }

    fn bar(mut self, slot: usize, value: u32, size: u64) -> Function {
        self.config[0x10 + 4 * slot..0x14 + 4 * slot].copy_from_slice(&value.to_le_bytes());
        self.bar_sizes[slot] = size;
        self
    }

    pub fn read(&self, offset: u8, width: Width) -> u32 {
        let at = offset as usize;
        (0..width.bytes() as usize).fold(0, |value, i| value | u32::from(self.config[at + i]) << (8 * i))
    }

    pub fn write(&mut self, offset: u8, width: Width, value: u32) {
        let at = offset as usize;
        if (0x10..0x28).contains(&at) {
            let slot = (at - 0x10) / 4;
            let low_bits =
                self.read(offset, Width::U32) & if self.read(offset, Width::U32) & 1 == 1 { 0x3 } else { 0xf };
            let is_high_half = slot > 0 && self.read(offset - 4, Width::U32) & 0b111 == 0b100;
            let stuck = if is_high_half {
                // The high half of a 64-bit BAR: every bit sticks (a size
                // below 4 GiB).
                value
            } else if self.bar_sizes[slot] == 0 {
                0
            } else {
                value & !((self.bar_sizes[slot] as u32).wrapping_sub(1)) | low_bits
            };
            self.config[at..at + 4].copy_from_slice(&stuck.to_le_bytes());
            return;
        }
        for i in 0..width.bytes() as usize {
            self.config[at + i] = (value >> (8 * i)) as u8;
        }
    }
}

/// The bus of the test machine: at 00:04.0 a block device (virtio's ids,
/// IRQ 11) with ports at 0xc000 (64), 4 KiB of memory at 0xfebf0000 and a
/// 64-bit BAR at 512 GiB (past what the kernel maps); at 00:05.0 a network
/// card (Intel's e1000 ids) with its own ports.
pub fn bus() -> Vec<Function> {
    let at = |device| PciAddress { bus: 0, device, function: 0 };
    vec![virtio_like(at(4)), Function::new(at(5), 0x8086, 0x100e, [0x02, 0x00, 0x00], Some(10)).bar(0, 0xc041, 0x40)]
}

/// The block device of [`bus`].
pub fn virtio_like(at: PciAddress) -> Function {
    Function::new(at, 0x1af4, 0x1001, [0x01, 0x00, 0x00], Some(11))
        .bar(0, 0xc001, 0x40)
        .bar(1, 0xfebf_0000, 0x1000)
        .bar(2, 0x0000_000c, 0x4000)
        .bar(3, 0x80, 0)
}
