//! The wasmi function behind every import: it converts the arguments and
//! hands the call to the kernel's [`walos_engine::Host`] with the caller's
//! memory.
//!
//! An import whose host function never suspends its caller is bound typed
//! when its signature is i32s in and at most one i32 out, as most syscalls'
//! are: wasmi then passes the values directly, with no value buffers to
//! clone for each call, and the arguments stay in an array on the stack.
//! Other signatures go through wasmi's untyped functions; a host call that
//! does not return (a yield, a block, an exit, a trap) ends the wasm call
//! with a [`Suspend`] error that the instance turns into its outcome.

use alloc::vec::Vec;
use core::fmt;

use walos_engine::{HostFlow, HostFunc, HostFuncId, Val, Values};
use wasmi::{Caller, Extern, Func, Store};

use crate::convert;
use crate::store::StoreData;

/// How a host call left its caller when it did not simply return: the wasmi
/// host error that suspends the resumable call, with what resuming needs.
#[derive(Debug, Clone)]
pub struct Suspend {
    /// The host function called.
    pub func: HostFuncId,
    /// Its arguments, to call it again after a block.
    pub args: Vec<Val>,
    /// Its results, to resume the caller with.
    pub results: Vec<Val>,
    /// What the host asked for.
    pub flow: HostFlow,
}

impl fmt::Display for Suspend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "host function {} suspended its caller: {:?}", self.func, self.flow)
    }
}

impl wasmi::errors::HostError for Suspend {}

/// Creates the wasmi function that forwards calls of an import of type `ty`
/// to the host as `func` says: typed where it can be.
pub fn host_func(store: &mut Store<StoreData>, ty: wasmi::FuncType, func: HostFunc) -> Func {
    match typed(store, &func) {
        Some(typed) => typed,
        None => untyped(store, ty, func),
    }
}

/// A synchronous host function of the typed shape, as a typed wasmi
/// function; `None` for other signatures.
fn typed(store: &mut Store<StoreData>, func: &HostFunc) -> Option<Func> {
    let shape = func.typed?;
    let id = func.id;
    macro_rules! bind {
        ($($arg:ident)*) => {
            if shape.returns {
                Func::wrap(store, move |caller: Caller<'_, StoreData>, $($arg: i32),*| -> Result<i32, wasmi::Error> {
                    let mut rets = [Val::I32(0)];
                    call_sync(caller, id, &[$(Val::I32($arg)),*], &mut rets)?;
                    Ok(match rets[0] { Val::I32(v) => v, _ => 0 })
                })
            } else {
                Func::wrap(store, move |caller: Caller<'_, StoreData>, $($arg: i32),*| -> Result<(), wasmi::Error> {
                    call_sync(caller, id, &[$(Val::I32($arg)),*], &mut [])
                })
            }
        };
    }
    walos_engine::by_arity!(shape.params, bind)
}

/// A call of a host function that never suspends its caller; a flow that
/// does not return ends the wasm call (a suspension all the same, as a
/// trap that says so).
fn call_sync(
    mut caller: Caller<'_, StoreData>,
    id: HostFuncId,
    args: &[Val],
    rets: &mut [Val],
) -> Result<(), wasmi::Error> {
    cache_memory(&mut caller);
    let flow = match call_host(&mut caller, id, args, rets) {
        HostFlow::Return => return Ok(()),
        flow @ (HostFlow::Exit(_) | HostFlow::Trap(_)) => flow,
        HostFlow::Yield | HostFlow::Block => HostFlow::Trap(HostFunc::suspended_anyway(id)),
    };
    Err(wasmi::Error::host(Suspend { func: id, args: Vec::new(), results: Vec::new(), flow }))
}

/// Finds the caller's memory while it is still instantiating (a start
/// function): the instance, and so its memory export, is not known to the
/// store data yet.
fn cache_memory(caller: &mut Caller<'_, StoreData>) {
    if caller.data().memory.is_none() {
        let memory = caller.get_export("memory").and_then(Extern::into_memory);
        caller.data_mut().memory = memory;
    }
}

/// A host function of any signature through wasmi's untyped functions.
fn untyped(store: &mut Store<StoreData>, ty: wasmi::FuncType, func: HostFunc) -> Func {
    let HostFunc { id, zeros, suspends, .. } = func;
    Func::new(store, ty, move |mut caller: Caller<'_, StoreData>, params, results| {
        // Numbers only (checked by `HostFunc`): the fallback is never taken.
        let args: Values = params.iter().map(|p| convert::from_wasmi(p).unwrap_or(Val::I32(0))).collect();
        let mut rets = Values::from_slice(&zeros);
        cache_memory(&mut caller);
        let flow = match call_host(&mut caller, id, &args, &mut rets) {
            HostFlow::Yield | HostFlow::Block if !suspends => HostFlow::Trap(HostFunc::suspended_anyway(id)),
            HostFlow::Yield if caller.data().in_start => HostFlow::Return,
            flow => flow,
        };
        match flow {
            HostFlow::Return => {
                for (slot, ret) in results.iter_mut().zip(rets.iter()) {
                    *slot = convert::to_wasmi(*ret);
                }
                Ok(())
            }
            flow => Err(wasmi::Error::host(Suspend { func: id, args: args.to_vec(), results: rets.to_vec(), flow })),
        }
    })
}

/// Calls the host with the caller's memory; usable both from inside wasm
/// (through a [`Caller`]) and when retrying a blocked call (through the
/// [`Store`]).
pub fn call_host(
    mut ctx: impl wasmi::AsContextMut<Data = StoreData>,
    id: HostFuncId,
    args: &[Val],
    results: &mut [Val],
) -> HostFlow {
    match ctx.as_context().data().memory {
        Some(memory) => {
            let (bytes, data) = memory.data_and_store_mut(&mut ctx);
            data.host.call(id, bytes, args, results)
        }
        None => ctx.as_context().data().host.call(id, &mut [], args, results),
    }
}
