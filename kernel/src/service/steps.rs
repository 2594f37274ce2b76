//! The steps of one service call, each a call the provider runs in slices
//! like any process: after a (re)start, its start function and
//! `_initialize`; `walos_alloc` gives a block for the buffers, the
//! function runs on copies in that block, `walos_free` gives the block
//! back. A step that traps, exits or runs too long ends the provider.

use alloc::boxed::Box;
use alloc::string::ToString;
use alloc::vec::Vec;

use walos_engine::{ExternType, FuncType, RunOutcome, Val, ValType};

use super::failure::ServiceFailure;
use super::{Job, MAX_CALL_SLICES, Phase, Service};
use crate::Kernel;
use crate::binary::START_EXPORT;
use crate::process::{Pid, Process};

impl Kernel {
    /// Service process `pid` (in the table) finished a step of its call with
    /// `results`: starts the next step, or answers the caller.
    pub(super) fn step(&mut self, pid: Pid, results: Vec<Val>) {
        let Some(proc) = self.procs.get_mut(&pid) else { return };
        let Some(service) = proc.serves.as_ref().and_then(|name| self.services.get_mut(name)) else { return };
        match advance(service, proc, results) {
            Ok(Some(results)) => {
                let name = service.name.clone();
                self.done(&name, pid, results);
            }
            Ok(None) => self.resume(pid),
            Err(error) => self.fail(pid, error),
        }
    }

    /// Counts a slice of service `name`'s call: false once the call
    /// has taken too many (the provider hangs).
    fn count_slice(&mut self, name: &str) -> bool {
        let job = self.services.get_mut(name).and_then(|s| s.current.as_mut());
        job.is_none_or(|job| {
            job.slices += 1;
            job.slices <= MAX_CALL_SLICES
        })
    }

    /// The end of a slice of service process `proc` (out of the table), if
    /// it ends a step of its call or the service; else the outcome for the
    /// scheduler, with the process.
    pub(crate) fn service_slice(
        &mut self,
        proc: Box<Process>,
        outcome: RunOutcome,
    ) -> Option<(Box<Process>, RunOutcome)> {
        let (pid, name) = (proc.state.pid, proc.serves.clone().unwrap_or_default());
        let func = |kernel: &Kernel| {
            let job = kernel.services.get(&name).and_then(|s| s.current.as_ref());
            match job.map(|job| &job.phase) {
                Some(Phase::Startup(START_EXPORT)) => "start function".to_string(),
                Some(Phase::Startup(function)) => function.to_string(),
                Some(Phase::Alloc) => "walos_alloc".to_string(),
                Some(Phase::Function { .. }) => job.map(|j| j.import.export.clone()).unwrap_or_default(),
                Some(Phase::Free { .. }) => "walos_free".to_string(),
                None => name.clone(),
            }
        };
        match outcome {
            RunOutcome::Finished(results) => {
                self.procs.insert(pid, proc);
                self.step(pid, results);
            }
            RunOutcome::Exited(code) => {
                let failure = ServiceFailure::Exited { func: func(self), code };
                self.service_ended(proc, failure);
            }
            RunOutcome::Trapped(trap) => {
                let failure = ServiceFailure::Trapped { func: func(self), trap };
                self.service_ended(proc, failure);
            }
            RunOutcome::Preempted | RunOutcome::Yielded if !self.count_slice(&name) => {
                let failure = ServiceFailure::Hung { func: func(self) };
                self.service_ended(proc, failure);
            }
            outcome => return Some((proc, outcome)),
        }
        None
    }
}

/// Starts the first step of `service`'s current call in its process
/// `proc`.
pub(super) fn begin(service: &mut Service, proc: &mut Process) -> Result<(), ServiceFailure> {
    let Some(job) = service.current.as_mut() else {
        return Err(ServiceFailure::NotRunning);
    };
    if let Some(&function) = service.startup.front() {
        proc.instance.call(function, &[]).map_err(ServiceFailure::Step)?;
        job.phase = Phase::Startup(function);
        return Ok(());
    }
    if job.transfer.total > 0 {
        if !service.module.exports().iter().any(|e| e.name == "walos_alloc") {
            return Err(ServiceFailure::NoAlloc);
        }
        proc.instance.call("walos_alloc", &[Val::I32(job.transfer.total as i32)]).map_err(ServiceFailure::Step)?;
        job.phase = Phase::Alloc;
        Ok(())
    } else {
        call_function(job, proc, 0)
    }
}

/// Copies the call's buffers into the provider's block at `base` and
/// calls the service function on them.
fn call_function(job: &mut Job, proc: &mut Process, base: u32) -> Result<(), ServiceFailure> {
    let args = job.transfer.copy_in(base, proc.instance.memory()).map_err(ServiceFailure::Block)?;
    proc.instance.call(&job.import.export, &args).map_err(ServiceFailure::Step)?;
    job.phase = Phase::Function { base };
    Ok(())
}

/// The next step of `service`'s call; `Some(results)` when it is over.
fn advance(service: &mut Service, proc: &mut Process, results: Vec<Val>) -> Result<Option<Vec<Val>>, ServiceFailure> {
    let Some(job) = service.current.as_mut() else {
        return Err(ServiceFailure::NotRunning);
    };
    let total = job.transfer.total;
    match core::mem::replace(&mut job.phase, Phase::Alloc) {
        Phase::Startup(_) => {
            service.startup.pop_front();
            begin(service, proc)?;
            Ok(None)
        }
        Phase::Alloc => {
            let base = match results.as_slice() {
                [Val::I32(0)] => return Err(ServiceFailure::AllocFailed { total }),
                [Val::I32(ptr)] => *ptr as u32,
                _ => return Err(ServiceFailure::AllocType),
            };
            call_function(job, proc, base)?;
            Ok(None)
        }
        Phase::Function { base } => {
            job.transfer.copy_out(base, proc.instance.memory()).map_err(ServiceFailure::Block)?;
            let free = ExternType::Func(FuncType::new([ValType::I32, ValType::I32], []));
            if total > 0 && service.module.exports().iter().any(|e| e.name == "walos_free" && e.ty == free) {
                let args = [Val::I32(base as i32), Val::I32(total as i32)];
                proc.instance.call("walos_free", &args).map_err(ServiceFailure::Step)?;
                job.phase = Phase::Free { results };
                return Ok(None);
            }
            Ok(Some(results))
        }
        Phase::Free { results } => Ok(Some(results)),
    }
}
