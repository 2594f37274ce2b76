//! The caller's half of a service call, inside its host call (the only
//! time its memory is reachable): check and copy its buffers, park it
//! until the kernel has run the provider, then write the output buffers
//! back and return the results.

use alloc::format;

use walos_engine::{HostFlow, Trap, Val, ValType};

use super::CallError;
use super::copy::Transfer;
use crate::log::Level;
use crate::process::{Reply, Request};
use crate::syscall::Ctx;

/// A call of a service import: checks and copies the caller's buffers
/// (the caller's memory is only reachable during its host calls), parks the
/// caller until the kernel has run the provider, then writes the output
/// buffers and returns the results; or -1 in every result if the call
/// failed (the log says why: the kernel's line when the provider failed,
/// the caller's own warning when its buffers did).
pub(crate) fn service_call(
    ctx: &mut Ctx<'_>,
    import: usize,
    memory: &mut [u8],
    args: &[Val],
    results: &mut [Val],
) -> HostFlow {
    let outcome = match ctx.proc.reply.take() {
        Some(Reply::Answered(Ok((values, transfer)))) => {
            transfer.scatter(memory).map(|()| values).map_err(CallError::CallerBuffers)
        }
        Some(Reply::Answered(Err(error))) => Err(error),
        _ => {
            let Some(target) = ctx.proc.services.get(import) else {
                return HostFlow::Trap(Trap::host(format!("no service import #{import}")));
            };
            match Transfer::plan(target.kinds.as_deref().unwrap_or_default(), args, memory, &ctx.sys.memory) {
                Ok(transfer) => {
                    ctx.proc.request = Some(Request::CallService { import, transfer });
                    return HostFlow::Block;
                }
                Err(error) => Err(CallError::CallerBuffers(error)),
            }
        }
    };
    match outcome {
        Ok(values) => {
            for (slot, value) in results.iter_mut().zip(values) {
                if slot.ty() == value.ty() {
                    *slot = value;
                }
            }
        }
        Err(error) => {
            // The kernel logged the provider's failures as they happened.
            if let (CallError::CallerBuffers(_), Some(target)) = (&error, ctx.proc.services.get(import)) {
                let (provider, export, name) = (&target.provider, &target.export, ctx.proc.name.clone());
                ctx.sys.log(Level::Warn, &name, format_args!("call of {provider}.{export} by {name}: {error}"));
            }
            for slot in results.iter_mut() {
                *slot = match slot.ty() {
                    ValType::I64 => Val::I64(-1),
                    ValType::F32 => Val::F32(-1.0),
                    ValType::F64 => Val::F64(-1.0),
                    _ => Val::I32(-1),
                };
            }
        }
    }
    HostFlow::Return
}
