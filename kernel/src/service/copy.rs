//! Copying a call's buffers between the caller's and the provider's
//! memories.
//!
//! Inside the caller's host call, [`Transfer::plan`] checks everything the
//! caller passed against its memory, sizes one block for the provider and
//! keeps a kernel copy of it with the input buffers. The kernel asks the
//! provider for the block (`walos_alloc`), [`Transfer::copy_in`] writes it
//! there and rewrites the pointers, [`Transfer::copy_out`] takes the output
//! buffers back after the call, and [`Transfer::scatter`], in the caller's
//! host call again, writes them to the caller. So a memory is only touched
//! while its instance is in a host call or idle (an engine may not expose a
//! suspended one), and every range is checked with overflow-free
//! arithmetic: a bad pointer or a huge length fails the call, nothing else.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use walos_engine::{Charge, MemoryBudget, Refusal, Val};

use super::w_section::ParamKind;

/// The most bytes one call may copy into the provider.
pub const MAX_COPY: u64 = 16 << 20;

/// The most entries of one iovec array.
pub const MAX_IOVECS: u32 = 1024;

/// Why a call's buffers cannot be copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyError {
    /// The caller's buffers come to more than [`MAX_COPY`] bytes.
    TooLarge,
    /// The kernel's copy of the buffers does not fit in the memory budget
    /// all processes share (it is held until the call is answered).
    NoMemory(Refusal),
    /// The kernel's heap could not give the copy this many bytes.
    HeapFull {
        /// The size of the copy.
        total: u32,
    },
    /// A byte array of the caller is not inside its memory.
    BufferOutside {
        /// The parameter, from 0.
        param: usize,
        /// Where it points in the caller's memory.
        ptr: u32,
    },
    /// An iovec array of the caller is not inside its memory.
    IovecArrayOutside {
        /// The parameter, from 0.
        param: usize,
        /// Where it points in the caller's memory.
        ptr: u32,
    },
    /// An iovec array has more than [`MAX_IOVECS`] entries.
    TooManyIovecs {
        /// The parameter, from 0.
        param: usize,
        /// Its count.
        count: u32,
    },
    /// A buffer of an iovec array is not inside the caller's memory.
    IovecBufferOutside {
        /// The parameter, from 0.
        param: usize,
        /// Where it points in the caller's memory.
        ptr: u32,
    },
    /// The block `walos_alloc` gave is not inside the provider's memory.
    NoRoom {
        /// Where `walos_alloc` put it.
        base: u32,
        /// Its size in bytes.
        total: u32,
    },
    /// The block is no longer inside the provider's memory after the call.
    BlockGone,
    /// The caller's buffers are no longer inside its memory.
    CallerShrank,
}

impl fmt::Display for CopyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let outside = "outside the caller's memory";
        match self {
            CopyError::TooLarge => write!(f, "the buffers are larger than {MAX_COPY} bytes"),
            CopyError::NoMemory(refusal) => write!(f, "no memory for the kernel's copy of the buffers: {refusal}"),
            CopyError::HeapFull { total } => write!(f, "the kernel's heap has no room for {total} bytes of buffers"),
            CopyError::BufferOutside { param, ptr } => write!(f, "parameter {param}: buffer at {ptr} {outside}"),
            CopyError::IovecArrayOutside { param, ptr } => {
                write!(f, "parameter {param}: iovec array at {ptr} {outside}")
            }
            CopyError::TooManyIovecs { param, count } => {
                write!(f, "parameter {param}: {count} iovecs, more than {MAX_IOVECS}")
            }
            CopyError::IovecBufferOutside { param, ptr } => {
                write!(f, "parameter {param}: iovec buffer at {ptr} {outside}")
            }
            CopyError::NoRoom { base, total } => write!(f, "walos_alloc gave {base}, no room for {total} bytes there"),
            CopyError::BlockGone => f.write_str("the block is gone"),
            CopyError::CallerShrank => f.write_str("the caller's memory shrank"),
        }
    }
}

/// One caller buffer and its place in the provider's block.
#[derive(Debug, Clone, PartialEq)]
struct Region {
    caller: usize,
    len: usize,
    /// Offset in the block.
    at: usize,
    /// Copied into the provider before the call (else zeroed there).
    into: bool,
    /// Copied back to the caller after the call.
    out: bool,
}

/// A rewritten pointer argument: it points into the block at `at`; for an
/// iovec array, `iovecs` regions are described there.
#[derive(Debug, Clone, PartialEq)]
struct Pointer {
    arg: usize,
    at: usize,
    iovecs: Option<core::ops::Range<usize>>,
}

/// What one call copies.
#[derive(Debug)]
pub struct Transfer {
    args: Vec<Val>,
    /// The block as the provider gets it (iovec entries apart), then with
    /// its output buffers.
    block: Vec<u8>,
    /// The block's bytes, charged to the memory budget while it lives.
    charge: Option<Charge>,
    regions: Vec<Region>,
    pointers: Vec<Pointer>,
    /// Size of the block the provider must give, in bytes.
    pub total: u32,
}

fn u32_arg(args: &[Val], i: usize) -> u32 {
    match args.get(i) {
        Some(Val::I32(v)) => *v as u32,
        _ => 0,
    }
}

/// `len` bytes at `at` of a memory of `size` bytes, if inside.
fn range(at: u64, len: u64, size: usize) -> Option<core::ops::Range<usize>> {
    let end = at.checked_add(len)?;
    (end <= size as u64).then_some(at as usize..end as usize)
}

impl Transfer {
    /// Checks the caller's buffers (described by `kinds`) in `caller`, and
    /// copies them, charging the copy to `budget`.
    pub fn plan(
        kinds: &[ParamKind],
        args: &[Val],
        caller: &[u8],
        budget: &Arc<MemoryBudget>,
    ) -> Result<Transfer, CopyError> {
        let mut plan = Transfer {
            args: args.to_vec(),
            block: Vec::new(),
            charge: None,
            regions: Vec::new(),
            pointers: Vec::new(),
            total: 0,
        };
        let mut total: u64 = 0;
        let mut reserve = |len: u64| -> Result<usize, CopyError> {
            let at = total;
            total = total.checked_add(len.div_ceil(8) * 8).filter(|&t| t <= MAX_COPY).ok_or(CopyError::TooLarge)?;
            Ok(at as usize)
        };
        for (param, kind) in kinds.iter().enumerate() {
            let (ptr, len) = (u32_arg(args, param), u32_arg(args, param + 1));
            match kind {
                ParamKind::BytesIn | ParamKind::BytesOut | ParamKind::BytesInOut => {
                    let at_caller =
                        range(ptr.into(), len.into(), caller.len()).ok_or(CopyError::BufferOutside { param, ptr })?;
                    let at = reserve(len.into())?;
                    let (into, out) = (*kind != ParamKind::BytesOut, *kind != ParamKind::BytesIn);
                    plan.regions.push(Region { caller: at_caller.start, len: len as usize, at, into, out });
                    plan.pointers.push(Pointer { arg: param, at, iovecs: None });
                }
                ParamKind::IovecsIn | ParamKind::IovecsOut => {
                    if len > MAX_IOVECS {
                        return Err(CopyError::TooManyIovecs { param, count: len });
                    }
                    let array = range(ptr.into(), u64::from(len) * 8, caller.len())
                        .ok_or(CopyError::IovecArrayOutside { param, ptr })?;
                    let at = reserve(u64::from(len) * 8)?;
                    let first = plan.regions.len();
                    for [b0, b1, b2, b3, l0, l1, l2, l3] in caller[array].as_chunks::<8>().0.iter().copied() {
                        let buf = u32::from_le_bytes([b0, b1, b2, b3]);
                        let buf_len = u32::from_le_bytes([l0, l1, l2, l3]);
                        let at_caller = range(buf.into(), buf_len.into(), caller.len())
                            .ok_or(CopyError::IovecBufferOutside { param, ptr: buf })?;
                        let buf_at = reserve(buf_len.into())?;
                        let out = *kind == ParamKind::IovecsOut;
                        let region =
                            Region { caller: at_caller.start, len: buf_len as usize, at: buf_at, into: !out, out };
                        plan.regions.push(region);
                    }
                    let iovecs = Some(first..plan.regions.len());
                    plan.pointers.push(Pointer { arg: param, at, iovecs });
                }
                ParamKind::Flat | ParamKind::Len => {}
            }
        }
        plan.total = total as u32;
        if total > 0 {
            plan.charge = Some(budget.charge(total as usize).map_err(CopyError::NoMemory)?);
            // Within the budget the heap holds it (the budget leaves the
            // kernel a share of its own), but a heap may be fragmented.
            let full = CopyError::HeapFull { total: total as u32 };
            plan.block.try_reserve_exact(total as usize).map_err(|_| full)?;
            plan.block.resize(total as usize, 0);
        }
        for region in plan.regions.iter().filter(|r| r.into) {
            plan.block[region.at..region.at + region.len]
                .copy_from_slice(&caller[region.caller..region.caller + region.len]);
        }
        Ok(plan)
    }

    /// Writes the block at `base` of `provider` and returns the arguments
    /// for the provider.
    pub fn copy_in(&self, base: u32, provider: &mut [u8]) -> Result<Vec<Val>, CopyError> {
        let block = range(base.into(), self.total.into(), provider.len())
            .ok_or(CopyError::NoRoom { base, total: self.total })?;
        let block = &mut provider[block];
        block.copy_from_slice(&self.block);
        let mut args = self.args.clone();
        for pointer in &self.pointers {
            args[pointer.arg] = Val::I32((base as usize + pointer.at) as i32);
            for (n, region) in self.regions[pointer.iovecs.clone().unwrap_or_default()].iter().enumerate() {
                let entry = pointer.at + n * 8;
                block[entry..entry + 4].copy_from_slice(&((base as usize + region.at) as u32).to_le_bytes());
                block[entry + 4..entry + 8].copy_from_slice(&(region.len as u32).to_le_bytes());
            }
        }
        Ok(args)
    }

    /// Takes the output buffers from the block at `base` of `provider`.
    pub fn copy_out(&mut self, base: u32, provider: &[u8]) -> Result<(), CopyError> {
        let block = range(base.into(), self.total.into(), provider.len()).ok_or(CopyError::BlockGone)?;
        let block = &provider[block];
        for region in self.regions.iter().filter(|r| r.out) {
            self.block[region.at..region.at + region.len].copy_from_slice(&block[region.at..region.at + region.len]);
        }
        Ok(())
    }

    /// Writes the output buffers to the caller.
    pub fn scatter(&self, caller: &mut [u8]) -> Result<(), CopyError> {
        for region in self.regions.iter().filter(|r| r.out) {
            let dest = caller.get_mut(region.caller..region.caller + region.len).ok_or(CopyError::CallerShrank)?;
            dest.copy_from_slice(&self.block[region.at..region.at + region.len]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    /// A budget nothing else takes from.
    fn budget() -> Arc<MemoryBudget> {
        Arc::new(MemoryBudget::new(1 << 20))
    }

    #[test]
    fn buffers_go_in_and_out() {
        let mut caller = vec![0u8; 64];
        caller[10..13].copy_from_slice(b"abc");
        let kinds = [ParamKind::BytesIn, ParamKind::Len, ParamKind::BytesOut, ParamKind::Len];
        let plan = Transfer::plan(&kinds, &[Val::I32(10), Val::I32(3), Val::I32(20), Val::I32(4)], &caller, &budget())
            .unwrap();
        assert_eq!(plan.total, 16);
        let mut plan = plan;
        let mut provider = vec![0xffu8; 100];
        let args = plan.copy_in(80, &mut provider).unwrap();
        assert_eq!(args, [Val::I32(80), Val::I32(3), Val::I32(88), Val::I32(4)]);
        assert_eq!(&provider[80..83], b"abc");
        assert_eq!(&provider[88..92], [0; 4]);
        provider[88..92].copy_from_slice(b"wxyz");
        plan.copy_out(80, &provider).unwrap();
        plan.scatter(&mut caller).unwrap();
        assert_eq!(&caller[20..24], b"wxyz");
        assert_eq!(&caller[10..13], b"abc");
        // The block must fit in the provider's memory.
        assert!(plan.copy_in(90, &mut provider).is_err());
        assert!(plan.copy_in(u32::MAX, &mut provider).is_err());
    }

    #[test]
    fn bad_caller_buffers_are_refused() {
        let caller = vec![0u8; 64];
        let kinds = [ParamKind::BytesIn, ParamKind::Len];
        for (ptr, len) in [(60, 5), (-1, 2), (0, -1)] {
            assert!(Transfer::plan(&kinds, &[Val::I32(ptr), Val::I32(len)], &caller, &budget()).is_err());
        }
        let mut iovecs = vec![0u8; 64];
        iovecs[0..8].copy_from_slice(&[0, 0, 0, 0xff, 1, 0, 0, 0]);
        let kinds = [ParamKind::IovecsIn, ParamKind::Len];
        assert!(Transfer::plan(&kinds, &[Val::I32(0), Val::I32(1)], &iovecs, &budget()).is_err());
        assert!(Transfer::plan(&kinds, &[Val::I32(0), Val::I32(100_000)], &iovecs, &budget()).is_err());
    }

    #[test]
    fn the_copy_is_charged_to_the_budget_until_the_transfer_ends() {
        let caller = vec![0u8; 64];
        let kinds = [ParamKind::BytesIn, ParamKind::Len];
        let budget = Arc::new(MemoryBudget::new(40));
        let first = Transfer::plan(&kinds, &[Val::I32(0), Val::I32(30)], &caller, &budget).unwrap();
        assert_eq!(budget.used(), 32, "30 bytes, rounded up to 8");
        let refused = Transfer::plan(&kinds, &[Val::I32(0), Val::I32(9)], &caller, &budget).unwrap_err();
        assert_eq!(refused, CopyError::NoMemory(Refusal::Budget { more: 16, used: 32, limit: 40 }));
        assert_eq!(
            refused.to_string(),
            "no memory for the kernel's copy of the buffers: 16 more bytes of memory do not fit: \
             processes hold 32 of the 40 bytes they may take together"
        );
        drop(first);
        assert_eq!(budget.used(), 0);
        assert!(Transfer::plan(&kinds, &[Val::I32(0), Val::I32(9)], &caller, &budget).is_ok());
    }
}
