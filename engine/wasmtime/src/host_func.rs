//! The wasmtime function behind every import: it converts the arguments and
//! hands the call to the kernel's [`walos_engine::Host`] with the caller's
//! memory, through the store's [`Exchange`](crate::store::Exchange).
//!
//! An import whose host function never suspends its caller (most syscalls)
//! is a synchronous host function: typed when its signature is i32s in and
//! at most one i32 out (wasmtime calls it as native code would), over
//! wasmtime's raw values otherwise; either way no future, no value vectors,
//! nothing allocated, the arguments and results in arrays on the stack.
//!
//! The others are async host functions. A host call that yields or blocks
//! makes its future pending once: wasmtime then suspends the wasm fiber and
//! the call's outer future, polled by `run`, returns `Pending`. The next
//! `run` polls again, the fiber resumes inside the host function, which
//! returns (a yield) or calls the host again (a block), as the wasmi engine
//! does.

use std::fmt;
use std::future::Future;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{Context, Poll};

use walos_engine::{HostFlow, HostFunc, HostFuncId, INLINE, Trap, Val, ValType, Values};
use wasmtime::{Caller, Extern, Func, Store, ValRaw};

use crate::store::{StoreData, Suspension};
use crate::{convert, slice};

/// How a host call ended its caller's call: the error the host function
/// returns to wasmtime, recognised by `run`.
#[derive(Debug)]
pub enum Ended {
    /// [`HostFlow::Exit`] with this status.
    Exit(u32),
    /// [`HostFlow::Trap`].
    Trap(Trap),
    /// The start function tried to block.
    BlockedInStart,
}

impl fmt::Display for Ended {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ended::Exit(status) => write!(f, "exit with status {status}"),
            Ended::Trap(trap) => write!(f, "{trap}"),
            Ended::BlockedInStart => f.write_str("the start function made a blocking call"),
        }
    }
}

impl std::error::Error for Ended {}

/// Creates the wasmtime function that forwards calls of an import of type
/// `ty` to the host as `func` says: synchronous unless it may suspend.
pub fn host_func(store: &mut Store<StoreData>, ty: wasmtime::FuncType, func: HostFunc) -> Func {
    if func.suspends {
        return suspending(store, ty, func);
    }
    match typed(store, &func) {
        Some(typed) => typed,
        None => synchronous(store, ty, func),
    }
}

/// A synchronous host function of the typed shape, as a typed wasmtime
/// function; `None` for other signatures.
fn typed(store: &mut Store<StoreData>, func: &HostFunc) -> Option<Func> {
    let shape = func.typed?;
    let id = func.id;
    macro_rules! bind {
        ($($arg:ident)*) => {
            if shape.returns {
                Func::wrap(&mut *store, move |mut caller: Caller<'_, StoreData>, $($arg: i32),*| -> wasmtime::Result<i32> {
                    let mut rets = [Val::I32(0)];
                    returned(call_host(&mut caller, id, &[$(Val::I32($arg)),*], &mut rets), id)?;
                    Ok(match rets[0] { Val::I32(v) => v, _ => 0 })
                })
            } else {
                Func::wrap(&mut *store, move |mut caller: Caller<'_, StoreData>, $($arg: i32),*| -> wasmtime::Result<()> {
                    returned(call_host(&mut caller, id, &[$(Val::I32($arg)),*], &mut []), id)
                })
            }
        };
    }
    walos_engine::by_arity!(shape.params, bind)
}

/// What a synchronous host call's flow means for its caller: `Ok` goes on,
/// an error ends the call (a suspension all the same, as a trap that says
/// so).
fn returned(flow: HostFlow, id: HostFuncId) -> wasmtime::Result<()> {
    match flow {
        HostFlow::Return => Ok(()),
        HostFlow::Exit(status) => Err(wasmtime::Error::new(Ended::Exit(status))),
        HostFlow::Trap(trap) => Err(wasmtime::Error::new(Ended::Trap(trap))),
        HostFlow::Yield | HostFlow::Block => Err(wasmtime::Error::new(Ended::Trap(HostFunc::suspended_anyway(id)))),
    }
}

/// A host function that never suspends its caller, over raw values.
fn synchronous(store: &mut Store<StoreData>, ty: wasmtime::FuncType, func: HostFunc) -> Func {
    let params: Box<[ValType]> = ty.params().map(|p| convert::val_type(&p)).collect();
    let callback = move |mut caller: Caller<'_, StoreData>, raw: &mut [MaybeUninit<ValRaw>]| {
        // At most INLINE of each (`HostFunc::new` sends longer signatures
        // the suspending way); `raw` holds max(params, results) slots.
        let mut args = [Val::I32(0); INLINE];
        for ((arg, slot), &ty) in args.iter_mut().zip(raw.iter()).zip(params.iter()) {
            // SAFETY: wasmtime initialises the first `params.len()` slots
            // with the arguments, and the zip stops there.
            *arg = convert::from_raw(unsafe { slot.assume_init_ref() }, ty);
        }
        let mut rets = [Val::I32(0); INLINE];
        let rets = &mut rets[..func.zeros.len()];
        rets.copy_from_slice(&func.zeros);
        returned(call_host(&mut caller, func.id, &args[..params.len()], rets), func.id)?;
        for (slot, ret) in raw.iter_mut().zip(rets.iter()) {
            *slot = MaybeUninit::new(convert::to_raw(*ret));
        }
        Ok(())
    };
    // SAFETY: the callback reads the arguments as the types of `ty`'s
    // parameters (`params`, converted from `ty` itself) and writes one
    // result per result of `ty`, each of the type of its zero, which
    // `HostFunc::new` made from the import's result types.
    unsafe { Func::new_unchecked(store, ty, callback) }
}

/// A host function that may suspend its caller, as an async function.
fn suspending(store: &mut Store<StoreData>, ty: wasmtime::FuncType, func: HostFunc) -> Func {
    let HostFunc { id, zeros, .. } = func;
    Func::new_async(store, ty, move |mut caller, params, results| {
        // Numbers only (checked by `HostFunc`): the fallback is never taken.
        let args: Values = params.iter().map(|p| convert::from_wasmtime(p).unwrap_or(Val::I32(0))).collect();
        let mut rets = Values::from_slice(&zeros);
        // The usual case is settled here, without a future to keep.
        let flow = call_host(&mut caller, id, &args, &mut rets);
        match suspension(&caller, flow) {
            Ok(None) => {
                store_results(results, &rets);
                Box::new(Done)
            }
            Ok(Some(suspension)) => Box::new(suspend(caller, id, args, rets, results, suspension)),
            Err(err) => Box::new(Failed(Some(err))),
        }
    })
}

/// Calls the host with the caller's memory.
fn call_host(caller: &mut Caller<'_, StoreData>, id: HostFuncId, args: &[Val], rets: &mut [Val]) -> HostFlow {
    if caller.data().memory.is_none() {
        // Still instantiating (a start function): the instance, and so its
        // memory export, is not known to the store data yet.
        let memory = caller.get_export("memory").and_then(Extern::into_memory);
        caller.data_mut().memory = memory;
    }
    match caller.data().memory {
        Some(memory) => {
            let (bytes, data) = memory.data_and_store_mut(caller);
            data.exchange.host.call(id, bytes, args, rets)
        }
        None => caller.data().exchange.host.call(id, &mut [], args, rets),
    }
}

/// What a host call's flow means for its caller: go on (`None`), suspend,
/// or end the call (an error).
fn suspension(caller: &Caller<'_, StoreData>, flow: HostFlow) -> wasmtime::Result<Option<Suspension>> {
    let in_start = caller.data().exchange.in_start.get();
    match flow {
        HostFlow::Return => Ok(None),
        // The start function cannot be suspended: a yield is just a return.
        HostFlow::Yield if in_start => Ok(None),
        HostFlow::Block if in_start => Err(wasmtime::Error::new(Ended::BlockedInStart)),
        HostFlow::Yield => Ok(Some(Suspension::Yield)),
        HostFlow::Block => Ok(Some(Suspension::Block)),
        HostFlow::Exit(status) => Err(wasmtime::Error::new(Ended::Exit(status))),
        HostFlow::Trap(trap) => Err(wasmtime::Error::new(Ended::Trap(trap))),
    }
}

/// Suspends the caller until the next run, then returns (a yield) or calls
/// the host again (a block), until the host call completes.
async fn suspend(
    mut caller: Caller<'_, StoreData>,
    id: HostFuncId,
    args: Values,
    mut rets: Values,
    results: &mut [wasmtime::Val],
    mut suspension: Suspension,
) -> wasmtime::Result<()> {
    loop {
        caller.data().exchange.suspended.set(Some(suspension));
        Pause(false).await;
        // Resumed by the next run: its slice starts now, as with wasmi.
        let slice = caller.data().exchange.slice.get();
        slice::begin(&mut caller, slice)?;
        if suspension == Suspension::Yield {
            break;
        }
        let flow = call_host(&mut caller, id, &args, &mut rets);
        match self::suspension(&caller, flow)? {
            None => break,
            Some(again) => suspension = again,
        }
    }
    store_results(results, &rets);
    Ok(())
}

fn store_results(results: &mut [wasmtime::Val], rets: &[Val]) {
    for (slot, ret) in results.iter_mut().zip(rets) {
        *slot = convert::to_wasmtime(*ret);
    }
}

/// A host call that completed at once; zero-sized, so boxing it allocates
/// nothing.
struct Done;

impl Future for Done {
    type Output = wasmtime::Result<()>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        Poll::Ready(Ok(()))
    }
}

/// A host call that ended its caller's call.
struct Failed(Option<wasmtime::Error>);

impl Future for Failed {
    type Output = wasmtime::Result<()>;

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        Poll::Ready(Err(self.0.take().unwrap_or_else(|| wasmtime::Error::msg("host call polled twice"))))
    }
}

/// A future that is pending once: it suspends the wasm fiber until the next
/// poll of the call, that is the next `run`.
struct Pause(bool);

impl Future for Pause {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            // No wake-up: `run` polls again when the scheduler says so.
            self.0 = true;
            Poll::Pending
        }
    }
}
