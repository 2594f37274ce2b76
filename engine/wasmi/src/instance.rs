//! A wasmi instance and the state machine of its call in progress.

use alloc::format;
use alloc::rc::Rc;
use alloc::string::ToString;
use alloc::vec::Vec;
use core::mem;

use walos_engine::{self as api, Error, Host, HostFlow, RunOutcome, Slice, StartFailure, Trap, TrapCode, Val};
use wasmi::{Func, ResumableCall, ResumableCallHostTrap, ResumableCallOutOfFuel, Store};

use crate::convert;
use crate::host_func::{self, Suspend};
use crate::store::StoreData;

/// How far the call in progress has got, if there is one.
enum Progress {
    /// No call in progress.
    Idle,
    /// Started by [`call`](api::Instance::call), not run yet.
    Ready { func: Func, args: Vec<wasmi::Val> },
    /// Preempted: out of fuel.
    OutOfFuel(ResumableCallOutOfFuel),
    /// Suspended by a host function (yield or block).
    Host { invocation: ResumableCallHostTrap, suspend: Suspend },
}

/// A wasmi instance with its store and its call in progress.
pub struct Instance {
    store: Store<StoreData>,
    instance: wasmi::Instance,
    progress: Progress,
    /// The results of the call in progress.
    outputs: Vec<wasmi::Val>,
}

impl Instance {
    /// Instantiates `module` with `externs` and runs its start function on
    /// `start_fuel`, its host calls reaching `host`.
    ///
    /// # Errors
    /// As [`walos_engine::Module::instantiate`].
    pub fn new(
        mut store: Store<StoreData>,
        module: &wasmi::Module,
        externs: &[wasmi::Extern],
        start_fuel: u64,
        host: &mut dyn Host,
    ) -> Result<Self, Error> {
        set_fuel(&mut store, start_fuel);
        store.data_mut().in_start = true;
        let lent = Rc::clone(&store.data().host);
        let instance = lent.lend(host, || wasmi::Instance::new(&mut store, module, externs));
        store.data_mut().in_start = false;
        let instance = instance.map_err(|err| match store.data_mut().limiter.0.take_refusal() {
            Some(refusal) => Error::Instantiate(refusal.to_string()),
            None => Error::from(start_failure(err)),
        })?;
        let memory = instance.get_memory(&store, "memory");
        store.data_mut().memory = memory;
        Ok(Instance { store, instance, progress: Progress::Idle, outputs: Vec::new() })
    }

    /// Turns the result of starting or resuming a call into an outcome,
    /// keeping what the next `run` needs.
    fn settle(&mut self, result: Result<ResumableCall, wasmi::Error>) -> RunOutcome {
        match result {
            Ok(ResumableCall::Finished) => {
                let values = self.outputs.iter().filter_map(convert::from_wasmi).collect();
                RunOutcome::Finished(values)
            }
            Ok(ResumableCall::OutOfFuel(invocation)) => {
                self.progress = Progress::OutOfFuel(invocation);
                RunOutcome::Preempted
            }
            Ok(ResumableCall::HostTrap(invocation)) => match invocation.host_error().downcast_ref::<Suspend>() {
                Some(suspend) => {
                    let suspend = suspend.clone();
                    self.suspend(invocation, suspend)
                }
                None => RunOutcome::Trapped(Trap::new(TrapCode::Other(format!("{}", invocation.host_error())))),
            },
            Err(err) => RunOutcome::Trapped(convert::trap(&err)),
        }
    }

    fn suspend(&mut self, invocation: ResumableCallHostTrap, suspend: Suspend) -> RunOutcome {
        match suspend.flow {
            HostFlow::Yield => {
                self.progress = Progress::Host { invocation, suspend };
                RunOutcome::Yielded
            }
            HostFlow::Block => {
                self.progress = Progress::Host { invocation, suspend };
                RunOutcome::Blocked
            }
            HostFlow::Exit(status) => RunOutcome::Exited(status),
            HostFlow::Trap(trap) => RunOutcome::Trapped(trap),
            HostFlow::Return => RunOutcome::Trapped(Trap::new(TrapCode::Other(
                "host function returned normally through a suspension".into(),
            ))),
        }
    }

    fn step(&mut self, progress: Progress, slice: Slice) -> RunOutcome {
        let fuel = slice.fuel;
        let result = match progress {
            Progress::Idle => return RunOutcome::Trapped(Trap::new(TrapCode::Other("no call in progress".into()))),
            Progress::Ready { func, args } => {
                set_fuel(&mut self.store, fuel);
                func.call_resumable(&mut self.store, &args, &mut self.outputs)
            }
            Progress::OutOfFuel(invocation) => {
                // An operation may need more than a slice (a large memory.fill).
                set_fuel(&mut self.store, fuel.max(invocation.required_fuel()));
                invocation.resume(&mut self.store, &mut self.outputs)
            }
            Progress::Host { invocation, mut suspend } => {
                set_fuel(&mut self.store, fuel);
                if suspend.flow == HostFlow::Block {
                    // The blocked host call is tried again before wasm resumes.
                    let mut results = suspend.results.clone();
                    suspend.flow = host_func::call_host(&mut self.store, suspend.func, &suspend.args, &mut results);
                    suspend.results = results;
                    if suspend.flow != HostFlow::Return {
                        return self.suspend(invocation, suspend);
                    }
                }
                let inputs: Vec<wasmi::Val> = suspend.results.iter().copied().map(convert::to_wasmi).collect();
                invocation.resume(&mut self.store, &inputs, &mut self.outputs)
            }
        };
        self.settle(result)
    }
}

fn set_fuel(store: &mut Store<StoreData>, fuel: u64) {
    // Fuel metering is enabled in the engine's config, so this cannot fail.
    let _ = store.set_fuel(fuel);
}

/// Why instantiation failed, from the error of `wasmi::Instance::new`.
fn start_failure(err: wasmi::Error) -> StartFailure {
    if let Some(suspend) = err.downcast_ref::<Suspend>() {
        return match &suspend.flow {
            HostFlow::Trap(trap) => StartFailure::Trapped(trap.clone()),
            HostFlow::Exit(status) => StartFailure::Exited(*status),
            _ => StartFailure::Blocked,
        };
    }
    match err.as_trap_code() {
        Some(wasmi::TrapCode::OutOfFuel) => StartFailure::OutOfFuel,
        Some(_) => StartFailure::Trapped(convert::trap(&err)),
        None => StartFailure::Refused(err.to_string()),
    }
}

impl api::Instance for Instance {
    fn call(&mut self, name: &str, args: &[Val]) -> Result<(), Error> {
        if !matches!(self.progress, Progress::Idle) {
            return Err(Error::Busy);
        }
        let func = self.instance.get_func(&self.store, name).ok_or_else(|| Error::NoSuchExport(name.into()))?;
        let ty = func.ty(&self.store);
        let args: Vec<wasmi::Val> = args.iter().copied().map(convert::to_wasmi).collect();
        let arg_types: Vec<wasmi::ValType> = args.iter().map(wasmi::Val::ty).collect();
        if arg_types.as_slice() != ty.params() {
            return Err(Error::Arguments(format!(
                "`{name}` has type {}, called with {} arguments",
                convert::func_type(&ty),
                args.len()
            )));
        }
        self.outputs = ty.results().iter().copied().map(convert::zero).collect();
        self.progress = Progress::Ready { func, args };
        Ok(())
    }

    fn run(&mut self, slice: Slice, host: &mut dyn Host) -> RunOutcome {
        let progress = mem::replace(&mut self.progress, Progress::Idle);
        let lent = Rc::clone(&self.store.data().host);
        lent.lend(host, || self.step(progress, slice))
    }

    fn memory(&mut self) -> &mut [u8] {
        match self.store.data().memory {
            Some(memory) => memory.data_mut(&mut self.store),
            None => &mut [],
        }
    }
}
