//! Command lines: words separated by blanks, and a final `&` for the
//! background.
//!
//! Quoting follows the POSIX shell: `'a b'` is one word, taken as is;
//! `"a b"` too, where a backslash escapes `"` and `\\` only; outside
//! quotes a backslash takes the next character literally (`a\ b`, `\&`).
//! Quotes join what touches them (`x"a b"y` is `xa by`); `""` is an empty
//! word.

use std::fmt;

/// One parsed command line.
#[derive(Debug, PartialEq, Eq)]
pub struct Command {
    /// The command or program name, then its arguments.
    pub words: Vec<String>,
    /// Ended with `&`: run without waiting.
    pub background: bool,
}

/// Why a line could not be parsed.
#[derive(Debug, PartialEq, Eq)]
pub enum ParseError {
    /// A quote (`'` or `"`) was opened and not closed.
    UnclosedQuote(char),
    /// The line ends with a backslash: nothing to escape.
    TrailingBackslash,
    /// Something follows the `&`.
    AfterAmpersand,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::UnclosedQuote(quote) => write!(f, "unclosed quote `{quote}`"),
            ParseError::TrailingBackslash => f.write_str("nothing after the final `\\` to escape"),
            ParseError::AfterAmpersand => f.write_str("`&` must end the line"),
        }
    }
}

/// Splits `line`; `Ok(None)` for a blank line.
pub fn parse(line: &str) -> Result<Option<Command>, ParseError> {
    let mut words = Vec::new();
    // The word being read, if one started (`""` starts an empty one).
    let mut word: Option<String> = None;
    let mut background = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if background && !c.is_whitespace() {
            return Err(ParseError::AfterAmpersand);
        }
        match c {
            c if c.is_whitespace() => words.extend(word.take()),
            '&' => {
                words.extend(word.take());
                background = true;
            }
            '\\' => word.get_or_insert_default().push(chars.next().ok_or(ParseError::TrailingBackslash)?),
            '\'' => {
                let word = word.get_or_insert_default();
                loop {
                    match chars.next().ok_or(ParseError::UnclosedQuote('\''))? {
                        '\'' => break,
                        c => word.push(c),
                    }
                }
            }
            '"' => {
                let word = word.get_or_insert_default();
                loop {
                    match chars.next().ok_or(ParseError::UnclosedQuote('"'))? {
                        '"' => break,
                        '\\' => match chars.next().ok_or(ParseError::UnclosedQuote('"'))? {
                            c @ ('"' | '\\') => word.push(c),
                            c => {
                                word.push('\\');
                                word.push(c);
                            }
                        },
                        c => word.push(c),
                    }
                }
            }
            c => word.get_or_insert_default().push(c),
        }
    }
    words.extend(word);
    Ok((!words.is_empty() || background).then_some(Command { words, background }))
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

    fn words(line: &str) -> (Vec<String>, bool) {
        let command = parse(line).unwrap().unwrap();
        (command.words, command.background)
    }

    #[test]
    fn words_and_background() {
        assert_eq!(words("  run  hello a b "), (vec!["run".into(), "hello".into(), "a".into(), "b".into()], false));
        assert_eq!(words("sleep 9&"), (vec!["sleep".into(), "9".into()], true));
        assert_eq!(words("sleep 9 & "), (vec!["sleep".into(), "9".into()], true));
        assert_eq!(words("&"), (vec![], true));
        assert_eq!(parse(" \t "), Ok(None));
    }

    #[test]
    fn quotes_and_backslashes_make_one_word() {
        let (words, background) = words(r#"echo "a b" 'c  d' e\ f x"1"'2'y "" '\n' "\"\\\n" \&"#);
        assert!(!background);
        assert_eq!(words, ["echo", "a b", "c  d", "e f", "x12y", "", "\\n", "\"\\\\n", "&"]);
        assert!(!parse("a '&'").unwrap().unwrap().background);
    }

    #[test]
    fn unfinished_quotes_and_escapes_are_errors() {
        assert_eq!(parse("echo 'a b"), Err(ParseError::UnclosedQuote('\'')));
        assert_eq!(parse("echo \"a\\\""), Err(ParseError::UnclosedQuote('"')));
        assert_eq!(parse("echo a\\"), Err(ParseError::TrailingBackslash));
        assert_eq!(parse("sleep 1 & ls"), Err(ParseError::AfterAmpersand));
        assert_eq!(ParseError::UnclosedQuote('"').to_string(), "unclosed quote `\"`");
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
