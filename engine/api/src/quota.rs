//! What one instance may take and what all of them together may take: the
//! accounting behind every engine's resource limiter.
//!
//! The engines' own `StoreLimits` limit one store only; the kernel also
//! needs one budget for the linear memory of all its processes, so that
//! many processes together cannot take the memory the kernel itself runs
//! on. Each engine wraps a [`Quota`] in its limiter trait and defers every
//! decision to it.

use alloc::sync::Arc;
use core::fmt;
use core::sync::atomic::{AtomicUsize, Ordering};

use crate::Limits;

/// The linear memory all instances sharing it may hold together.
#[derive(Debug)]
pub struct MemoryBudget {
    limit: usize,
    used: AtomicUsize,
}

impl MemoryBudget {
    /// A budget of `limit` bytes, none of it taken.
    pub const fn new(limit: usize) -> Self {
        MemoryBudget { limit, used: AtomicUsize::new(0) }
    }

    /// The budget, in bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The bytes the living instances hold.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// Takes `bytes` if they fit beside what is held.
    fn take(&self, bytes: usize) -> bool {
        self.used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                used.checked_add(bytes).filter(|&total| total <= self.limit)
            })
            .is_ok()
    }

    /// Returns `bytes` taken before.
    fn give_back(&self, bytes: usize) {
        self.used.fetch_sub(bytes, Ordering::Relaxed);
    }
}

impl MemoryBudget {
    /// Charges `bytes` the kernel holds for its guests outside their linear
    /// memories (a service call's buffers in transit), given back when the
    /// [`Charge`] is dropped: so what guests make the kernel hold comes out
    /// of the same budget as their memories, never out of what the kernel
    /// itself runs on.
    ///
    /// # Errors
    /// The bytes do not fit beside what is held.
    pub fn charge(self: &Arc<Self>, bytes: usize) -> Result<Charge, Refusal> {
        if !self.take(bytes) {
            return Err(Refusal::Budget { more: bytes, used: self.used(), limit: self.limit });
        }
        Ok(Charge { budget: self.clone(), bytes })
    }
}

/// Bytes taken from a [`MemoryBudget`] by [`MemoryBudget::charge`], given
/// back on drop.
#[derive(Debug)]
pub struct Charge {
    budget: Arc<MemoryBudget>,
    bytes: usize,
}

impl Charge {
    /// The bytes charged.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Charges `bytes` instead: more if they fit beside what is held, or
    /// fewer, given back.
    ///
    /// # Errors
    /// The growth does not fit; the charge is unchanged.
    pub fn resize(&mut self, bytes: usize) -> Result<(), Refusal> {
        if bytes > self.bytes {
            let more = bytes - self.bytes;
            if !self.budget.take(more) {
                return Err(Refusal::Budget { more, used: self.budget.used(), limit: self.budget.limit });
            }
        } else {
            self.budget.give_back(self.bytes - bytes);
        }
        self.bytes = bytes;
        Ok(())
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        self.budget.give_back(self.bytes);
    }
}

/// What one table element takes from the [`MemoryBudget`]: a reference,
/// as both engines store them.
pub const TABLE_ELEMENT_BYTES: usize = 8;

/// One store's share of the [`Limits`]: what its memories and tables may
/// grow to, and the memory it holds of the shared [`MemoryBudget`], given
/// back when the store is dropped.
#[derive(Debug)]
pub struct Quota {
    memory_bytes: usize,
    table_elements: usize,
    budget: Arc<MemoryBudget>,
    /// Bytes taken from the budget for this store's memories.
    held: usize,
    /// Bytes of the last growth allowed, given back if the engine then
    /// fails to grow.
    pending: usize,
    /// Why the last growth was refused, for the message of a failed
    /// instantiation.
    refusal: Option<Refusal>,
}

/// A growth a [`Quota`] refused, and the limit that refused it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A memory past the limit of one memory.
    Memory {
        /// The size asked for.
        bytes: usize,
        /// [`Limits::memory_bytes`].
        limit: usize,
    },
    /// Growth that does not fit beside what all instances hold.
    Budget {
        /// The bytes asked for.
        more: usize,
        /// What the instances sharing the budget hold.
        used: usize,
        /// [`MemoryBudget::limit`].
        limit: usize,
    },
    /// A table past the limit of one table.
    Table {
        /// The size asked for.
        elements: usize,
        /// [`Limits::table_elements`].
        limit: usize,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Memory { bytes, limit } => {
                write!(f, "a memory of {bytes} bytes is past the limit of {limit} bytes for one memory")
            }
            Refusal::Budget { more, used, limit } => write!(
                f,
                "{more} more bytes of memory do not fit: processes hold {used} of the {limit} bytes they may take together"
            ),
            Refusal::Table { elements, limit } => {
                write!(f, "a table of {elements} elements is past the limit of {limit} elements for one table")
            }
        }
    }
}

impl Quota {
    /// Instances, tables and memories a store may create: the engines'
    /// own defaults, as their `StoreLimits` have them.
    pub const COUNT_LIMIT: usize = 10_000;

    /// The quota of a new store under `limits`.
    pub fn new(limits: &Limits) -> Self {
        Quota {
            memory_bytes: limits.memory_bytes,
            table_elements: limits.table_elements,
            budget: limits.budget.clone(),
            held: 0,
            pending: 0,
            refusal: None,
        }
    }

    /// Whether a memory of `current` bytes may grow to `desired` (also
    /// asked for a new memory, from 0): within its declared `maximum`, the
    /// per-memory limit and the shared budget.
    pub fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> bool {
        let more = desired.saturating_sub(current);
        if maximum.is_some_and(|max| desired > max) {
            return false;
        }
        if desired > self.memory_bytes {
            self.refusal = Some(Refusal::Memory { bytes: desired, limit: self.memory_bytes });
            return false;
        }
        if !self.budget.take(more) {
            let (used, limit) = (self.budget.used(), self.budget.limit());
            self.refusal = Some(Refusal::Budget { more, used, limit });
            return false;
        }
        self.held += more;
        self.pending = more;
        true
    }

    /// The engine could not grow a memory after all: the growth is given
    /// back.
    pub fn memory_grow_failed(&mut self) {
        self.grow_failed();
    }

    /// Whether a table of `current` elements may grow to `desired` (also
    /// asked for a new table, from 0): within its declared `maximum`, the
    /// table limit and, at [`TABLE_ELEMENT_BYTES`] each, the shared budget.
    /// Tables live in kernel memory beside the linear memories, and a store
    /// may create [`Quota::COUNT_LIMIT`] of them.
    pub fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> bool {
        if maximum.is_some_and(|max| desired > max) {
            return false;
        }
        if desired > self.table_elements {
            self.refusal = Some(Refusal::Table { elements: desired, limit: self.table_elements });
            return false;
        }
        let more = desired.saturating_sub(current).saturating_mul(TABLE_ELEMENT_BYTES);
        if !self.budget.take(more) {
            let (used, limit) = (self.budget.used(), self.budget.limit());
            self.refusal = Some(Refusal::Budget { more, used, limit });
            return false;
        }
        self.held += more;
        self.pending = more;
        true
    }

    /// The engine could not grow a table after all: the growth is given
    /// back.
    pub fn table_grow_failed(&mut self) {
        self.grow_failed();
    }

    fn grow_failed(&mut self) {
        self.budget.give_back(self.pending);
        self.held -= self.pending;
        self.pending = 0;
    }

    /// Why the last growth was refused, if one was.
    pub fn take_refusal(&mut self) -> Option<Refusal> {
        self.refusal.take()
    }
}

impl Drop for Quota {
    fn drop(&mut self) {
        self.budget.give_back(self.held);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Slice;

    fn limits(memory_bytes: usize, budget: &Arc<MemoryBudget>) -> Limits {
        Limits { memory_bytes, table_elements: 10, budget: budget.clone(), start: Slice::new(1, 1) }
    }

    #[test]
    fn a_charge_shares_the_budget_with_memories_until_dropped() {
        let budget = Arc::new(MemoryBudget::new(100));
        let mut store = Quota::new(&limits(100, &budget));
        let charge = budget.charge(70).expect("fits");
        assert!(!store.memory_growing(0, 40, None), "the charge holds 70 of 100");
        assert_eq!(budget.charge(31).unwrap_err(), Refusal::Budget { more: 31, used: 70, limit: 100 });
        let mut charge = charge;
        assert!(charge.resize(101).is_err(), "past the budget");
        assert_eq!(budget.used(), 70, "unchanged");
        charge.resize(50).expect("shrinks");
        assert_eq!((charge.bytes(), budget.used()), (50, 50));
        drop(charge);
        assert!(store.memory_growing(0, 40, None));
        assert_eq!(budget.used(), 40);
    }

    #[test]
    fn stores_share_the_budget_until_dropped() {
        let budget = Arc::new(MemoryBudget::new(100));
        let mut a = Quota::new(&limits(80, &budget));
        let mut b = Quota::new(&limits(80, &budget));
        assert!(a.memory_growing(0, 60, None));
        assert!(!a.memory_growing(60, 90, None), "past its own limit");
        assert_eq!(a.take_refusal(), Some(Refusal::Memory { bytes: 90, limit: 80 }));
        assert!(!b.memory_growing(0, 50, None), "past the budget");
        assert_eq!(
            b.take_refusal().unwrap().to_string(),
            "50 more bytes of memory do not fit: processes hold 60 of the 100 bytes they may take together"
        );
        assert!(b.memory_growing(0, 40, None));
        assert_eq!(budget.used(), 100);
        drop(a);
        assert_eq!(budget.used(), 40);
        assert!(b.memory_growing(40, 80, None));
        drop(b);
        assert_eq!(budget.used(), 0);
    }

    #[test]
    fn a_failed_growth_is_given_back() {
        let budget = Arc::new(MemoryBudget::new(100));
        let mut quota = Quota::new(&limits(100, &budget));
        assert!(quota.memory_growing(0, 30, None));
        assert!(quota.memory_growing(30, 70, None));
        quota.memory_grow_failed();
        assert_eq!(budget.used(), 30);
        assert!(!quota.memory_growing(30, 40, Some(35)), "past its declared maximum");
    }

    #[test]
    fn tables_are_limited_and_charged_to_the_budget() {
        let budget = Arc::new(MemoryBudget::new(100));
        let mut quota = Quota::new(&limits(100, &budget));
        assert!(!quota.table_growing(0, 11, None), "past the table limit");
        assert_eq!(quota.take_refusal(), Some(Refusal::Table { elements: 11, limit: 10 }));
        assert!(!quota.table_growing(0, 5, Some(4)), "past its declared maximum");
        assert!(quota.table_growing(0, 4, None));
        assert_eq!(budget.used(), 4 * TABLE_ELEMENT_BYTES);
        quota.table_grow_failed();
        assert_eq!(budget.used(), 0, "given back");
        assert!(quota.table_growing(0, 10, None) && budget.used() == 80);
        assert!(!quota.table_growing(0, 10, None), "a second table of 80 bytes does not fit");
        assert_eq!(quota.take_refusal(), Some(Refusal::Budget { more: 80, used: 80, limit: 100 }));
        drop(quota);
        assert_eq!(budget.used(), 0, "a dropped store gives its tables back");
    }
}
