//! The recent log lines, kept in memory for programs to read
//! (`sys.dmesg`), as a Unix kernel's message buffer.

use alloc::collections::VecDeque;
use alloc::string::String;

/// The most bytes of lines kept; older lines are dropped first.
pub const CAPACITY: usize = 64 << 10;

/// The longest line kept; the rest is cut.
const MAX_LINE: usize = 1024;

/// The last lines logged, at most [`CAPACITY`] bytes in all.
#[derive(Debug, Default)]
pub struct LogRing {
    lines: VecDeque<String>,
    bytes: usize,
}

impl LogRing {
    /// Keeps `line`, dropping the oldest lines to make room.
    pub fn push(&mut self, line: &str) {
        let mut end = line.len().min(MAX_LINE);
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        let line = &line[..end];
        while self.bytes + line.len() > CAPACITY {
            let Some(old) = self.lines.pop_front() else { break };
            self.bytes -= old.len();
        }
        self.bytes += line.len();
        self.lines.push_back(line.into());
    }

    /// The newest lines that fit in `max` bytes, oldest first, each ending
    /// with a newline.
    pub fn tail(&self, max: usize) -> String {
        let mut size = 0;
        let count = self
            .lines
            .iter()
            .rev()
            .take_while(|line| {
                size += line.len() + 1;
                size <= max
            })
            .count();
        let mut out = String::with_capacity(size);
        for line in self.lines.iter().skip(self.lines.len() - count) {
            out.push_str(line);
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_whole_lines_that_fit() {
        let mut ring = LogRing::default();
        for line in ["one", "two", "three"] {
            ring.push(line);
        }
        assert_eq!(ring.tail(100), "one\ntwo\nthree\n");
        assert_eq!(ring.tail(10), "two\nthree\n");
        assert_eq!(ring.tail(9), "three\n");
        assert_eq!(ring.tail(5), "");
    }

    #[test]
    fn old_lines_make_room() {
        let mut ring = LogRing::default();
        let line = "x".repeat(1000);
        for _ in 0..100 {
            ring.push(&line);
        }
        assert!(ring.bytes <= CAPACITY);
        assert_eq!(ring.lines.len(), CAPACITY / 1000);
        ring.push(&"é".repeat(1000));
        assert_eq!(ring.lines.back().map(String::len), Some(1024));
    }
}
