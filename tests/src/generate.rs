//! Hostile calls generated from the kernel's own list of imports
//! ([`walos_kernel::interfaces`]): for every import, one module per
//! argument pattern (null, all ones, wrapping and out-of-range pointers,
//! huge lengths, bad enum values), each calling it once, and a driver that
//! starts them one after another. A syscall added to the tables is called
//! by the suite the day it is added; nothing here lists them by hand.

use walos_engine::ValType;
use walos_kernel::ImportInfo;

/// An argument pattern: a name and the value of parameter `i` of `ty`.
pub struct Pattern {
    pub name: &'static str,
    value: fn(usize, ValType) -> String,
}

fn int(ty: ValType, v32: u32, v64: u64) -> String {
    match ty {
        ValType::I32 => format!("(i32.const {})", v32 as i32),
        ValType::I64 => format!("(i64.const {})", v64 as i64),
        ValType::F32 => "(f32.const nan)".into(),
        ValType::F64 => "(f64.const -inf)".into(),
        ValType::V128 => "(v128.const i64x2 -1 -1)".into(),
        ValType::FuncRef => "(ref.null func)".into(),
        ValType::ExternRef => "(ref.null extern)".into(),
    }
}

/// The patterns every import is called with. The memory is one page
/// (64 KiB), zeroed.
pub const PATTERNS: [Pattern; 6] = [
    // Null pointers, zero lengths and counts, descriptor 0.
    Pattern { name: "zero", value: |_, ty| int(ty, 0, 0) },
    // Every bit set: -1 descriptors, 4 GiB - 1 lengths.
    Pattern { name: "ones", value: |_, ty| int(ty, u32::MAX, u64::MAX) },
    // Pointers whose end wraps around the 32-bit address space.
    Pattern { name: "wrap", value: |_, ty| int(ty, 0xffff_fff0, 0xffff_ffff_ffff_fff0) },
    // Just past the end of the memory.
    Pattern { name: "edge", value: |_, ty| int(ty, 0x1_0000, 0x1_0000) },
    // Huge lengths and counts.
    Pattern { name: "huge", value: |_, ty| int(ty, 0x7fff_ffff, i64::MAX as u64) },
    // Descriptor 0, then values no enum or flag set has, odd pointers.
    Pattern { name: "enum", value: |i, ty| if i == 0 { int(ty, 0, 0) } else { int(ty, 0xff, 0xff) } },
];

fn list(kind: &str, types: &[ValType]) -> String {
    if types.is_empty() {
        return String::new();
    }
    let types: Vec<String> = types.iter().map(ToString::to_string).collect();
    format!(" ({kind} {})", types.join(" "))
}

/// A command module calling `import` once with `pattern`'s arguments.
pub fn call_module(import: &ImportInfo, pattern: &Pattern) -> String {
    let args: Vec<String> = import.params.iter().enumerate().map(|(i, ty)| (pattern.value)(i, *ty)).collect();
    let drops = "(drop)".repeat(import.results.len());
    format!(
        "(module\n  (import \"{}\" \"{}\" (func $f{}{}))\n  (memory (export \"memory\") 1)\n  \
         (func (export \"_start\") (call $f {}) {drops}))\n",
        import.module,
        import.name,
        list("param", import.params),
        list("result", import.results),
        args.join(" "),
    )
}

/// The name of the module calling `import` with `pattern`: the process
/// name every message about the case carries.
pub fn case_name(import: &ImportInfo, pattern: &Pattern) -> String {
    format!("g-{}-{}-{}", import.module, import.name, pattern.name)
}

/// A driver that spawns `cases` one after another (by name, no
/// arguments), waits for each, and prints `classes: ` and one letter per
/// case: `e` it exited, `t` it trapped, `k` it was killed, `s` the spawn
/// was refused, `?` the wait failed. After each it sets the kernel's log
/// level back to `warn` (any program may change it: `sys.set_log_level`),
/// so that every case's messages are seen.
///
/// Its memory: scratch words at 16 (pid, status, iovec, written), the
/// letters of a status's how at 64, the line at 64 KiB, the names from
/// 128 KiB on.
pub fn driver(cases: &[String]) -> String {
    const LINE: usize = 0x1_0000;
    const NAMES: usize = 0x2_0000;
    let mut data = String::new();
    let mut body = String::new();
    let mut at = NAMES;
    for (i, name) in cases.iter().enumerate() {
        data.push_str(&format!("  (data (i32.const {at}) \"{name}\")\n"));
        body.push_str(&format!("    (call $case (i32.const {i}) (i32.const {at}) (i32.const {}))\n", name.len()));
        at += name.len();
    }
    assert!(cases.len() + 10 < NAMES - LINE, "too many cases for one line");
    let pages = at.div_ceil(0x1_0000);
    let letters = LINE + 9;
    let newline = letters + cases.len();
    let total = 10 + cases.len();
    format!(
        r#"(module
  (import "proc" "spawn" (func $spawn (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "proc" "wait" (func $wait (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "sys" "set_log_level" (func $log_level (param i32) (result i32)))
  (memory (export "memory") {pages})
  (data (i32.const 64) "etk?")
  (data (i32.const {LINE}) "classes: ")
{data}  ;; One case: spawn it, wait for it, store its letter at {letters} + i.
  (func $case (param $i i32) (param $name i32) (param $len i32)
    (local $class i32)
    (local.set $class (i32.const 115))
    (if (i32.eqz (call $spawn (local.get $name) (local.get $len) (i32.const 0) (i32.const 0)
                              (i32.const 0) (i32.const 0) (i32.const 16)))
      (then
        (local.set $class (i32.const 63))
        (if (i32.eqz (call $wait (i32.load (i32.const 16)) (i32.const 20)))
          (then
            (local.set $class
              (i32.load8_u offset=64 (i32.and (i32.shr_u (i32.load (i32.const 20)) (i32.const 8)) (i32.const 3))))))))
    (drop (call $log_level (i32.const 4)))
    (i32.store8 offset={letters} (local.get $i) (local.get $class)))
  (func (export "_start")
{body}    (i32.store8 (i32.const {newline}) (i32.const 10))
    (i32.store (i32.const 24) (i32.const {LINE}))
    (i32.store (i32.const 28) (i32.const {total}))
    (drop (call $write (i32.const 1) (i32.const 24) (i32.const 1) (i32.const 32)))))
"#
    )
}
