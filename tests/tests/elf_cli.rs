//! The `walos` command line: options, argv, environment, exit statuses,
//! standard input, sleeping, modules in the text format.

use std::io::{Read, Write};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use walos_tests::{
    program, reap, root, sample, temp_file, walos, walos_command, walos_run, walos_with_input, wat_file,
};

#[test]
fn version_names_walos() {
    let run = walos(&["--version"]);
    assert_eq!(run.stdout, format!("walos {}\n", env!("CARGO_PKG_VERSION")));
    assert_eq!(run.status, 0);
}

#[test]
fn run_is_implied_and_argv0_is_the_path_as_given() {
    let mut command = walos_command();
    command.current_dir(root()).args(["target/wasm/tests/args_env.wasm", "--not-an-option"]);
    let run = walos_tests::run_with_input(command, b"");
    assert_eq!(run.stdout, "argc=2\nargv[0]=[target/wasm/tests/args_env.wasm]\nargv[1]=[--not-an-option]\nenvc=0\n");
    assert_eq!(run.status, 0);
}

#[test]
fn the_environment_is_exactly_the_env_options() {
    let mut command = walos_command();
    command
        .args(["run", "--env", "A=1", "--env", "B=x=y", "--env", "EMPTY=", "--env", "HOST_VAR", "--env", "UNSET_VAR"])
        .arg(program("args_env"))
        .env("HOST_VAR", "from host")
        .env("OTHER", "not passed");
    let run = walos_tests::run_with_input(command, b"");
    assert!(
        run.stdout.ends_with("env[0]=[A=1]\nenv[1]=[B=x=y]\nenv[2]=[EMPTY=]\nenv[3]=[HOST_VAR=from host]\nenvc=4\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_exit_status_is_the_programs() {
    for (arg, status) in [("0", 0), ("1", 1), ("42", 42), ("255", 255), ("256", 0), ("300", 44)] {
        let run = walos_run(&[], &program("exit_code"), &[arg]);
        assert_eq!(run.status, status, "exit({arg})");
        assert_eq!(run.stdout, format!("exiting with {arg}"));
        assert_eq!(run.stderr, "to stderr");
    }
    let from_main = walos_run(&["--env", "EXIT_STATUS=9"], &program("args_env"), &[]);
    assert_eq!(from_main.status, 9);
}

#[test]
fn bad_options_are_usage_errors() {
    let run = walos(&["run", "--log", "loud", "x.wasm"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("unknown log level `loud`"), "{}", run.stderr);
    let run = walos(&["run"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("<WASM>"), "{}", run.stderr);
}

#[test]
fn wasmi_has_no_epoch_preemption() {
    let run = walos_run(&["--engine", "wasmi", "--preempt", "epoch"], &program("args_env"), &[]);
    assert_eq!(run.status, 1);
    assert_eq!(
        run.stderr,
        "walos: --preempt epoch: the wasmi engine has no epoch interruption, it preempts by fuel only \
         (`--engine wasmtime` has both)\n"
    );
    let run = walos_run(&["--engine", "wasmi", "--preempt", "fuel"], &program("args_env"), &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
}

#[test]
fn wasmtime_preempts_busy_workers_by_epoch_and_by_fuel() {
    // Three workers that never yield and a sleeper: only preemption lets
    // the sleeper tick and the parent stop the workers.
    for mode in ["epoch", "fuel"] {
        let run = walos_run(&["--engine", "wasmtime", "--preempt", mode], &sample("multitask"), &[]);
        assert_eq!(run.status, 0, "{mode}: {}", run.stderr);
        assert_eq!(run.stdout.matches("sleeper: tick").count(), 3, "{mode}: {}", run.stdout);
        assert!(run.stdout.ends_with("multitask: sleeper ended with status 0\n"), "{mode}: {}", run.stdout);
    }
}

#[test]
fn a_missing_directory_is_refused() {
    let run = walos_run(&["--dir", "/nonexistent/walos::/data"], &program("args_env"), &[]);
    assert_eq!(run.status, 1);
    assert_eq!(run.stderr, "walos: --dir /nonexistent/walos::/data: `/nonexistent/walos` is not a directory\n");
}

#[test]
fn directories_are_preopened_under_their_guest_names() {
    // Prints the name of every preopened directory, from fd 3 up.
    let list = wat_file(
        "preopens",
        r#"(module
          (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $name (param i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start") (local $fd i32)
            (local.set $fd (i32.const 3))
            (block $done (loop $next
              (br_if $done (call $prestat (local.get $fd) (i32.const 0)))
              (drop (call $name (local.get $fd) (i32.const 100) (i32.load (i32.const 4))))
              (i32.store8 (i32.add (i32.const 100) (i32.load (i32.const 4))) (i32.const 10))
              (i32.store (i32.const 16) (i32.const 100))
              (i32.store (i32.const 20) (i32.add (i32.load (i32.const 4)) (i32.const 1)))
              (drop (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
              (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
              (br $next)))))"#,
    );
    let here = env!("CARGO_MANIFEST_DIR");
    let run = walos_run(&["--dir", &format!("{here}::/sandbox"), "--dir", "/tmp"], &list, &[]);
    assert_eq!(run.stdout, "/sandbox\n/tmp\n");
    assert_eq!(run.status, 0);
}

#[test]
fn standard_input_is_the_programs() {
    let input = b"some input\n\x00\xffbinary, no final newline";
    let run = walos_with_input(&["run", program("cat").to_str().unwrap()], input);
    assert_eq!(run.stdout.as_bytes(), String::from_utf8_lossy(input).as_bytes());
    assert_eq!(run.stderr, format!("copied {} bytes\n", input.len()));
    assert_eq!(run.status, 0);
}

/// Reads from `reader` until `expected` has arrived (or a generous time
/// has passed: the machine may be slow).
fn read_until(reader: &mut impl Read, expected: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    let mut buf = [0u8; 64];
    while !String::from_utf8_lossy(&seen).contains(expected) && Instant::now() < deadline {
        match reader.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&seen).into_owned()
}

/// Starts `walos run` on a test program, every stream piped.
fn start(name: &str, args: &[&str]) -> Child {
    walos_command()
        .arg("run")
        .arg(program(name))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start walos")
}

#[test]
fn a_blocked_reader_wakes_on_each_line() {
    let mut child = start("cat", &[]);
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    // The first line comes back while the input is still open: the read
    // returned what was there instead of waiting for the end.
    stdin.write_all(b"ping\n").unwrap();
    assert_eq!(read_until(&mut stdout, "ping\n"), "ping\n");
    stdin.write_all(b"pong\n").unwrap();
    assert_eq!(read_until(&mut stdout, "pong\n"), "pong\n");
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
#[expect(clippy::zombie_processes, reason = "reaped by wait4, which also gives its CPU time")]
fn sleeping_does_not_busy_wait() {
    let child = start("sleep", &["800"]);
    let (status, cpu) = reap(&child);
    assert_eq!(status, 0);
    // Loading and running the program takes a few milliseconds of CPU; a
    // busy wait would take the whole 800 ms.
    assert!(cpu < Duration::from_millis(400), "walos used {cpu:?} of CPU to sleep 800 ms");
}

#[test]
#[expect(clippy::zombie_processes, reason = "reaped by wait4, which also gives its CPU time")]
fn waiting_for_input_does_not_busy_wait() {
    let mut child = start("cat", &[]);
    std::thread::sleep(Duration::from_millis(800));
    drop(child.stdin.take());
    let (status, cpu) = reap(&child);
    assert_eq!(status, 0);
    assert!(cpu < Duration::from_millis(400), "walos used {cpu:?} of CPU waiting 800 ms for input");
}

#[test]
fn debug_logs_trace_every_syscall() {
    let run = walos_run(&["--log", "debug"], &walos_tests::sample("hello"), &[]);
    assert_eq!(run.stdout, "Hello world!\n");
    assert!(run.stderr.contains("debug  hello: stdout.write("), "{}", run.stderr);
    assert!(run.stderr.contains("info   kernel: pid 1 (hello): exited with status 0"), "{}", run.stderr);
}

#[test]
fn the_text_format_runs_as_its_binary() {
    let hello = temp_file(
        "hello.wat",
        br#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "Hello from the text format!\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 28))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"#,
    );
    let run = walos_run(&[], &hello, &[]);
    assert_eq!(run.stdout, "Hello from the text format!\n");
    assert_eq!(run.stderr, "");
    assert_eq!(run.status, 0);
}

#[test]
fn a_text_syntax_error_names_the_file_line_and_column() {
    let broken =
        temp_file("broken.wat", b"(module\n  (func (export \"_start\")\n    (i32.const 1)\n    (i32.bogus)))\n");
    let run = walos_run(&[], &broken, &[]);
    let path = broken.display();
    assert_eq!(
        run.stderr,
        format!(
            "walos: `{path}` is not a valid wasm module: unknown operator or unexpected token\n     --> {path}:4:6\n      |\n    4 |     (i32.bogus)))\n      |      ^\n"
        )
    );
    assert_eq!(run.stdout, "");
    assert_eq!(run.status, 1);
}
