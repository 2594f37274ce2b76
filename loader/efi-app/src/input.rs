//! Standard input: keys from the firmware's keyboard (ConIn) and bytes
//! from COM1, as the bytes a terminal would send.
//!
//! Enter gives `\n`, Ctrl-D ends the input (as on a Unix terminal), arrows
//! and a few other keys give their VT100 escape sequences.

use alloc::collections::VecDeque;

use uefi::proto::console::text::{Key, ScanCode};
use uefi::{Event, system};
use walos_kernel::loader::StdinRead;

use crate::serial;

/// Ctrl-D.
const END_OF_INPUT: char = '\u{4}';

/// How much is read ahead of the program.
const READ_AHEAD: usize = 4096;

#[derive(Debug, Default)]
pub struct Keyboard {
    pending: VecDeque<u8>,
    /// Ctrl-D was typed after the pending bytes.
    eof: bool,
}

impl Keyboard {
    /// Reads what was typed, without waiting.
    pub fn read(&mut self, buf: &mut [u8]) -> StdinRead {
        self.poll();
        if !self.pending.is_empty() {
            let n = buf.len().min(self.pending.len());
            for (slot, byte) in buf.iter_mut().zip(self.pending.drain(..n)) {
                *slot = byte;
            }
            return StdinRead::Data(n);
        }
        if core::mem::take(&mut self.eof) { StdinRead::Eof } else { StdinRead::Pending }
    }

    /// The firmware event signalled when a key is pressed, if it has one.
    pub fn key_event() -> Option<Event> {
        system::with_stdin(|stdin| stdin.wait_for_key_event().ok())
    }

    fn poll(&mut self) {
        while !self.eof && self.pending.len() < READ_AHEAD {
            match system::with_stdin(|stdin| stdin.read_key()) {
                Ok(Some(key)) => self.key(key),
                _ => break,
            }
        }
        while !self.eof && self.pending.len() < READ_AHEAD {
            match serial::read_byte() {
                // Terminals send carriage return for Enter.
                Some(b'\r') => self.pending.push_back(b'\n'),
                Some(byte) if char::from(byte) == END_OF_INPUT => self.eof = true,
                Some(byte) => self.pending.push_back(byte),
                None => break,
            }
        }
    }

    fn key(&mut self, key: Key) {
        let sequence: &[u8] = match key {
            Key::Printable(c) => return self.char(c.into()),
            Key::Special(ScanCode::UP) => b"\x1b[A",
            Key::Special(ScanCode::DOWN) => b"\x1b[B",
            Key::Special(ScanCode::RIGHT) => b"\x1b[C",
            Key::Special(ScanCode::LEFT) => b"\x1b[D",
            Key::Special(ScanCode::HOME) => b"\x1b[H",
            Key::Special(ScanCode::END) => b"\x1b[F",
            Key::Special(ScanCode::DELETE) => b"\x1b[3~",
            Key::Special(ScanCode::ESCAPE) => b"\x1b",
            Key::Special(_) => b"",
        };
        self.pending.extend(sequence);
    }

    fn char(&mut self, c: char) {
        match c {
            '\r' | '\n' => self.pending.push_back(b'\n'),
            END_OF_INPUT => self.eof = true,
            // A key with no character (a lone modifier).
            '\0' => {}
            c => self.pending.extend(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
}
