//! Bad programs: each gets a clear error that names it, and the kernel goes
//! on.

mod common;

use common::{Harness, wasi_program};
use walos_engine::TrapCode;
use walos_kernel::{Command, ExitStatus};

fn spawn_error(programs: &[(&str, &str)], name: &str) -> String {
    let mut h = Harness::new(programs);
    h.spawn(Command::new(name)).map(|_| ()).unwrap_err().to_string()
}

fn trap(status: ExitStatus) -> TrapCode {
    match status {
        ExitStatus::Trapped(trap) => trap.code,
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[test]
fn a_missing_program_is_named() {
    assert_eq!(spawn_error(&[], "nowhere.wasm"), "cannot read `nowhere.wasm`: not found");
}

#[test]
fn a_file_that_is_not_wasm_is_named() {
    let err = spawn_error(&[], "garbage");
    assert!(err.starts_with("`garbage` is not a valid wasm module: "), "{err}");
}

#[test]
fn a_truncated_module_is_named() {
    let err = spawn_error(&[], "truncated");
    assert!(err.starts_with("`truncated` is not a valid wasm module: "), "{err}");
}

#[test]
fn unresolved_imports_are_all_listed() {
    let program = r#"(module
      (import "env" "mystery" (func (param i32) (result i32)))
      (import "stdout" "putc" (func (param i64) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start")))"#;
    assert_eq!(
        spawn_error(&[("linky", program)], "linky"),
        "cannot link `linky`:\n  import `env.mystery` (func (i32) -> i32): no interface or service `env` (linky -> env)\n  \
         import `stdout.putc` (func (i64) -> i32): `stdout.putc` has type (i32) -> i32"
    );
}

#[test]
fn a_module_without_start_is_not_a_command() {
    let program = r#"(module (func (export "main")))"#;
    assert_eq!(
        spawn_error(&[("lib", program)], "lib"),
        "`lib` has no `_start` function of type (): it is not a command module"
    );
}

#[test]
fn unreachable_traps_and_is_logged_with_the_name() {
    let mut h = Harness::new(&[("boom", r#"(module (func (export "_start") unreachable))"#)]);
    assert_eq!(trap(h.run(Command::new("boom"))), TrapCode::Unreachable);
    assert!(h.logs().contains("err    boom: trap: unreachable instruction executed"), "{}", h.logs());
}

#[test]
fn out_of_bounds_loads_trap() {
    let program = r#"(module (memory 1) (func (export "_start") (drop (i32.load (i32.const 65535)))))"#;
    let mut h = Harness::new(&[("oob", program)]);
    assert_eq!(trap(h.run(Command::new("oob"))), TrapCode::MemoryOutOfBounds);
}

#[test]
fn division_by_zero_and_stack_exhaustion_trap() {
    let div = r#"(module (func (export "_start") (drop (i32.div_u (i32.const 1) (i32.const 0)))))"#;
    let deep = r#"(module (func $f (call $f)) (func (export "_start") (call $f)))"#;
    let mut h = Harness::new(&[("div", div), ("deep", deep)]);
    assert_eq!(trap(h.run(Command::new("div"))), TrapCode::IntegerDivisionByZero);
    assert_eq!(trap(h.run(Command::new("deep"))), TrapCode::StackOverflow);
}

#[test]
fn a_bad_pointer_in_a_syscall_traps_naming_the_call() {
    // fd_write's iovec table at 65532 runs past the 64 KiB memory.
    let program =
        wasi_program("", "(drop (call $fd_write (i32.const 1) (i32.const 65532) (i32.const 1) (i32.const 8)))");
    let mut h = Harness::new(&[("badptr", &program)]);
    let code = trap(h.run(Command::new("badptr")));
    assert_eq!(
        code,
        TrapCode::Host(
            "wasi_snapshot_preview1.fd_write: buffer 0xfffc..0x10004 (8 bytes) is outside the 65536-byte memory".into()
        )
    );
    assert!(h.logs().contains("badptr: trap: wasi_snapshot_preview1.fd_write: buffer 0xfffc"), "{}", h.logs());
}

#[test]
fn a_huge_length_in_a_syscall_traps() {
    let program = r#"(module
      (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start") (drop (call $random (i32.const 16) (i32.const -1)))))"#;
    let mut h = Harness::new(&[("huge", program)]);
    let code = trap(h.run(Command::new("huge")));
    assert!(
        matches!(&code, TrapCode::Host(msg) if msg.starts_with("wasi_snapshot_preview1.random_get: buffer 0x10..")),
        "{code:?}"
    );
}

#[test]
fn a_misaligned_result_pointer_traps() {
    let program = wasi_program(
        "",
        "(drop (call $print (i32.const 0) (i32.const 0))) (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 2)))",
    );
    let mut h = Harness::new(&[("align", &program)]);
    let code = trap(h.run(Command::new("align")));
    assert_eq!(code, TrapCode::Host("wasi_snapshot_preview1.fd_write: pointer 0x2 is not aligned to 4 bytes".into()));
}

#[test]
fn a_trapping_start_function_is_the_process_trap() {
    let program = r#"(module (func $init unreachable) (start $init) (func (export "_start")))"#;
    let mut h = Harness::new(&[("badinit", program)]);
    assert_eq!(trap(h.run(Command::new("badinit"))), TrapCode::Unreachable);
    let logs = h.logs();
    assert!(logs.contains("err    badinit: trap in the start function: unreachable instruction executed"), "{logs}");
}

#[test]
fn a_module_exporting_the_start_functions_name_is_refused() {
    let program = r#"(module (func (export "walos:start")) (func (export "_start")))"#;
    assert_eq!(
        spawn_error(&[("squatter", program)], "squatter"),
        "`squatter` is not a valid wasm module: it exports `walos:start`, a name walos keeps for start functions"
    );
}

#[test]
fn the_kernel_goes_on_after_a_trap() {
    let ok = wasi_program(
        r#"(data (i32.const 1024) "still here\n")"#,
        "(drop (call $print (i32.const 1024) (i32.const 11)))",
    );
    let mut h = Harness::new(&[("boom", r#"(module (func (export "_start") unreachable))"#), ("ok", &ok)]);
    let boom = h.spawn(Command::new("boom")).unwrap();
    let fine = h.spawn(Command::new("ok")).unwrap();
    assert!(matches!(h.kernel.run_until_exit(boom), Some(ExitStatus::Trapped(_))));
    assert_eq!(h.kernel.run_until_exit(fine), Some(ExitStatus::Exited(0)));
    assert_eq!(h.stdout(), "still here\n");
    assert_eq!(h.kernel.run_until_exit(fine), None, "statuses are collected once");
}

#[test]
fn a_bad_path_pointer_traps_naming_the_call() {
    // path_create_directory(3, 65530, 100): the path runs past memory.
    let program = wasi_program(
        r#"(import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))"#,
        "(drop (call $mkdir (i32.const 3) (i32.const 65530) (i32.const 100)))",
    );
    let mut h = Harness::new(&[("badpath", &program)]);
    h.kernel.mount("/data", Box::new(walos_kernel::vfs::mem::MemFs::new(1, 0)));
    let code = trap(h.run(Command::new("badpath").preopen("/data")));
    assert_eq!(
        code,
        TrapCode::Host(
            "wasi_snapshot_preview1.path_create_directory: buffer 0xfffa..0x1005e (100 bytes) is outside the 65536-byte memory"
                .into()
        )
    );
}
