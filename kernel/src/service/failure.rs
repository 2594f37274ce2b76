//! When a provider fails: its process ends, the call it served fails, and
//! the service starts again on its next call. A provider parked in a call
//! whose caller has ended is ended the same way.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use walos_engine::Trap;

use super::copy::CopyError;
use super::{CallError, Caller, MAX_CALL_SLICES};
use crate::Kernel;
use crate::log::Level;
use crate::process::{ExitStatus, Pid, Process};

/// Why a service's process ended: the call it served fails, and the
/// service starts again on its next call. `func` is the step that ran:
/// `walos_alloc`, the service function or `walos_free`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ServiceFailure {
    /// A step exited the process.
    Exited { func: String, code: u32 },
    /// A step trapped.
    Trapped { func: String, trap: Trap },
    /// A step was still running after [`MAX_CALL_SLICES`] slices.
    Hung { func: String },
    /// It was ended from outside: killed, or blocked forever.
    Ended(ExitStatus),
    /// Its process is gone, so it cannot take the call.
    NotRunning,
    /// The call has buffers, and it exports no `walos_alloc` for them.
    NoAlloc,
    /// `walos_alloc` gave no block (0) for this many bytes.
    AllocFailed { total: u32 },
    /// `walos_alloc` does not return one `i32`.
    AllocType,
    /// The engine refused to start a step.
    Step(walos_engine::Error),
    /// The block it gave is not inside its memory.
    Block(CopyError),
    /// It is parked in a call whose caller, this process, has ended.
    CallerEnded { pid: Pid },
}

impl fmt::Display for ServiceFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServiceFailure::Exited { func, code } => write!(f, "{func}: exited with status {code} during a call"),
            ServiceFailure::Trapped { func, trap } => write!(f, "{func}: trapped: {trap}"),
            ServiceFailure::Hung { func } => write!(f, "{func}: still running after {MAX_CALL_SLICES} slices"),
            ServiceFailure::Ended(status) => write!(f, "{status}"),
            ServiceFailure::NotRunning => f.write_str("not running"),
            ServiceFailure::NoAlloc => f.write_str("it exports no `walos_alloc` for the call's buffers"),
            ServiceFailure::AllocFailed { total } => write!(f, "walos_alloc({total}) failed"),
            ServiceFailure::AllocType => f.write_str("walos_alloc is not (i32) -> i32"),
            ServiceFailure::Step(error) => write!(f, "{error}"),
            ServiceFailure::Block(error) => write!(f, "{error}"),
            ServiceFailure::CallerEnded { pid } => write!(f, "its caller, pid {pid}, ended"),
        }
    }
}

impl Kernel {
    /// Ends service process `pid` (in the table) because its call failed.
    pub(super) fn fail(&mut self, pid: Pid, failure: ServiceFailure) {
        if let Some(proc) = self.procs.remove(&pid) {
            self.blocked.remove(&pid);
            self.ready.retain(|&p| p != pid);
            self.service_ended(proc, failure);
        }
    }

    /// Service process `proc` (out of the table) ended by `failure`: its
    /// call fails, and the service starts again for its next call.
    pub(crate) fn service_ended(&mut self, mut proc: Box<Process>, failure: ServiceFailure) {
        self.release(&mut proc.state);
        let Some(name) = proc.serves.take() else { return };
        let pid = proc.state.pid;
        self.cancel_calls_of(pid);
        let Some(service) = self.services.get_mut(&name) else { return };
        service.pid = None;
        match service.current.take() {
            Some(job) => {
                let what = format!("call of {name}.{} by {}", job.import.export, job.caller_name);
                self.sys.log(
                    Level::Err,
                    &name,
                    format_args!("{failure}; the {what} fails, the service restarts on next use"),
                );
                self.answer(job.caller, Err(CallError::Provider(failure)));
            }
            None => self.sys.log(Level::Err, &name, format_args!("pid {pid}: {failure}; it restarts on next use")),
        }
        self.next_job(&name);
    }

    /// Process `pid` has ended: a provider parked in a call of its, which
    /// nobody will take the answer of, is ended too (it restarts on next
    /// use), rather than keep its later callers waiting, or take input
    /// meant for others, for a call nobody waits for. A provider that is
    /// running finishes the call, whose answer is dropped.
    pub(crate) fn cancel_calls_of(&mut self, pid: Pid) {
        let parked: Vec<Pid> = self
            .services
            .values()
            .filter(|s| s.current.as_ref().is_some_and(|job| job.caller == Caller::Process(pid)))
            .filter_map(|s| s.pid)
            .filter(|provider| self.blocked.contains(provider))
            .collect();
        for provider in parked {
            self.fail(provider, ServiceFailure::CallerEnded { pid });
        }
    }
}
