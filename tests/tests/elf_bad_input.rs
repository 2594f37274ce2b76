//! Bad input on the Linux loader: each case gets a clear message naming the
//! culprit and a non-zero status; walos itself never panics.

use walos_tests::{Run, program, sample, temp_file, walos_run, wat_file};

fn run_file(path: &std::path::Path) -> Run {
    walos_run(&[], path, &[])
}

/// Nothing in stderr looks like a Rust panic.
fn no_panic(run: &Run) {
    assert!(!run.stderr.contains("panicked"), "walos panicked: {}", run.stderr);
}

/// Runs a file that walos must refuse to start (status 1); returns its
/// message with the file's path written as `FILE`.
fn refusal(path: &std::path::Path) -> String {
    let run = run_file(path);
    assert_eq!(run.status, 1, "{}", run.stderr);
    no_panic(&run);
    run.stderr.replace(path.to_str().expect("UTF-8 path"), "FILE")
}

#[test]
fn a_file_that_is_not_wasm() {
    let message = refusal(&temp_file("notes.wasm", b"these are notes, not wasm\n"));
    assert!(message.starts_with("walos: `FILE` is not a valid wasm module: "), "{message}");
}

#[test]
fn a_truncated_module() {
    let wasm = std::fs::read(sample("hello-wasi")).unwrap();
    for cut in [4, 9, wasm.len() / 3, wasm.len() - 1] {
        let message = refusal(&temp_file(&format!("cut{cut}.wasm"), &wasm[..cut]));
        assert!(message.starts_with("walos: `FILE` is not a valid wasm module: "), "cut at {cut}: {message}");
    }
}

#[test]
fn a_missing_file() {
    let message = refusal(std::path::Path::new("/nonexistent/prog.wasm"));
    assert_eq!(message, "walos: cannot read `FILE`: No such file or directory (os error 2)\n");
}

#[test]
fn imports_nobody_provides_are_listed() {
    let path = wat_file(
        "needy",
        r#"(module
          (import "env" "magic" (func (param i32) (result i32)))
          (import "stdout" "putc" (func (param i64) (result i32)))
          (import "wasi_snapshot_preview1" "fd_teleport" (func))
          (func (export "_start")))"#,
    );
    assert_eq!(
        refusal(&path),
        "walos: cannot link `FILE`:\n  \
         import `env.magic` (func (i32) -> i32): no interface or service `env` (needy -> env)\n  \
         import `stdout.putc` (func (i64) -> i32): `stdout.putc` has type (i32) -> i32\n  \
         import `wasi_snapshot_preview1.fd_teleport` (func ()): interface `wasi_snapshot_preview1` has no function `fd_teleport`\n"
    );
}

#[test]
fn unknown_imports_are_refused_unless_a_flag_stands_in_for_them() {
    let path = walos_tests::wat_program("unknown_imports");
    let message = refusal(&path);
    assert_eq!(
        message,
        "walos: cannot link `FILE`:\n  \
         import `env.helper` (func (i32) -> i32): no interface or service `env` (unknown_imports.wat -> env)\n  \
         import `wasi_snapshot_preview1.fd_teleport` (func () -> i64): interface `wasi_snapshot_preview1` has no \
         function `fd_teleport`\n"
    );
    let run = walos_run(&["--trap-unknown-imports"], &path, &[]);
    assert_eq!((run.status, run.stdout.as_str()), (134, "before the unknown imports\n"));
    assert!(
        run.stderr.contains("unknown_imports.wat: trap: unknown import: `env::helper` has not been defined"),
        "{}",
        run.stderr
    );
    let run = walos_run(&["--default-values-unknown-imports"], &path, &[]);
    assert_eq!((run.status, run.stdout.as_str(), run.stderr.as_str()), (3, "before the unknown imports\n", ""));
}

#[test]
fn a_library_module_is_not_a_command() {
    let path = wat_file(
        "library",
        r#"(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))"#,
    );
    assert_eq!(refusal(&path), "walos: `FILE` has no `_start` function of type (): it is not a command module\n");
}

#[test]
fn a_reactor_needs_a_function_to_invoke() {
    let path = wat_file("reactor", r#"(module (func (export "_initialize")) (func (export "f") (param i32)))"#);
    assert_eq!(
        refusal(&path),
        "walos: `FILE` is a reactor (it exports `_initialize` and no `_start`): a library of functions to invoke, \
         not a command\n(`walos run --invoke FUNCTION FILE ARGS...` calls one of its functions)\n"
    );
    let invoke = |args: &[&str]| {
        let run = walos_run(&["--invoke", args[0]], &path, &args[1..]);
        assert_eq!(run.status, 1, "{}", run.stderr);
        no_panic(&run);
        run.stderr.replace(path.to_str().expect("UTF-8 path"), "FILE")
    };
    assert_eq!(invoke(&["g"]), "walos: cannot invoke `g` of `FILE`: no func export of that name found\n");
    assert_eq!(
        invoke(&["f"]),
        "walos: cannot invoke `f` of `FILE`: not enough arguments: its type is (i32), 0 given\n"
    );
    assert_eq!(
        invoke(&["f", "1.5"]),
        "walos: cannot invoke `f` of `FILE`: argument 1 `1.5` is not an i32: invalid digit found in string\n"
    );
}

#[test]
fn an_uncaught_exception_is_a_trap() {
    let path = wat_file("thrower", r#"(module (tag $t) (func $f (throw $t)) (func (export "_start") (call $f)))"#);
    let run = run_file(&path);
    no_panic(&run);
    if walos_tests::engine() == "wasmtime" {
        assert_eq!(run.status, 134);
        assert!(run.stderr.contains("thrower: trap: uncaught wasm exception"), "{}", run.stderr);
    } else {
        assert_eq!(
            refusal(&path),
            "walos: `FILE` needs the exception-handling proposal, which the wasmi engine does not run\n\
             (`walos run --engine wasmtime` runs it)\n"
        );
    }
}

#[test]
fn unreachable_traps_with_the_program_name() {
    let path = wat_file("crash", r#"(module (func (export "_start") unreachable))"#);
    let run = run_file(&path);
    assert_eq!(run.status, 134);
    assert!(run.stderr.contains("err    crash: trap: unreachable instruction executed"), "{}", run.stderr);
    no_panic(&run);
}

#[test]
fn an_out_of_bounds_load_traps() {
    let path = wat_file("oob", r#"(module (memory 1) (func (export "_start") (drop (i64.load (i32.const 65530)))))"#);
    let run = run_file(&path);
    assert_eq!(run.status, 134);
    assert!(run.stderr.contains("oob: trap: out of bounds memory access"), "{}", run.stderr);
}

#[test]
fn a_bad_pointer_passed_to_a_syscall_traps_naming_it() {
    // fd_write with an iovec pointing past the end of memory.
    let path = wat_file(
        "badptr",
        r#"(module
          (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "\00\ff\00\00\00\02\00\00")
          (func (export "_start") (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
    );
    let run = run_file(&path);
    assert_eq!(run.status, 134);
    assert!(
        run.stderr.contains(
            "badptr: trap: wasi_snapshot_preview1.fd_write: buffer 0xff00..0x10100 (512 bytes) is outside the 65536-byte memory"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "", "nothing was written");
}

#[test]
fn a_huge_length_passed_to_a_native_call_traps() {
    let path = wat_file(
        "huge",
        r#"(module
          (import "stdout" "write" (func $write (param i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start") (drop (call $write (i32.const 0) (i32.const 0x7fffffff)))))"#,
    );
    let run = run_file(&path);
    assert_eq!(run.status, 134);
    assert!(run.stderr.contains("huge: trap: stdout.write: buffer 0x0..0x3fffffff8"), "{}", run.stderr);
}

#[test]
fn abort_in_c_is_a_trap_after_the_output() {
    let run = run_file(&program("abort"));
    assert_eq!(run.stdout, "about to abort\n");
    assert_eq!(run.status, 134);
    assert!(run.stderr.contains("abort: trap: unreachable instruction executed"), "{}", run.stderr);
}

#[test]
fn endless_recursion_exhausts_the_stack_not_walos() {
    let run = run_file(&program("stack_overflow"));
    assert_eq!(run.status, 134);
    // The engines differ in which stack runs out first: wasmi's call stack,
    // or, with wasmtime's deeper native stack, C's shadow stack in linear
    // memory (it falls below address 0), as on the reference runtime.
    let trap = match walos_tests::engine().as_str() {
        "wasmtime" => "out of bounds memory access",
        _ => "call stack exhausted",
    };
    assert!(run.stderr.contains(&format!("stack_overflow: trap: {trap}")), "{}", run.stderr);
    no_panic(&run);
}

#[test]
fn a_trapping_start_function_is_the_programs_trap() {
    let path = wat_file(
        "badstart",
        r#"(module (func $s (drop (i32.div_s (i32.const 1) (i32.const 0)))) (start $s) (func (export "_start")))"#,
    );
    let run = run_file(&path);
    assert_eq!(run.status, 134);
    assert!(
        run.stderr.contains("err    badstart: trap in the start function: integer divide by zero"),
        "{}",
        run.stderr
    );
    no_panic(&run);
}

#[test]
fn a_module_exporting_walos_start_is_refused() {
    let path = wat_file("squatter", r#"(module (func (export "walos:start")) (func (export "_start")))"#);
    assert_eq!(
        refusal(&path),
        "walos: `FILE` is not a valid wasm module: it exports `walos:start`, a name walos keeps for start functions\n"
    );
}
