//! Blocking and waking: which parked processes may run again, and what
//! the kernel waits for when nobody can run.

use alloc::vec::Vec;

use walos_engine::Trap;

use super::Kernel;
use crate::loader::Wake;
use crate::log::Level;
use crate::process::{ExitStatus, Pid};

impl Kernel {
    /// Makes runnable every blocked process whose wait is over, without
    /// waiting.
    pub(super) fn wake_due(&mut self) {
        if self.blocked.is_empty() {
            return;
        }
        let wake = self.waits();
        if wake.stdin {
            self.sys.stdin.fill(&mut *self.sys.loader);
        }
        if wake.irqs != 0 {
            self.sys.poll_irqs(wake.irqs);
        }
        let now = self.sys.now();
        let stdin_ready = self.sys.stdin.ready();
        let fired = self.sys.irqs;
        let procs = &mut self.procs;
        let ready = &mut self.ready;
        self.blocked.retain(|pid| {
            let Some(proc) = procs.get_mut(pid) else {
                return false;
            };
            let wait = proc.state.wait.unwrap_or_default();
            let due =
                wait.deadline.is_some_and(|at| at <= now) || (wait.stdin && stdin_ready) || wait.irqs & fired != 0;
            if due {
                proc.state.wait = None;
                ready.push_back(*pid);
            }
            !due
        });
    }

    /// What the blocked processes wait for, together.
    fn waits(&self) -> Wake {
        let mut wake = Wake::default();
        for wait in self.blocked.iter().filter_map(|pid| self.procs.get(pid)?.state.wait) {
            wake.stdin |= wait.stdin;
            wake.irqs |= wait.irqs;
            if let Some(at) = wait.deadline {
                wake.deadline = Some(wake.deadline.map_or(at, |d| d.min(at)));
            }
        }
        // Ctrl-C for the foreground process.
        wake.stdin |= self.sys.stdin.watching();
        wake
    }

    /// Nobody can run: wait for the next event the blocked processes care
    /// about.
    pub(super) fn idle(&mut self) {
        let wake = self.waits();
        if wake.deadline.is_none() && !wake.stdin && wake.irqs == 0 {
            // Nothing can ever wake them. Those waiting for a child or a
            // service are woken by the kernel: end the others first; idle
            // services just wait for calls.
            let wait = |pid: &Pid| self.procs.get(pid).and_then(|p| p.state.wait).unwrap_or_default();
            let idle_service = |pid: &Pid| self.procs.get(pid).is_some_and(|p| p.serves.is_some()) && wait(pid).kernel;
            let blocked: Vec<Pid> = self.blocked.iter().copied().filter(|pid| !idle_service(pid)).collect();
            let mut stuck: Vec<Pid> =
                blocked.iter().copied().filter(|pid| wait(pid).child.is_none() && !wait(pid).kernel).collect();
            if stuck.is_empty() {
                stuck = blocked;
            }
            for pid in stuck {
                self.blocked.remove(&pid);
                if let Some(proc) = self.procs.remove(&pid) {
                    let name = proc.state.name.clone();
                    self.sys.log(Level::Err, &name, format_args!("blocked forever: nothing can wake it"));
                    self.exit(proc, ExitStatus::Trapped(Trap::host("deadlock: blocked forever")));
                }
            }
            return;
        }
        self.sys.loader.wait(wake);
    }
}
