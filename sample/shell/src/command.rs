//! Command lines: words separated by blanks, and a final `&` for the
//! background. There is no quoting: arguments cannot hold blanks.

/// One parsed command line.
#[derive(Debug, PartialEq, Eq)]
pub struct Command<'a> {
    /// The command or program name, then its arguments.
    pub words: Vec<&'a str>,
    /// Ended with `&`: run without waiting.
    pub background: bool,
}

/// Splits `line`; `None` for a blank line.
pub fn parse(line: &str) -> Option<Command<'_>> {
    let line = line.trim();
    let (line, background) = match line.strip_suffix('&') {
        Some(rest) => (rest, true),
        None => (line, false),
    };
    let words: Vec<&str> = line.split_whitespace().collect();
    (!words.is_empty() || background).then_some(Command { words, background })
}

/// A log level by name (`warn`) or number (`4`), as `sys.set_log_level`
/// takes it.
pub fn log_level(word: &str) -> Option<u32> {
    const NAMES: [&str; 8] = ["emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"];
    if let Ok(level) = word.parse::<u32>() {
        return (level < 8).then_some(level);
    }
    let word = word.to_ascii_lowercase();
    let word = match word.as_str() {
        "error" => "err",
        "warning" => "warn",
        other => other,
    };
    NAMES.iter().position(|name| *name == word).map(|level| level as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_background() {
        assert_eq!(
            parse("  run  hello a b "),
            Some(Command { words: vec!["run", "hello", "a", "b"], background: false })
        );
        assert_eq!(parse("sleep 9&"), Some(Command { words: vec!["sleep", "9"], background: true }));
        assert_eq!(parse("sleep 9 &"), Some(Command { words: vec!["sleep", "9"], background: true }));
        assert_eq!(parse("&"), Some(Command { words: vec![], background: true }));
        assert_eq!(parse(" \t "), None);
    }

    #[test]
    fn levels_by_name_or_number() {
        assert_eq!(log_level("info"), Some(6));
        assert_eq!(log_level("WARNING"), Some(4));
        assert_eq!(log_level("0"), Some(0));
        assert_eq!(log_level("8"), None);
        assert_eq!(log_level("loud"), None);
    }
}
