//! Line editing: bytes in, whole lines out, with what to echo.
//!
//! Backspace (0x08, as a PC keyboard sends it, or 0x7f, as serial
//! terminals do) removes the last character, a whole UTF-8 sequence.
//! The up and down arrows (`ESC [ A` / `ESC [ B`, or `ESC O A` / `ESC O B`
//! in a terminal's application mode) walk through the lines entered
//! before, the history. Ctrl-C (byte 3) abandons the line. Other control
//! bytes and escape sequences (`ESC [ C`, `ESC [ 3 ~`, ...) are dropped,
//! since the editor has no cursor to move.

/// Ctrl-C: abandon the line.
const CTRL_C: u8 = 3;

/// How many lines the history keeps.
const HISTORY: usize = 100;

/// What one byte of input did.
#[derive(Debug, PartialEq, Eq)]
pub enum Event {
    /// Nothing to show (a dropped byte, a backspace on an empty line).
    None,
    /// These bytes go to the screen if the shell echoes.
    Echo(Vec<u8>),
    /// A printable byte, echoed as is.
    Byte(u8),
    /// Enter: the line is complete.
    Line(String),
    /// Ctrl-C: the line was abandoned.
    Cancel,
}

/// How far into an escape sequence the editor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Escape {
    No,
    /// After ESC.
    Started,
    /// After `ESC [`: parameters until a final byte (0x40..=0x7e);
    /// whether there were any.
    Csi {
        params: bool,
    },
    /// After `ESC O`: one final byte.
    Ss3,
}

/// The line being typed, and the lines typed before.
#[derive(Debug)]
pub struct Editor {
    line: Vec<u8>,
    escape: Escape,
    history: Vec<String>,
    /// The history entry shown, `history.len()` for the line being typed.
    shown: usize,
    /// The line being typed while the history is shown.
    draft: Vec<u8>,
}

/// Erases the character left of the cursor on a terminal.
const RUB_OUT: &[u8] = b"\x08 \x08";

impl Default for Editor {
    fn default() -> Self {
        Editor::new()
    }
}

impl Editor {
    pub fn new() -> Editor {
        Editor { line: Vec::new(), escape: Escape::No, history: Vec::new(), shown: 0, draft: Vec::new() }
    }

    /// Takes one byte of input.
    pub fn feed(&mut self, byte: u8) -> Event {
        match self.escape {
            Escape::No => {}
            Escape::Started => {
                self.escape = match byte {
                    b'[' => Escape::Csi { params: false },
                    b'O' => Escape::Ss3,
                    _ => Escape::No,
                };
                return Event::None;
            }
            Escape::Csi { params } => {
                if !(0x40..=0x7e).contains(&byte) {
                    self.escape = Escape::Csi { params: true };
                    return Event::None;
                }
                self.escape = Escape::No;
                return if params { Event::None } else { self.cursor_key(byte) };
            }
            Escape::Ss3 => {
                self.escape = Escape::No;
                return self.cursor_key(byte);
            }
        }
        match byte {
            b'\n' => {
                let line = String::from_utf8_lossy(&std::mem::take(&mut self.line)).into_owned();
                self.remember(&line);
                Event::Line(line)
            }
            CTRL_C => {
                self.line.clear();
                self.draft.clear();
                self.shown = self.history.len();
                Event::Cancel
            }
            0x08 | 0x7f => {
                if self.line.is_empty() {
                    return Event::None;
                }
                // Drop continuation bytes, then the character's first byte.
                while self.line.pop().is_some_and(|b| b & 0xc0 == 0x80) {}
                Event::Echo(RUB_OUT.to_vec())
            }
            0x1b => {
                self.escape = Escape::Started;
                Event::None
            }
            b'\t' => {
                self.line.push(b' ');
                Event::Byte(b' ')
            }
            0..0x20 => Event::None,
            byte => {
                self.line.push(byte);
                Event::Byte(byte)
            }
        }
    }

    /// The final byte of a cursor key's sequence: up and down walk the
    /// history, the others are dropped.
    fn cursor_key(&mut self, key: u8) -> Event {
        let shown = match key {
            b'A' if self.shown > 0 => self.shown - 1,
            b'B' if self.shown < self.history.len() => self.shown + 1,
            _ => return Event::None,
        };
        if self.shown == self.history.len() {
            self.draft = self.line.clone();
        }
        self.shown = shown;
        let new = match self.history.get(shown) {
            Some(entry) => entry.as_bytes().to_vec(),
            None => std::mem::take(&mut self.draft),
        };
        let old = std::mem::replace(&mut self.line, new);
        // Rub out the old line (one column per character), show the new.
        let columns = String::from_utf8_lossy(&old).chars().count();
        let mut echo = RUB_OUT.repeat(columns);
        echo.extend(&self.line);
        Event::Echo(echo)
    }

    /// Adds an entered line to the history (not a blank one, nor the same
    /// line twice in a row).
    fn remember(&mut self, line: &str) {
        if !line.trim().is_empty() && self.history.last().map(String::as_str) != Some(line) {
            if self.history.len() == HISTORY {
                self.history.remove(0);
            }
            self.history.push(line.to_string());
        }
        self.shown = self.history.len();
        self.draft.clear();
    }

    /// What was typed of an unfinished line (at the end of input).
    pub fn take_partial(&mut self) -> Option<String> {
        let line = std::mem::take(&mut self.line);
        (!line.is_empty()).then(|| String::from_utf8_lossy(&line).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn type_all(editor: &mut Editor, input: &[u8]) -> (Vec<u8>, Vec<String>) {
        let (mut echo, mut lines) = (Vec::new(), Vec::new());
        for &byte in input {
            match editor.feed(byte) {
                Event::None => {}
                Event::Echo(bytes) => echo.extend(bytes),
                Event::Byte(b) => echo.push(b),
                Event::Line(line) => {
                    echo.push(b'\n');
                    lines.push(line);
                }
                Event::Cancel => {
                    echo.extend(b"^C\n");
                    lines.push("<cancel>".into());
                }
            }
        }
        (echo, lines)
    }

    #[test]
    fn backspace_removes_whole_characters() {
        let mut editor = Editor::new();
        let (echo, lines) = type_all(&mut editor, "heé\x08\x7fllo\n".as_bytes());
        assert_eq!(lines, ["hllo"]);
        assert_eq!(echo, "heé\x08 \x08\x08 \x08llo\n".as_bytes());
    }

    #[test]
    fn backspace_on_an_empty_line_shows_nothing() {
        let mut editor = Editor::new();
        assert_eq!(type_all(&mut editor, b"\x7f\x08a\n"), (b"a\n".to_vec(), vec!["a".to_string()]));
    }

    #[test]
    fn other_cursor_keys_and_control_bytes_are_dropped() {
        let mut editor = Editor::new();
        let (_, lines) = type_all(&mut editor, b"l\x1b[Cs\x1b[3~\x1b[1;5A\x01\n");
        assert_eq!(lines, ["ls"]);
    }

    #[test]
    fn up_and_down_walk_the_history_and_come_back_to_the_draft() {
        let mut editor = Editor::new();
        type_all(&mut editor, b"one\ntwo\n\ntwo\n");
        // Up twice: `two`, then `one` (blank and repeated lines are not
        // kept); down: `two`; down: the draft `x`; up at the top stays.
        let (echo, lines) = type_all(&mut editor, b"x\x1b[A\x1b[A\x1bOB\x1b[B\n");
        assert_eq!(lines, ["x"]);
        assert_eq!(
            echo,
            b"x\x08 \x08two\x08 \x08\x08 \x08\x08 \x08one\x08 \x08\x08 \x08\x08 \x08two\x08 \x08\x08 \x08\x08 \x08x\n"
        );
        let (echo, lines) = type_all(&mut editor, b"\x1b[A\x1b[A\x1b[A\x1b[A\n");
        assert_eq!(lines, ["one"]);
        assert_eq!(echo, b"x\x08 \x08two\x08 \x08\x08 \x08\x08 \x08one\n");
    }

    #[test]
    fn ctrl_c_abandons_the_line() {
        let mut editor = Editor::new();
        let (echo, lines) = type_all(&mut editor, b"ab\x03c\n");
        assert_eq!(lines, ["<cancel>", "c"]);
        assert_eq!(echo, b"ab^C\nc\n");
    }

    #[test]
    fn an_unfinished_line_is_kept_for_the_end_of_input() {
        let mut editor = Editor::new();
        type_all(&mut editor, b"exit 4");
        assert_eq!(editor.take_partial().as_deref(), Some("exit 4"));
        assert_eq!(editor.take_partial(), None);
    }
}
