//! The run loop: one slice at a time, and what its outcome means: run
//! again later, park, serve a request, or end the process.

use alloc::boxed::Box;

use walos_engine::RunOutcome;

use super::{Ended, Kernel};
use crate::loader::Stream;
use crate::log::Level;
use crate::process::{ExitStatus, Pid, ProcState, Process, Reply};
use crate::service::ServiceFailure;
use crate::syscall::Ctx;

impl Kernel {
    /// Runs every process until `pid` has ended, and returns how it ended;
    /// `None` if there is no such process.
    pub fn run_until_exit(&mut self, pid: Pid) -> Option<ExitStatus> {
        loop {
            if let Some(ended) = self.exited.remove(&pid) {
                return Some(ended.status);
            }
            if !self.procs.contains_key(&pid) {
                return None;
            }
            self.watch_console();
            self.wake_due();
            match self.ready.pop_front() {
                Some(next) => self.run_slice(next),
                None => self.idle(),
            }
        }
    }

    fn run_slice(&mut self, pid: Pid) {
        let Some(mut proc) = self.procs.remove(&pid) else {
            return;
        };
        let start = self.sys.now();
        proc.state.slice_start_ns = start;
        let outcome = {
            let mut ctx = Ctx { sys: &mut self.sys, proc: &mut proc.state };
            proc.instance.run(self.config.slice(), &mut ctx)
        };
        proc.state.cpu_ns += self.sys.now().saturating_sub(start);
        if !matches!(outcome, RunOutcome::Blocked) || proc.state.request.is_none() {
            proc.state.requests_in_a_row = 0;
        }
        let (proc, outcome) = match proc.serves {
            Some(_) => match self.service_slice(proc, outcome) {
                Some(going_on) => going_on,
                None => return,
            },
            None => (proc, outcome),
        };
        let mut proc = proc;
        match outcome {
            RunOutcome::Preempted | RunOutcome::Yielded => self.ready.push_back(pid),
            RunOutcome::Blocked if proc.state.request.is_some() => {
                let request = proc.state.request.take();
                self.procs.insert(pid, proc);
                return self.serve(pid, request);
            }
            RunOutcome::Blocked if proc.state.wait.is_some() => {
                self.blocked.insert(pid);
            }
            RunOutcome::Blocked => {
                let name = proc.state.name.clone();
                self.sys.log(Level::Err, "kernel", format_args!("pid {pid} ({name}) blocked without a reason"));
                self.ready.push_back(pid);
            }
            RunOutcome::Finished(results) => match proc.then.pop_front() {
                Some((name, args)) => {
                    proc.starting = false;
                    match proc.instance.call(&name, &args) {
                        Ok(()) => self.ready.push_back(pid),
                        Err(error) => {
                            let who = proc.state.name.clone();
                            self.sys.log(Level::Err, &who, format_args!("cannot call `{name}`: {error}"));
                            return self.exit(proc, ExitStatus::Exited(1));
                        }
                    }
                }
                None => {
                    if proc.prints {
                        self.print_results(&proc.state.name, &results);
                    }
                    return self.exit(proc, ExitStatus::Exited(0));
                }
            },
            RunOutcome::Exited(code) => return self.exit(proc, ExitStatus::Exited(code)),
            RunOutcome::Trapped(trap) => {
                let name = proc.state.name.clone();
                let call = if proc.starting { "trap in the start function" } else { "trap" };
                self.sys.log(Level::Err, &name, format_args!("{call}: {trap}"));
                return self.exit(proc, ExitStatus::Trapped(trap));
            }
        }
        self.procs.insert(pid, proc);
    }

    /// Ends `proc` with `status`, which goes to its parent if it waits for
    /// it, is kept for it (or for the loader) otherwise, and is dropped if
    /// the parent has ended.
    pub(crate) fn exit(&mut self, mut proc: Box<Process>, status: ExitStatus) {
        if proc.serves.is_some() {
            return self.service_ended(proc, ServiceFailure::Ended(status));
        }
        let pid = proc.state.pid;
        self.release(&mut proc.state);
        self.sys.log(Level::Info, "kernel", format_args!("pid {pid} ({}): {status}", proc.state.name));
        self.sys.stdin.forget(pid);
        self.cancel_calls_of(pid);
        // Nobody can collect the statuses of its ended children any more.
        self.exited.retain(|_, ended| ended.parent != Some(pid));
        let ended = |status| Ended {
            parent: proc.state.parent,
            name: proc.state.name.clone(),
            cpu_ns: proc.state.cpu_ns,
            status,
        };
        match proc.state.parent {
            None => {
                self.exited.insert(pid, ended(status));
            }
            Some(parent) => match self.procs.get_mut(&parent) {
                Some(waiter) if waiter.state.wait.is_some_and(|w| w.child == Some(pid)) => {
                    waiter.state.wait = None;
                    waiter.state.reply = Some(Reply::Waited(Ok(status)));
                    self.blocked.remove(&parent);
                    self.ready.push_back(parent);
                }
                Some(_) => {
                    self.exited.insert(pid, ended(status));
                }
                None => {}
            },
        }
    }

    /// Writes the results of an invoked function on the console's standard
    /// output.
    fn print_results(&mut self, name: &str, results: &[walos_engine::Val]) {
        let text = super::entry::results_text(results);
        if let Err(err) = self.sys.loader.write(Stream::Stdout, text.as_bytes()) {
            self.sys.log(Level::Err, name, format_args!("cannot print the results: {err}"));
        }
    }

    /// Gives back what the descriptors of an ended (or never started)
    /// process hold.
    pub(crate) fn release(&mut self, state: &mut ProcState) {
        // Its devices may still be writing to its DMA buffers: they stop
        // before the buffers go back to the heap. Only a driver has any.
        if state.dma.iter().any(Option::is_some) {
            if let Some(bus) = self.sys.loader.pci() {
                for device in self.sys.devices.iter().filter(|d| d.driver.as_ref() == Some(&state.name)) {
                    crate::device::pci::stop_dma(bus, device.address);
                }
            }
            state.dma.clear();
        }
        for descriptor in state.fds.take_all() {
            descriptor.release(&mut self.sys.mounts);
        }
    }
}
