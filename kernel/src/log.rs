//! The kernel's leveled logger.
//!
//! walos logs with the eight syslog levels because the native `sys.log`
//! interface (inherited from the original walos) takes them; the `log` crate
//! has five. Every line names who logged it: `kernel` or a process name.

use alloc::string::String;
use core::fmt::{self, Write};
use core::str::FromStr;

/// A log level, most severe first (syslog order: 0 emerg .. 7 debug).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Level {
    /// The system is unusable.
    Emerg = 0,
    /// Action must be taken at once.
    Alert = 1,
    /// A critical condition.
    Crit = 2,
    /// An error: a process trapped, a service failed.
    Err = 3,
    /// Something went wrong but nothing failed because of it.
    Warn = 4,
    /// Normal but significant.
    Notice = 5,
    /// What the kernel does: processes starting and ending, services loading.
    Info = 6,
    /// The most detail: every host call, `strace` style.
    Debug = 7,
}

impl Level {
    /// Every level, most severe first: indexed by syslog number.
    pub const ALL: [Level; 8] =
        [Level::Emerg, Level::Alert, Level::Crit, Level::Err, Level::Warn, Level::Notice, Level::Info, Level::Debug];

    /// The level with this syslog number; anything above 7 is `Debug`.
    pub fn from_number(n: u32) -> Level {
        Level::ALL.get(n as usize).copied().unwrap_or(Level::Debug)
    }

    /// The level's name as logs show it (`warn`).
    pub fn name(self) -> &'static str {
        match self {
            Level::Emerg => "emerg",
            Level::Alert => "alert",
            Level::Crit => "crit",
            Level::Err => "err",
            Level::Warn => "warn",
            Level::Notice => "notice",
            Level::Info => "info",
            Level::Debug => "debug",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// A level name that is none of the known ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseLevelError(pub String);

impl fmt::Display for ParseLevelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown log level `{}` (expected emerg, alert, crit, err, warn, notice, info, debug or 0-7)", self.0)
    }
}

impl core::error::Error for ParseLevelError {}

impl FromStr for Level {
    type Err = ParseLevelError;

    /// Accepts the names, their common spellings (`error`, `warning`) and the
    /// numbers 0 to 7.
    fn from_str(s: &str) -> Result<Level, ParseLevelError> {
        let lower = s.trim().to_ascii_lowercase();
        let level = match lower.as_str() {
            "emerg" | "emergency" | "0" => Level::Emerg,
            "alert" | "1" => Level::Alert,
            "crit" | "critical" | "2" => Level::Crit,
            "err" | "error" | "3" => Level::Err,
            "warn" | "warning" | "4" => Level::Warn,
            "notice" | "5" => Level::Notice,
            "info" | "6" => Level::Info,
            "debug" | "7" => Level::Debug,
            _ => return Err(ParseLevelError(s.into())),
        };
        Ok(level)
    }
}

/// Filters and formats log lines; the loader decides where they go.
#[derive(Debug, Clone)]
pub(crate) struct Logger {
    level: Level,
    /// Monotonic time of boot: lines carry the time since then.
    boot_ns: u64,
}

impl Logger {
    pub fn new(level: Level, boot_ns: u64) -> Self {
        Logger { level, boot_ns }
    }

    /// Shows lines up to `level` from now on (`sys.set_log_level`).
    pub fn set_level(&mut self, level: Level) {
        self.level = level;
    }

    pub fn enabled(&self, level: Level) -> bool {
        level <= self.level
    }

    /// `[   1.234567] warn   hello: message`
    pub fn format(&self, now_ns: u64, level: Level, who: &str, args: fmt::Arguments<'_>) -> String {
        let since = now_ns.saturating_sub(self.boot_ns);
        let mut line = String::new();
        let _ = write!(
            line,
            "[{:>4}.{:06}] {:<6} {who}: {args}",
            since / 1_000_000_000,
            since % 1_000_000_000 / 1_000,
            level
        );
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn levels_parse_from_names_and_numbers() {
        assert_eq!("warn".parse(), Ok(Level::Warn));
        assert_eq!("WARNING".parse(), Ok(Level::Warn));
        assert_eq!("error".parse(), Ok(Level::Err));
        assert_eq!("7".parse(), Ok(Level::Debug));
        let err = "loud".parse::<Level>().unwrap_err();
        assert!(err.to_string().starts_with("unknown log level `loud`"));
    }

    #[test]
    fn numbers_above_debug_are_debug() {
        assert_eq!(Level::from_number(0), Level::Emerg);
        assert_eq!(Level::from_number(3), Level::Err);
        assert_eq!(Level::from_number(99), Level::Debug);
    }

    #[test]
    fn lines_carry_time_level_and_name() {
        let logger = Logger::new(Level::Info, 1_000);
        let line = logger.format(2_500_001_000, Level::Warn, "hello", format_args!("x={}", 1));
        assert_eq!(line, "[   2.500000] warn   hello: x=1");
        assert!(logger.enabled(Level::Info));
        assert!(!logger.enabled(Level::Debug));
    }
}
