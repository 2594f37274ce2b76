//! A wasmi instance and the state machine of its call in progress.

use alloc::format;
use alloc::vec::Vec;
use core::mem;
use core::ptr::NonNull;

use walos_engine::{self as api, Error, Host, HostFlow, RunOutcome, Trap, TrapCode, Val};
use wasmi::{Func, ResumableCall, ResumableCallHostTrap, ResumableCallOutOfFuel, Store, StoreLimits};

use crate::convert;
use crate::trampoline::{self, Suspend};

/// What the store carries for the trampolines.
pub struct StoreData {
    /// The kernel's host, set only while `Instance::run` (or instantiation)
    /// is on the stack.
    host: Option<NonNull<dyn Host>>,
    /// The instance's `memory` export, cached for the trampolines.
    pub memory: Option<wasmi::Memory>,
    pub limiter: StoreLimits,
    /// True while the start function runs: it cannot be suspended.
    pub in_start: bool,
}

impl StoreData {
    pub fn new(limiter: StoreLimits) -> Self {
        StoreData { host: None, memory: None, limiter, in_start: false }
    }

    pub fn host_mut(&mut self) -> Option<&mut dyn Host> {
        // SAFETY: `host` is set (by `lend`) only while the unique borrow of
        // the host is held on the stack by `Instance::new` or `Instance::run`,
        // which clear it before returning; trampolines run only inside.
        self.host.map(|mut host| unsafe { host.as_mut() })
    }
}

/// Erases the lifetime of a borrowed host so that the store can carry it to
/// the trampolines.
///
/// # Safety
/// The pointer must be removed from the store before the borrow ends.
unsafe fn lend(host: &mut dyn Host) -> NonNull<dyn Host + 'static> {
    let host: NonNull<dyn Host + '_> = NonNull::from(host);
    // SAFETY: same pointer, only the lifetime changes; the caller keeps it
    // from outliving the borrow.
    unsafe { mem::transmute(host) }
}

/// The call in progress, if any.
enum Call {
    Idle,
    /// Started by [`Instance::call`], not run yet.
    Ready {
        func: Func,
        args: Vec<wasmi::Val>,
    },
    /// Preempted: out of fuel.
    OutOfFuel(ResumableCallOutOfFuel),
    /// Suspended by a host function (yield or block).
    Host {
        invocation: ResumableCallHostTrap,
        suspend: Suspend,
    },
}

pub struct Instance {
    store: Store<StoreData>,
    instance: wasmi::Instance,
    call: Call,
    /// The results of the call in progress.
    outputs: Vec<wasmi::Val>,
}

impl Instance {
    pub fn new(
        mut store: Store<StoreData>,
        module: &wasmi::Module,
        externs: &[wasmi::Extern],
        start_fuel: u64,
        host: &mut dyn Host,
    ) -> Result<Self, Error> {
        set_fuel(&mut store, start_fuel);
        store.data_mut().in_start = true;
        // SAFETY: removed from the store right after instantiation.
        store.data_mut().host = Some(unsafe { lend(host) });
        let instance = wasmi::Instance::new(&mut store, module, externs);
        store.data_mut().host = None;
        store.data_mut().in_start = false;
        let instance = instance.map_err(start_error)?;
        let memory = instance.get_memory(&store, "memory");
        store.data_mut().memory = memory;
        Ok(Instance { store, instance, call: Call::Idle, outputs: Vec::new() })
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
                self.call = Call::OutOfFuel(invocation);
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
                self.call = Call::Host { invocation, suspend };
                RunOutcome::Yielded
            }
            HostFlow::Block => {
                self.call = Call::Host { invocation, suspend };
                RunOutcome::Blocked
            }
            HostFlow::Exit(status) => RunOutcome::Exited(status),
            HostFlow::Trap(trap) => RunOutcome::Trapped(trap),
            HostFlow::Return => RunOutcome::Trapped(Trap::new(TrapCode::Other(
                "host function returned normally through a suspension".into(),
            ))),
        }
    }

    fn step(&mut self, call: Call, fuel: u64) -> RunOutcome {
        let result = match call {
            Call::Idle => return RunOutcome::Trapped(Trap::new(TrapCode::Other("no call in progress".into()))),
            Call::Ready { func, args } => {
                set_fuel(&mut self.store, fuel);
                func.call_resumable(&mut self.store, &args, &mut self.outputs)
            }
            Call::OutOfFuel(invocation) => {
                // An operation may need more than a slice (a large memory.fill).
                set_fuel(&mut self.store, fuel.max(invocation.required_fuel()));
                invocation.resume(&mut self.store, &mut self.outputs)
            }
            Call::Host { invocation, mut suspend } => {
                set_fuel(&mut self.store, fuel);
                if suspend.flow == HostFlow::Block {
                    // The blocked host call is tried again before wasm resumes.
                    let mut results = suspend.results.clone();
                    suspend.flow = trampoline::call_host(&mut self.store, suspend.func, &suspend.args, &mut results);
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
fn start_error(err: wasmi::Error) -> Error {
    if let Some(suspend) = err.downcast_ref::<Suspend>() {
        return match &suspend.flow {
            HostFlow::Trap(trap) => Error::Trap(trap.clone()),
            HostFlow::Exit(status) => Error::Instantiate(format!("the start function exited with status {status}")),
            _ => Error::Instantiate("the start function made a blocking call".into()),
        };
    }
    match err.as_trap_code() {
        Some(wasmi::TrapCode::OutOfFuel) => {
            Error::Instantiate("the start function did not finish within its fuel budget".into())
        }
        Some(_) => Error::Trap(convert::trap(&err)),
        None => Error::Instantiate(format!("{err}")),
    }
}

impl api::Instance for Instance {
    fn call(&mut self, name: &str, args: &[Val]) -> Result<(), Error> {
        if !matches!(self.call, Call::Idle) {
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
        self.call = Call::Ready { func, args };
        Ok(())
    }

    fn run(&mut self, fuel: u64, host: &mut dyn Host) -> RunOutcome {
        let call = mem::replace(&mut self.call, Call::Idle);
        // SAFETY: removed from the store before returning.
        self.store.data_mut().host = Some(unsafe { lend(host) });
        let outcome = self.step(call, fuel);
        self.store.data_mut().host = None;
        outcome
    }

    fn memory(&mut self) -> &mut [u8] {
        match self.store.data().memory {
            Some(memory) => memory.data_mut(&mut self.store),
            None => &mut [],
        }
    }
}
