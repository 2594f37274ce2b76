//! The console's line discipline: console input read ahead of the
//! readers, its end, and Ctrl-C for the foreground process.
//!
//! As a terminal's line discipline does, it sits between the keyboard (the
//! loader's console, or the input service) and the processes reading
//! standard input, so that the kernel can tell whether a read would block
//! without consuming anything, and can catch Ctrl-C even while nobody
//! reads.

use alloc::collections::VecDeque;

use crate::loader::{Loader, StdinRead};
use crate::process::Pid;

/// The byte Ctrl-C sends: with a foreground process, an interrupt.
pub const CTRL_C: u8 = 3;

/// How far the kernel reads ahead of the readers while it watches for
/// Ctrl-C; past this, typed bytes wait in the loader.
const WATCH_LIMIT: usize = 64 * 1024;

/// Console input read from the loader but not yet consumed by a process.
///
/// The kernel reads ahead so that it can tell whether stdin is ready (for
/// `poll_oneoff` and for waking readers) without consuming anything.
///
/// As a terminal's line discipline does, it turns Ctrl-C into an interrupt
/// of the foreground process (`proc.set_foreground`) when there is one:
/// the byte is dropped and [`Stdin::poll_interrupt`] names the process to
/// kill. Without one, byte 3 is input like any other (a shell at its
/// prompt clears the line with it).
#[derive(Debug, Default)]
pub struct Stdin {
    buf: VecDeque<u8>,
    /// End of input was seen and not yet reported to a reader.
    eof: bool,
    /// Input comes from a service ([`crate::Config::input`]), which
    /// [`Stdin::push`]es it, not from the loader.
    pub from_service: bool,
    /// The process Ctrl-C interrupts.
    foreground: Option<Pid>,
    /// A Ctrl-C arrived for `foreground` and was not acted on yet.
    interrupted: bool,
}

impl Stdin {
    /// Whether a read would return without blocking (data or end of input).
    pub fn ready(&self) -> bool {
        !self.buf.is_empty() || self.eof
    }

    /// Bytes read ahead and not consumed.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Whether end of input is next.
    pub fn at_eof(&self) -> bool {
        self.buf.is_empty() && self.eof
    }

    /// Reads ahead from the loader if nothing is buffered.
    pub fn fill(&mut self, loader: &mut dyn Loader) {
        if !self.ready() && !self.from_service {
            self.read_ahead(loader);
        }
    }

    fn read_ahead(&mut self, loader: &mut dyn Loader) {
        let mut chunk = [0u8; 4096];
        match loader.read_stdin(&mut chunk) {
            StdinRead::Data(n) => self.take(&chunk[..n.min(chunk.len())]),
            StdinRead::Eof => self.eof = true,
            StdinRead::Pending => {}
        }
    }

    /// Buffers bytes from the loader or the input service, catching
    /// Ctrl-C.
    fn take(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            if byte == CTRL_C && self.foreground.is_some() {
                self.interrupted = true;
            } else {
                self.buf.push_back(byte);
            }
        }
    }

    /// Makes `pid` the process Ctrl-C kills; `None`: Ctrl-C is input.
    pub fn set_foreground(&mut self, pid: Option<Pid>) {
        self.foreground = pid;
        self.interrupted = false;
    }

    /// Forgets `pid` if it was the foreground process (it ended).
    pub fn forget(&mut self, pid: Pid) {
        if self.foreground == Some(pid) {
            self.set_foreground(None);
        }
    }

    /// Whether the kernel should read the loader's console for a Ctrl-C
    /// even though no process reads it: there is a foreground process and
    /// room to read ahead. (An input service is asked all the time.)
    pub fn watching(&self) -> bool {
        self.foreground.is_some() && !self.from_service && !self.eof && self.buf.len() < WATCH_LIMIT
    }

    /// Reads what was typed if [`Stdin::watching`], and returns the
    /// foreground process if a Ctrl-C came for it (once per Ctrl-C).
    pub fn poll_interrupt(&mut self, loader: &mut dyn Loader) -> Option<Pid> {
        if self.watching() {
            self.read_ahead(loader);
        }
        let pid = self.foreground.filter(|_| self.interrupted)?;
        self.set_foreground(None);
        Some(pid)
    }

    /// Appends a byte from the input service.
    pub fn push(&mut self, byte: u8) {
        self.take(&[byte]);
    }

    /// Marks the end of input after what is buffered (a Ctrl-D).
    pub fn push_eof(&mut self) {
        self.eof = true;
    }

    /// Moves buffered input to `out`; 0 at end of input (which is then
    /// consumed: a terminal may have more after a Ctrl-D).
    pub fn read(&mut self, out: &mut [u8]) -> usize {
        if self.buf.is_empty() {
            self.eof = false;
            return 0;
        }
        let n = out.len().min(self.buf.len());
        for (slot, byte) in out.iter_mut().zip(self.buf.drain(..n)) {
            *slot = byte;
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdin_reports_end_of_input_once_per_eof() {
        let mut stdin = Stdin::default();
        assert!(!stdin.ready());
        stdin.buf.extend(b"ab");
        stdin.eof = true;
        let mut out = [0u8; 1];
        assert_eq!(stdin.read(&mut out), 1);
        assert_eq!(&out, b"a");
        assert_eq!(stdin.read(&mut out), 1);
        assert!(stdin.ready());
        assert_eq!(stdin.read(&mut out), 0);
        assert!(!stdin.ready());
    }

    #[test]
    fn ctrl_c_is_input_without_a_foreground_process_and_an_interrupt_with_one() {
        let mut stdin = Stdin::default();
        stdin.take(b"a\x03");
        assert_eq!(stdin.buffered(), 2);
        assert!(!stdin.interrupted);
        stdin.set_foreground(Some(4));
        assert!(stdin.watching());
        stdin.take(b"b\x03c");
        assert_eq!(stdin.buf, b"a\x03bc");
        assert!(stdin.interrupted);
        // The same for bytes an input service pushes.
        stdin.interrupted = false;
        stdin.push(3);
        assert!(stdin.interrupted && stdin.buffered() == 4);
        stdin.forget(3);
        assert_eq!(stdin.foreground, Some(4));
        stdin.forget(4);
        assert_eq!((stdin.foreground, stdin.interrupted, stdin.watching()), (None, false, false));
    }
}
