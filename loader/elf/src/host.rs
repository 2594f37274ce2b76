//! The machine of the Linux loader: the process's own stdio, the host
//! clocks, `ppoll` for waiting, `getrandom` for entropy.

use std::io::{IsTerminal, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use walos_kernel::loader::{Framebuffer, IoError, Loader, ServiceStore, StdStream, StdinRead, Stream, Wake};
use walos_kernel::log::Level;

use crate::framebuffer::Screen;
use crate::store::FileStore;

/// A 32-bit wasm memory cannot exceed 4 GiB; the host decides the rest.
const MEMORY_LIMIT: usize = 4 << 30;

/// The machine's memory (`MemTotal` of `/proc/meminfo`), the default of
/// what all processes' memories may take together: past it Linux would
/// swap or kill walos, so a clear refusal comes first. No limit where it
/// cannot be read.
pub fn physical_memory() -> usize {
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let kib =
        meminfo.lines().find_map(|line| line.strip_prefix("MemTotal:")?.trim().strip_suffix("kB")?.trim().parse().ok());
    kib.map_or(usize::MAX, |kib: usize| kib.saturating_mul(1024))
}

pub struct HostLoader {
    store: FileStore,
    screen: Option<Screen>,
}

impl HostLoader {
    pub fn new(store: FileStore) -> Self {
        HostLoader { store, screen: None }
    }

    /// Gives the machine a screen (`--framebuffer`).
    pub fn with_screen(self, screen: Screen) -> Self {
        HostLoader { screen: Some(screen), ..self }
    }
}

fn clock_ns(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid timespec to write to; the clock ids used here
    // exist on every Linux.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Waits until fd 0 is readable (or hung up) or `timeout` passes; `None`
/// waits without a time limit. Returns whether stdin is ready.
fn poll_stdin(timeout: Option<Duration>) -> bool {
    let mut fds = [libc::pollfd { fd: 0, events: libc::POLLIN, revents: 0 }];
    let ts = timeout.map(|t| libc::timespec {
        tv_sec: t.as_secs().min(i64::MAX as u64) as libc::time_t,
        tv_nsec: t.subsec_nanos().into(),
    });
    let ts_ptr = ts.as_ref().map_or(std::ptr::null(), |ts| ts as *const libc::timespec);
    // SAFETY: one valid pollfd, a valid or null timeout, no signal mask.
    let ready = unsafe { libc::ppoll(fds.as_mut_ptr(), 1, ts_ptr, std::ptr::null()) };
    ready > 0 && fds[0].revents != 0
}

impl Loader for HostLoader {
    fn log(&mut self, _: Level, line: &str) {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "{line}");
    }

    fn monotonic_ns(&self) -> u64 {
        clock_ns(libc::CLOCK_MONOTONIC)
    }

    fn realtime_ns(&self) -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
    }

    fn clock_resolution_ns(&self) -> u64 {
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: as in `clock_ns`.
        unsafe { libc::clock_getres(libc::CLOCK_MONOTONIC, &mut ts) };
        (ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64).max(1)
    }

    fn wait(&mut self, wake: Wake) {
        let timeout = wake.deadline.map(|at| Duration::from_nanos(at.saturating_sub(self.monotonic_ns())));
        match (wake.stdin, timeout) {
            (true, timeout) => {
                poll_stdin(timeout);
            }
            (false, Some(timeout)) => std::thread::sleep(timeout),
            // Nothing to wait for: the kernel does not ask for that.
            (false, None) => {}
        }
    }

    fn random(&mut self, buf: &mut [u8]) -> Result<(), IoError> {
        getrandom::fill(buf).map_err(|err| IoError::Other(err.to_string()))
    }

    fn memory_limit(&self) -> usize {
        MEMORY_LIMIT
    }

    fn services(&mut self) -> &mut dyn ServiceStore {
        &mut self.store
    }

    fn write(&mut self, stream: Stream, bytes: &[u8]) -> Result<(), IoError> {
        let result = match stream {
            Stream::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(bytes).and_then(|()| out.flush())
            }
            Stream::Stderr => std::io::stderr().lock().write_all(bytes),
        };
        result.map_err(|err| match err.kind() {
            std::io::ErrorKind::BrokenPipe => IoError::BrokenPipe,
            _ => IoError::Other(err.to_string()),
        })
    }

    fn read_stdin(&mut self, buf: &mut [u8]) -> StdinRead {
        if !poll_stdin(Some(Duration::ZERO)) {
            return StdinRead::Pending;
        }
        // SAFETY: `buf` is valid for `buf.len()` bytes of writes.
        let n = unsafe { libc::read(0, buf.as_mut_ptr().cast(), buf.len()) };
        match n {
            n if n > 0 => StdinRead::Data(n as usize),
            0 => StdinRead::Eof,
            _ if std::io::Error::last_os_error().kind() == std::io::ErrorKind::WouldBlock => StdinRead::Pending,
            // A closed or unreadable stdin is the end of input.
            _ => StdinRead::Eof,
        }
    }

    fn is_terminal(&self, stream: StdStream) -> bool {
        match stream {
            StdStream::Stdin => std::io::stdin().is_terminal(),
            StdStream::Stdout => std::io::stdout().is_terminal(),
            StdStream::Stderr => std::io::stderr().is_terminal(),
        }
    }

    fn framebuffer(&mut self) -> Option<&mut dyn Framebuffer> {
        self.screen.as_mut().map(|screen| screen as &mut dyn Framebuffer)
    }
}
