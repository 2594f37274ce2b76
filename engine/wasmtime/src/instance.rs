//! A wasmtime instance and the state machine of its call in progress.
//!
//! A call in progress is a `call_async` future that owns the store; `run`
//! polls it by hand, without an async runtime, and it returns `Pending` when
//! the slice is over (wasmtime's fuel or epoch yield) or a host function
//! suspended its caller.

use std::future::Future;
use std::marker::PhantomData;
use std::mem;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use walos_engine::{self as api, Error, Host, RunOutcome, Slice, StartFailure, Trap, TrapCode, Val};
use wasmtime::{Func, Store};

use crate::host_func::Ended;
use crate::store::{Exchange, StoreData, Suspension};
use crate::{convert, slice};

type Results = wasmtime::Result<Vec<wasmtime::Val>>;

/// The `call_async` of a call in progress, with the store it borrows.
type Running = Pin<Box<dyn Future<Output = (Store<StoreData>, Results)>>>;

/// How far the call in progress has got, with the store wherever it is.
enum Progress {
    /// No call in progress.
    Idle(Store<StoreData>),
    /// Started by [`call`](api::Instance::call), not run yet.
    Ready { store: Store<StoreData>, func: Func, args: Vec<wasmtime::Val>, results: usize },
    /// Between two slices.
    Running(Running),
    /// Only while a transition is in progress.
    Gone,
}

/// A wasmtime instance, its store and its call in progress.
pub struct Instance {
    progress: Progress,
    instance: wasmtime::Instance,
    exchange: Arc<Exchange>,
    /// The exchange is shared without locks: keep the instance on its
    /// thread.
    _single_thread: PhantomData<*const ()>,
}

impl Instance {
    /// Instantiates `module` with `externs` and runs its start function
    /// within `start`, its host calls reaching `host`.
    ///
    /// # Errors
    /// As [`walos_engine::Module::instantiate`].
    pub fn new(
        mut store: Store<StoreData>,
        module: &wasmtime::Module,
        externs: &[wasmtime::Extern],
        start: Slice,
        host: &mut dyn Host,
    ) -> Result<Self, Error> {
        let exchange = store.data().exchange.clone();
        slice::begin_start(&mut store, start).map_err(|err| Error::Instantiate(err.to_string()))?;
        exchange.in_start.set(true);
        let instance = exchange.host.lend(host, || {
            let start = pin!(wasmtime::Instance::new_async(&mut store, module, externs));
            // The start function cannot be suspended: no fuel or epoch
            // yields, and its host calls do not suspend either; it finishes
            // in one poll.
            match start.poll(&mut Context::from_waker(Waker::noop())) {
                Poll::Ready(result) => result,
                Poll::Pending => Err(wasmtime::Error::new(Ended::BlockedInStart)),
            }
        });
        exchange.in_start.set(false);
        let instance = instance.map_err(|err| match store.data_mut().limiter.0.take_refusal() {
            Some(refusal) => Error::Instantiate(refusal.to_string()),
            None => Error::from(start_failure(err)),
        })?;
        store.data_mut().memory = instance.get_memory(&mut store, "memory");
        Ok(Instance { progress: Progress::Idle(store), instance, exchange, _single_thread: PhantomData })
    }

    /// Starts or continues the call for one slice.
    fn step(&mut self, slice: Slice) -> RunOutcome {
        let mut running = match mem::replace(&mut self.progress, Progress::Gone) {
            Progress::Running(running) => running,
            Progress::Ready { mut store, func, args, results } => {
                if let Err(err) = slice::begin(&mut store, slice) {
                    self.progress = Progress::Idle(store);
                    return RunOutcome::Trapped(Trap::new(TrapCode::Other(err.to_string())));
                }
                Box::pin(async move {
                    let mut outputs = vec![wasmtime::Val::I32(0); results];
                    let result = func.call_async(&mut store, &args, &mut outputs).await;
                    (store, result.map(|()| outputs))
                })
            }
            idle => {
                self.progress = idle;
                return RunOutcome::Trapped(Trap::new(TrapCode::Other("no call in progress".into())));
            }
        };
        self.exchange.suspended.set(None);
        match running.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Pending => {
                self.progress = Progress::Running(running);
                match self.exchange.suspended.take() {
                    Some(Suspension::Yield) => RunOutcome::Yielded,
                    Some(Suspension::Block) => RunOutcome::Blocked,
                    None => RunOutcome::Preempted,
                }
            }
            Poll::Ready((store, result)) => {
                self.progress = Progress::Idle(store);
                match result {
                    Ok(values) => RunOutcome::Finished(values.iter().filter_map(convert::from_wasmtime).collect()),
                    Err(err) => match err.downcast_ref::<Ended>() {
                        Some(Ended::Exit(status)) => RunOutcome::Exited(*status),
                        Some(Ended::Trap(trap)) => RunOutcome::Trapped(trap.clone()),
                        _ => RunOutcome::Trapped(trap(&err)),
                    },
                }
            }
        }
    }

    fn store_mut(&mut self) -> Option<&mut Store<StoreData>> {
        match &mut self.progress {
            Progress::Idle(store) | Progress::Ready { store, .. } => Some(store),
            Progress::Running(_) | Progress::Gone => None,
        }
    }
}

fn trap(err: &wasmtime::Error) -> Trap {
    match err.downcast_ref::<wasmtime::Trap>() {
        Some(code) => convert::trap(*code),
        // The exception stays pending on the store, which the ended
        // process drops.
        None if err.is::<wasmtime::ThrownException>() => Trap::new(TrapCode::Other(UNCAUGHT.into())),
        None => Trap::new(TrapCode::Other(err.to_string())),
    }
}

/// What an exception that no handler caught is called, as a trap.
const UNCAUGHT: &str = "uncaught wasm exception";

/// Why instantiation failed, from the error of `Instance::new_async`.
fn start_failure(err: wasmtime::Error) -> StartFailure {
    match err.downcast_ref::<Ended>() {
        Some(Ended::Trap(trap)) => return StartFailure::Trapped(trap.clone()),
        Some(Ended::Exit(status)) => return StartFailure::Exited(*status),
        Some(Ended::BlockedInStart) => return StartFailure::Blocked,
        None => {}
    }
    match err.downcast_ref::<wasmtime::Trap>() {
        Some(wasmtime::Trap::OutOfFuel) => StartFailure::OutOfFuel,
        Some(wasmtime::Trap::Interrupt) => StartFailure::OutOfTime,
        Some(code) => StartFailure::Trapped(convert::trap(*code)),
        None => StartFailure::Refused(err.to_string()),
    }
}

impl api::Instance for Instance {
    fn call(&mut self, name: &str, args: &[Val]) -> Result<(), Error> {
        let instance = self.instance;
        let Progress::Idle(store) = &mut self.progress else {
            return Err(Error::Busy);
        };
        let func = instance.get_func(&mut *store, name).ok_or_else(|| Error::NoSuchExport(name.into()))?;
        let ty = func.ty(&*store);
        let params: Vec<api::ValType> = ty.params().map(|p| convert::val_type(&p)).collect();
        if !args.iter().map(Val::ty).eq(params.iter().copied()) {
            return Err(Error::Arguments(format!(
                "`{name}` has type {}, called with {} arguments",
                convert::func_type(&ty),
                args.len()
            )));
        }
        let results = ty.results().len();
        let args = args.iter().copied().map(convert::to_wasmtime).collect();
        let Progress::Idle(store) = mem::replace(&mut self.progress, Progress::Gone) else {
            unreachable!("checked above")
        };
        self.progress = Progress::Ready { store, func, args, results };
        Ok(())
    }

    fn run(&mut self, slice: Slice, host: &mut dyn Host) -> RunOutcome {
        self.exchange.slice.set(slice);
        let exchange = Arc::clone(&self.exchange);
        exchange.host.lend(host, || self.step(slice))
    }

    fn memory(&mut self) -> &mut [u8] {
        // While a call is suspended its future owns the store; the kernel
        // reads memory only through host calls then.
        let Some(store) = self.store_mut() else {
            return &mut [];
        };
        match store.data().memory {
            Some(memory) => memory.data_mut(store),
            None => &mut [],
        }
    }
}
