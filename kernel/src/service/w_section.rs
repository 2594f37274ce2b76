//! The `w` custom section: how a service's parameters cross memories.
//!
//! Parsed by hand: the kernel only needs to walk the section headers and
//! read a few LEB128 numbers, which does not justify a parser dependency in
//! the `no_std` kernel. The format is documented in `docs/services.md`.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use walos_engine::FuncType;

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
    fn from_code(code: i8) -> Result<ParamKind, String> {
        Ok(match code {
            -5 => ParamKind::Len,
            -4..=0 => ParamKind::Flat,
            2 => ParamKind::BytesIn,
            4 => ParamKind::IovecsIn,
            5 => ParamKind::IovecsOut,
            6 => ParamKind::BytesOut,
            7 => ParamKind::BytesInOut,
            1 | 3 => return Err(format!("kind {code} is not supported yet")),
            _ => return Err(format!("unknown kind {code}")),
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
    pub module: String,
    pub name: String,
    pub kinds: Vec<ParamKind>,
}

impl SigDesc {
    /// Whether it describes the import `(module, name)`.
    pub fn describes(&self, module: &str, name: &str) -> bool {
        self.module == module && self.name == name
    }

    /// Checks the kinds against the function's type: one per parameter, and
    /// every buffer pointer followed by its length.
    pub fn check(&self, ty: &FuncType) -> Result<(), String> {
        let what = format!("`w` entry `{}.{}`", self.module, self.name);
        if self.kinds.len() != ty.params.len() {
            return Err(format!("{what} has {} kinds for {} parameters", self.kinds.len(), ty.params.len()));
        }
        for (i, kind) in self.kinds.iter().enumerate() {
            let follows_buffer = i > 0 && self.kinds[i - 1].is_buffer();
            if kind.is_buffer() && !matches!(self.kinds.get(i + 1), Some(ParamKind::Len)) {
                return Err(format!("{what}: parameter {i} is a buffer not followed by a length (-5)"));
            }
            if *kind == ParamKind::Len && !follows_buffer {
                return Err(format!("{what}: parameter {i} is a length (-5) after no buffer"));
            }
            if (kind.is_buffer() || *kind == ParamKind::Len) && ty.params[i] != walos_engine::ValType::I32 {
                return Err(format!("{what}: parameter {i} is a pointer or length but not an i32"));
            }
        }
        Ok(())
    }
}

/// The `w` section of a (validated) module; empty if it has none.
pub fn parse(wasm: &[u8]) -> Result<Vec<SigDesc>, String> {
    let mut descs = Vec::new();
    for section in super::reader::sections(wasm) {
        let (id, mut section) = section?;
        if id != 0 || section.name()? != "w" {
            continue;
        }
        let count = section.u32()?;
        for _ in 0..count {
            let (module, name) = (section.name()?, section.name()?);
            let len = section.u32()? as usize;
            let kinds =
                section.take(len)?.iter().map(|&code| ParamKind::from_code(code as i8)).collect::<Result<_, _>>();
            let kinds = kinds.map_err(|e| format!("`w` entry `{module}.{name}`: {e}"))?;
            descs.push(SigDesc { module, name, kinds });
        }
    }
    Ok(descs)
}

#[cfg(test)]
mod tests {
    use super::*;
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
            descs[0].check(&FuncType::new(vec![I32, I32], vec![])).unwrap_err(),
            "`w` entry `lib.cat` has 3 kinds for 2 parameters"
        );
    }

    #[test]
    fn bad_sections_are_errors_not_panics() {
        assert_eq!(parse(&module_with_w(&[1, 3, b'l'])).unwrap_err(), "truncated");
        assert_eq!(parse(&module_with_w(&[1, 0, 0, 1, 9])).unwrap_err(), "`w` entry `.`: unknown kind 9");
        assert_eq!(parse(b"\0asm\x01\0\0\0").unwrap(), []);
        let lonely =
            SigDesc { module: "a".into(), name: "b".into(), kinds: vec![ParamKind::BytesOut, ParamKind::Flat] };
        assert!(lonely.check(&FuncType::new(vec![I32, I32], vec![])).unwrap_err().contains("not followed by a length"));
    }
}
