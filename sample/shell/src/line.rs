//! Line editing: bytes in, whole lines out, with what to echo.
//!
//! Backspace (0x08, as a PC keyboard sends it, or 0x7f, as serial
//! terminals do) removes the last character, a whole UTF-8 sequence; other
//! control bytes and the escape sequences of cursor keys (`ESC [ X`,
//! `ESC [ 3 ~`) are dropped, since the editor has no cursor to move.

/// What one byte of input did.
#[derive(Debug, PartialEq, Eq)]
pub enum Event {
    /// Nothing to show (a dropped byte, a backspace on an empty line).
    None,
    /// These bytes go to the screen if the shell echoes.
    Echo(&'static [u8]),
    /// A printable byte, echoed as is.
    Byte(u8),
    /// Enter: the line is complete.
    Line(String),
}

/// How far into an escape sequence the editor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Escape {
    No,
    /// After ESC.
    Started,
    /// After `ESC [`: parameters until a final byte (0x40..=0x7e).
    Csi,
}

/// The line being typed.
#[derive(Debug)]
pub struct Editor {
    line: Vec<u8>,
    escape: Escape,
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
        Editor { line: Vec::new(), escape: Escape::No }
    }

    /// Takes one byte of input.
    pub fn feed(&mut self, byte: u8) -> Event {
        match self.escape {
            Escape::Started => {
                self.escape = if byte == b'[' { Escape::Csi } else { Escape::No };
                return Event::None;
            }
            Escape::Csi => {
                if (0x40..=0x7e).contains(&byte) {
                    self.escape = Escape::No;
                }
                return Event::None;
            }
            Escape::No => {}
        }
        match byte {
            b'\n' => {
                let line = String::from_utf8_lossy(&std::mem::take(&mut self.line)).into_owned();
                Event::Line(line)
            }
            0x08 | 0x7f => {
                if self.line.is_empty() {
                    return Event::None;
                }
                // Drop continuation bytes, then the character's first byte.
                while self.line.pop().is_some_and(|b| b & 0xc0 == 0x80) {}
                Event::Echo(RUB_OUT)
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
    fn cursor_keys_and_control_bytes_are_dropped() {
        let mut editor = Editor::new();
        let (_, lines) = type_all(&mut editor, b"l\x1b[As\x1b[3~\x01\n");
        assert_eq!(lines, ["ls"]);
    }

    #[test]
    fn an_unfinished_line_is_kept_for_the_end_of_input() {
        let mut editor = Editor::new();
        type_all(&mut editor, b"exit 4");
        assert_eq!(editor.take_partial().as_deref(), Some("exit 4"));
        assert_eq!(editor.take_partial(), None);
    }
}
