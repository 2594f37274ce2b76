//! Serving what processes ask of the scheduler: spawning, waiting for,
//! killing and listing processes, and the console's foreground process.
//!
//! A host function that needs other processes parks its caller with a
//! [`Request`]; [`Kernel::serve`] answers it between two slices, and the
//! host function, called again, returns the [`Reply`]. So the engine is
//! never re-entered from inside a host call, whatever the engine.

use alloc::vec::Vec;

use super::{Kernel, SpawnError};
use crate::log::Level;
use crate::process::{ExitStatus, GivenModule, Pid, ProcInfo, Reply, Request, RunState, WaitFor};
use crate::syscall::Errno;

/// Requests a process may have served in a row before it goes to the back
/// of the run queue: enough that a parent starting a few children keeps
/// going, few enough that a loop of requests cannot starve the others.
const REQUESTS_IN_A_ROW: u32 = 16;

impl Kernel {
    /// Answers `caller`'s request (the caller is in `procs`, parked).
    pub(super) fn serve(&mut self, caller: Pid, request: Option<Request>) {
        let reply = match request {
            Some(Request::Spawn { mut command, wasm }) => {
                if let Some(proc) = self.procs.get(&caller) {
                    command.preopens = proc.state.preopens.clone();
                }
                Reply::Spawned(self.spawn_for(caller, command, wasm))
            }
            Some(Request::Wait(child)) => match self.collect(caller, child) {
                Some(reply) => reply,
                // Parked until the child ends; `exit` answers then.
                None => return,
            },
            Some(Request::Kill(target)) => {
                let killed = self.kill_by(target, Some(caller));
                if target == caller {
                    return;
                }
                Reply::Killed(if killed { Ok(()) } else { Err(Errno::SRCH) })
            }
            Some(Request::List) => Reply::List(self.list(Some(caller))),
            Some(Request::SetForeground(pid)) => Reply::Foreground(self.set_foreground(caller, pid)),
            Some(Request::CallService { import, transfer }) => match self.call_for(caller, import, transfer) {
                Some(reply) => reply,
                // Parked until the provider answers.
                None => return,
            },
            None => return self.ready.push_back(caller),
        };
        self.deliver(caller, reply);
    }

    /// Hands `reply` to the parked `caller` and makes it runnable: first in
    /// line for a few requests in a row, then at the back like everyone.
    pub(crate) fn deliver(&mut self, caller: Pid, reply: Reply) {
        let Some(proc) = self.procs.get_mut(&caller) else {
            return;
        };
        proc.state.reply = Some(reply);
        proc.state.requests_in_a_row += 1;
        if proc.state.requests_in_a_row <= REQUESTS_IN_A_ROW {
            self.ready.push_front(caller);
        } else {
            proc.state.requests_in_a_row = 0;
            self.ready.push_back(caller);
        }
    }

    fn spawn_for(&mut self, caller: Pid, command: crate::Command, wasm: Option<GivenModule>) -> Result<Pid, Errno> {
        self.spawn_child(command, wasm, Some(caller)).map_err(|error| {
            let name = self.procs.get(&caller).map(|p| p.state.name.clone()).unwrap_or_default();
            self.sys.log(Level::Warn, &name, format_args!("spawn: {error}"));
            match error {
                SpawnError::Read { error: crate::loader::StoreError::NotFound, .. } => Errno::NOENT,
                SpawnError::Read { .. } => Errno::IO,
                SpawnError::NoMount { .. } => Errno::NOENT,
                SpawnError::TooMany { .. } => Errno::AGAIN,
                SpawnError::Invalid { .. }
                | SpawnError::Link { .. }
                | SpawnError::NoEntry { .. }
                | SpawnError::Reactor { .. }
                | SpawnError::Invoke { .. }
                | SpawnError::Instantiate { .. } => Errno::NOEXEC,
            }
        })
    }

    /// The reply to `caller` waiting for `child`, or `None` after parking
    /// the caller until the child ends.
    fn collect(&mut self, caller: Pid, child: Pid) -> Option<Reply> {
        if self.exited.get(&child).is_some_and(|ended| ended.parent == Some(caller)) {
            return self.exited.remove(&child).map(|ended| Reply::Waited(Ok(ended.status)));
        }
        let running_child = child != caller && self.procs.get(&child).is_some_and(|p| p.state.parent == Some(caller));
        if !running_child {
            return Some(Reply::Waited(Err(Errno::CHILD)));
        }
        let proc = self.procs.get_mut(&caller)?;
        proc.state.wait = Some(WaitFor { child: Some(child), ..WaitFor::default() });
        self.blocked.insert(caller);
        None
    }

    /// Ends process `target` (not running now) as killed by `by` (`None`:
    /// the kernel); whether there was such a process. `exit` logs it.
    pub(super) fn kill_by(&mut self, target: Pid, by: Option<Pid>) -> bool {
        let Some(proc) = self.procs.remove(&target) else {
            return false;
        };
        self.blocked.remove(&target);
        self.ready.retain(|&pid| pid != target);
        self.exit(proc, ExitStatus::Killed { by });
        true
    }

    /// Makes `pid` the console's foreground process for `caller`, who must
    /// be it or its parent; 0 clears it.
    fn set_foreground(&mut self, caller: Pid, pid: Pid) -> Result<(), Errno> {
        if pid != 0 && pid != caller {
            let proc = self.procs.get(&pid).ok_or(Errno::SRCH)?;
            if proc.state.parent != Some(caller) {
                return Err(Errno::PERM);
            }
        }
        self.sys.stdin.set_foreground((pid != 0).then_some(pid));
        Ok(())
    }

    /// Kills the foreground process if Ctrl-C was typed for it, reading
    /// the console for it while nobody else does. Called between slices.
    pub(super) fn watch_console(&mut self) {
        if let Some(pid) = self.sys.stdin.poll_interrupt(&mut *self.sys.loader) {
            let name = self.procs.get(&pid).map(|p| p.state.name.clone()).unwrap_or_default();
            self.sys.log(Level::Info, "kernel", format_args!("pid {pid} ({name}): Ctrl-C"));
            self.kill_by(pid, None);
        }
    }

    /// Ends process `pid` as `proc.kill` does; whether it existed.
    pub fn kill(&mut self, pid: Pid) -> bool {
        self.kill_by(pid, None)
    }

    /// Every process, live or ended and not yet collected, by pid.
    pub fn processes(&self) -> Vec<ProcInfo> {
        self.list(None)
    }

    fn list(&self, running: Option<Pid>) -> Vec<ProcInfo> {
        let mut infos: Vec<ProcInfo> = self
            .procs
            .iter()
            .map(|(&pid, proc)| ProcInfo {
                pid,
                parent: proc.state.parent,
                state: if Some(pid) == running {
                    RunState::Running
                } else if self.blocked.contains(&pid) {
                    RunState::Blocked
                } else {
                    RunState::Ready
                },
                name: proc.state.name.clone(),
                cpu_ns: proc.state.cpu_ns,
            })
            .collect();
        infos.extend(self.exited.iter().map(|(&pid, ended)| ProcInfo {
            pid,
            parent: ended.parent,
            state: RunState::Exited,
            name: ended.name.clone(),
            cpu_ns: ended.cpu_ns,
        }));
        infos.sort_by_key(|info| info.pid);
        infos
    }
}
