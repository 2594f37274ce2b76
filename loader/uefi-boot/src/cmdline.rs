//! The kernel command line of the UEFI loaders.
//!
//! A booted machine has no shell to pass arguments, so the loaders read one
//! line of text from the boot volume ([`crate::volume::CMDLINE`]) with the
//! options of `walos run`; the build tool writes it ([`Cmdline::line`]):
//!
//! ```text
//! [--log LEVEL] [--env NAME=VALUE]... [--initrd-at PATH] [--driver NAME[=pci:VVVV:DDDD,...]]...
//!     [--input IFACE] [--debug-exit] [--invoke FUNCTION]
//!     [--trap-unknown-imports | --default-values-unknown-imports]
//!     [--max-processes N] [--max-total-memory SIZE] [--max-memory SIZE]
//!     [--max-table-elements N] [--max-fds N] ENTRY [ARG]...
//! ```
//!
//! Words are separated by white space; there is no quoting. `ENTRY` names a
//! module of the service store (`\srv\ENTRY.wasm`) and is the program's
//! `argv[0]`. `--debug-exit` makes the machine report the exit status
//! through QEMU's `isa-debug-exit` device (see [`crate::debug_exit`]).
//! `--initrd-at` says where efi-os mounts the initrd and preopens it (`/`
//! unless given), as `walos run --dir HOST::PATH` would. `--driver` declares
//! a driver service (one allowed the `x86` and `pci` interfaces: the kernel
//! `Config`'s `drivers`), `--driver NAME=pci:VVVV:DDDD,...` also grants it
//! the PCI functions with those ids (hex; the kernel parses the grants); `--input` names the interface whose `getc` fills the
//! console's standard input (`Config::input`). The last three are efi-os's
//! alone: efi-app refuses them ([`Cmdline::efi_app_supports`]). `--invoke`
//! the unknown-import flags and the `--max-*` limits are those of `walos
//! run` (the kernel's `Command::invoke`, `Config::unknown_imports` and
//! `Config::max_*`); a `SIZE` is a byte count with an optional K, M or G
//! suffix (`walos_kernel::parse_size`).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use walos_kernel::log::{Level, ParseLevelError};
use walos_kernel::{
    Command, DEFAULT_MAX_FDS, DEFAULT_MAX_PROCESSES, DEFAULT_MAX_TABLE_ELEMENTS, UnknownImports, parse_size,
};

/// Where the initrd is mounted unless `--initrd-at` says otherwise.
pub const DEFAULT_INITRD_AT: &str = "/";
/// The kernel log level unless `--log` says otherwise.
pub const DEFAULT_LOG: Level = Level::Warn;

/// What a UEFI loader boots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmdline {
    /// The most verbose kernel log level shown.
    pub log: Level,
    /// The entry program's environment, exactly.
    pub env: Vec<(String, String)>,
    /// Where the initrd is mounted and preopened: an absolute path.
    pub initrd_at: String,
    /// The driver services, allowed the `x86` interface.
    pub drivers: Vec<String>,
    /// The interface whose `getc` is the console's standard input.
    pub input: Option<String>,
    /// Report the exit status through `isa-debug-exit` before powering off.
    pub debug_exit: bool,
    /// The entry's function to call instead of `_start`.
    pub invoke: Option<String>,
    /// What the entry's imports that name nothing become.
    pub unknown_imports: UnknownImports,
    /// The most processes alive at once.
    pub max_processes: usize,
    /// The most linear memory of all processes together; `None`: what the
    /// loader's machine leaves for them.
    pub max_total_memory: Option<usize>,
    /// The most linear memory of one process; `None`: what the loader's
    /// machine allows.
    pub max_memory: Option<usize>,
    /// The most elements of one table.
    pub max_table_elements: usize,
    /// The most descriptors open in one process.
    pub max_fds: usize,
    /// The entry program's name in the service store.
    pub entry: String,
    /// Its arguments after `argv[0]`.
    pub args: Vec<String>,
}

/// An option of the command line, to say which ones a loader implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionName {
    Log,
    Env,
    InitrdAt,
    Driver,
    Input,
    DebugExit,
    Invoke,
    TrapUnknownImports,
    DefaultValuesUnknownImports,
    MaxProcesses,
    MaxTotalMemory,
    MaxMemory,
    MaxTableElements,
    MaxFds,
}

impl OptionName {
    /// The option as it is written: `--log`, ...
    pub fn word(self) -> &'static str {
        match self {
            OptionName::Log => "--log",
            OptionName::Env => "--env",
            OptionName::InitrdAt => "--initrd-at",
            OptionName::Driver => "--driver",
            OptionName::Input => "--input",
            OptionName::DebugExit => "--debug-exit",
            OptionName::Invoke => "--invoke",
            OptionName::TrapUnknownImports => "--trap-unknown-imports",
            OptionName::DefaultValuesUnknownImports => "--default-values-unknown-imports",
            OptionName::MaxProcesses => "--max-processes",
            OptionName::MaxTotalMemory => "--max-total-memory",
            OptionName::MaxMemory => "--max-memory",
            OptionName::MaxTableElements => "--max-table-elements",
            OptionName::MaxFds => "--max-fds",
        }
    }

    /// Whether efi-os alone implements it. efi-app keeps the firmware's
    /// console input, so it has no keyboard driver service nor input
    /// service (`--driver`, `--input`), and it mounts the initrd at `/`
    /// (`--initrd-at`).
    pub fn efi_os_only(self) -> bool {
        matches!(self, OptionName::InitrdAt | OptionName::Driver | OptionName::Input)
    }
}

/// A command line that cannot be understood, or asks for what the loader
/// does not do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// The line is not UTF-8 text.
    NotUtf8,
    /// Only options, or nothing at all.
    NoEntry,
    /// An option without its value (`needs` says what it takes).
    MissingValue { option: OptionName, needs: &'static str },
    /// `--log` with a level that is none of the known ones.
    Level(ParseLevelError),
    /// An option no loader knows.
    UnknownOption(String),
    /// An option of efi-os's given to efi-app
    /// ([`Cmdline::efi_app_supports`]).
    EfiOsOnly(OptionName),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("kernel command line: ")?;
        match self {
            ParseError::NotUtf8 => f.write_str("not UTF-8"),
            ParseError::NoEntry => f.write_str("no entry program given"),
            ParseError::MissingValue { option, needs } => write!(f, "`{}` needs {needs}", option.word()),
            ParseError::Level(err) => write!(f, "--log: {err}"),
            ParseError::UnknownOption(option) => write!(f, "unknown option `{option}`"),
            ParseError::EfiOsOnly(option) => {
                write!(f, "`{}` is an efi-os option: the efi-app loader does not support it", option.word())
            }
        }
    }
}

impl core::error::Error for ParseError {}

/// A command line that cannot be written: what could not be read back the
/// same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteError {
    /// An environment variable name that is empty or holds `=`.
    EnvName(String),
    /// An entry name that is empty or reads as an option.
    Entry(String),
    /// A word that is empty or holds white space.
    Word(String),
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::EnvName(name) => {
                write!(f, "environment variable name `{name}`: it must be non-empty, without `=`")
            }
            WriteError::Entry(entry) => write!(f, "`{entry}` cannot be an entry program name"),
            WriteError::Word(word) => write!(
                f,
                "`{word}` cannot go on the kernel command line: words are separated by white space, without quoting"
            ),
        }
    }
}

impl core::error::Error for WriteError {}

impl Cmdline {
    /// Runs `entry` with no arguments and every option at its default.
    pub fn new(entry: impl Into<String>) -> Cmdline {
        Cmdline {
            log: DEFAULT_LOG,
            env: Vec::new(),
            initrd_at: DEFAULT_INITRD_AT.into(),
            drivers: Vec::new(),
            input: None,
            debug_exit: false,
            invoke: None,
            unknown_imports: UnknownImports::Refuse,
            max_processes: DEFAULT_MAX_PROCESSES,
            max_total_memory: None,
            max_memory: None,
            max_table_elements: DEFAULT_MAX_TABLE_ELEMENTS,
            max_fds: DEFAULT_MAX_FDS,
            entry: entry.into(),
            args: Vec::new(),
        }
    }

    /// Parses a command line (see the module documentation).
    pub fn parse(line: &str) -> Result<Cmdline, ParseError> {
        let missing = |option, needs| Err(ParseError::MissingValue { option, needs });
        let mut words = line.split_whitespace();
        let mut cmdline = Cmdline::new("");
        loop {
            let Some(word) = words.next() else { return Err(ParseError::NoEntry) };
            match word {
                "--log" => {
                    let Some(value) = words.next() else { return missing(OptionName::Log, "a level") };
                    cmdline.log = value.parse().map_err(ParseError::Level)?;
                }
                "--env" => {
                    let pair = words.next().and_then(|w| w.split_once('='));
                    let Some((name, value)) = pair else { return missing(OptionName::Env, "NAME=VALUE") };
                    cmdline.env.push((name.to_string(), value.to_string()));
                }
                "--initrd-at" => match words.next() {
                    Some(path) if path.starts_with('/') => cmdline.initrd_at = path.to_string(),
                    _ => return missing(OptionName::InitrdAt, "an absolute path"),
                },
                "--driver" => match words.next() {
                    Some(name) if !name.starts_with("--") => cmdline.drivers.push(name.to_string()),
                    _ => return missing(OptionName::Driver, "a service name"),
                },
                "--input" => match words.next() {
                    Some(iface) if !iface.starts_with("--") => cmdline.input = Some(iface.to_string()),
                    _ => return missing(OptionName::Input, "an interface name"),
                },
                "--debug-exit" => cmdline.debug_exit = true,
                "--invoke" => match words.next() {
                    Some(name) if !name.starts_with("--") => cmdline.invoke = Some(name.to_string()),
                    _ => return missing(OptionName::Invoke, "a function name"),
                },
                "--trap-unknown-imports" => cmdline.unknown_imports = UnknownImports::Trap,
                "--default-values-unknown-imports" => cmdline.unknown_imports = UnknownImports::DefaultValues,
                "--max-processes" => match words.next().and_then(|w| w.parse::<usize>().ok()) {
                    Some(n) if n > 0 => cmdline.max_processes = n,
                    _ => return missing(OptionName::MaxProcesses, "a positive count"),
                },
                "--max-total-memory" => match words.next().and_then(parse_size) {
                    Some(bytes) => cmdline.max_total_memory = Some(bytes),
                    None => return missing(OptionName::MaxTotalMemory, "a positive byte count (K, M or G suffix)"),
                },
                "--max-memory" => match words.next().and_then(parse_size) {
                    Some(bytes) => cmdline.max_memory = Some(bytes),
                    None => return missing(OptionName::MaxMemory, "a positive byte count (K, M or G suffix)"),
                },
                "--max-table-elements" => match words.next().and_then(|w| w.parse::<usize>().ok()) {
                    Some(n) if n > 0 => cmdline.max_table_elements = n,
                    _ => return missing(OptionName::MaxTableElements, "a positive count"),
                },
                "--max-fds" => match words.next().and_then(|w| w.parse::<usize>().ok()) {
                    Some(n) if n > 0 => cmdline.max_fds = n,
                    _ => return missing(OptionName::MaxFds, "a positive count"),
                },
                option if option.starts_with("--") => return Err(ParseError::UnknownOption(option.to_string())),
                entry => {
                    cmdline.entry = entry.to_string();
                    cmdline.args = words.map(ToString::to_string).collect();
                    return Ok(cmdline);
                }
            }
        }
    }

    /// The line that [`Cmdline::parse`] reads back as `self`, newline
    /// included; options at their defaults are left out.
    pub fn line(&self) -> Result<String, WriteError> {
        let mut words = Vec::new();
        if self.log != DEFAULT_LOG {
            words.extend(["--log".to_string(), self.log.name().to_string()]);
        }
        for (name, value) in &self.env {
            if name.is_empty() || name.contains('=') {
                return Err(WriteError::EnvName(name.clone()));
            }
            words.extend(["--env".to_string(), format!("{name}={value}")]);
        }
        if self.initrd_at != DEFAULT_INITRD_AT {
            words.extend(["--initrd-at".to_string(), self.initrd_at.clone()]);
        }
        for driver in &self.drivers {
            words.extend(["--driver".to_string(), driver.clone()]);
        }
        if let Some(input) = &self.input {
            words.extend(["--input".to_string(), input.clone()]);
        }
        if self.debug_exit {
            words.push("--debug-exit".into());
        }
        if let Some(invoke) = &self.invoke {
            words.extend(["--invoke".to_string(), invoke.clone()]);
        }
        match self.unknown_imports {
            UnknownImports::Refuse => {}
            UnknownImports::Trap => words.push("--trap-unknown-imports".into()),
            UnknownImports::DefaultValues => words.push("--default-values-unknown-imports".into()),
        }
        if self.max_processes != DEFAULT_MAX_PROCESSES {
            words.extend(["--max-processes".to_string(), self.max_processes.to_string()]);
        }
        if let Some(bytes) = self.max_total_memory {
            words.extend(["--max-total-memory".to_string(), bytes.to_string()]);
        }
        if let Some(bytes) = self.max_memory {
            words.extend(["--max-memory".to_string(), bytes.to_string()]);
        }
        if self.max_table_elements != DEFAULT_MAX_TABLE_ELEMENTS {
            words.extend(["--max-table-elements".to_string(), self.max_table_elements.to_string()]);
        }
        if self.max_fds != DEFAULT_MAX_FDS {
            words.extend(["--max-fds".to_string(), self.max_fds.to_string()]);
        }
        if self.entry.is_empty() || self.entry.starts_with("--") {
            return Err(WriteError::Entry(self.entry.clone()));
        }
        words.push(self.entry.clone());
        words.extend(self.args.iter().cloned());
        if let Some(bad) = words.iter().find(|w| w.is_empty() || w.chars().any(char::is_whitespace)) {
            return Err(WriteError::Word(bad.clone()));
        }
        Ok(words.join(" ") + "\n")
    }

    /// The options given, other than at their defaults (`--initrd-at /`
    /// is what every loader does anyway).
    pub fn options(&self) -> Vec<OptionName> {
        let given = [
            (OptionName::Log, self.log != DEFAULT_LOG),
            (OptionName::Env, !self.env.is_empty()),
            (OptionName::InitrdAt, self.initrd_at != DEFAULT_INITRD_AT),
            (OptionName::Driver, !self.drivers.is_empty()),
            (OptionName::Input, self.input.is_some()),
            (OptionName::DebugExit, self.debug_exit),
            (OptionName::Invoke, self.invoke.is_some()),
            (OptionName::TrapUnknownImports, self.unknown_imports == UnknownImports::Trap),
            (OptionName::DefaultValuesUnknownImports, self.unknown_imports == UnknownImports::DefaultValues),
            (OptionName::MaxProcesses, self.max_processes != DEFAULT_MAX_PROCESSES),
            (OptionName::MaxTotalMemory, self.max_total_memory.is_some()),
            (OptionName::MaxMemory, self.max_memory.is_some()),
            (OptionName::MaxTableElements, self.max_table_elements != DEFAULT_MAX_TABLE_ELEMENTS),
            (OptionName::MaxFds, self.max_fds != DEFAULT_MAX_FDS),
        ];
        given.into_iter().filter(|&(_, given)| given).map(|(option, _)| option).collect()
    }

    /// For efi-app: refuses the first option given that only efi-os
    /// implements, rather than ignoring it.
    pub fn efi_app_supports(&self) -> Result<(), ParseError> {
        match self.options().into_iter().find(|option| option.efi_os_only()) {
            Some(option) => Err(ParseError::EfiOsOnly(option)),
            None => Ok(()),
        }
    }

    /// The entry program, ready to spawn.
    pub fn command(&self) -> Command {
        let invoke = self.invoke.clone();
        Command { env: self.env.clone(), invoke, ..Command::new(self.entry.as_str()).args(self.args.iter().cloned()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn options_then_entry_then_arguments() {
        let cmdline = Cmdline::parse(
            "  --log info --env A=1=2 --initrd-at /data --driver kbd --driver net --input stdio --debug-exit hello x --log y\n",
        )
        .unwrap();
        assert_eq!(cmdline.drivers, ["kbd", "net"]);
        assert_eq!(cmdline.input.as_deref(), Some("stdio"));
        assert_eq!(cmdline.initrd_at, "/data");
        assert_eq!(cmdline.log, Level::Info);
        assert_eq!(cmdline.env, vec![("A".to_string(), "1=2".to_string())]);
        assert!(cmdline.debug_exit);
        assert_eq!(cmdline.entry, "hello");
        assert_eq!(cmdline.args, ["x", "--log", "y"]);
        assert_eq!(cmdline.command().args, ["hello", "x", "--log", "y"]);
        assert_eq!(cmdline.command().env, cmdline.env);
        assert_eq!(cmdline.command().invoke, None);
    }

    #[test]
    fn invoke_and_unknown_imports_as_walos_run() {
        let cmdline = Cmdline::parse("--invoke add --trap-unknown-imports lib 1 2").unwrap();
        assert_eq!(cmdline.invoke.as_deref(), Some("add"));
        assert_eq!(cmdline.unknown_imports, UnknownImports::Trap);
        assert_eq!(cmdline.command().invoke.as_deref(), Some("add"));
        assert_eq!(cmdline.command().args, ["lib", "1", "2"]);
        assert_eq!(Cmdline::parse(&cmdline.line().unwrap()), Ok(cmdline.clone()));
        assert_eq!(cmdline.efi_app_supports(), Ok(()));
        let zeros = Cmdline::parse("--default-values-unknown-imports lib").unwrap();
        assert_eq!(zeros.unknown_imports, UnknownImports::DefaultValues);
        assert_eq!(zeros.line().unwrap(), "--default-values-unknown-imports lib\n");
        assert_eq!(
            Cmdline::parse("--invoke --log lib"),
            Err(ParseError::MissingValue { option: OptionName::Invoke, needs: "a function name" })
        );
    }

    #[test]
    fn the_process_limit_as_walos_run() {
        let cmdline = Cmdline::parse("--max-processes 16 bomb spawn 64").unwrap();
        assert_eq!(cmdline.max_processes, 16);
        assert_eq!(cmdline.line().unwrap(), "--max-processes 16 bomb spawn 64\n");
        assert_eq!(cmdline.options(), [OptionName::MaxProcesses]);
        assert_eq!(cmdline.efi_app_supports(), Ok(()));
        assert_eq!(Cmdline::parse("hello").unwrap().max_processes, DEFAULT_MAX_PROCESSES);
        for bad in ["--max-processes 0 hello", "--max-processes many hello", "--max-processes"] {
            assert_eq!(
                Cmdline::parse(bad),
                Err(ParseError::MissingValue { option: OptionName::MaxProcesses, needs: "a positive count" }),
                "{bad}"
            );
        }
    }

    #[test]
    fn memory_and_table_limits_as_walos_run() {
        let cmdline = Cmdline::parse("--max-total-memory 64M --max-table-elements 500 bomb many 4 touch 64").unwrap();
        assert_eq!((cmdline.max_total_memory, cmdline.max_table_elements), (Some(64 << 20), 500));
        assert_eq!(
            cmdline.line().unwrap(),
            "--max-total-memory 67108864 --max-table-elements 500 bomb many 4 touch 64\n"
        );
        assert_eq!(cmdline.options(), [OptionName::MaxTotalMemory, OptionName::MaxTableElements]);
        assert_eq!(cmdline.efi_app_supports(), Ok(()));
        let cmdline = Cmdline::parse("--max-memory 1G --max-fds 16 hello").unwrap();
        assert_eq!((cmdline.max_memory, cmdline.max_fds), (Some(1 << 30), 16));
        assert_eq!(cmdline.line().unwrap(), "--max-memory 1073741824 --max-fds 16 hello\n");
        assert_eq!(cmdline.options(), [OptionName::MaxMemory, OptionName::MaxFds]);
        let defaults = Cmdline::parse("hello").unwrap();
        assert_eq!((defaults.max_total_memory, defaults.max_table_elements), (None, DEFAULT_MAX_TABLE_ELEMENTS));
        assert_eq!((defaults.max_memory, defaults.max_fds), (None, DEFAULT_MAX_FDS));
        assert_eq!(
            Cmdline::parse("--max-fds 0 hello"),
            Err(ParseError::MissingValue { option: OptionName::MaxFds, needs: "a positive count" })
        );
        assert_eq!(
            Cmdline::parse("--max-total-memory 0 hello").unwrap_err().to_string(),
            "kernel command line: `--max-total-memory` needs a positive byte count (K, M or G suffix)"
        );
        assert_eq!(
            Cmdline::parse("--max-table-elements -3 hello"),
            Err(ParseError::MissingValue { option: OptionName::MaxTableElements, needs: "a positive count" })
        );
    }

    #[test]
    fn defaults() {
        let cmdline = Cmdline::parse("hello").unwrap();
        assert_eq!(cmdline, Cmdline::new("hello"));
        assert_eq!(
            (cmdline.log, cmdline.debug_exit, cmdline.env.len(), cmdline.args.len()),
            (Level::Warn, false, 0, 0)
        );
        assert_eq!(cmdline.initrd_at, "/");
        assert_eq!((cmdline.drivers.len(), cmdline.input.as_deref()), (0, None));
        assert_eq!(cmdline.options(), []);
    }

    #[test]
    fn errors_name_the_problem() {
        let message = |line| Cmdline::parse(line).unwrap_err().to_string();
        assert_eq!(message(""), "kernel command line: no entry program given");
        assert_eq!(message("--log"), "kernel command line: `--log` needs a level");
        assert_eq!(message("--env A hello"), "kernel command line: `--env` needs NAME=VALUE");
        assert_eq!(message("--initrd-at data hello"), "kernel command line: `--initrd-at` needs an absolute path");
        assert_eq!(message("--initrd-at"), "kernel command line: `--initrd-at` needs an absolute path");
        assert_eq!(message("--driver"), "kernel command line: `--driver` needs a service name");
        assert_eq!(message("--input --debug-exit hello"), "kernel command line: `--input` needs an interface name");
        assert_eq!(message("--fast hello"), "kernel command line: unknown option `--fast`");
        assert_eq!(
            message("--log loud hello"),
            "kernel command line: --log: unknown log level `loud` (expected emerg, alert, crit, err, warn, notice, \
             info, debug or 0-7)"
        );
        assert_eq!(ParseError::NotUtf8.to_string(), "kernel command line: not UTF-8");
    }

    #[test]
    fn lines() {
        let mut cmdline = Cmdline::new("hello");
        assert_eq!(cmdline.line().unwrap(), "hello\n");
        cmdline.log = Level::Info;
        cmdline.env.push(("A".into(), "1=2".into()));
        cmdline.initrd_at = "/data".into();
        cmdline.debug_exit = true;
        cmdline.drivers = vec!["ps2kbd".into()];
        cmdline.input = Some("stdio".into());
        cmdline.args = vec!["x".into(), "--log".into()];
        assert_eq!(
            cmdline.line().unwrap(),
            "--log info --env A=1=2 --initrd-at /data --driver ps2kbd --input stdio --debug-exit hello x --log\n"
        );
        cmdline.args.push("two words".into());
        assert_eq!(
            cmdline.line().unwrap_err().to_string(),
            "`two words` cannot go on the kernel command line: words are separated by white space, without quoting"
        );
        assert_eq!(Cmdline::new("--x").line().unwrap_err().to_string(), "`--x` cannot be an entry program name");
        let mut bad_env = Cmdline::new("hello");
        bad_env.env.push(("A=B".into(), "1".into()));
        assert_eq!(
            bad_env.line().unwrap_err().to_string(),
            "environment variable name `A=B`: it must be non-empty, without `=`"
        );
    }

    #[test]
    fn what_is_written_is_read_back() {
        let mut full = Cmdline::new("hello-wasi");
        full.log = Level::Debug;
        full.env = vec![("NAME".into(), "walos".into()), ("EMPTY".into(), String::new())];
        full.initrd_at = "/data".into();
        full.drivers = vec!["ps2kbd".into(), "net".into()];
        full.input = Some("stdio".into());
        full.debug_exit = true;
        full.args = vec!["--log".into(), "x".into(), "--debug-exit".into()];
        let mut every_level: Vec<Cmdline> =
            Level::ALL.into_iter().map(|level| Cmdline { log: level, ..Cmdline::new("e") }).collect();
        every_level.extend([Cmdline::new("hello"), full]);
        for cmdline in every_level {
            let line = cmdline.line().unwrap();
            assert_eq!(Cmdline::parse(&line), Ok(cmdline), "{line}");
        }
    }

    #[test]
    fn efi_app_refuses_the_options_of_efi_os() {
        let efi_app = |line| Cmdline::parse(line).unwrap().efi_app_supports().map_err(|err| err.to_string());
        assert_eq!(efi_app("--log info --env A=1 --debug-exit hello x"), Ok(()));
        // The default place is what efi-app does.
        assert_eq!(efi_app("--initrd-at / hello"), Ok(()));
        assert_eq!(
            efi_app("--debug-exit --driver ps2kbd hello"),
            Err("kernel command line: `--driver` is an efi-os option: the efi-app loader does not support it".into())
        );
        assert_eq!(
            efi_app("--input stdio hello"),
            Err("kernel command line: `--input` is an efi-os option: the efi-app loader does not support it".into())
        );
        assert_eq!(
            efi_app("--initrd-at /data hello"),
            Err("kernel command line: `--initrd-at` is an efi-os option: the efi-app loader does not support it".into())
        );
        let every = "--log info --env A=1 --initrd-at /d --driver k --input stdio --debug-exit hello";
        let options = Cmdline::parse(every).unwrap().options();
        assert_eq!(
            options,
            [
                OptionName::Log,
                OptionName::Env,
                OptionName::InitrdAt,
                OptionName::Driver,
                OptionName::Input,
                OptionName::DebugExit
            ]
        );
        let words: Vec<_> = options.iter().map(|option| option.word()).collect();
        assert_eq!(words, ["--log", "--env", "--initrd-at", "--driver", "--input", "--debug-exit"]);
    }
}
