//! Preemption: how an engine ends a slice, how long a slice is, and the
//! tick source that drives epoch slices.

use alloc::sync::Arc;
use core::fmt;

/// How an engine decides that a slice is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preemption {
    /// Counted work: about one unit per wasm instruction. Deterministic
    /// (the same program gets the same slices on every run), so the
    /// conformance suite and the tests that count slices use it; every
    /// engine has it.
    Fuel,
    /// Time: the slice ends at the first check after a number of timer
    /// ticks ([`Ticker::tick`]). Compiled code only checks a counter at
    /// loop heads and function entries, which costs far less than metering
    /// fuel; wasmtime's default.
    Epoch,
}

impl Preemption {
    /// Its name on command lines and in logs: `fuel` or `epoch`.
    pub fn name(self) -> &'static str {
        match self {
            Preemption::Fuel => "fuel",
            Preemption::Epoch => "epoch",
        }
    }
}

impl fmt::Display for Preemption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How long a run may go before it is preempted, in both measures: the
/// engine counts the one its [`Preemption`] says, so the kernel need not
/// know which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slice {
    /// Fuel units (about one wasm instruction each), under
    /// [`Preemption::Fuel`].
    pub fuel: u64,
    /// Timer ticks from the start of the run, under [`Preemption::Epoch`]:
    /// the slice ends at the first check after that many ticks (so 1 ends
    /// it at the next tick).
    pub ticks: u64,
}

impl Slice {
    /// A slice of `fuel` units or `ticks` ticks, whichever the engine
    /// counts.
    pub const fn new(fuel: u64, ticks: u64) -> Self {
        Slice { fuel, ticks }
    }
}

/// The tick source of an engine that preempts by [`Preemption::Epoch`]: the
/// loader calls [`tick`](Ticker::tick) at a steady rate, from a timer
/// thread or a timer interrupt handler.
///
/// A tick is one atomic increment and nothing else (no lock, no
/// allocation, no system call), so it is safe in an interrupt handler; the
/// handle itself needs only `alloc`. Cloning it is cheap; it keeps the
/// engine's counter alive.
#[derive(Clone)]
pub struct Ticker {
    tick: Arc<dyn Fn() + Send + Sync>,
}

impl Ticker {
    /// A ticker that runs `tick`, which must be as cheap and as safe as
    /// the contract above says (an atomic increment).
    pub fn new(tick: impl Fn() + Send + Sync + 'static) -> Self {
        Ticker { tick: Arc::new(tick) }
    }

    /// One timer tick: every slice that has run its ticks ends at its next
    /// check.
    pub fn tick(&self) {
        (self.tick)();
    }
}

impl fmt::Debug for Ticker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ticker")
    }
}
