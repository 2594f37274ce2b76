//! A client of QEMU's human monitor on a Unix socket: type keys into the
//! machine's keyboard, take screenshots.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

/// The monitor's prompt, sent when it is ready for a command.
const PROMPT: &str = "(qemu) ";

/// A connection to the monitor.
#[derive(Debug)]
pub struct Monitor {
    stream: UnixStream,
    timeout: Duration,
}

impl Monitor {
    /// Connects to `socket`, waiting up to `timeout` for QEMU to create it.
    pub fn connect(socket: &Path, timeout: Duration) -> Result<Monitor, String> {
        let deadline = Instant::now() + timeout;
        let stream = loop {
            match UnixStream::connect(socket) {
                Ok(stream) => break stream,
                Err(err) if Instant::now() >= deadline => {
                    return Err(format!("QEMU monitor {}: {err}", socket.display()));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        };
        stream.set_read_timeout(Some(timeout)).map_err(|err| format!("QEMU monitor: {err}"))?;
        let mut monitor = Monitor { stream, timeout };
        monitor.until_prompt()?;
        Ok(monitor)
    }

    /// Reads until the prompt; returns what came before it.
    fn until_prompt(&mut self) -> Result<String, String> {
        let deadline = Instant::now() + self.timeout;
        let mut text = Vec::new();
        let mut chunk = [0u8; 4096];
        while !text.ends_with(PROMPT.as_bytes()) {
            if Instant::now() >= deadline {
                return Err(format!("QEMU monitor: no prompt after {:?}; got {:?}", self.timeout, lossy(&text)));
            }
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err(format!("QEMU monitor closed; got {:?}", lossy(&text))),
                Ok(n) => text.extend_from_slice(&chunk[..n]),
                Err(err) => return Err(format!("QEMU monitor: {err}; got {:?}", lossy(&text))),
            }
        }
        text.truncate(text.len() - PROMPT.len());
        Ok(lossy(&text))
    }

    /// Runs one monitor command and returns its answer (with the echo of
    /// the command).
    pub fn command(&mut self, line: &str) -> Result<String, String> {
        self.stream.write_all(format!("{line}\n").as_bytes()).map_err(|err| format!("QEMU monitor: {err}"))?;
        self.until_prompt()
    }

    /// Presses and releases a key: QEMU's key names (`a`, `ret`, `spc`,
    /// `shift-a`, `ctrl-d`, ...).
    pub fn sendkey(&mut self, key: &str) -> Result<(), String> {
        let answer = self.command(&format!("sendkey {key}"))?;
        // QEMU answers only on errors (e.g. "invalid parameter: ...").
        let echo_end = answer.rfind(key).map_or(0, |at| at + key.len());
        let rest = answer[echo_end..].trim();
        if rest.is_empty() { Ok(()) } else { Err(format!("sendkey {key}: {rest}")) }
    }

    /// Saves the screen to `file` as a binary PPM image.
    pub fn screendump(&mut self, file: &Path) -> Result<(), String> {
        let answer = self.command(&format!("screendump {}", file.display()))?;
        if file.is_file() { Ok(()) } else { Err(format!("screendump {}: {}", file.display(), answer.trim())) }
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
