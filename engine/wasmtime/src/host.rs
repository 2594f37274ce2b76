//! The wasmtime function behind every import, and the exchange through which
//! it reaches the kernel's [`Host`] and tells [`run`](walos_engine::Instance::run)
//! why wasm stopped.
//!
//! Imports are async host functions. A host call that yields or blocks makes
//! its future pending once: wasmtime then suspends the wasm fiber and the
//! call's outer future, polled by `run`, returns `Pending`. The next `run`
//! polls again, the fiber resumes inside the host function, which returns (a
//! yield) or calls the host again (a block), as the wasmi engine does.

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll};

use walos_engine::{Error, Host, HostFlow, HostFuncId, Trap, Val, ValType};
use wasmtime::{Caller, Extern, Func, Store, StoreLimits};

use crate::convert;

/// What a run shares with the host functions of its instance.
#[derive(Default)]
pub struct Exchange {
    /// The kernel's host, set only while `run` (or instantiation) is on the
    /// stack.
    host: Cell<Option<NonNull<dyn Host>>>,
    /// The fuel of the current run: the length of a slice.
    pub fuel: Cell<u64>,
    /// The store's fuel yield interval: the slice length it was last given.
    pub interval: Cell<u64>,
    /// Why the last poll stopped inside a host function (yield or block);
    /// `None` when it stopped because the slice's fuel ran out.
    pub suspended: Cell<Option<Suspension>>,
    /// True while the start function runs: it cannot be suspended.
    pub in_start: Cell<bool>,
}

// SAFETY: an exchange is shared only by one `Instance` (which is not `Send`,
// see its `_single_thread` field) and the store it owns; wasmtime requires
// `Send` of store data so that stores may move between threads, which walos
// never does. Every access happens on the thread running `Instance::run`.
unsafe impl Send for Exchange {}
// SAFETY: as above; there is never a second thread.
unsafe impl Sync for Exchange {}

/// A host call that suspended its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suspension {
    Yield,
    Block,
}

impl Exchange {
    /// Lends the kernel's host to the host functions until [`Exchange::reclaim`].
    ///
    /// # Safety
    /// `reclaim` must be called before the borrow of `host` ends.
    pub unsafe fn lend(&self, host: &mut dyn Host) {
        let host: NonNull<dyn Host + '_> = NonNull::from(host);
        // SAFETY: same pointer, only the lifetime changes; the caller keeps
        // it from outliving the borrow.
        self.host.set(Some(unsafe { std::mem::transmute::<NonNull<dyn Host + '_>, NonNull<dyn Host>>(host) }));
    }

    pub fn reclaim(&self) {
        self.host.set(None);
    }

    fn call(&self, id: HostFuncId, memory: &mut [u8], args: &[Val], results: &mut [Val]) -> HostFlow {
        match self.host.get() {
            // SAFETY: `host` is set only while the unique borrow lent by
            // `lend` is held on the stack of `run` or instantiation, and host
            // functions run only inside those.
            Some(mut host) => unsafe { host.as_mut() }.call(id, memory, args, results),
            None => HostFlow::Trap(Trap::host("host function called outside of a run")),
        }
    }
}

/// What the store carries for the host functions.
pub struct StoreData {
    pub exchange: std::sync::Arc<Exchange>,
    /// The instance's `memory` export, cached for the host functions.
    pub memory: Option<wasmtime::Memory>,
    pub limiter: StoreLimits,
}

/// How a host call ended its caller's call: the error the host function
/// returns to wasmtime, recognised by `run`.
#[derive(Debug)]
pub enum Ended {
    Exit(u32),
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
/// `ty` to host function `id`.
pub fn host_func(store: &mut Store<StoreData>, ty: wasmtime::FuncType, id: HostFuncId) -> Result<Func, Error> {
    let mut zeros = Vec::with_capacity(ty.results().len());
    for result in ty.results() {
        let ty = convert::val_type(&result);
        zeros.push(Val::zero(ty).ok_or_else(|| unsupported(ty))?);
    }
    if let Some(param) = ty.params().map(|p| convert::val_type(&p)).find(|&p| Val::zero(p).is_none()) {
        return Err(unsupported(param));
    }
    let zeros = Values::from_iter(zeros);
    Ok(Func::new_async(store, ty, move |mut caller, params, results| {
        let args = Values::from_iter(params.iter().map(|p| convert::from_wasmtime(p).unwrap_or(Val::I32(0))));
        let mut rets = zeros.clone();
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
    }))
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
            data.exchange.call(id, bytes, args, rets)
        }
        None => caller.data().exchange.call(id, &mut [], args, rets),
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
        let exchange = &caller.data().exchange;
        let fuel = exchange.fuel.get();
        if exchange.interval.replace(fuel) != fuel {
            caller.fuel_async_yield_interval(Some(fuel))?;
        }
        caller.set_fuel(u64::MAX)?;
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

/// Most host functions take a handful of arguments: they stay off the heap.
const INLINE: usize = 8;

/// A call's values: inline for the usual handful, on the heap beyond.
#[derive(Clone)]
enum Values {
    Inline([Val; INLINE], usize),
    Heap(Vec<Val>),
}

impl FromIterator<Val> for Values {
    fn from_iter<I: IntoIterator<Item = Val>>(iter: I) -> Self {
        let mut inline = [Val::I32(0); INLINE];
        let mut len = 0;
        let mut iter = iter.into_iter();
        for value in iter.by_ref() {
            if len == INLINE {
                let mut heap = inline.to_vec();
                heap.push(value);
                heap.extend(iter);
                return Values::Heap(heap);
            }
            inline[len] = value;
            len += 1;
        }
        Values::Inline(inline, len)
    }
}

impl std::ops::Deref for Values {
    type Target = [Val];
    fn deref(&self) -> &[Val] {
        match self {
            Values::Inline(values, len) => &values[..*len],
            Values::Heap(values) => values,
        }
    }
}

impl std::ops::DerefMut for Values {
    fn deref_mut(&mut self) -> &mut [Val] {
        match self {
            Values::Inline(values, len) => &mut values[..*len],
            Values::Heap(values) => values,
        }
    }
}

fn unsupported(ty: ValType) -> Error {
    Error::Instantiate(format!("host functions cannot take or return {ty} values"))
}
