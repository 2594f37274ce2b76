//! Processes starting, waiting for, killing and listing others: the `proc`
//! interface and `sys.exec`.

mod common;

use common::{Harness, wasi_program};
use walos_kernel::loader::Wake;
use walos_kernel::{Command, Config, ExitStatus, RunState};

/// The `proc` imports, `$expect(cond, code)` (exit with `code` unless
/// `cond`) and `extra` (more imports, data), for [`wasi_program`].
fn with_proc(extra: &str) -> String {
    format!(
        r#"(import "proc" "spawn" (func $spawn (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
           (import "proc" "spawn_module" (func $spawn_module (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
           (import "proc" "wait" (func $wait (param i32 i32) (result i32)))
           (import "proc" "kill" (func $kill (param i32) (result i32)))
           (import "proc" "list" (func $list (param i32 i32 i32) (result i32)))
           {extra}
           (func $expect (param i32 i32) (if (i32.eqz (local.get 0)) (then (call $proc_exit (local.get 1)))))"#
    )
}

/// Spawns the store's module `name` (at 1024, `len` bytes) without
/// arguments; its pid at 4096.
fn spawn_named(len: u32) -> String {
    format!(
        "(call $expect (i32.eqz (call $spawn (i32.const 1024) (i32.const {len}) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 4096))) (i32.const 100))"
    )
}

fn exits_with(status: u32) -> String {
    wasi_program("", &format!("(call $proc_exit (i32.const {status}))"))
}

/// Sleeps `ns` nanoseconds with `poll_oneoff`, then exits 0.
fn sleeper(ns: u64) -> String {
    wasi_program(
        &format!(
            r#"(import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
               (data (i32.const 2048) "\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\01\00\00\00\00\00\00\00{}\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00")"#,
            escape(&ns.to_le_bytes())
        ),
        "(drop (call $poll (i32.const 2048) (i32.const 3072) (i32.const 1) (i32.const 3200)))",
    )
}

/// Bytes as a WAT string body.
fn escape(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}

/// Slices short enough for endless loops in debug builds of wasmi, whose
/// dispatch then grows the native stack with every instruction.
fn small_slices() -> Config {
    Config { slice_fuel: 10_000, log_level: walos_kernel::log::Level::Debug, ..Config::default() }
}

const SPIN: &str = r#"(module (memory (export "memory") 1) (func (export "_start") (loop $l (br $l))))"#;

#[test]
fn a_parent_waits_for_its_child_and_gets_its_status() {
    let parent = wasi_program(
        &with_proc(r#"(data (i32.const 1024) "child")"#),
        &format!(
            "{spawn}
             (call $expect (i32.eq (i32.load (i32.const 4096)) (i32.const 2)) (i32.const 101))
             (call $expect (i32.eqz (call $wait (i32.load (i32.const 4096)) (i32.const 4100))) (i32.const 102))
             ;; collected: a second wait is ECHILD
             (call $expect (i32.eq (call $wait (i32.load (i32.const 4096)) (i32.const 4100)) (i32.const 12)) (i32.const 103))
             (call $proc_exit (i32.load (i32.const 4100)))",
            spawn = spawn_named(5)
        ),
    );
    let mut h = Harness::new(&[("parent", &parent), ("child", &exits_with(7))]);
    assert_eq!(h.run(Command::new("parent")), ExitStatus::Exited(7));
    assert!(h.logs().contains("pid 2: started `child` as child"), "{}", h.logs());
}

#[test]
fn children_get_their_arguments_and_exactly_their_environment() {
    // The child prints its argv and environment with the WASI calls.
    let child = wasi_program(
        r#"(import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
           (import "wasi_snapshot_preview1" "args_get" (func $args (param i32 i32) (result i32)))
           (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
           (import "wasi_snapshot_preview1" "environ_get" (func $env (param i32 i32) (result i32)))"#,
        "(drop (call $args_sizes (i32.const 100) (i32.const 104)))
         (drop (call $args (i32.const 200) (i32.const 1024)))
         (drop (call $print (i32.const 1024) (i32.load (i32.const 104))))
         (drop (call $env_sizes (i32.const 100) (i32.const 104)))
         (drop (call $env (i32.const 200) (i32.const 2048)))
         (drop (call $print (i32.const 2048) (i32.load (i32.const 104))))",
    );
    let parent = wasi_program(
        &with_proc(
            r#"(data (i32.const 1024) "childonetwoA=1")
               (data (i32.const 2048) "\05\04\00\00\03\00\00\00\08\04\00\00\03\00\00\00\0b\04\00\00\03\00\00\00")"#,
        ),
        "(call $expect (i32.eqz (call $spawn (i32.const 1024) (i32.const 5) (i32.const 2048) (i32.const 2) (i32.const 2064) (i32.const 1) (i32.const 4096))) (i32.const 100))
         (call $expect (i32.eqz (call $wait (i32.load (i32.const 4096)) (i32.const 4100))) (i32.const 101))",
    );
    let mut h = Harness::new(&[("parent", &parent), ("child", &child)]);
    let parent = Command { env: vec![("SECRET".into(), "x".into())], ..Command::new("parent") };
    assert_eq!(h.run(parent), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "child\0one\0two\0A=1\0");
}

#[test]
fn spawn_errors_are_errnos_and_logged() {
    // A missing module, a module that is not wasm, a bad name pointer, an
    // environment entry without `=`, a pid pointer outside memory.
    let parent = wasi_program(
        &with_proc(
            r#"(data (i32.const 1024) "nothinggarbage")
               (data (i32.const 2048) "\00\04\00\00\07\00\00\00")"#,
        ),
        "(call $expect (i32.eq (call $spawn (i32.const 1024) (i32.const 7) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 4096)) (i32.const 44)) (i32.const 100))
         (call $expect (i32.eq (call $spawn (i32.const 1031) (i32.const 7) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 4096)) (i32.const 45)) (i32.const 101))
         (call $expect (i32.eq (call $spawn (i32.const 65530) (i32.const 7) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 4096)) (i32.const 21)) (i32.const 102))
         (call $expect (i32.eq (call $spawn (i32.const 1031) (i32.const 7) (i32.const 0) (i32.const 0) (i32.const 2048) (i32.const 1) (i32.const 4096)) (i32.const 28)) (i32.const 103))
         (call $expect (i32.eq (call $spawn (i32.const 1031) (i32.const 7) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 65535)) (i32.const 21)) (i32.const 104))
         (call $expect (i32.eq (call $spawn (i32.const 1031) (i32.const 7) (i32.const 65532) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 4096)) (i32.const 21)) (i32.const 105))
         (call $expect (i32.eq (call $spawn (i32.const 1031) (i32.const 7) (i32.const 0) (i32.const 0x10000000) (i32.const 0) (i32.const 0) (i32.const 4096)) (i32.const 1)) (i32.const 106))",
    );
    let mut h = Harness::new(&[("parent", &parent)]);
    assert_eq!(h.run(Command::new("parent")), ExitStatus::Exited(0));
    let logs = h.logs();
    assert!(logs.contains("parent: spawn: cannot read `nothing`: not found"), "{logs}");
    assert!(logs.contains("parent: spawn: `garbage` is not a valid wasm module"), "{logs}");
}

#[test]
fn waiting_for_what_is_not_a_child_is_echild() {
    // Pids 0, 1 (itself), 99 (none); and 3, a child of pid 2.
    let parent = wasi_program(
        &with_proc(r#"(data (i32.const 1024) "middle")"#),
        &format!(
            "(call $expect (i32.eq (call $wait (i32.const 0) (i32.const 4100)) (i32.const 12)) (i32.const 101))
             (call $expect (i32.eq (call $wait (i32.const 1) (i32.const 4100)) (i32.const 12)) (i32.const 102))
             (call $expect (i32.eq (call $wait (i32.const 99) (i32.const 4100)) (i32.const 12)) (i32.const 103))
             {spawn}
             (call $expect (i32.eqz (call $wait (i32.const 2) (i32.const 4100))) (i32.const 104))
             (call $expect (i32.eq (call $wait (i32.const 3) (i32.const 4100)) (i32.const 12)) (i32.const 105))
             ;; a bad status pointer is EFAULT
             (call $expect (i32.eq (call $wait (i32.const 2) (i32.const 65534)) (i32.const 21)) (i32.const 106))",
            spawn = spawn_named(6)
        ),
    );
    // `middle` starts `leaf` and leaves it running.
    let middle = wasi_program(&with_proc(r#"(data (i32.const 1024) "leaf")"#), &spawn_named(4));
    let mut h = Harness::new(&[("parent", &parent), ("middle", &middle), ("leaf", &sleeper(1000))]);
    assert_eq!(h.run(Command::new("parent")), ExitStatus::Exited(0));
}

#[test]
fn a_trapping_child_does_not_take_its_parent_down() {
    let parent = wasi_program(
        &with_proc(r#"(data (i32.const 1024) "crash") (data (i32.const 1040) "survived\0a")"#),
        &format!(
            "{spawn}
             (call $expect (i32.eqz (call $wait (i32.load (i32.const 4096)) (i32.const 4100))) (i32.const 101))
             ;; trapped (1 << 8) | 134
             (call $expect (i32.eq (i32.load (i32.const 4100)) (i32.const 0x186)) (i32.const 102))
             (drop (call $print (i32.const 1040) (i32.const 9)))",
            spawn = spawn_named(5)
        ),
    );
    let crash = r#"(module (memory (export "memory") 1) (func (export "_start") unreachable))"#;
    let mut h = Harness::new(&[("parent", &parent), ("crash", crash)]);
    assert_eq!(h.run(Command::new("parent")), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "survived\n");
    assert!(h.logs().contains("crash: trap: unreachable instruction executed"), "{}", h.logs());
}

#[test]
fn kill_ends_a_running_and_a_blocked_process() {
    // Pid 2 spins, pid 3 sleeps for an hour; both are killed.
    let parent = wasi_program(
        &with_proc(
            r#"(import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
               (data (i32.const 1024) "spin") (data (i32.const 1040) "nap")"#,
        ),
        "(call $expect (i32.eqz (call $spawn (i32.const 1024) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 4096))) (i32.const 100))
         (call $expect (i32.eqz (call $spawn (i32.const 1040) (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 4104))) (i32.const 101))
         (drop (call $sched_yield))
         (call $expect (i32.eqz (call $kill (i32.const 2))) (i32.const 102))
         (call $expect (i32.eqz (call $kill (i32.const 3))) (i32.const 103))
         (call $expect (i32.eq (call $kill (i32.const 3)) (i32.const 71)) (i32.const 104))
         (call $expect (i32.eq (call $kill (i32.const 77)) (i32.const 71)) (i32.const 105))
         (call $expect (i32.eq (call $kill (i32.const 0)) (i32.const 71)) (i32.const 110))
         ;; list: a buffer past the end of memory, a count pointer outside it
         (call $expect (i32.eq (call $list (i32.const 65000) (i32.const 1000) (i32.const 4108)) (i32.const 21)) (i32.const 111))
         (call $expect (i32.eq (call $list (i32.const 8192) (i32.const 64) (i32.const -4)) (i32.const 21)) (i32.const 112))
         (call $expect (i32.eqz (call $wait (i32.const 2) (i32.const 4100))) (i32.const 106))
         ;; killed: (2 << 8) | 137
         (call $expect (i32.eq (i32.load (i32.const 4100)) (i32.const 0x289)) (i32.const 107))
         (call $expect (i32.eqz (call $wait (i32.const 3) (i32.const 4100))) (i32.const 108))
         (call $expect (i32.eq (i32.load (i32.const 4100)) (i32.const 0x289)) (i32.const 109))",
    );
    let mut h = Harness::with_config(
        &[("parent", &parent), ("spin", SPIN), ("nap", &sleeper(3_600_000_000_000))],
        small_slices(),
    );
    assert_eq!(h.run(Command::new("parent")), ExitStatus::Exited(0));
    let logs = h.logs();
    assert!(logs.contains("pid 2 (spin): killed by pid 1"), "{logs}");
    assert!(logs.contains("pid 3 (nap): killed by pid 1"), "{logs}");
    // Nobody waited for the hour.
    assert!(h.machine.borrow().waits.is_empty());
}

#[test]
fn a_process_can_kill_itself_and_the_kernel_can_kill_any() {
    let suicide = wasi_program(&with_proc(""), "(drop (call $kill (i32.const 1))) (call $proc_exit (i32.const 3))");
    let mut h = Harness::new(&[("suicide", &suicide), ("spin", SPIN)]);
    assert_eq!(h.run(Command::new("suicide")), ExitStatus::Killed { by: Some(1) });
    let spin = h.spawn(Command::new("spin")).unwrap();
    assert!(h.kernel.kill(spin));
    assert!(!h.kernel.kill(spin));
    assert_eq!(h.kernel.run_until_exit(spin), Some(ExitStatus::Killed { by: None }));
}

#[test]
fn exec_runs_an_embedded_module_and_returns_its_status() {
    let child = wat::parse_str(wasi_program(
        r#"(data (i32.const 1024) "child runs\0a")"#,
        "(drop (call $print (i32.const 1024) (i32.const 11))) (call $proc_exit (i32.const 42))",
    ))
    .unwrap();
    let crash = wat::parse_str(r#"(module (func (export "_start") unreachable))"#).unwrap();
    let parent = wasi_program(
        &format!(
            r#"(import "sys" "exec" (func $exec (param i32 i32 i32 i32) (result i32)))
               (data (i32.const 1024) "embed")
               (data (i32.const 1040) "back\0a")
               (data (i32.const 8192) "{child}")
               (data (i32.const 32768) "{crash}")"#,
            child = escape(&child),
            crash = escape(&crash)
        ),
        &format!(
            "(if (i32.ne (call $exec (i32.const 1024) (i32.const 5) (i32.const 8192) (i32.const {child_len})) (i32.const 42))
               (then (call $proc_exit (i32.const 100))))
             (drop (call $print (i32.const 1040) (i32.const 5)))
             (if (i32.ne (call $exec (i32.const 1024) (i32.const 5) (i32.const 32768) (i32.const {crash_len})) (i32.const 0x186))
               (then (call $proc_exit (i32.const 101))))
             ;; not wasm: -ENOEXEC; a bad pointer: -EFAULT
             (if (i32.ne (call $exec (i32.const 1024) (i32.const 5) (i32.const 1024) (i32.const 5)) (i32.const -45))
               (then (call $proc_exit (i32.const 102))))
             (if (i32.ne (call $exec (i32.const 1024) (i32.const 5) (i32.const 65000) (i32.const 5000)) (i32.const -21))
               (then (call $proc_exit (i32.const 103))))",
            child_len = child.len(),
            crash_len = crash.len()
        ),
    );
    let mut h = Harness::new(&[("exec", &parent)]);
    assert_eq!(h.run(Command::new("exec")), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "child runs\nback\n");
    assert!(h.logs().contains("started `embed` as embed"), "{}", h.logs());
}

#[test]
fn a_hundred_concurrent_children_end_with_their_own_statuses() {
    // Child: sleeps 1 ms, then exits with the length of its argv[1]
    // (args_sizes_get's buffer size minus "child\0" and the NUL).
    let child = wasi_program(
        r#"(import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
           (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
           (data (i32.const 2048) "\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\01\00\00\00\00\00\00\00\40\42\0f\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00")"#,
        "(drop (call $poll (i32.const 2048) (i32.const 3072) (i32.const 1) (i32.const 3200)))
         (drop (call $args_sizes (i32.const 100) (i32.const 104)))
         (call $proc_exit (i32.sub (i32.load (i32.const 104)) (i32.const 7)))",
    );
    // Parent: child i gets an argument of i letters (ciovec at 2048);
    // pids 2..101 are kept at 8192 + 4i; then the list shows 101 live
    // processes; then each status is checked.
    let parent = wasi_program(
        &with_proc(r#"(data (i32.const 1024) "child") (data (i32.const 1100) "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")"#),
        "(local $i i32)
         (i32.store (i32.const 2048) (i32.const 1100))
         (loop $spawn_all
           (i32.store (i32.const 2052) (local.get $i))
           (call $expect (i32.eqz (call $spawn (i32.const 1024) (i32.const 5) (i32.const 2048) (i32.const 1) (i32.const 0) (i32.const 0)
             (i32.add (i32.const 8192) (i32.mul (local.get $i) (i32.const 4))))) (i32.const 100))
           (local.set $i (i32.add (local.get $i) (i32.const 1)))
           (br_if $spawn_all (i32.lt_u (local.get $i) (i32.const 100))))
         (call $expect (i32.eqz (call $list (i32.const 16384) (i32.const 640) (i32.const 4104))) (i32.const 101))
         (call $expect (i32.eq (i32.load (i32.const 4104)) (i32.const 101)) (i32.const 102))
         ;; the first record is the caller, running; the second its first child
         (call $expect (i32.eq (i32.load (i32.const 16384)) (i32.const 1)) (i32.const 103))
         (call $expect (i32.eq (i32.load (i32.const 16392)) (i32.const 0)) (i32.const 104))
         (call $expect (i32.eq (i32.load (i32.const 16448)) (i32.const 2)) (i32.const 105))
         (call $expect (i32.eq (i32.load (i32.const 16452)) (i32.const 1)) (i32.const 106))
         (call $expect (i32.eq (i32.load (i32.const 16460)) (i32.const 5)) (i32.const 107))
         (call $expect (i32.eq (i32.load (i32.const 16472)) (i32.const 0x6c696863)) (i32.const 108))
         (local.set $i (i32.const 0))
         (loop $wait_all
           (call $expect (i32.eqz (call $wait (i32.load (i32.add (i32.const 8192) (i32.mul (local.get $i) (i32.const 4)))) (i32.const 4100))) (i32.const 109))
           (call $expect (i32.eq (i32.load (i32.const 4100)) (local.get $i)) (i32.const 110))
           (local.set $i (i32.add (local.get $i) (i32.const 1)))
           (br_if $wait_all (i32.lt_u (local.get $i) (i32.const 100))))",
    );
    let mut h = Harness::with_config(&[("parent", &parent), ("child", &child)], Config::default());
    assert_eq!(h.run(Command::new("parent")), ExitStatus::Exited(0));
    // All slept together: one wait for their deadline.
    assert_eq!(h.machine.borrow().waits, [Wake { deadline: Some(1_000_000), stdin: false, irqs: 0 }]);
    assert!(h.kernel.processes().is_empty(), "{:?}", h.kernel.processes());
}

#[test]
fn the_kernel_lists_processes_and_their_states() {
    let parent = wasi_program(&with_proc(r#"(data (i32.const 1024) "nap")"#), &spawn_named(3));
    let mut h = Harness::new(&[("parent", &parent), ("nap", &sleeper(1000))]);
    let pid = h.spawn(Command::new("parent")).unwrap();
    assert_eq!(h.kernel.run_until_exit(pid), Some(ExitStatus::Exited(0)));
    // The orphan sleeper lives on.
    let list = h.kernel.processes();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(
        (list[0].pid, list[0].parent, list[0].state, list[0].name.as_str()),
        (2, Some(1), RunState::Ready, "nap")
    );
}

/// Reads the monotonic clock, sleeps `ns` `rounds` times and exits with
/// the worst lateness in microseconds.
fn late_sleeper(ns: u64, rounds: u32) -> String {
    wasi_program(
        &format!(
            r#"(import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
               (import "wasi_snapshot_preview1" "clock_time_get" (func $time (param i32 i64 i32) (result i32)))
               (data (i32.const 2048) "\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\01\00\00\00\00\00\00\00{}\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00")"#,
            escape(&ns.to_le_bytes())
        ),
        &format!(
            "(local $i i32) (local $late i64) (local $worst i64)
             (loop $round
               (drop (call $time (i32.const 1) (i64.const 0) (i32.const 64)))
               (drop (call $poll (i32.const 2048) (i32.const 3072) (i32.const 1) (i32.const 3200)))
               (drop (call $time (i32.const 1) (i64.const 0) (i32.const 72)))
               (local.set $late (i64.sub (i64.sub (i64.load (i32.const 72)) (i64.load (i32.const 64))) (i64.const {ns})))
               (if (i64.gt_s (local.get $late) (local.get $worst)) (then (local.set $worst (local.get $late))))
               (local.set $i (i32.add (local.get $i) (i32.const 1)))
               (br_if $round (i32.lt_u (local.get $i) (i32.const {rounds}))))
             (call $proc_exit (i32.wrap_i64 (i64.div_u (local.get $worst) (i64.const 1000))))"
        ),
    )
}

#[test]
fn a_busy_loop_delays_a_sleeper_by_at_most_a_few_slices() {
    // Virtual time: the clock advances 1 µs each time it is read, and the
    // kernel reads it a few times per slice, so elapsed time counts slices.
    // With three endless loops running, a sleeper of 200 µs wakes within
    // a round of their slices.
    let mut h = Harness::with_config(
        &[("spin", SPIN), ("sleeper", &late_sleeper(200_000, 10))],
        // Not `small_slices`: debug logging reads the clock too.
        Config { slice_fuel: 10_000, ..Config::default() },
    );
    h.machine.borrow_mut().tick_ns = 1_000;
    for _ in 0..3 {
        h.spawn(Command::new("spin")).unwrap();
    }
    let sleeper = h.spawn(Command::new("sleeper")).unwrap();
    let Some(ExitStatus::Exited(late_us)) = h.kernel.run_until_exit(sleeper) else { panic!("the sleeper failed") };
    // Clock reads per slice: its start and end, and one to check deadlines.
    let slice_us = 3;
    assert!(late_us <= 4 * slice_us, "the sleeper woke {late_us} µs late");
    // The loops never let the kernel idle.
    assert!(h.machine.borrow().waits.is_empty());
}

#[test]
fn dmesg_gives_the_recent_log_lines_even_those_not_shown() {
    // Logs at info (the console shows warn and above), starts a child that
    // exits 3, then prints what dmesg gives, in a 4 KiB buffer and in one
    // too small for any line.
    let program = wasi_program(
        &with_proc(
            r#"(import "sys" "log" (func $log (param i32 i32 i32)))
               (import "sys" "dmesg" (func $dmesg (param i32 i32 i32) (result i32)))
               (data (i32.const 1024) "three")
               (data (i32.const 1100) "hello\0a")
               (data (i32.const 2048) "\4c\04\00\00\06\00\00\00")"#,
        ),
        &format!(
            "(call $log (i32.const 6) (i32.const 2048) (i32.const 1))
             {spawn}
             (call $expect (i32.eqz (call $wait (i32.const 2) (i32.const 4100))) (i32.const 101))
             (call $expect (i32.eqz (call $dmesg (i32.const 8192) (i32.const 10) (i32.const 4104))) (i32.const 102))
             (call $expect (i32.eqz (i32.load (i32.const 4104))) (i32.const 103))
             (call $expect (i32.eq (call $dmesg (i32.const 65530) (i32.const 10) (i32.const 4104)) (i32.const 21)) (i32.const 104))
             (call $expect (i32.eqz (call $dmesg (i32.const 8192) (i32.const 4096) (i32.const 4104))) (i32.const 105))
             (drop (call $print (i32.const 8192) (i32.load (i32.const 4104))))",
            spawn = spawn_named(5)
        ),
    );
    let mut h = Harness::with_config(&[("logger", &program), ("three", &exits_with(3))], Config::default());
    assert_eq!(h.run(Command::new("logger")), ExitStatus::Exited(0));
    assert_eq!(h.logs(), "", "nothing at warn or above");
    let version = walos_kernel::VERSION;
    assert_eq!(
        h.stdout(),
        format!(
            "[   0.000000] info   kernel: walos {version} with the wasmi engine\n\
             [   0.000000] info   kernel: pid 1: started `logger` as logger\n\
             [   0.000000] info   logger: hello\n\
             [   0.000000] info   kernel: pid 2: started `three` as three\n\
             [   0.000000] info   kernel: pid 2 (three): exited with status 3\n"
        )
    );
}

#[test]
fn a_child_may_kill_its_waiting_parent_and_lives_on() {
    // Pid 1 starts `rebel` and waits; `rebel` kills pid 1, then exits 5.
    let parent = wasi_program(
        &with_proc(r#"(data (i32.const 1024) "rebel")"#),
        &format!(
            "{spawn}
             (drop (call $wait (i32.load (i32.const 4096)) (i32.const 4100)))
             (call $proc_exit (i32.const 1))",
            spawn = spawn_named(5)
        ),
    );
    let rebel = wasi_program(&with_proc(""), "(drop (call $kill (i32.const 1))) (call $proc_exit (i32.const 5))");
    let mut h = Harness::new(&[("parent", &parent), ("rebel", &rebel)]);
    let pid = h.spawn(Command::new("parent")).unwrap();
    assert_eq!(h.kernel.run_until_exit(pid), Some(ExitStatus::Killed { by: Some(2) }));
    // The orphan runs to its end; nobody can collect its status, so none
    // is kept.
    let rebel = h.kernel.processes();
    assert_eq!(rebel.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["rebel"]);
    assert_eq!(h.kernel.run_until_exit(rebel[0].pid), None);
    assert!(h.logs().contains("pid 2 (rebel): exited with status 5"), "{}", h.logs());
    assert!(h.kernel.processes().is_empty());
}

#[test]
fn spawn_module_starts_bytes_with_arguments() {
    // The child exits with its argument count; the parent passes two.
    let child = wat::parse_str(
        r#"(module
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start") (drop (call $sizes (i32.const 0) (i32.const 4))) (call $exit (i32.load (i32.const 0)))))"#,
    )
    .unwrap();
    let parent = wasi_program(
        &with_proc(&format!(
            r#"(data (i32.const 1024) "kidxy")
               (data (i32.const 2048) "\03\04\00\00\01\00\00\00\04\04\00\00\01\00\00\00")
               (data (i32.const 8192) "{}")"#,
            escape(&child)
        )),
        &format!(
            "(call $expect (i32.eqz (call $spawn_module (i32.const 1024) (i32.const 3) (i32.const 8192) (i32.const {len})
               (i32.const 2048) (i32.const 2) (i32.const 0) (i32.const 0) (i32.const 4096))) (i32.const 100))
             (call $expect (i32.eqz (call $wait (i32.load (i32.const 4096)) (i32.const 4100))) (i32.const 101))
             (call $proc_exit (i32.load (i32.const 4100)))",
            len = child.len()
        ),
    );
    let mut h = Harness::new(&[("parent", &parent)]);
    assert_eq!(h.run(Command::new("parent")), ExitStatus::Exited(3));
    assert!(h.logs().contains("pid 2: started `kid` as kid"), "{}", h.logs());
}

#[test]
fn a_module_handed_over_is_charged_to_the_memory_budget_while_its_process_runs() {
    // The child, one page, exits at once. The budget holds the parent's
    // page, the child's and one charge for its module: a child started
    // and waited for gives its charge back, so a second one fits; two
    // alive at once do not, and the second spawn is ENOMEM (48).
    const PAGE: usize = 64 << 10;
    let child = wat::parse_str(r#"(module (memory 1) (func (export "_start")))"#).unwrap();
    let len = child.len();
    let spawn = format!(
        "(call $spawn_module (i32.const 1024) (i32.const 3) (i32.const 8192) (i32.const {len}) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 4096))"
    );
    let parent = wasi_program(
        &with_proc(&format!(r#"(data (i32.const 1024) "kid") (data (i32.const 8192) "{}")"#, escape(&child))),
        &format!(
            "(call $expect (i32.eqz {spawn}) (i32.const 100))
             (call $expect (i32.eqz (call $wait (i32.load (i32.const 4096)) (i32.const 4100))) (i32.const 101))
             (call $expect (i32.eqz {spawn}) (i32.const 102))
             (call $proc_exit {spawn})"
        ),
    );
    let charge = 8 * len;
    let config = Config { max_total_memory: 2 * PAGE + charge + charge / 2, ..Config::default() };
    let mut h = Harness::with_config(&[("parent", &parent)], config);
    assert_eq!(h.run(Command::new("parent")), ExitStatus::Exited(48));
    let logs = h.logs();
    let held = 2 * PAGE + charge;
    assert!(
        logs.contains(&format!(
            "parent: no memory for a module of {len} bytes: {charge} more bytes of memory do not fit: processes hold {held} of the {} bytes they may take together",
            2 * PAGE + charge + charge / 2
        )),
        "{logs}"
    );
}

#[test]
fn a_program_can_change_the_log_level() {
    // Logs at debug, raises the level to debug, logs again; 8 is EINVAL.
    let program = wasi_program(
        r#"(import "sys" "log" (func $log (param i32 i32 i32)))
           (import "sys" "set_log_level" (func $set_level (param i32) (result i32)))
           (data (i32.const 1024) "hidden shown")
           (data (i32.const 2048) "\00\04\00\00\06\00\00\00\07\04\00\00\05\00\00\00")"#,
        "(call $log (i32.const 7) (i32.const 2048) (i32.const 1))
         (if (call $set_level (i32.const 8)) (then) (else (call $proc_exit (i32.const 1))))
         (drop (call $set_level (i32.const 7)))
         (call $log (i32.const 7) (i32.const 2056) (i32.const 1))",
    );
    let mut h = Harness::with_config(&[("levels", &program)], Config::default());
    assert_eq!(h.run(Command::new("levels")), ExitStatus::Exited(0));
    let logs = h.logs();
    assert!(logs.contains("debug  levels: shown"), "{logs}");
    assert!(!logs.contains("hidden"), "{logs}");
}

#[test]
fn ctrl_c_kills_the_foreground_process_and_is_input_otherwise() {
    // `rebel` (pid 2) may not name its parent: it exits with the errno.
    // `nap` (pid 3) sleeps for an hour in the foreground until Ctrl-C.
    // Then byte 3 reaches the parent's read.
    let parent = wasi_program(
        &with_proc(
            r#"(import "proc" "set_foreground" (func $set_foreground (param i32) (result i32)))
               (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
               (data (i32.const 1024) "rebel") (data (i32.const 1040) "nap")"#,
        ),
        &format!(
            "{rebel}
             (call $expect (i32.eqz (call $wait (i32.const 2) (i32.const 4100))) (i32.const 101))
             (call $expect (i32.eq (i32.load (i32.const 4100)) (i32.const 63)) (i32.const 102))
             (call $expect (i32.eq (call $set_foreground (i32.const 99)) (i32.const 71)) (i32.const 103))
             (call $expect (i32.eqz (call $set_foreground (i32.const 1))) (i32.const 104))
             (call $expect (i32.eqz (call $set_foreground (i32.const 0))) (i32.const 105))
             (call $expect (i32.eqz (call $spawn (i32.const 1040) (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 4096))) (i32.const 106))
             (call $expect (i32.eqz (call $set_foreground (i32.const 3))) (i32.const 107))
             (call $expect (i32.eqz (call $wait (i32.const 3) (i32.const 4100))) (i32.const 108))
             ;; killed: (2 << 8) | 137
             (call $expect (i32.eq (i32.load (i32.const 4100)) (i32.const 0x289)) (i32.const 109))
             ;; the next Ctrl-C is input
             (i32.store (i32.const 4200) (i32.const 4300))
             (i32.store (i32.const 4204) (i32.const 16))
             (call $expect (i32.eqz (call $fd_read (i32.const 0) (i32.const 4200) (i32.const 1) (i32.const 4208))) (i32.const 110))
             (call $expect (i32.eq (i32.load (i32.const 4208)) (i32.const 2)) (i32.const 111))
             (call $expect (i32.eq (i32.load16_u (i32.const 4300)) (i32.const 0x0378)) (i32.const 112))",
            rebel = spawn_named(5)
        ),
    );
    let rebel = wasi_program(
        &with_proc(r#"(import "proc" "set_foreground" (func $set_foreground (param i32) (result i32)))"#),
        "(call $proc_exit (call $set_foreground (i32.const 1)))",
    );
    let mut h = Harness::with_config(
        &[("parent", &parent), ("rebel", &rebel), ("nap", &sleeper(3_600_000_000_000))],
        small_slices(),
    );
    h.machine.borrow_mut().stdin_on_wait.extend([Some(b"\x03".to_vec()), Some(b"x\x03".to_vec())]);
    assert_eq!(h.run(Command::new("parent")), ExitStatus::Exited(0));
    let logs = h.logs();
    assert!(logs.contains("pid 3 (nap): Ctrl-C\n"), "{logs}");
    assert!(logs.contains("pid 3 (nap): killed\n"), "{logs}");
    // Nobody waited for the hour.
    assert!(h.machine.borrow().waits.iter().all(|wake| wake.stdin), "{:?}", h.machine.borrow().waits);
}

#[test]
fn spawning_a_reactor_is_refused_with_its_name() {
    let reactor = r#"(module (func (export "_initialize")) (func (export "f")))"#;
    let parent = wasi_program(
        &with_proc(r#"(data (i32.const 1024) "lib")"#),
        "(call $proc_exit (call $spawn (i32.const 1024) (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 4096)))",
    );
    let mut h = Harness::new(&[("parent", &parent), ("lib", reactor)]);
    // ENOEXEC
    assert_eq!(h.run(Command::new("parent")), ExitStatus::Exited(45));
    assert!(
        h.logs().contains("parent: spawn: `lib` is a reactor (it exports `_initialize` and no `_start`)"),
        "{}",
        h.logs()
    );
}

#[test]
fn spawns_past_the_process_limit_are_eagain_until_one_ends() {
    // Limit 3: the parent and two sleepers; the third spawn is refused,
    // and after one sleeper is killed and collected, spawning works again.
    let spawn_at = |pid_at: u32| {
        format!(
            "(call $spawn (i32.const 1024) (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const {pid_at}))"
        )
    };
    let parent = wasi_program(
        &with_proc(r#"(data (i32.const 1024) "nap")"#),
        &format!(
            "(call $expect (i32.eqz {first}) (i32.const 100))
             (call $expect (i32.eqz {second}) (i32.const 101))
             (call $expect (i32.eq {third} (i32.const 6)) (i32.const 102))
             (call $expect (i32.eqz (call $kill (i32.load (i32.const 4096)))) (i32.const 103))
             (call $expect (i32.eqz (call $wait (i32.load (i32.const 4096)) (i32.const 4200))) (i32.const 104))
             (call $expect (i32.eqz {again}) (i32.const 105))",
            first = spawn_at(4096),
            second = spawn_at(4100),
            third = spawn_at(4104),
            again = spawn_at(4108),
        ),
    );
    let config = Config { max_processes: 3, log_level: walos_kernel::log::Level::Debug, ..Config::default() };
    let mut h = Harness::with_config(&[("parent", &parent), ("nap", &sleeper(1_000_000_000))], config);
    assert_eq!(h.run(Command::new("parent")), ExitStatus::Exited(0));
    let logs = h.logs();
    assert!(
        logs.contains("parent: spawn: cannot start `nap`: 3 processes are alive, the most allowed (--max-processes 3)"),
        "{logs}"
    );
    assert!(logs.contains("pid 4: started `nap` as nap"), "{logs}");
}

#[test]
fn processes_share_the_total_memory_limit_and_give_it_back_when_they_end() {
    // Three pages for all: the parent holds one, so a child of three does
    // not fit, and the parent itself may grow by two pages but not three.
    const PAGE: usize = 64 << 10;
    let parent = wasi_program(
        &with_proc(r#"(data (i32.const 1024) "big")"#),
        "(call $expect (i32.ne (call $spawn (i32.const 1024) (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 4096)) (i32.const 0)) (i32.const 100))
         (call $expect (i32.eq (memory.grow (i32.const 2)) (i32.const 1)) (i32.const 101))
         (call $expect (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (i32.const 102))",
    );
    let big = r#"(module (memory 3) (func (export "_start")))"#;
    let config = Config { max_total_memory: 3 * PAGE, ..Config::default() };
    let mut h = Harness::with_config(&[("parent", &parent), ("big", big)], config);
    assert_eq!(h.run(Command::new("parent")), ExitStatus::Exited(0));
    let logs = h.logs();
    assert!(
        logs.contains("parent: spawn: cannot start `big`: cannot instantiate: 196608 more bytes of memory do not fit: processes hold 65536 of the 196608 bytes they may take together"),
        "{logs}"
    );
    // The parent's memory is back: now the child fits.
    assert_eq!(h.run(Command::new("big")), ExitStatus::Exited(0));
}
