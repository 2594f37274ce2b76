//! Lends the kernel's [`Host`] to an instance's host functions for the length
//! of a run.
//!
//! Why this crate exists: an engine's store outlives every run, but the host
//! is only borrowed by [`Instance::run`](walos_engine::Instance::run) (and by
//! instantiation, for the start function). Host functions find their way back
//! to it through the store, so the store must hold a pointer whose lifetime
//! is erased, and no safe Rust says that. This is the one unsafe piece, kept
//! here so that `walos-engine` and the engines around it stay free of it: the
//! pointer is set only inside [`LentHost::lend`], which takes the borrow and
//! clears the slot before it returns, even by unwinding, and it is taken out
//! of the slot while [`LentHost::call`] uses it, so no two `&mut` to the host
//! can exist.

#![no_std]
#![warn(missing_docs)]

use core::cell::Cell;
use core::mem;
use core::ptr::NonNull;

use walos_engine::{Host, HostFlow, HostFuncId, Trap, Val};

/// The slot through which an instance's host functions reach the kernel's
/// [`Host`]: empty but during [`lend`](LentHost::lend).
///
/// Not `Sync`: the host is used on the thread that lent it.
#[derive(Default)]
pub struct LentHost {
    /// The lent host, its lifetime erased; see [`LentHost::lend`].
    host: Cell<Option<NonNull<dyn Host>>>,
}

impl LentHost {
    /// An empty slot.
    pub const fn new() -> Self {
        LentHost { host: Cell::new(None) }
    }

    /// Runs `during` with `host` lent to [`call`](LentHost::call); the slot
    /// holds what it held before once `during` returns or unwinds.
    pub fn lend<R>(&self, host: &mut dyn Host, during: impl FnOnce() -> R) -> R {
        let host: NonNull<dyn Host + '_> = NonNull::from(host);
        // SAFETY: the same pointer, only the trait object's lifetime changes.
        // It is dereferenced only by `call`, which finds it in the slot only
        // while `during` runs: `Restore` puts back the previous content when
        // this function returns or unwinds, while the borrow of `host` is
        // still held by this frame.
        let host = unsafe { mem::transmute::<NonNull<dyn Host + '_>, NonNull<dyn Host + 'static>>(host) };
        let _restore = Restore { slot: self, previous: self.host.replace(Some(host)) };
        during()
    }

    /// Calls host function `func` of the lent host; a trap when nothing is
    /// lent (a host function called outside of a run) or the host is already
    /// in a call through this slot.
    pub fn call(&self, func: HostFuncId, memory: &mut [u8], args: &[Val], results: &mut [Val]) -> HostFlow {
        let Some(mut host) = self.host.take() else {
            return HostFlow::Trap(Trap::host("host function called outside of a run"));
        };
        // SAFETY: the slot holds a pointer only during `lend`, whose caller
        // gave up its unique borrow of the host for that long (see `lend`);
        // taking the pointer out of the slot makes this `&mut` the only one
        // while it lives. If the host unwinds, the slot stays empty: safe.
        let flow = unsafe { host.as_mut() }.call(func, memory, args, results);
        self.host.set(Some(host));
        flow
    }
}

/// Puts back what a slot held before a loan, however the loan ends.
struct Restore<'a> {
    slot: &'a LentHost,
    previous: Option<NonNull<dyn Host>>,
}

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        self.slot.host.set(self.previous);
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use std::vec::Vec;

    /// Records the ids it is called with.
    #[derive(Default)]
    struct Recorder(Vec<HostFuncId>);

    impl Host for Recorder {
        fn call(&mut self, func: HostFuncId, _: &mut [u8], _: &[Val], _: &mut [Val]) -> HostFlow {
            self.0.push(func);
            HostFlow::Return
        }
    }

    fn outside() -> HostFlow {
        HostFlow::Trap(Trap::host("host function called outside of a run"))
    }

    #[test]
    fn the_host_is_reached_only_during_a_loan() {
        let slot = LentHost::new();
        let mut host = Recorder::default();
        assert_eq!(slot.call(1, &mut [], &[], &mut []), outside());
        let flow = slot.lend(&mut host, || slot.call(2, &mut [], &[], &mut []));
        assert_eq!(flow, HostFlow::Return);
        assert_eq!(slot.call(3, &mut [], &[], &mut []), outside());
        assert_eq!(host.0, [2]);
    }

    #[test]
    fn a_nested_loan_gives_the_outer_host_back() {
        let slot = LentHost::new();
        let (mut outer, mut inner) = (Recorder::default(), Recorder::default());
        slot.lend(&mut outer, || {
            slot.lend(&mut inner, || slot.call(1, &mut [], &[], &mut []));
            slot.call(2, &mut [], &[], &mut []);
        });
        assert_eq!((outer.0.as_slice(), inner.0.as_slice()), (&[2][..], &[1][..]));
    }

    #[test]
    fn an_unwinding_loan_empties_the_slot() {
        let slot = LentHost::new();
        let mut host = Recorder::default();
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            slot.lend(&mut host, || panic!("the run unwinds"));
        }));
        assert!(unwound.is_err());
        assert_eq!(slot.call(1, &mut [], &[], &mut []), outside());
    }

    /// Calls through the slot it is lent to, from inside its own call.
    struct Reentrant<'a>(&'a LentHost, Vec<HostFlow>);

    impl Host for Reentrant<'_> {
        fn call(&mut self, func: HostFuncId, _: &mut [u8], _: &[Val], _: &mut [Val]) -> HostFlow {
            if func == 1 {
                let again = self.0.call(2, &mut [], &[], &mut []);
                self.1.push(again);
            }
            HostFlow::Return
        }
    }

    #[test]
    fn a_host_in_a_call_is_not_lent_twice() {
        let slot = LentHost::new();
        let mut host = Reentrant(&slot, Vec::new());
        slot.lend(&mut host, || slot.call(1, &mut [], &[], &mut []));
        assert_eq!(host.1, [outside()]);
    }
}
