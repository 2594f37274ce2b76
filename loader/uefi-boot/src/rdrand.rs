//! Random numbers from the CPU's RDRAND instruction: efi-os's only source,
//! and efi-app's when the firmware has no RNG protocol.

use core::fmt;

use x86_64::instructions::random::RdRand;

/// How often a failing RDRAND is retried: it may fail transiently, and a
/// few retries are what Intel advises.
const RETRIES: usize = 10;

/// The instruction, on a CPU that has it.
#[derive(Debug, Clone, Copy)]
pub struct Rdrand(RdRand);

/// RDRAND kept failing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RdrandFailed;

impl fmt::Display for RdrandFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RDRAND failed")
    }
}

impl Rdrand {
    /// `None` on a CPU without RDRAND (QEMU's default `qemu64` under TCG).
    pub fn new() -> Option<Rdrand> {
        RdRand::new().map(Rdrand)
    }

    /// Fills `buf` with random bytes.
    pub fn fill(self, buf: &mut [u8]) -> Result<(), RdrandFailed> {
        for chunk in buf.chunks_mut(8) {
            let value = (0..RETRIES).find_map(|_| self.0.get_u64()).ok_or(RdrandFailed)?;
            chunk.copy_from_slice(&value.to_le_bytes()[..chunk.len()]);
        }
        Ok(())
    }
}
