//! The kernel command line of the UEFI loaders, and how a machine reports
//! the entry's exit status.
//!
//! A booted machine has no shell to pass arguments, so the loaders read one
//! line of text from the boot volume (`\walos\cmdline`) with the options of
//! `walos run`:
//!
//! ```text
//! [--log LEVEL] [--env NAME=VALUE]... [--initrd-at PATH] [--driver NAME]...
//!     [--input IFACE] [--debug-exit] ENTRY [ARG]...
//! ```
//!
//! Words are separated by white space; there is no quoting. `ENTRY` names a
//! module of the service store (`\srv\ENTRY.wasm`) and is the program's
//! `argv[0]`. `--debug-exit` makes the machine report the exit status
//! through QEMU's `isa-debug-exit` device (see [`debug_exit_value`]).
//! `--initrd-at` says where efi-os mounts the initrd and preopens it (`/`
//! unless given), as `walos run --dir HOST::PATH` would. `--driver` declares
//! a driver service (one allowed the `x86` interface: [`crate::Config`]'s
//! `drivers`); `--input` names the interface whose `getc` fills the
//! console's standard input (`Config::input`).

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::log::Level;
use crate::process::{Command, ExitStatus};

/// The I/O port of QEMU's `isa-debug-exit` device, as the test harness and
/// `make run` configure it (`-device isa-debug-exit,iobase=0xf4,iosize=0x04`).
pub const DEBUG_EXIT_PORT: u16 = 0xf4;

/// What a UEFI loader boots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootArgs {
    /// The most verbose kernel log level shown.
    pub log: Level,
    /// The entry program's environment, exactly.
    pub env: Vec<(String, String)>,
    /// Where the initrd is mounted and preopened: an absolute path.
    pub initrd_at: String,
    /// Report the exit status through `isa-debug-exit` before powering off.
    pub debug_exit: bool,
    /// The driver services, allowed the `x86` interface.
    pub drivers: Vec<String>,
    /// The interface whose `getc` is the console's standard input.
    pub input: Option<String>,
    /// The entry program's name in the service store.
    pub entry: String,
    /// Its arguments after `argv[0]`.
    pub args: Vec<String>,
}

/// A command line that cannot be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootArgsError(String);

impl fmt::Display for BootArgsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "kernel command line: {}", self.0)
    }
}

impl BootArgs {
    /// Parses a command line (see the module documentation).
    pub fn parse(line: &str) -> Result<BootArgs, BootArgsError> {
        let error = |msg: String| Err(BootArgsError(msg));
        let mut words = line.split_whitespace();
        let mut log = Level::Warn;
        let mut env = Vec::new();
        let mut debug_exit = false;
        let mut initrd_at = String::from("/");
        let mut drivers = Vec::new();
        let mut input = None;
        loop {
            let Some(word) = words.next() else {
                return error("no entry program given".into());
            };
            match word {
                "--log" => {
                    let Some(value) = words.next() else { return error("`--log` needs a level".into()) };
                    match value.parse() {
                        Ok(level) => log = level,
                        Err(err) => return error(alloc::format!("--log: {err}")),
                    }
                }
                "--env" => {
                    let pair = words.next().and_then(|w| w.split_once('='));
                    let Some((name, value)) = pair else { return error("`--env` needs NAME=VALUE".into()) };
                    env.push((name.to_string(), value.to_string()));
                }
                "--initrd-at" => match words.next() {
                    Some(path) if path.starts_with('/') => initrd_at = path.to_string(),
                    _ => return error("`--initrd-at` needs an absolute path".into()),
                },
                "--driver" => match words.next() {
                    Some(name) if !name.starts_with("--") => drivers.push(name.to_string()),
                    _ => return error("`--driver` needs a service name".into()),
                },
                "--input" => match words.next() {
                    Some(iface) if !iface.starts_with("--") => input = Some(iface.to_string()),
                    _ => return error("`--input` needs an interface name".into()),
                },
                "--debug-exit" => debug_exit = true,
                option if option.starts_with("--") => return error(alloc::format!("unknown option `{option}`")),
                entry => {
                    let args = words.map(ToString::to_string).collect();
                    let entry = entry.to_string();
                    return Ok(BootArgs { log, env, initrd_at, debug_exit, drivers, input, entry, args });
                }
            }
        }
    }

    /// The entry program, ready to spawn.
    pub fn command(&self) -> Command {
        Command { env: self.env.clone(), ..Command::new(self.entry.as_str()).args(self.args.iter().cloned()) }
    }
}

/// The value written to [`DEBUG_EXIT_PORT`] when the entry ends; QEMU then
/// exits with status `value * 2 + 1`.
///
/// An exit status `s` below 127 is written as `s` (QEMU exits with `2s+1`);
/// a larger status is written as 126; a trap, a kill, or an entry that could
/// not be run, is written as 127 (QEMU exits with 255). A triple fault exits QEMU
/// with 0, which no value here produces.
pub fn debug_exit_value(status: Option<&ExitStatus>) -> u32 {
    match status {
        Some(ExitStatus::Exited(code)) => (*code).min(126),
        Some(ExitStatus::Trapped(_) | ExitStatus::Killed { .. }) | None => 127,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn options_then_entry_then_arguments() {
        let boot = BootArgs::parse(
            "  --log info --env A=1=2 --initrd-at /data --driver kbd --driver net --input stdio --debug-exit hello x --log y\n",
        )
        .unwrap();
        assert_eq!(boot.drivers, ["kbd", "net"]);
        assert_eq!(boot.input.as_deref(), Some("stdio"));
        assert_eq!(boot.initrd_at, "/data");
        assert_eq!(boot.log, Level::Info);
        assert_eq!(boot.env, vec![("A".to_string(), "1=2".to_string())]);
        assert!(boot.debug_exit);
        assert_eq!(boot.entry, "hello");
        assert_eq!(boot.args, ["x", "--log", "y"]);
        assert_eq!(boot.command().args, ["hello", "x", "--log", "y"]);
    }

    #[test]
    fn defaults() {
        let boot = BootArgs::parse("hello").unwrap();
        assert_eq!((boot.log, boot.debug_exit, boot.env.len(), boot.args.len()), (Level::Warn, false, 0, 0));
        assert_eq!(boot.initrd_at, "/");
        assert_eq!((boot.drivers.len(), boot.input), (0, None));
    }

    #[test]
    fn errors_name_the_problem() {
        let message = |line| BootArgs::parse(line).unwrap_err().to_string();
        assert_eq!(message(""), "kernel command line: no entry program given");
        assert_eq!(message("--log"), "kernel command line: `--log` needs a level");
        assert_eq!(message("--env A hello"), "kernel command line: `--env` needs NAME=VALUE");
        assert_eq!(message("--initrd-at data hello"), "kernel command line: `--initrd-at` needs an absolute path");
        assert_eq!(message("--initrd-at"), "kernel command line: `--initrd-at` needs an absolute path");
        assert_eq!(message("--driver"), "kernel command line: `--driver` needs a service name");
        assert_eq!(message("--input --debug-exit hello"), "kernel command line: `--input` needs an interface name");
        assert_eq!(message("--fast hello"), "kernel command line: unknown option `--fast`");
        assert!(message("--log loud hello").starts_with("kernel command line: --log: "));
    }

    #[test]
    fn exit_values() {
        assert_eq!(debug_exit_value(Some(&ExitStatus::Exited(0))), 0);
        assert_eq!(debug_exit_value(Some(&ExitStatus::Exited(42))), 42);
        assert_eq!(debug_exit_value(Some(&ExitStatus::Exited(300))), 126);
        assert_eq!(debug_exit_value(None), 127);
    }
}
