//! Differential tests: the same WASI programs and command lines on walos and
//! on the reference runtime (wasmtime); output and exit status must agree.

use std::path::Path;

use walos_tests::{program, reference_run, sample, wat_program};

/// Runs on both and compares exit status and stdout; stderr too unless the
/// program traps (the trap reports are worded differently).
fn agree(options: &[&str], file: &Path, args: &[&str], stdin: &[u8]) {
    let mut command = walos_tests::walos_command();
    command.arg("run").args(options).arg(file).args(args);
    let walos = walos_tests::run_with_input(command, stdin);
    let reference = reference_run(options, file, args, stdin);
    let what = format!("{} {options:?} {args:?}", file.display());
    assert_eq!(
        walos.status, reference.status,
        "{what}: exit status\nwalos: {}\nreference: {}",
        walos.stderr, reference.stderr
    );
    assert_eq!(walos.stdout, reference.stdout, "{what}: stdout");
    if walos.status != 134 {
        assert_eq!(walos.stderr, reference.stderr, "{what}: stderr");
    }
}

#[test]
fn arguments() {
    let file = program("args_env");
    agree(&[], &file, &[], b"");
    agree(&[], &file, &["one"], b"");
    agree(&[], &file, &["", "two words", "ünïcødé ✓", "--flag", "-x"], b"");
}

#[test]
fn environment() {
    let file = program("args_env");
    agree(&["--env", "A=1"], &file, &[], b"");
    agree(&["--env", "A=1", "--env", "EMPTY=", "--env", "EQ=a=b", "--env", "SPACE=x y"], &file, &["arg"], b"");
}

/// Statuses 126 and above differ on purpose: walos passes them on as a
/// POSIX system does (the host keeps the low 8 bits, see `elf_cli.rs`),
/// where wasmtime traps.
#[test]
fn exit_statuses() {
    for status in ["0", "1", "2", "42", "100", "125"] {
        agree(&[], &program("exit_code"), &[status], b"");
    }
    for status in ["0", "7", "99"] {
        agree(&["--env", &format!("EXIT_STATUS={status}")], &program("args_env"), &[], b"");
    }
}

#[test]
fn standard_input() {
    agree(&[], &program("cat"), &[], b"");
    agree(&[], &program("cat"), &[], b"line one\nline two\n");
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    agree(&[], &program("cat"), &[], &big);
}

#[test]
fn traps() {
    agree(&[], &program("abort"), &[], b"");
    agree(&[], &program("stack_overflow"), &[], b"");
}

#[test]
fn clocks_random_and_sleep() {
    agree(&[], &program("clocks"), &[], b"");
    agree(&[], &program("random"), &[], b"");
    agree(&[], &program("sleep"), &["20"], b"");
}

#[test]
fn rust_std() {
    let file = program("std-tour");
    agree(&[], &file, &[], b"");
    agree(
        &["--env", "B=2", "--env", "A=1", "--env", "EXIT=3"],
        &file,
        &["x", "--y"],
        b"first\nsecond line\nno newline",
    );
}

#[test]
fn the_wasi_sample() {
    agree(&["--env", "NAME=reference"], &sample("hello-wasi"), &["a", "b c"], b"");
}

/// `--invoke`: `_initialize`, then the function with its arguments parsed
/// by its signature, then its results, one a line.
#[test]
fn invoked_functions_of_a_reactor() {
    let file = wat_program("reactor");
    agree(&["--invoke", "add"], &file, &["1", "2"], b"");
    agree(&["--invoke", "add"], &file, &["-16", "0x7fffff00", "extra", "words"], b"");
    agree(&["--invoke", "mix"], &file, &["-9223372036854775808", "0.1", "1e300"], b"");
    agree(&["--invoke", "mix"], &file, &["0x7fffffffffffffff", "-0", "inf"], b"");
    agree(&["--invoke", "halve"], &file, &["3", "1e-7"], b"");
    agree(&["--invoke", "nothing"], &file, &[], b"");
    agree(&["--invoke", "quit"], &file, &["7"], b"");
    agree(&["--invoke", "fail"], &file, &[], b"");
}

/// `--trap-unknown-imports` and `--default-values-unknown-imports`: the
/// program runs until it calls an import nothing provides, which traps or
/// returns zeros.
#[test]
fn unknown_imports() {
    let file = wat_program("unknown_imports");
    agree(&["--trap-unknown-imports"], &file, &[], b"");
    agree(&["--default-values-unknown-imports"], &file, &[], b"");
}

/// Tail calls, SIMD and relaxed SIMD: both engines run them.
#[test]
fn tail_calls_and_simd() {
    agree(&[], &wat_program("tail_calls"), &[], b"");
    agree(&[], &wat_program("simd"), &[], b"");
}

/// Exceptions thrown through frames with cleanups, rethrown, caught: the
/// wasmtime engine runs them as wasmtime does; wasmi refuses the module,
/// naming the proposal and the engine that runs it.
#[test]
fn exceptions() {
    let file = wat_program("exceptions");
    if walos_tests::engine() == "wasmtime" {
        agree(&[], &file, &[], b"");
    } else {
        let run = walos_tests::walos_run(&[], &file, &[]);
        assert_eq!(run.status, 1);
        assert_eq!(
            run.stderr.replace(file.to_str().expect("UTF-8 path"), "FILE"),
            "walos: `FILE` needs the exception-handling proposal, which the wasmi engine does not run\n\
             (`walos run --engine wasmtime` runs it)\n"
        );
    }
}
