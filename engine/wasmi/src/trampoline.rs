//! The wasmi function behind every import: it converts the arguments and
//! hands the call to the kernel's [`walos_engine::Host`] with the caller's
//! memory.

use alloc::vec::Vec;
use core::fmt;

use walos_engine::{Error, HostFlow, HostFuncId, Trap, Val, ValType};
use wasmi::{Caller, Extern, Func, Store};

use crate::convert;
use crate::instance::StoreData;

/// How a host call left its caller when it did not simply return: the wasmi
/// host error that suspends the resumable call, with what resuming needs.
#[derive(Debug, Clone)]
pub struct Suspend {
    pub func: HostFuncId,
    pub args: Vec<Val>,
    pub results: Vec<Val>,
    pub flow: HostFlow,
}

impl fmt::Display for Suspend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "host function {} suspended its caller: {:?}", self.func, self.flow)
    }
}

impl wasmi::errors::HostError for Suspend {}

/// Most host functions take a handful of arguments.
const INLINE: usize = 16;

/// Creates the wasmi function that forwards calls of an import of type `ty`
/// to host function `id`.
pub fn host_func(store: &mut Store<StoreData>, ty: wasmi::FuncType, id: HostFuncId) -> Result<Func, Error> {
    let mut zeros = Vec::with_capacity(ty.results().len());
    for &result in ty.results() {
        let ty = convert::val_type(result);
        zeros.push(Val::zero(ty).ok_or_else(|| unsupported(ty))?);
    }
    if let Some(&param) = ty.params().iter().find(|&&p| Val::zero(convert::val_type(p)).is_none()) {
        return Err(unsupported(convert::val_type(param)));
    }
    Ok(Func::new(store, ty, move |mut caller: Caller<'_, StoreData>, params, results| {
        let (mut args, mut rets) = (Values::default(), Values::default());
        let args = args.fill(params.iter().map(|p| convert::from_wasmi(p).unwrap_or(Val::I32(0))));
        let rets = rets.fill(zeros.iter().copied());
        if caller.data().memory.is_none() {
            // Still instantiating (a start function): the instance, and so its
            // memory export, is not known to the store data yet.
            let memory = caller.get_export("memory").and_then(Extern::into_memory);
            caller.data_mut().memory = memory;
        }
        let flow = match call_host(&mut caller, id, args, rets) {
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
    }))
}

/// Room for a call's values: on the stack for the usual handful, on the
/// heap beyond, so that a host call allocates nothing.
struct Values {
    inline: [Val; INLINE],
    heap: Vec<Val>,
}

impl Default for Values {
    fn default() -> Self {
        Values { inline: [Val::I32(0); INLINE], heap: Vec::new() }
    }
}

impl Values {
    fn fill(&mut self, values: impl ExactSizeIterator<Item = Val>) -> &mut [Val] {
        let slots = if values.len() <= INLINE {
            &mut self.inline[..values.len()]
        } else {
            self.heap.resize(values.len(), Val::I32(0));
            &mut self.heap[..]
        };
        for (slot, value) in slots.iter_mut().zip(values) {
            *slot = value;
        }
        slots
    }
}

fn unsupported(ty: ValType) -> Error {
    Error::Instantiate(alloc::format!("host functions cannot take or return {ty} values"))
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
            dispatch(data, bytes, id, args, results)
        }
        None => dispatch(ctx.as_context_mut().data_mut(), &mut [], id, args, results),
    }
}

fn dispatch(data: &mut StoreData, memory: &mut [u8], id: HostFuncId, args: &[Val], results: &mut [Val]) -> HostFlow {
    match data.host_mut() {
        Some(host) => host.call(id, memory, args, results),
        None => HostFlow::Trap(Trap::host("host function called outside of a run")),
    }
}
