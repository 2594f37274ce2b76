//! Byte counts as a command line gives them (`--max-total-memory 64M`),
//! parsed the same by `walos run` and the UEFI kernel command line.

/// `N`, `NK`, `NM` or `NG`: bytes, KiB, MiB or GiB (the suffix in either
/// case); `None` for anything else, zero or a count past `usize`.
pub fn parse_size(text: &str) -> Option<usize> {
    let (digits, shift) = match text.as_bytes().last()?.to_ascii_uppercase() {
        b'K' => (&text[..text.len() - 1], 10),
        b'M' => (&text[..text.len() - 1], 20),
        b'G' => (&text[..text.len() - 1], 30),
        _ => (text, 0),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let count: usize = digits.parse().ok()?;
    let bytes = count.checked_mul(1 << shift)?;
    (bytes > 0).then_some(bytes)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_with_and_without_a_suffix() {
        assert_eq!(parse_size("4096"), Some(4096));
        assert_eq!(parse_size("64k"), Some(64 << 10));
        assert_eq!(parse_size("64M"), Some(64 << 20));
        assert_eq!(parse_size("2G"), Some(2 << 30));
        for bad in ["", "M", "0", "0M", "-1", "+5", "1.5G", "12T", "99999999999999999999", "17179869184G"] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }
}
