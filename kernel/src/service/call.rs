//! The queue of a service's calls and their answers: a call parks its
//! caller and joins the provider's queue; an idle provider starts on it
//! at once, on the caller's turn; the answer wakes the caller (or feeds
//! console input), and the provider takes its next call.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use walos_engine::Val;

use super::copy::{CopyError, Transfer};
use super::failure::ServiceFailure;
use super::lifecycle::StartError;
use super::steps::begin;
use super::{Answer, Caller, Job, Phase};
use crate::Kernel;
use crate::log::Level;
use crate::process::{Pid, Reply, WaitFor};

/// Why a service call failed; the caller's function then returns -1 in
/// every result.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CallError {
    /// The caller's buffers are not all inside its memory, or too large:
    /// the call was not made.
    CallerBuffers(CopyError),
    /// The provider failed the call (it trapped, exited, was killed, hung,
    /// gave a bad block, has no `walos_alloc` ...) and ended.
    Provider(ServiceFailure),
    /// The provider, ended by an earlier failure, could not start again.
    Restart(StartError),
    /// No service of this name is loaded.
    Unavailable { service: String },
    /// The caller has no service import of this number.
    NoImport(usize),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::CallerBuffers(error) => write!(f, "{error}"),
            CallError::Provider(failure) => write!(f, "{failure}"),
            CallError::Restart(error) => write!(f, "cannot restart: {error}"),
            CallError::Unavailable { service } => write!(f, "service {service} is not available"),
            CallError::NoImport(import) => write!(f, "no service import #{import}"),
        }
    }
}

impl Kernel {
    /// Queues process `caller`'s call of its service import `import` and
    /// parks the caller until the answer; the reply at once if the call
    /// cannot be made.
    pub(crate) fn call_for(&mut self, caller: Pid, import: usize, transfer: Transfer) -> Option<Reply> {
        let proc = self.procs.get_mut(&caller)?;
        let Some(import) = proc.state.services.get(import).cloned() else {
            return Some(Reply::Answered(Err(CallError::NoImport(import))));
        };
        proc.state.wait = Some(WaitFor { kernel: true, ..WaitFor::default() });
        let caller_name = proc.state.name.clone();
        self.blocked.insert(caller);
        let job =
            Job { caller: Caller::Process(caller), caller_name, import, transfer, phase: Phase::Alloc, slices: 0 };
        self.enqueue(job);
        None
    }

    /// Queues `job` on its provider, which starts on it if idle.
    pub(crate) fn enqueue(&mut self, job: Job) {
        let name = job.import.provider.clone();
        let Some(service) = self.services.get_mut(&name) else {
            let error = CallError::Unavailable { service: name };
            self.sys.log(Level::Err, "kernel", format_args!("{}: {error}", job.caller_name));
            return self.answer(job.caller, Err(error));
        };
        service.queue.push_back(job);
        self.next_job(&name);
    }

    /// Starts service `name` on its next call if it is idle.
    pub(super) fn next_job(&mut self, name: &str) {
        loop {
            let Some(service) = self.services.get_mut(name) else { return };
            if service.current.is_some() {
                return;
            }
            let Some(job) = service.queue.pop_front() else { return };
            if let Caller::Process(pid) = job.caller
                && !self.procs.contains_key(&pid)
            {
                continue; // The caller has ended meanwhile.
            }
            if self.services.get(name).is_some_and(|s| s.pid.is_none())
                && let Some(mut service) = self.services.remove(name)
            {
                let started = self.start_service(&mut service);
                self.services.insert(name.into(), service);
                if let Err(error) = started {
                    let error = CallError::Restart(error);
                    let what = format!("call of {name}.{} by {}", job.import.export, job.caller_name);
                    self.sys.log(Level::Err, name, format_args!("{error}; the {what} fails"));
                    self.answer(job.caller, Err(error));
                    continue;
                }
            }
            let Some(service) = self.services.get_mut(name) else { return };
            let pid = service.pid.unwrap_or_default();
            service.current = Some(job);
            let begun = match self.procs.get_mut(&pid) {
                Some(proc) => begin(service, proc),
                None => Err(ServiceFailure::NotRunning),
            };
            match begun {
                Ok(()) => self.resume(pid),
                Err(error) => self.fail(pid, error),
            }
            return;
        }
    }

    /// Makes service process `pid` (idle, or at the end of a step, so in no
    /// run queue) run next: a call hands the CPU over.
    pub(super) fn resume(&mut self, pid: Pid) {
        if let Some(proc) = self.procs.get_mut(&pid) {
            proc.state.wait = None;
        }
        self.blocked.remove(&pid);
        self.ready.push_front(pid);
    }

    /// Answers the current call of service `name` (process `pid`), which
    /// goes idle and takes the next call.
    pub(super) fn done(&mut self, name: &str, pid: Pid, results: Vec<Val>) {
        let Some(job) = self.services.get_mut(name).and_then(|s| s.current.take()) else { return };
        // It has just run its last step: in no run queue.
        if let Some(proc) = self.procs.get_mut(&pid) {
            proc.state.wait = Some(WaitFor { kernel: true, ..WaitFor::default() });
            self.blocked.insert(pid);
        }
        let Job { caller, transfer, .. } = job;
        self.answer(caller, Ok((results, transfer)));
        self.next_job(name);
    }

    /// Gives `caller` the answer to its call.
    pub(super) fn answer(&mut self, caller: Caller, result: Result<Answer, CallError>) {
        match caller {
            Caller::Process(pid) => {
                let Some(proc) = self.procs.get_mut(&pid) else { return };
                if !proc.state.wait.is_some_and(|w| w.kernel) {
                    return;
                }
                proc.state.wait = None;
                self.blocked.remove(&pid);
                self.deliver(pid, Reply::Answered(result));
            }
            Caller::InputService => self.input_answer(result),
        }
    }
}
