//! Starting a slice on a store, in the measure of the engine's
//! [`Preemption`].

use walos_engine::{Preemption, Slice};
use wasmtime::AsContextMut;

use crate::store::StoreData;

/// Gives the store (or a host function's caller) a new slice: fuel that
/// never runs out with a yield every `slice.fuel` units, or an epoch
/// deadline `slice.ticks` ticks from now with a yield and the same again
/// each time it passes. The automatic yield is set only when its length
/// changes (it is boxed, under epoch).
pub fn begin(mut ctx: impl AsContextMut<Data = StoreData>, slice: Slice) -> wasmtime::Result<()> {
    let mut ctx = ctx.as_context_mut();
    let exchange = &ctx.data().exchange;
    let preemption = exchange.preemption;
    let length = match preemption {
        Preemption::Fuel => slice.fuel,
        Preemption::Epoch => slice.ticks,
    }
    .max(1);
    let changed = exchange.interval.replace(length) != length;
    match preemption {
        Preemption::Fuel => {
            if changed {
                ctx.fuel_async_yield_interval(Some(length))?;
            }
            ctx.set_fuel(u64::MAX)
        }
        Preemption::Epoch => {
            if changed {
                ctx.epoch_deadline_async_yield_and_update(length);
            }
            ctx.set_epoch_deadline(length);
            Ok(())
        }
    }
}

/// Gives the start function its budget, which ends it rather than yield
/// (it cannot be suspended): `start.fuel` units, or `start.ticks` ticks
/// from now. The next [`begin`] sets the automatic yield again.
pub fn begin_start(ctx: &mut wasmtime::Store<StoreData>, start: Slice) -> wasmtime::Result<()> {
    ctx.data().exchange.interval.set(0);
    match ctx.data().exchange.preemption {
        Preemption::Fuel => ctx.set_fuel(start.fuel),
        Preemption::Epoch => {
            ctx.epoch_deadline_trap();
            ctx.set_epoch_deadline(start.ticks.max(1));
            Ok(())
        }
    }
}
