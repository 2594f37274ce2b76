//! Programs run by the kernel: output, exit status, the native and WASI ABIs.

mod common;

use walos_kernel::vfs::mem::MemFs;

use common::{Harness, wasi_program};
use walos_kernel::{Command, ExitStatus};

const NATIVE_HELLO: &str = r#"(module
  (import "stdout" "write" (func $write (param i32 i32) (result i32)))
  (import "stdout" "putc" (func $putc (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "\20\00\00\00\05\00\00\00\25\00\00\00\06\00\00\00")
  (data (i32.const 32) "Hello world")
  (func (export "_start")
    (drop (call $write (i32.const 16) (i32.const 2)))
    (drop (call $putc (i32.const 33)))
    (drop (call $putc (i32.const 10)))))"#;

#[test]
fn native_hello_prints_and_exits_zero() {
    let mut h = Harness::new(&[("hello", NATIVE_HELLO)]);
    assert_eq!(h.run(Command::new("hello")), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "Hello world!\n");
    assert!(h.logs().contains("pid 1: started `hello` as hello"), "{}", h.logs());
}

#[test]
fn a_program_spawned_again_runs_its_current_bytes() {
    let exit = |status| wasi_program("", &format!("(call $proc_exit (i32.const {status})) unreachable"));
    let mut h = Harness::new(&[("p", &exit(3))]);
    assert_eq!(h.run(Command::new("p")), ExitStatus::Exited(3));
    // The compiled module is reused while the bytes are the same...
    assert_eq!(h.run(Command::new("p")), ExitStatus::Exited(3));
    // ...and not once they change.
    let changed = wat::parse_str(exit(4)).expect("valid");
    h.machine.borrow_mut().programs.insert("p".into(), changed);
    assert_eq!(h.run(Command::new("p")), ExitStatus::Exited(4));
}

#[test]
fn proc_exit_sets_the_status() {
    let program = wasi_program(
        r#"(data (i32.const 1024) "bye\n")"#,
        "(drop (call $print (i32.const 1024) (i32.const 4))) (call $proc_exit (i32.const 42)) unreachable",
    );
    let mut h = Harness::new(&[("bye", &program)]);
    assert_eq!(h.run(Command::new("bye")), ExitStatus::Exited(42));
    assert_eq!(h.stdout(), "bye\n");
}

/// Prints each argument then each environment string, one per line.
const ECHO_ARGS_ENV: &str = r#"(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $env_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $strlen (param $p i32) (result i32) (local $n i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $n))
  ;; writes the NUL-terminated string at $p, then a newline
  (func $line (param $p i32) (local $len i32)
    (local.set $len (call $strlen (local.get $p)))
    (i32.store8 (i32.add (local.get $p) (local.get $len)) (i32.const 10))
    (i32.store (i32.const 0) (local.get $p))
    (i32.store (i32.const 4) (i32.add (local.get $len) (i32.const 1)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func $list (param $count i32) (param $ptrs i32) (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (call $line (i32.load (i32.add (local.get $ptrs) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))))
  (func (export "_start")
    (drop (call $args_sizes (i32.const 16) (i32.const 20)))
    (drop (call $args_get (i32.const 1024) (i32.const 2048)))
    (call $list (i32.load (i32.const 16)) (i32.const 1024))
    (drop (call $env_sizes (i32.const 16) (i32.const 20)))
    (drop (call $env_get (i32.const 4096) (i32.const 8192)))
    (call $list (i32.load (i32.const 16)) (i32.const 4096))))"#;

#[test]
fn arguments_and_environment_reach_the_program() {
    let mut h = Harness::new(&[("echo.wasm", ECHO_ARGS_ENV)]);
    let cmd = Command::new("echo.wasm").args(["one", "two words", ""]).env("NAME", "walos").env("EMPTY", "");
    assert_eq!(h.run(cmd), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "echo.wasm\none\ntwo words\n\nNAME=walos\nEMPTY=\n");
}

#[test]
fn sys_log_lines_carry_the_process_name_and_level() {
    let program = r#"(module
      (import "sys" "log" (func $log (param i32 i32 i32)))
      (memory (export "memory") 1)
      (data (i32.const 0) "\10\00\00\00\06\00\00\00\16\00\00\00\04\00\00\00")
      (data (i32.const 16) "Hello log!\n")
      (func (export "_start")
        (call $log (i32.const 6) (i32.const 0) (i32.const 2))
        (call $log (i32.const 99) (i32.const 0) (i32.const 1))))"#;
    let mut h = Harness::new(&[("logger", program)]);
    assert_eq!(h.run(Command::new("logger")), ExitStatus::Exited(0));
    let logs = h.machine.borrow().logs.clone();
    let lines: Vec<_> = logs.iter().filter(|(_, line)| line.contains(" logger: Hello")).collect();
    assert_eq!(lines.len(), 2, "{logs:?}");
    assert_eq!(lines[0].0, walos_kernel::log::Level::Info);
    assert!(lines[0].1.ends_with("info   logger: Hello log!"), "{}", lines[0].1);
    assert_eq!(lines[1].0, walos_kernel::log::Level::Debug);
    assert!(lines[1].1.ends_with("debug  logger: Hello "), "{}", lines[1].1);
}

#[test]
fn log_levels_filter_lines() {
    let program = r#"(module
      (import "sys" "log" (func $log (param i32 i32 i32)))
      (memory (export "memory") 1)
      (data (i32.const 0) "\10\00\00\00\04\00\00\00")
      (data (i32.const 16) "note")
      (func (export "_start")
        (call $log (i32.const 5) (i32.const 0) (i32.const 1))
        (call $log (i32.const 3) (i32.const 0) (i32.const 1))))"#;
    let config = walos_kernel::Config { log_level: walos_kernel::log::Level::Warn, ..Default::default() };
    let mut h = Harness::with_config(&[("quiet", program)], config);
    assert_eq!(h.run(Command::new("quiet")), ExitStatus::Exited(0));
    let logs = h.logs();
    assert_eq!(logs.matches("quiet: note").count(), 1, "{logs}");
    assert!(logs.contains("err    quiet: note"), "{logs}");
}

#[test]
fn clocks_and_random() {
    // clock_time_get(MONOTONIC) twice must not go back; realtime is after
    // 2023; an invalid clock is EINVAL; random_get fills the buffer.
    let program = r#"(module
      (import "wasi_snapshot_preview1" "clock_time_get" (func $time (param i32 i64 i32) (result i32)))
      (import "wasi_snapshot_preview1" "clock_res_get" (func $res (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func $check (param i32) (param i32) (if (i32.eqz (local.get 0)) (then (call $exit (local.get 1)))))
      (func (export "_start")
        (call $check (i32.eqz (call $time (i32.const 1) (i64.const 0) (i32.const 0))) (i32.const 1))
        (call $check (i32.eqz (call $time (i32.const 1) (i64.const 0) (i32.const 8))) (i32.const 2))
        (call $check (i64.le_u (i64.load (i32.const 0)) (i64.load (i32.const 8))) (i32.const 3))
        (call $check (i32.eqz (call $time (i32.const 0) (i64.const 0) (i32.const 16))) (i32.const 4))
        (call $check (i64.gt_u (i64.load (i32.const 16)) (i64.const 1672531200000000000)) (i32.const 5))
        (call $check (i32.eq (call $time (i32.const 9) (i64.const 0) (i32.const 16)) (i32.const 28)) (i32.const 6))
        (call $check (i32.eqz (call $res (i32.const 2) (i32.const 24))) (i32.const 7))
        (call $check (i32.eqz (call $random (i32.const 100) (i32.const 4))) (i32.const 8))
        (call $check (i32.eq (i32.load (i32.const 100)) (i32.const 0x03020100)) (i32.const 9))
        (call $exit (i32.const 0))))"#;
    let mut h = Harness::new(&[("clocks", program)]);
    assert_eq!(h.run(Command::new("clocks")), ExitStatus::Exited(0));
}

#[test]
fn stdio_descriptors_behave_like_a_console() {
    // fd_fdstat_get(1): not a terminal, so filetype unknown; rights include
    // FD_WRITE; fd_seek(1) is ESPIPE; fd_prestat_get(3) is EBADF without a
    // preopen; fd_close(1) then fd_write(1) is EBADF.
    let program = wasi_program(
        r#"(import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
           (import "wasi_snapshot_preview1" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
           (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
           (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
           (func $check (param i32) (param i32) (if (i32.eqz (local.get 0)) (then (call $proc_exit (local.get 1)))))"#,
        r#"(call $check (i32.eqz (call $fdstat (i32.const 1) (i32.const 64))) (i32.const 1))
           (call $check (i32.eqz (i32.load8_u (i32.const 64))) (i32.const 2))
           (call $check (i64.ne (i64.and (i64.load (i32.const 72)) (i64.const 64)) (i64.const 0)) (i32.const 3))
           (call $check (i32.eq (call $seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 96)) (i32.const 70)) (i32.const 4))
           (call $check (i32.eq (call $prestat (i32.const 3) (i32.const 96)) (i32.const 8)) (i32.const 5))
           (call $check (i32.eqz (call $close (i32.const 1))) (i32.const 6))
           (call $check (i32.eq (call $print (i32.const 0) (i32.const 0)) (i32.const 8)) (i32.const 7))
           (call $proc_exit (i32.const 0))"#,
    );
    let mut h = Harness::new(&[("stdio", &program)]);
    assert_eq!(h.run(Command::new("stdio")), ExitStatus::Exited(0));
}

#[test]
fn preopened_directories_are_listed() {
    let program = wasi_program(
        r#"(import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
           (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $name (param i32 i32 i32) (result i32)))"#,
        r#"(drop (call $prestat (i32.const 3) (i32.const 64)))
           (drop (call $name (i32.const 3) (i32.const 1024) (i32.load (i32.const 68))))
           (drop (call $print (i32.const 1024) (i32.load (i32.const 68))))
           (call $proc_exit (call $name (i32.const 3) (i32.const 1024) (i32.const 2)))"#,
    );
    let mut h = Harness::new(&[("prestat", &program)]);
    let err = h.spawn(Command::new("prestat").preopen("/sandbox")).unwrap_err();
    assert_eq!(err.to_string(), "cannot start `prestat`: no file system is mounted at `/sandbox`");
    h.kernel.mount("/sandbox", Box::new(MemFs::new(1, 0)));
    // A buffer shorter than the name is ENAMETOOLONG (37), as in wasmtime.
    assert_eq!(h.run(Command::new("prestat").preopen("/sandbox")), ExitStatus::Exited(37));
    assert_eq!(h.stdout(), "/sandbox");
}

#[test]
fn files_of_a_mounted_file_system() {
    // Opens `dir/in.txt` (given by the loader) under the preopen, reads it,
    // creates `out.txt` with what was read, then prints the new file.
    let program = wasi_program(
        r#"(import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
           (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
           (import "wasi_snapshot_preview1" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
           (func $check (param i32) (param i32) (if (i32.eqz (local.get 0)) (then (call $proc_exit (local.get 1)))))
           (data (i32.const 1024) "dir/in.txt")
           (data (i32.const 1040) "out.txt")"#,
        r#"(call $check (i32.eqz (call $open (i32.const 3) (i32.const 1) (i32.const 1024) (i32.const 10)
                (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 100))) (i32.const 1))
           (i32.store (i32.const 200) (i32.const 2048))
           (i32.store (i32.const 204) (i32.const 64))
           (call $check (i32.eqz (call $read (i32.load (i32.const 100)) (i32.const 200) (i32.const 1) (i32.const 104))) (i32.const 2))
           (call $check (i32.eqz (call $open (i32.const 3) (i32.const 0) (i32.const 1040) (i32.const 7)
                (i32.const 5) (i64.const 70) (i64.const 0) (i32.const 0) (i32.const 108))) (i32.const 3))
           (i32.store (i32.const 204) (i32.load (i32.const 104)))
           (call $check (i32.eqz (call $fd_write (i32.load (i32.const 108)) (i32.const 200) (i32.const 1) (i32.const 112))) (i32.const 4))
           (call $check (i32.eqz (call $seek (i32.load (i32.const 108)) (i64.const 0) (i32.const 0) (i32.const 120))) (i32.const 5))
           (i32.store (i32.const 204) (i32.const 64))
           (call $check (i32.eqz (call $read (i32.load (i32.const 108)) (i32.const 200) (i32.const 1) (i32.const 104))) (i32.const 6))
           (drop (call $print (i32.const 2048) (i32.load (i32.const 104))))
           ;; Creating it again exclusively is EEXIST (20).
           (call $proc_exit (call $open (i32.const 3) (i32.const 0) (i32.const 1040) (i32.const 7)
                (i32.const 5) (i64.const 70) (i64.const 0) (i32.const 0) (i32.const 108)))"#,
    );
    let mut h = Harness::new(&[("files", &program)]);
    let fs = walos_kernel::vfs::build::from_files(1, [("dir/in.txt", &b"from the loader\n"[..])], 0).unwrap();
    h.kernel.mount("/data", Box::new(fs));
    assert_eq!(h.run(Command::new("files").preopen("/data")), ExitStatus::Exited(20));
    assert_eq!(h.stdout(), "from the loader\n");
}

#[test]
fn wasi_unstable_is_an_alias() {
    let program = r#"(module
      (import "wasi_unstable" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_unstable" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (data (i32.const 0) "\10\00\00\00\03\00\00\00")
      (data (i32.const 16) "ok\n")
      (func (export "_start")
        (call $exit (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;
    let mut h = Harness::new(&[("old", program)]);
    assert_eq!(h.run(Command::new("old")), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "ok\n");
}

#[test]
fn memory_cannot_grow_past_the_loader_limit() {
    // The test loader allows 16 MiB = 256 pages.
    let program = r#"(module
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start")
        (if (i32.ne (memory.grow (i32.const 300)) (i32.const -1)) (then (call $exit (i32.const 1))))
        (if (i32.ne (memory.grow (i32.const 255)) (i32.const 1)) (then (call $exit (i32.const 2))))
        (call $exit (i32.const 0))))"#;
    let mut h = Harness::new(&[("grow", program)]);
    assert_eq!(h.run(Command::new("grow")), ExitStatus::Exited(0));
}

#[test]
fn start_functions_run_as_the_first_call() {
    let program = r#"(module
      (import "stdout" "putc" (func $putc (param i32) (result i32)))
      (memory (export "memory") 1)
      (func $init (drop (call $putc (i32.const 115))))
      (start $init)
      (func (export "_start") (drop (call $putc (i32.const 10)))))"#;
    let mut h = Harness::new(&[("init", program)]);
    let pid = h.spawn(Command::new("init")).unwrap();
    assert_eq!(h.stdout(), "", "the start function runs in the process's slices, not in the spawn");
    assert_eq!(h.kernel.run_until_exit(pid), Some(ExitStatus::Exited(0)));
    assert_eq!(h.stdout(), "s\n");
}

#[test]
fn syscalls_are_traced_at_debug_level() {
    let mut h = Harness::new(&[("hello", NATIVE_HELLO)]);
    h.run(Command::new("hello"));
    let logs = h.logs();
    assert!(logs.contains("debug  hello: stdout.write(16, 2) = 0"), "{logs}");
    assert!(logs.contains("debug  hello: stdout.putc(33) = 0"), "{logs}");
}

#[test]
fn rights_can_only_shrink_and_are_enforced() {
    // Drops FD_WRITE from fd 1: the write is ENOTCAPABLE (76); asking for it
    // back is ENOTCAPABLE too.
    let program = wasi_program(
        r#"(import "wasi_snapshot_preview1" "fd_fdstat_set_rights" (func $rights (param i32 i64 i64) (result i32)))
           (func $check (param i32) (param i32) (if (i32.eqz (local.get 0)) (then (call $proc_exit (local.get 1)))))"#,
        r#"(call $check (i32.eqz (call $rights (i32.const 1) (i64.const 0) (i64.const 0))) (i32.const 1))
           (call $check (i32.eq (call $print (i32.const 0) (i32.const 0)) (i32.const 76)) (i32.const 2))
           (call $check (i32.eq (call $rights (i32.const 1) (i64.const 64) (i64.const 0)) (i32.const 76)) (i32.const 3))
           (call $proc_exit (i32.const 0))"#,
    );
    let mut h = Harness::new(&[("rights", &program)]);
    assert_eq!(h.run(Command::new("rights")), ExitStatus::Exited(0));
}

#[test]
fn a_nonblocking_stdin_read_without_input_is_eagain() {
    let program = wasi_program(
        r#"(import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func $flags (param i32 i32) (result i32)))
           (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))"#,
        r#"(if (call $flags (i32.const 0) (i32.const 4)) (then (call $proc_exit (i32.const 100))))
           (i32.store (i32.const 16) (i32.const 1024))
           (i32.store (i32.const 20) (i32.const 16))
           (call $proc_exit (call $read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))"#,
    );
    let mut h = Harness::new(&[("nonblock", &program)]);
    assert_eq!(h.run(Command::new("nonblock")), ExitStatus::Exited(6));
    assert!(h.machine.borrow().waits.is_empty(), "it never blocked");
}

#[test]
fn large_writes_are_copied_in_bounded_pieces() {
    // A 3 MiB buffer: the native write takes it all, fd_write writes the
    // first 1 MiB and says so (a short write, as POSIX allows).
    let program = r#"(module
      (import "stdout" "write" (func $write (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 64)
      (func (export "_start")
        (memory.fill (i32.const 1024) (i32.const 120) (i32.const 3145728))
        (i32.store (i32.const 0) (i32.const 1024))
        (i32.store (i32.const 4) (i32.const 3145728))
        (if (call $write (i32.const 0) (i32.const 1)) (then (call $exit (i32.const 1))))
        (if (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)) (then (call $exit (i32.const 2))))
        (call $exit (i32.ne (i32.load (i32.const 8)) (i32.const 1048576)))))"#;
    let mut h = Harness::new(&[("big", program)]);
    assert_eq!(h.run(Command::new("big")), ExitStatus::Exited(0));
    let machine = h.machine.borrow();
    assert_eq!(machine.stdout.len(), 3 * 1048576 + 1048576);
    assert!(machine.stdout.iter().all(|&b| b == b'x'));
}

/// A reactor: `_initialize` prints and sets a base that `add` adds.
const REACTOR: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $base (mut i32) (i32.const 0))
  (data (i32.const 16) "init\n")
  (func (export "_initialize")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 5))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (global.set $base (i32.const 100)))
  (func (export "add") (param i32 i64) (result i32 i64 f64)
    (i32.add (global.get $base) (local.get 0)) (local.get 1) (f64.const 0.25)))"#;

fn invoke(function: &str, args: &[&str]) -> Command {
    Command { invoke: Some(function.into()), ..Command::new("lib").args(args.iter().copied()) }
}

#[test]
fn an_invoked_function_runs_after_initialize_and_its_results_are_printed() {
    let mut h = Harness::new(&[("lib", REACTOR)]);
    assert_eq!(h.run(invoke("add", &["-1", "0x7fffffffffffffff", "more"])), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "init\n99\n9223372036854775807\n0.25\n");
}

#[test]
fn a_reactor_needs_a_function_to_invoke_and_good_arguments() {
    let mut h = Harness::new(&[("lib", REACTOR)]);
    let error = |h: &mut Harness, command| h.spawn(command).map(|_| ()).unwrap_err().to_string();
    assert_eq!(
        error(&mut h, Command::new("lib")),
        "`lib` is a reactor (it exports `_initialize` and no `_start`): a library of functions to invoke, not a command"
    );
    assert_eq!(error(&mut h, invoke("sub", &[])), "cannot invoke `sub` of `lib`: no func export of that name found");
    assert_eq!(
        error(&mut h, invoke("add", &["1"])),
        "cannot invoke `add` of `lib`: not enough arguments: its type is (i32, i64) -> (i32, i64, f64), 1 given"
    );
    assert_eq!(
        error(&mut h, invoke("add", &["1", "0x"])),
        "cannot invoke `add` of `lib`: argument 2 `0x` is not an i64: cannot parse integer from empty string"
    );
    assert_eq!(h.stdout(), "", "nothing ran");
}

#[test]
fn a_command_can_be_invoked_too() {
    let program = wasi_program(
        r#"(func (export "twice") (param f32) (result f32) (f32.add (local.get 0) (local.get 0)))"#,
        "unreachable",
    );
    let mut h = Harness::new(&[("lib", &program)]);
    assert_eq!(h.run(invoke("twice", &["1.25"])), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "2.5\n");
}
