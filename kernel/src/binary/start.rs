//! A program's start function, run as its first call instead of during
//! instantiation.
//!
//! An engine runs a module's start function inside instantiation, which
//! cannot be suspended: a start function that loops would hold the kernel
//! until its budget is spent while no other process runs. So before a
//! program is compiled, the kernel takes out its start section and exports
//! the start function as [`START_EXPORT`]; the process then calls it first,
//! in slices like any other call, preempted, able to block and to be
//! killed. Its failure is the process's, as a failing static constructor is
//! on Linux: the spawn itself succeeds.

use alloc::vec::Vec;

use super::reader::{EXPORT_SECTION, Reader, sections};

/// The export under which a program's start function is called: walos keeps
/// the name, and refuses a module that exports it itself.
pub const START_EXPORT: &str = "walos:start";

const START_SECTION: u8 = 8;
const HEADER: &[u8; 8] = b"\0asm\x01\0\0\0";

/// `wasm` with its start function exported as [`START_EXPORT`] instead of
/// run at instantiation; `None` if it has no start section, or is not a
/// well-formed core module (the engine then says what is wrong with it).
///
/// # Errors
/// The module exports [`START_EXPORT`] itself.
pub fn defer_start(wasm: &[u8]) -> Result<Option<Vec<u8>>, &'static str> {
    let Some(layout) = layout(wasm) else { return Ok(None) };
    if layout.reserved {
        return Err("it exports `walos:start`, a name walos keeps for start functions");
    }
    let Some(function) = layout.start else { return Ok(None) };
    let mut out = Vec::with_capacity(wasm.len() + START_EXPORT.len() + 16);
    out.extend_from_slice(HEADER);
    let entry = export_entry(function);
    for (id, contents) in layout.sections {
        let written = match (id, layout.exports) {
            // The export section comes just before the start section.
            (START_SECTION, None) => exports_with(&mut out, (0, &[]), &entry),
            (EXPORT_SECTION, Some(exports)) => exports_with(&mut out, exports, &entry),
            (START_SECTION, Some(_)) => Some(()),
            _ => section(&mut out, id, contents),
        };
        let Some(()) = written else { return Ok(None) };
    }
    Ok(Some(out))
}

/// What [`defer_start`] needs to know of a module.
struct Layout<'a> {
    /// Every section: its id and contents.
    sections: Vec<(u8, &'a [u8])>,
    /// The start section's function.
    start: Option<u32>,
    /// The export section's count and entries.
    exports: Option<(u32, &'a [u8])>,
    /// Whether a function is exported as [`START_EXPORT`] already.
    reserved: bool,
}

/// The sections of `wasm`; `None` if it is not a core module or a section
/// it reads is malformed.
fn layout(wasm: &[u8]) -> Option<Layout<'_>> {
    if wasm.get(..8)? != HEADER {
        return None;
    }
    let sections = sections(wasm).map(|s| s.map(|(id, contents)| (id, contents.bytes))).collect::<Result<Vec<_>, _>>();
    let mut layout = Layout { sections: sections.ok()?, start: None, exports: None, reserved: false };
    for &(id, contents) in &layout.sections {
        match id {
            // Two of either: invalid, left to the engine.
            START_SECTION if layout.start.is_some() => return None,
            EXPORT_SECTION if layout.exports.is_some() => return None,
            START_SECTION => {
                let mut reader = Reader { bytes: contents };
                let function = reader.u32().ok()?;
                if !reader.bytes.is_empty() {
                    return None;
                }
                layout.start = Some(function);
            }
            EXPORT_SECTION => {
                let mut reader = Reader { bytes: contents };
                let count = reader.u32().ok()?;
                let entries = reader.bytes;
                for _ in 0..count {
                    let name = reader.name().ok()?;
                    reader.take(1).ok()?;
                    reader.u32().ok()?;
                    layout.reserved |= name == START_EXPORT;
                }
                layout.exports = Some((count, entries));
            }
            _ => {}
        }
    }
    Some(layout)
}

/// The export entry of function `function` as [`START_EXPORT`].
fn export_entry(function: u32) -> Vec<u8> {
    let mut entry = Vec::new();
    leb(&mut entry, START_EXPORT.len() as u32);
    entry.extend_from_slice(START_EXPORT.as_bytes());
    entry.push(0); // a function
    leb(&mut entry, function);
    entry
}

/// Appends the export section of `count` `entries` and one more entry,
/// `last`; `None` if it would be too long for a section.
fn exports_with(out: &mut Vec<u8>, (count, entries): (u32, &[u8]), last: &[u8]) -> Option<()> {
    let mut contents = Vec::with_capacity(entries.len() + last.len() + 5);
    leb(&mut contents, count.checked_add(1)?);
    contents.extend_from_slice(entries);
    contents.extend_from_slice(last);
    section(out, EXPORT_SECTION, &contents)
}

/// Appends section `id` with `contents`; `None` if they are too long for a
/// section.
fn section(out: &mut Vec<u8>, id: u8, contents: &[u8]) -> Option<()> {
    out.push(id);
    leb(out, u32::try_from(contents.len()).ok()?);
    out.extend_from_slice(contents);
    Some(())
}

/// Appends `value` as an unsigned LEB128 number.
fn leb(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;
    use walos_engine::{Engine, ExternType, FuncType};

    /// The function exports of `wasm` once the engine has validated it.
    fn exports(wasm: &[u8]) -> Vec<(String, bool)> {
        let module = walos_engine_wasmi::WasmiEngine::new().load(wasm).expect("the rewritten module is valid");
        let unit = ExternType::Func(FuncType::default());
        module.exports().iter().map(|e| (e.name.clone(), e.ty == unit)).collect()
    }

    fn has_start_section(wasm: &[u8]) -> bool {
        sections(wasm).any(|s| s.is_ok_and(|(id, _)| id == START_SECTION))
    }

    #[test]
    fn the_start_function_becomes_an_export_after_the_others() {
        let wasm = wat::parse_str(
            r#"(module (func $a) (func $init) (func $b)
                 (export "_start" (func $a)) (export "b" (func $b)) (start $init)
                 (memory 1) (data (i32.const 0) "kept"))"#,
        )
        .unwrap();
        let deferred = defer_start(&wasm).unwrap().expect("it has a start function");
        assert!(!has_start_section(&deferred));
        let names: Vec<_> = exports(&deferred).into_iter().map(|(name, _)| name).collect();
        assert_eq!(names, ["_start", "b", START_EXPORT]);
        // Function 1, the start function, is the one exported.
        let entry = [&[11][..], b"walos:start", &[0, 1]].concat();
        assert!(deferred.windows(entry.len()).any(|w| w == entry));
        assert!(deferred.windows(4).any(|w| w == b"kept"), "the other sections are kept");
    }

    #[test]
    fn a_module_without_exports_gets_an_export_section() {
        let wasm =
            wat::parse_str(r#"(module (import "m" "f" (func)) (func $s) (start $s) (func) (elem func 2))"#).unwrap();
        let deferred = defer_start(&wasm).unwrap().unwrap();
        assert!(!has_start_section(&deferred));
        assert_eq!(exports(&deferred), [(START_EXPORT.into(), true)]);
    }

    #[test]
    fn modules_without_a_start_or_malformed_are_left_alone() {
        let plain = wat::parse_str(r#"(module (func (export "_start")))"#).unwrap();
        assert_eq!(defer_start(&plain), Ok(None));
        // The start section is the last one, so every cut loses it.
        let with_start = wat::parse_str(r#"(module (import "m" "f" (func)) (start 0))"#).unwrap();
        for cut in 0..with_start.len() {
            assert_eq!(defer_start(&with_start[..cut]), Ok(None), "cut at {cut}");
        }
        assert_eq!(defer_start(b"\0asm\x0d\0\x01\0"), Ok(None), "a component");
        let mut two_starts = with_start.clone();
        two_starts.extend_from_slice(&[START_SECTION, 1, 0]);
        assert_eq!(defer_start(&two_starts), Ok(None));
    }

    #[test]
    fn the_reserved_name_is_refused() {
        let wasm = wat::parse_str(r#"(module (func (export "walos:start")))"#).unwrap();
        assert_eq!(defer_start(&wasm), Err("it exports `walos:start`, a name walos keeps for start functions"));
    }
}
