//! When a provider fails: its process ends, the call it served fails, and
//! the service starts again on its next call. A provider parked in a call
//! whose caller has ended is ended the same way.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::{CallError, Caller};
use crate::Kernel;
use crate::log::Level;
use crate::process::{Pid, Process};

impl Kernel {
    /// Ends service process `pid` (in the table) because its call failed.
    pub(crate) fn fail(&mut self, pid: Pid, error: String) {
        if let Some(proc) = self.procs.remove(&pid) {
            self.blocked.remove(&pid);
            self.ready.retain(|&p| p != pid);
            self.service_ended(proc, error);
        }
    }

    /// Service process `proc` (out of the table) ended, by `error`: its
    /// call fails, and the service starts again for its next call.
    pub(crate) fn service_ended(&mut self, mut proc: Box<Process>, error: String) {
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
                    format_args!("{error}; the {what} fails, the service restarts on next use"),
                );
                self.answer(job.caller, Err(CallError));
            }
            None => self.sys.log(Level::Err, &name, format_args!("pid {pid}: {error}; it restarts on next use")),
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
            self.fail(provider, format!("its caller, pid {pid}, ended"));
        }
    }
}
