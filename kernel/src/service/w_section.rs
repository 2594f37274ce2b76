//! The `w` custom section: how a service's parameters cross memories.
//!
//! Parsed by hand: the kernel only needs to walk the section headers and
//! read a few LEB128 numbers, which does not justify a parser dependency in
//! the `no_std` kernel. The format is documented in `docs/services.md`.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use walos_engine::FuncType;

use crate::binary::reader::{self, SectionError};

/// The function a `w` entry describes, as errors name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WEntry {
    /// The interface: the module name of the import it describes.
    pub module: String,
    /// The function's name in that interface.
    pub name: String,
}

impl fmt::Display for WEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`w` entry `{}.{}`", self.module, self.name)
    }
}

/// Why a service's `w` section is refused (the service is not loaded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WSectionError {
    /// The section (or the module around it) is malformed.
    Malformed(SectionError),
    /// A kind the format defines but walos does not copy yet (1: pointer to
    /// one value, 3: vector of pointers).
    UnsupportedKind {
        /// The entry with that kind.
        entry: WEntry,
        /// The kind's code.
        code: i8,
    },
    /// A kind code the format does not define.
    UnknownKind {
        /// The entry with that code.
        entry: WEntry,
        /// The code.
        code: i8,
    },
    /// The entry has not one kind per parameter of the function.
    KindCount {
        /// The entry.
        entry: WEntry,
        /// Its number of kinds.
        kinds: usize,
        /// The function's number of parameters.
        params: usize,
    },
    /// A buffer pointer is not followed by its length.
    BufferWithoutLength {
        /// The entry.
        entry: WEntry,
        /// The buffer's parameter, from 0.
        param: usize,
    },
    /// A length follows no buffer pointer.
    LengthWithoutBuffer {
        /// The entry.
        entry: WEntry,
        /// The length's parameter, from 0.
        param: usize,
    },
    /// A pointer or a length is not an `i32` parameter.
    NotI32 {
        /// The entry.
        entry: WEntry,
        /// The parameter, from 0.
        param: usize,
    },
    /// The service exports no function the entry could describe.
    NoExport {
        /// The entry.
        entry: WEntry,
    },
}

impl fmt::Display for WSectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WSectionError::Malformed(error) => write!(f, "malformed `w` section: {error}"),
            WSectionError::UnsupportedKind { entry, code } => write!(f, "{entry}: kind {code} is not supported yet"),
            WSectionError::UnknownKind { entry, code } => write!(f, "{entry}: unknown kind {code}"),
            WSectionError::KindCount { entry, kinds, params } => {
                write!(f, "{entry} has {kinds} kinds for {params} parameters")
            }
            WSectionError::BufferWithoutLength { entry, param } => {
                write!(f, "{entry}: parameter {param} is a buffer not followed by a length (-5)")
            }
            WSectionError::LengthWithoutBuffer { entry, param } => {
                write!(f, "{entry}: parameter {param} is a length (-5) after no buffer")
            }
            WSectionError::NotI32 { entry, param } => {
                write!(f, "{entry}: parameter {param} is a pointer or length but not an i32")
            }
            WSectionError::NoExport { entry } => write!(f, "{entry} describes no exported function"),
        }
    }
}

impl core::error::Error for WSectionError {}

impl From<SectionError> for WSectionError {
    fn from(error: SectionError) -> Self {
        WSectionError::Malformed(error)
    }
}

/// How one parameter of a service function crosses memories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A number, passed as is (`w` codes 0, -1 .. -4).
    Flat,
    /// The length or count belonging to the buffer parameter before it
    /// (`w` code -5); rewritten together with it.
    Len,
    /// A byte array (pointer, length follows), copied into the provider
    /// (`w` code 2).
    BytesIn,
    /// A byte array the provider fills, copied back to the caller after the
    /// call (`w` code 6, a walos addition).
    BytesOut,
    /// A byte array copied into the provider and back after the call (`w`
    /// code 7, a walos addition).
    BytesInOut,
    /// A const iovec array (pointer, count follows): every buffer is copied
    /// into the provider (`w` code 4).
    IovecsIn,
    /// A mutable iovec array (pointer, count follows): every buffer is
    /// copied back to the caller after the call (`w` code 5).
    IovecsOut,
}

impl ParamKind {
    /// The kind of a `w` code of `entry`.
    fn from_code(code: i8, entry: &WEntry) -> Result<ParamKind, WSectionError> {
        Ok(match code {
            -5 => ParamKind::Len,
            -4..=0 => ParamKind::Flat,
            2 => ParamKind::BytesIn,
            4 => ParamKind::IovecsIn,
            5 => ParamKind::IovecsOut,
            6 => ParamKind::BytesOut,
            7 => ParamKind::BytesInOut,
            1 | 3 => return Err(WSectionError::UnsupportedKind { entry: entry.clone(), code }),
            _ => return Err(WSectionError::UnknownKind { entry: entry.clone(), code }),
        })
    }

    /// Whether the parameter is a pointer whose length or count follows.
    pub fn is_buffer(self) -> bool {
        matches!(
            self,
            ParamKind::BytesIn
                | ParamKind::BytesOut
                | ParamKind::BytesInOut
                | ParamKind::IovecsIn
                | ParamKind::IovecsOut
        )
    }
}

/// One `signdesc` of the section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigDesc {
    /// The interface of the function described.
    pub module: String,
    /// The function's name.
    pub name: String,
    /// How each of its parameters crosses.
    pub kinds: Vec<ParamKind>,
}

impl SigDesc {
    /// The entry, as errors name it.
    pub fn entry(&self) -> WEntry {
        WEntry { module: self.module.clone(), name: self.name.clone() }
    }

    /// Whether it describes the import `(module, name)`.
    pub fn describes(&self, module: &str, name: &str) -> bool {
        self.module == module && self.name == name
    }

    /// Checks the kinds against the function's type: one per parameter, and
    /// every buffer pointer followed by its length.
    pub fn check(&self, ty: &FuncType) -> Result<(), WSectionError> {
        let entry = || self.entry();
        if self.kinds.len() != ty.params.len() {
            return Err(WSectionError::KindCount { entry: entry(), kinds: self.kinds.len(), params: ty.params.len() });
        }
        for (param, kind) in self.kinds.iter().enumerate() {
            let follows_buffer = param > 0 && self.kinds[param - 1].is_buffer();
            if kind.is_buffer() && !matches!(self.kinds.get(param + 1), Some(ParamKind::Len)) {
                return Err(WSectionError::BufferWithoutLength { entry: entry(), param });
            }
            if *kind == ParamKind::Len && !follows_buffer {
                return Err(WSectionError::LengthWithoutBuffer { entry: entry(), param });
            }
            if (kind.is_buffer() || *kind == ParamKind::Len) && ty.params[param] != walos_engine::ValType::I32 {
                return Err(WSectionError::NotI32 { entry: entry(), param });
            }
        }
        Ok(())
    }
}

/// The `w` section of a (validated) module; empty if it has none.
pub fn parse(wasm: &[u8]) -> Result<Vec<SigDesc>, WSectionError> {
    let mut descs = Vec::new();
    for section in reader::sections(wasm) {
        let (id, mut section) = section?;
        if id != 0 || section.name()? != "w" {
            continue;
        }
        let count = section.u32()?;
        for _ in 0..count {
            let entry = WEntry { module: section.name()?, name: section.name()? };
            let len = section.u32()? as usize;
            let codes = section.take(len)?;
            let kinds = codes.iter().map(|&code| ParamKind::from_code(code as i8, &entry)).collect::<Result<_, _>>()?;
            descs.push(SigDesc { module: entry.module, name: entry.name, kinds });
        }
    }
    Ok(descs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;
    use walos_engine::ValType::I32;

    fn module_with_w(payload: &[u8]) -> Vec<u8> {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        let mut section = vec![1, b'w'];
        section.extend_from_slice(payload);
        wasm.push(0);
        wasm.push(section.len() as u8);
        wasm.extend(section);
        wasm
    }

    #[test]
    fn entries_are_read() {
        let wasm = module_with_w(&[1, 3, b'l', b'i', b'b', 3, b'c', b'a', b't', 3, 2, 0xfb, 0xff]);
        let descs = parse(&wasm).unwrap();
        assert_eq!(
            descs,
            [SigDesc {
                module: "lib".into(),
                name: "cat".into(),
                kinds: vec![ParamKind::BytesIn, ParamKind::Len, ParamKind::Flat]
            }]
        );
        assert_eq!(descs[0].check(&FuncType::new(vec![I32, I32, I32], vec![I32])), Ok(()));
        assert_eq!(
            descs[0].check(&FuncType::new(vec![I32, I32], vec![])).unwrap_err().to_string(),
            "`w` entry `lib.cat` has 3 kinds for 2 parameters"
        );
    }

    #[test]
    fn bad_sections_are_errors_not_panics() {
        assert_eq!(parse(&module_with_w(&[1, 3, b'l'])).unwrap_err().to_string(), "malformed `w` section: truncated");
        assert_eq!(parse(&module_with_w(&[1, 0, 0, 1, 9])).unwrap_err().to_string(), "`w` entry `.`: unknown kind 9");
        assert_eq!(parse(b"\0asm\x01\0\0\0").unwrap(), []);
        let lonely =
            SigDesc { module: "a".into(), name: "b".into(), kinds: vec![ParamKind::BytesOut, ParamKind::Flat] };
        let error = lonely.check(&FuncType::new(vec![I32, I32], vec![])).unwrap_err();
        assert!(error.to_string().contains("not followed by a length"), "{error}");
    }
}
