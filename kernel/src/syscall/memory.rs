//! Bounds-checked access to a process's linear memory.
//!
//! Every pointer and length a guest hands to a host function goes through
//! here. A buffer outside memory, or a misaligned pointer to a multi-byte
//! value, is a [`Fault`]: the host call becomes a trap of the caller that
//! says which range was wrong (wasmtime behaves the same), never a kernel
//! panic.

use alloc::vec::Vec;
use core::fmt;

/// A guest pointer a host function could not use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub ptr: u64,
    pub len: u64,
    /// `Some(n)` if the pointer is inside memory but not aligned to `n`.
    pub misaligned: Option<u32>,
    /// Size of the memory at the time.
    pub memory: u64,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.misaligned {
            Some(align) => write!(f, "pointer {:#x} is not aligned to {align} bytes", self.ptr),
            None => write!(
                f,
                "buffer {:#x}..{:#x} ({} bytes) is outside the {}-byte memory",
                self.ptr,
                self.ptr.saturating_add(self.len),
                self.len,
                self.memory
            ),
        }
    }
}

/// A view of one process's linear memory for the duration of a host call.
pub struct Memory<'a> {
    bytes: &'a mut [u8],
}

/// `{ buf: u32, len: u32 }`: the `iovec`/`ciovec` of WASI and walos.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IoVec {
    pub ptr: u32,
    pub len: u32,
}

type Result<T> = core::result::Result<T, Fault>;

impl<'a> Memory<'a> {
    pub fn new(bytes: &'a mut [u8]) -> Self {
        Memory { bytes }
    }

    fn range(&self, ptr: u32, len: u64) -> Result<core::ops::Range<usize>> {
        let start = u64::from(ptr);
        let size = self.bytes.len() as u64;
        match start.checked_add(len) {
            Some(end) if end <= size => Ok(start as usize..end as usize),
            _ => Err(Fault { ptr: start, len, misaligned: None, memory: size }),
        }
    }

    fn aligned(&self, ptr: u32, align: u32) -> Result<()> {
        if ptr.is_multiple_of(align) {
            Ok(())
        } else {
            Err(Fault { ptr: ptr.into(), len: align.into(), misaligned: Some(align), memory: self.bytes.len() as u64 })
        }
    }

    /// `ptr + offset`, which must still be a 32-bit address.
    pub fn offset(&self, ptr: u32, offset: u64) -> Result<u32> {
        u64::from(ptr).checked_add(offset).and_then(|at| u32::try_from(at).ok()).ok_or(Fault {
            ptr: ptr.into(),
            len: offset,
            misaligned: None,
            memory: self.bytes.len() as u64,
        })
    }

    /// Checks that a `len`-byte structure aligned to `align` fits at `ptr`,
    /// before writing it field by field.
    pub fn check(&self, ptr: u32, len: u64, align: u32) -> Result<()> {
        self.aligned(ptr, align)?;
        self.range(ptr, len).map(|_| ())
    }

    pub fn bytes(&self, ptr: u32, len: u32) -> Result<&[u8]> {
        let range = self.range(ptr, len.into())?;
        Ok(&self.bytes[range])
    }

    pub fn bytes_mut(&mut self, ptr: u32, len: u32) -> Result<&mut [u8]> {
        let range = self.range(ptr, len.into())?;
        Ok(&mut self.bytes[range])
    }

    /// Copies `data` to `ptr`.
    pub fn write_bytes(&mut self, ptr: u32, data: &[u8]) -> Result<()> {
        let range = self.range(ptr, data.len() as u64)?;
        self.bytes[range].copy_from_slice(data);
        Ok(())
    }

    fn array<const N: usize>(&self, ptr: u32) -> Result<[u8; N]> {
        self.aligned(ptr, N as u32)?;
        let range = self.range(ptr, N as u64)?;
        let mut out = [0; N];
        out.copy_from_slice(&self.bytes[range]);
        Ok(out)
    }

    fn put<const N: usize>(&mut self, ptr: u32, value: [u8; N]) -> Result<()> {
        self.aligned(ptr, N as u32)?;
        let range = self.range(ptr, N as u64)?;
        self.bytes[range].copy_from_slice(&value);
        Ok(())
    }

    pub fn read_u8(&self, ptr: u32) -> Result<u8> {
        self.array::<1>(ptr).map(|b| b[0])
    }

    pub fn read_u16(&self, ptr: u32) -> Result<u16> {
        self.array(ptr).map(u16::from_le_bytes)
    }

    pub fn read_u32(&self, ptr: u32) -> Result<u32> {
        self.array(ptr).map(u32::from_le_bytes)
    }

    pub fn read_u64(&self, ptr: u32) -> Result<u64> {
        self.array(ptr).map(u64::from_le_bytes)
    }

    pub fn write_u8(&mut self, ptr: u32, value: u8) -> Result<()> {
        self.put(ptr, [value])
    }

    pub fn write_u16(&mut self, ptr: u32, value: u16) -> Result<()> {
        self.put(ptr, value.to_le_bytes())
    }

    pub fn write_u32(&mut self, ptr: u32, value: u32) -> Result<()> {
        self.put(ptr, value.to_le_bytes())
    }

    pub fn write_u64(&mut self, ptr: u32, value: u64) -> Result<()> {
        self.put(ptr, value.to_le_bytes())
    }

    /// Reads an array of `count` iovecs at `ptr`, checking that each buffer
    /// lies inside memory.
    pub fn iovecs(&self, ptr: u32, count: u32) -> Result<Vec<IoVec>> {
        self.aligned(ptr, 4)?;
        let table = self.range(ptr, u64::from(count) * 8)?;
        let mut vecs = Vec::with_capacity(count as usize);
        for [p0, p1, p2, p3, l0, l1, l2, l3] in self.bytes[table].as_chunks::<8>().0.iter().copied() {
            let iov = IoVec { ptr: u32::from_le_bytes([p0, p1, p2, p3]), len: u32::from_le_bytes([l0, l1, l2, l3]) };
            self.range(iov.ptr, iov.len.into())?;
            vecs.push(iov);
        }
        Ok(vecs)
    }

    /// The bytes of `iovecs` (from [`Memory::iovecs`]) joined together,
    /// leaving out the first `skip` and stopping after `max`: the kernel
    /// copies guest buffers in bounded pieces, whatever lengths it is given.
    pub fn gather(&self, iovecs: &[IoVec], mut skip: u64, max: usize) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        for iov in iovecs {
            if out.len() == max {
                break;
            }
            let bytes = self.bytes(iov.ptr, iov.len)?;
            let skipped = skip.min(bytes.len() as u64) as usize;
            skip -= skipped as u64;
            let rest = &bytes[skipped..];
            out.extend_from_slice(&rest[..rest.len().min(max - out.len())]);
        }
        Ok(out)
    }

    /// Copies `data` into the buffers of `iovecs`, in order; returns how many
    /// bytes fit.
    pub fn scatter(&mut self, iovecs: &[IoVec], mut data: &[u8]) -> Result<usize> {
        let mut copied = 0;
        for iov in iovecs {
            if data.is_empty() {
                break;
            }
            let n = data.len().min(iov.len as usize);
            self.write_bytes(iov.ptr, &data[..n])?;
            data = &data[n..];
            copied += n;
        }
        Ok(copied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    #[test]
    fn out_of_bounds_is_a_fault_naming_the_range() {
        let mut backing = vec![0u8; 64];
        let mut mem = Memory::new(&mut backing);
        assert_eq!(mem.bytes(60, 4).map(<[u8]>::len), Ok(4));
        let fault = mem.bytes(60, 5).unwrap_err();
        assert_eq!(fault.to_string(), "buffer 0x3c..0x41 (5 bytes) is outside the 64-byte memory");
        assert!(mem.bytes(u32::MAX, u32::MAX).is_err());
        assert!(mem.write_u32(64, 1).is_err());
    }

    #[test]
    fn misaligned_values_are_faults() {
        let mut backing = vec![0u8; 64];
        let mut mem = Memory::new(&mut backing);
        let fault = mem.write_u32(2, 7).unwrap_err();
        assert_eq!(fault.to_string(), "pointer 0x2 is not aligned to 4 bytes");
        assert_eq!(mem.write_u64(8, 0x0102_0304_0506_0708), Ok(()));
        assert_eq!(mem.read_u64(8), Ok(0x0102_0304_0506_0708));
        assert_eq!(mem.read_u8(8), Ok(8));
        assert_eq!(mem.read_u16(8), Ok(0x0708));
    }

    #[test]
    fn iovecs_are_checked_then_gathered_and_scattered() {
        let mut backing = vec![0u8; 64];
        backing[32..37].copy_from_slice(b"Hello");
        // iovec table at 0: {32, 5}, {40, 3}
        backing[0..4].copy_from_slice(&32u32.to_le_bytes());
        backing[4..8].copy_from_slice(&5u32.to_le_bytes());
        backing[8..12].copy_from_slice(&40u32.to_le_bytes());
        backing[12..16].copy_from_slice(&3u32.to_le_bytes());
        let mut mem = Memory::new(&mut backing);
        let vecs = mem.iovecs(0, 2).unwrap();
        assert_eq!(vecs, [IoVec { ptr: 32, len: 5 }, IoVec { ptr: 40, len: 3 }]);
        assert_eq!(mem.gather(&vecs, 0, usize::MAX).unwrap(), b"Hello\0\0\0");
        assert_eq!(mem.gather(&vecs, 3, 3).unwrap(), b"lo\0");
        assert_eq!(mem.gather(&vecs, 8, 3).unwrap(), b"");
        assert_eq!(mem.scatter(&vecs, b"abcdefghij"), Ok(8));
        assert_eq!(mem.bytes(32, 5).unwrap(), b"abcde");
        assert_eq!(mem.bytes(40, 3).unwrap(), b"fgh");
        // A huge count cannot wrap around.
        assert!(mem.iovecs(0, u32::MAX).is_err());
        // A buffer that leaves memory is caught when the table is read.
        mem.write_u32(20, 0xFFFF_FFF0).unwrap();
        assert!(mem.iovecs(16, 1).is_err());
    }
}
