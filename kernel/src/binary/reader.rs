//! Walking a wasm module's sections by hand.
//!
//! The kernel only needs section headers, names and a few LEB128 numbers
//! (the `w` section, the export names of the store's modules, the start
//! section), which does not justify a parser dependency in the `no_std`
//! kernel. Modules read
//! here may be invalid: every read is checked.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Why a module's sections could not be walked: it is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionError {
    /// A LEB128 number runs past the end of its bytes.
    TruncatedNumber,
    /// A LEB128 number is longer than a `u32`'s five bytes.
    NumberTooLong,
    /// A section, a name or an entry runs past the end of its bytes.
    Truncated,
    /// A name is not UTF-8.
    NameNotUtf8,
}

impl fmt::Display for SectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SectionError::TruncatedNumber => "truncated number",
            SectionError::NumberTooLong => "number too long",
            SectionError::Truncated => "truncated",
            SectionError::NameNotUtf8 => "a name is not UTF-8",
        })
    }
}

impl core::error::Error for SectionError {}

/// A reader of LEB128 numbers and names, never reading past its bytes.
pub(crate) struct Reader<'a> {
    pub bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    /// An unsigned LEB128 number.
    pub fn u32(&mut self) -> Result<u32, SectionError> {
        let mut value: u32 = 0;
        for shift in (0..35).step_by(7) {
            let (&byte, rest) = self.bytes.split_first().ok_or(SectionError::TruncatedNumber)?;
            self.bytes = rest;
            value |= u32::from(byte & 0x7f).checked_shl(shift).unwrap_or(0);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(SectionError::NumberTooLong)
    }

    /// The next `len` bytes.
    pub fn take(&mut self, len: usize) -> Result<&'a [u8], SectionError> {
        if len > self.bytes.len() {
            return Err(SectionError::Truncated);
        }
        let (taken, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        Ok(taken)
    }

    /// A name: its length, then its UTF-8 bytes.
    pub fn name(&mut self) -> Result<String, SectionError> {
        let len = self.u32()? as usize;
        let bytes = self.take(len)?;
        core::str::from_utf8(bytes).map(String::from).map_err(|_| SectionError::NameNotUtf8)
    }
}

/// The id of the export section.
pub(crate) const EXPORT_SECTION: u8 = 7;

/// The sections of `wasm` as (id, contents), after the 8-byte header; an
/// error ends the walk.
pub(crate) fn sections(wasm: &[u8]) -> impl Iterator<Item = Result<(u8, Reader<'_>), SectionError>> {
    let mut module = Reader { bytes: wasm.get(8..).unwrap_or_default() };
    let mut failed = false;
    core::iter::from_fn(move || {
        if failed || module.bytes.is_empty() {
            return None;
        }
        let section = (|| {
            let id = module.take(1)?[0];
            let size = module.u32()? as usize;
            Ok((id, Reader { bytes: module.take(size)? }))
        })();
        failed = section.is_err();
        Some(section)
    })
}

/// The names of the functions `wasm` exports; an error if the export
/// section is malformed.
pub fn function_exports(wasm: &[u8]) -> Result<Vec<String>, SectionError> {
    const FUNC: u8 = 0;
    let mut names = Vec::new();
    for section in sections(wasm) {
        let (id, mut section) = section?;
        if id != EXPORT_SECTION {
            continue;
        }
        for _ in 0..section.u32()? {
            let name = section.name()?;
            let kind = section.take(1)?[0];
            section.u32()?;
            if kind == FUNC {
                names.push(name);
            }
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn function_exports_are_listed() {
        // (export "hw:key_read" (func 0)) (export "mem" (memory 0))
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        let mut exports = alloc::vec![2, 11];
        exports.extend(b"hw:key_read");
        exports.extend([0, 0, 3]);
        exports.extend(b"mem");
        exports.extend([2, 0]);
        wasm.extend([7, exports.len() as u8]);
        wasm.extend(&exports);
        assert_eq!(function_exports(&wasm).unwrap(), ["hw:key_read"]);
        wasm.truncate(wasm.len() - 3);
        assert_eq!(function_exports(&wasm).unwrap_err().to_string(), "truncated");
        assert_eq!(function_exports(b"junk").unwrap(), alloc::vec::Vec::<String>::new());
    }
}
