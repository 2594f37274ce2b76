//! The wasmi function behind every import: it converts the arguments and
//! hands the call to the kernel's [`walos_engine::Host`] with the caller's
//! memory.

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
/// to the host as `func` says.
pub fn host_func(store: &mut Store<StoreData>, ty: wasmi::FuncType, func: HostFunc) -> Func {
    let HostFunc { id, zeros } = func;
    Func::new(store, ty, move |mut caller: Caller<'_, StoreData>, params, results| {
        // Numbers only (checked by `HostFunc`): the fallback is never taken.
        let args: Values = params.iter().map(|p| convert::from_wasmi(p).unwrap_or(Val::I32(0))).collect();
        let mut rets = Values::from_slice(&zeros);
        if caller.data().memory.is_none() {
            // Still instantiating (a start function): the instance, and so its
            // memory export, is not known to the store data yet.
            let memory = caller.get_export("memory").and_then(Extern::into_memory);
            caller.data_mut().memory = memory;
        }
        let flow = match call_host(&mut caller, id, &args, &mut rets) {
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
