//! Services: the dependency tree, calls crossing memories, and providers
//! that fail or misbehave. The log says which services were loaded.

mod common;

use common::Harness;
use walos_kernel::log::Level;
use walos_kernel::{Command, Config, ExitStatus};

/// A program importing `imports`, with `data` and `body` as `_start`;
/// `$num(v)` prints a one-digit number (or `-d`) and a space, `$write(ptr,
/// len)` prints bytes.
fn program(imports: &str, data: &str, body: &str) -> String {
    format!(
        r#"(module
  (import "stdout" "putc" (func $putc (param i32) (result i32)))
  (import "stdout" "write" (func $out (param i32 i32) (result i32)))
  {imports}
  (memory (export "memory") 1)
  {data}
  (func $num (param $v i32)
    (if (i32.lt_s (local.get $v) (i32.const 0))
      (then (drop (call $putc (i32.const 45)))
            (local.set $v (i32.sub (i32.const 0) (local.get $v)))))
    (drop (call $putc (i32.add (i32.const 48) (local.get $v))))
    (drop (call $putc (i32.const 32))))
  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $out (i32.const 0) (i32.const 1))))
  (func (export "_start") {body}))"#
    )
}

fn loads(logs: &str) -> Vec<&str> {
    logs.lines().filter_map(|line| Some(&line[line.find("loading service ")?..])).collect()
}

const LEAF: &str = r#"(module (func (export "g") (result i32) (i32.const 4)))"#;

/// Exports `a:f`, the original naming, and calls `b.g`.
const MIDDLE: &str = r#"(module
  (import "b" "g" (func $g (result i32)))
  (func (export "a:f") (result i32) (i32.add (call $g) (i32.const 1))))"#;

#[test]
fn providers_load_once_in_dependency_order_and_unused_ones_never() {
    let main = program(
        r#"(import "a" "f" (func $f (result i32)))
           (import "b" "g" (func $g (result i32)))"#,
        "",
        "(call $num (call $f)) (call $num (call $g)) (call $num (call $f))",
    );
    let unused = r#"(module (func (export "h")))"#;
    let mut h = Harness::new(&[("main", &main), ("a", MIDDLE), ("b", LEAF), ("c", unused)]);
    assert_eq!(h.run(Command::new("main")), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "5 4 5 ");
    assert_eq!(loads(&h.logs()), ["loading service a for main", "loading service b for a"]);
    // A second program finds them loaded.
    assert_eq!(h.run(Command::new("main")), ExitStatus::Exited(0));
    assert_eq!(loads(&h.logs()).len(), 2);
}

#[test]
fn the_load_is_logged_at_info_level() {
    let main = program(r#"(import "b" "g" (func $g (result i32)))"#, "", "(call $num (call $g))");
    let config = Config { log_level: Level::Info, ..Config::default() };
    let mut h = Harness::with_config(&[("main", &main), ("b", LEAF)], config);
    assert_eq!(h.run(Command::new("main")), ExitStatus::Exited(0));
    assert_eq!(loads(&h.logs()), ["loading service b for main"]);
}

fn spawn_error(modules: &[(&str, &str)]) -> String {
    let mut h = Harness::new(modules);
    let error = h.spawn(Command::new("main")).map(|_| ()).unwrap_err().to_string();
    // The kernel goes on.
    assert_eq!(h.run(Command::new("ok")), ExitStatus::Exited(0));
    error
}

const OK: &str = r#"(module (func (export "_start")))"#;

#[test]
fn a_cycle_is_named_with_its_chain() {
    let main = program(r#"(import "a" "f" (func $f (result i32)))"#, "", "");
    let back = r#"(module
      (import "a" "f" (func $f (result i32)))
      (func (export "g") (result i32) (call $f)))"#;
    assert_eq!(
        spawn_error(&[("main", &main), ("a", MIDDLE), ("b", back), ("ok", OK)]),
        "cannot link `main`:\n  import `a.f` (func () -> i32): service cycle main -> a -> b -> a"
    );
}

#[test]
fn a_missing_provider_is_named_with_its_chain() {
    let main = program(r#"(import "a" "f" (func $f (result i32)))"#, "", "");
    assert_eq!(
        spawn_error(&[("main", &main), ("a", MIDDLE), ("ok", OK)]),
        "cannot link `main`:\n  import `b.g` (func () -> i32): no interface or service `b` (main -> a -> b)"
    );
}

#[test]
fn signature_mismatches_and_missing_exports_are_named() {
    let main = program(
        r#"(import "b" "g" (func $g (param i64) (result i32)))
           (import "b" "nope" (func $n))"#,
        "",
        "",
    );
    assert_eq!(
        spawn_error(&[("main", &main), ("b", LEAF), ("ok", OK)]),
        "cannot link `main`:\n  \
         import `b.g` (func (i64) -> i32): service `b` exports it with type () -> i32 (main -> b)\n  \
         import `b.nope` (func ()): service `b` exports no `nope` or `b:nope` (main -> b)"
    );
}

#[test]
fn a_bad_w_section_refuses_the_service() {
    let main = program(r#"(import "s" "f" (func $f (param i32) (result i32)))"#, "", "");
    let service = r#"(module
      (func (export "f") (param i32) (result i32) (i32.const 0))
      (@custom "w" "\01\01s\01f\01\02"))"#;
    assert_eq!(
        spawn_error(&[("main", &main), ("s", service), ("ok", OK)]),
        "cannot link `main`:\n  import `s.f` (func (i32) -> i32): service `s` cannot be loaded: \
         `w` entry `s.f`: parameter 0 is a buffer not followed by a length (-5) (main -> s)"
    );
}

/// A text service: `upper` copies a byte array upper-cased into another,
/// `count_x` counts the `x`s of a const iovec array, `fill` fills a mutable
/// one. Its buffers live at 4096.
const TEXT: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "walos_alloc") (param $size i32) (result i32)
    (if (result i32) (i32.gt_u (local.get $size) (i32.const 32768))
      (then (i32.const 0)) (else (i32.const 4096))))
  (func (export "upper") (param $src i32) (param $len i32) (param $dst i32) (param $cap i32) (result i32)
    (local $i i32) (local $c i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (br_if $done (i32.ge_u (local.get $i) (local.get $cap)))
      (local.set $c (i32.load8_u (i32.add (local.get $src) (local.get $i))))
      (if (i32.and (i32.ge_u (local.get $c) (i32.const 97)) (i32.le_u (local.get $c) (i32.const 122)))
        (then (local.set $c (i32.sub (local.get $c) (i32.const 32)))))
      (i32.store8 (i32.add (local.get $dst) (local.get $i)) (local.get $c))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $i))
  (func (export "count_x") (param $iovs i32) (param $n i32) (result i32)
    (local $p i32) (local $end i32) (local $count i32)
    (block $done (loop $vec
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $p (i32.load (local.get $iovs)))
      (local.set $end (i32.add (local.get $p) (i32.load offset=4 (local.get $iovs))))
      (block $vec_done (loop $byte
        (br_if $vec_done (i32.ge_u (local.get $p) (local.get $end)))
        (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 120))
          (then (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $byte)))
      (local.set $iovs (i32.add (local.get $iovs) (i32.const 8)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $vec)))
    (local.get $count))
  (func (export "fill") (param $iovs i32) (param $n i32) (param $byte i32)
    (block $done (loop $vec
      (br_if $done (i32.eqz (local.get $n)))
      (memory.fill (i32.load (local.get $iovs)) (local.get $byte) (i32.load offset=4 (local.get $iovs)))
      (local.set $iovs (i32.add (local.get $iovs) (i32.const 8)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $vec))))
  (@custom "w" "\03\04text\05upper\04\02\fb\06\fb\04text\07count_x\02\04\fb\04text\04fill\03\05\fb\ff"))"#;

const TEXT_IMPORTS: &str = r#"
  (import "text" "upper" (func $upper (param i32 i32 i32 i32) (result i32)))
  (import "text" "count_x" (func $count_x (param i32 i32) (result i32)))
  (import "text" "fill" (func $fill (param i32 i32 i32)))"#;

const TEXT_DATA: &str = r#"
  (data (i32.const 100) "hello, world")
  (data (i32.const 300) "\90\01\00\00\03\00\00\00\9a\01\00\00\02\00\00\00")
  (data (i32.const 400) "xax")
  (data (i32.const 410) "xx")
  (data (i32.const 500) "\58\02\00\00\03\00\00\00\62\02\00\00\02\00\00\00")"#;

#[test]
fn buffers_are_copied_both_ways() {
    let main = program(
        TEXT_IMPORTS,
        TEXT_DATA,
        "(call $num (i32.sub (call $upper (i32.const 100) (i32.const 12) (i32.const 200) (i32.const 12)) (i32.const 10)))
         (call $write (i32.const 200) (i32.const 12))
         (call $num (call $count_x (i32.const 300) (i32.const 2)))
         (call $fill (i32.const 500) (i32.const 2) (i32.const 122))
         (call $write (i32.const 600) (i32.const 3))
         (call $write (i32.const 610) (i32.const 2))
         (call $write (i32.const 100) (i32.const 12))",
    );
    let mut h = Harness::new(&[("main", &main), ("text", TEXT)]);
    assert_eq!(h.run(Command::new("main")), ExitStatus::Exited(0));
    // The input buffers are left as they were.
    assert_eq!(h.stdout(), "2 HELLO, WORLD4 zzzzzhello, world");
}

#[test]
fn bad_caller_buffers_fail_the_call_only() {
    let main = program(
        TEXT_IMPORTS,
        TEXT_DATA,
        "(call $num (call $upper (i32.const 100) (i32.const 0x7fffffff) (i32.const 200) (i32.const 12)))
         (call $num (call $upper (i32.const -4) (i32.const 8) (i32.const 200) (i32.const 12)))
         (call $num (call $count_x (i32.const 65530) (i32.const 2)))
         (call $num (call $count_x (i32.const 300) (i32.const 100000)))
         (call $num (call $upper (i32.const 100) (i32.const 5) (i32.const 200) (i32.const 5)))
         (call $write (i32.const 200) (i32.const 5))",
    );
    let mut h = Harness::new(&[("main", &main), ("text", TEXT)]);
    assert_eq!(h.run(Command::new("main")), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "-1 -1 -1 -1 5 HELLO");
    assert!(h.logs().contains("call of text.upper by main: parameter 0: buffer at 100 outside the caller's memory"));
    assert!(!h.logs().contains("restarting service text"), "{}", h.logs());
}

/// A counter whose `boom` traps: the caller gets -1 and the counter starts
/// again from scratch.
#[test]
fn a_trapping_provider_fails_the_call_and_restarts() {
    let counter = r#"(module
      (global $n (mut i32) (i32.const 0))
      (func (export "next") (result i32)
        (global.set $n (i32.add (global.get $n) (i32.const 1)))
        (global.get $n))
      (func (export "boom") (result i32) unreachable))"#;
    let main = program(
        r#"(import "counter" "next" (func $next (result i32)))
           (import "counter" "boom" (func $boom (result i32)))"#,
        "",
        "(call $num (call $next)) (call $num (call $next)) (call $num (call $boom)) (call $num (call $next))",
    );
    let mut h = Harness::new(&[("main", &main), ("counter", counter)]);
    assert_eq!(h.run(Command::new("main")), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "1 2 -1 1 ");
    let logs = h.logs();
    assert!(
        logs.contains(
            "boom: trapped: unreachable instruction executed; the call of counter.boom by main fails, \
             the service restarts on next use"
        ),
        "{logs}"
    );
    assert!(logs.contains("restarting service counter"), "{logs}");
    assert_eq!(loads(&logs), ["loading service counter for main"]);
}

/// A provider that hands out a block outside its memory, one that spins,
/// one that exits: each call fails, the caller and the kernel go on.
#[test]
fn a_malicious_provider_hurts_nobody() {
    let evil = r#"(module
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "walos_alloc") (param i32) (result i32) (i32.const -16))
      (func (export "take") (param i32 i32) (result i32) (i32.const 7))
      (func (export "spin") (result i32) (loop $l (br $l)) (i32.const 0))
      (func (export "quit") (result i32) (call $exit (i32.const 3)) (i32.const 0))
      (@custom "w" "\01\04evil\04take\02\02\fb"))"#;
    let main = program(
        r#"(import "evil" "take" (func $take (param i32 i32) (result i32)))
           (import "evil" "spin" (func $spin (result i32)))
           (import "evil" "quit" (func $quit (result i32)))"#,
        r#"(data (i32.const 100) "secret")"#,
        "(call $num (call $take (i32.const 100) (i32.const 6)))
         (call $num (call $spin))
         (call $num (call $quit))
         (call $num (call $take (i32.const 100) (i32.const 0)))
         (call $write (i32.const 100) (i32.const 6))",
    );
    let config = Config { log_level: Level::Debug, slice_fuel: 1000, ..Config::default() };
    let mut h = Harness::with_config(&[("main", &main), ("evil", evil)], config);
    assert_eq!(h.run(Command::new("main")), ExitStatus::Exited(0));
    // A zero-length buffer needs no block: the call goes through.
    assert_eq!(h.stdout(), "-1 -1 -1 7 secret");
    let logs = h.logs();
    for expected in [
        "walos_alloc gave 4294967280, no room for 8 bytes there; the call of evil.take by main fails",
        "spin: still running after 1000 slices; the call of evil.spin by main fails",
        "quit: exited with status 3 during a call; the call of evil.quit by main fails",
    ] {
        assert!(logs.contains(expected), "{expected}\n{logs}");
    }
}

/// A provider calling its own provider, with buffers at each hop.
#[test]
fn calls_chain_through_services() {
    let shout = r#"(module
      (import "text" "upper" (func $upper (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "walos_alloc") (param i32) (result i32) (i32.const 1024))
      (func (export "shout") (param $p i32) (param $n i32) (result i32)
        (call $upper (local.get $p) (local.get $n) (local.get $p) (local.get $n)))
      (@custom "w" "\01\05shout\05shout\02\07\fb"))"#;
    let main = program(
        r#"(import "shout" "shout" (func $shout (param i32 i32) (result i32)))"#,
        r#"(data (i32.const 100) "quiet")"#,
        "(call $num (call $shout (i32.const 100) (i32.const 5))) (call $write (i32.const 100) (i32.const 5))",
    );
    let mut h = Harness::new(&[("main", &main), ("shout", shout), ("text", TEXT)]);
    assert_eq!(h.run(Command::new("main")), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "5 QUIET");
    assert_eq!(loads(&h.logs()), ["loading service shout for main", "loading service text for shout"]);
}

#[test]
fn a_provider_is_also_found_by_its_qualified_export() {
    // `kbd` exports `hw:key_read`: it serves `(hw, key_read)`, and `hw` is
    // no module of the store.
    let kbd = r#"(module (func (export "hw:key_read") (result i32) (i32.const 7)))"#;
    let other = r#"(module (func (export "hw:other") (result i32) (i32.const 1)))"#;
    let main = program(r#"(import "hw" "key_read" (func $k (result i32)))"#, "", "(call $num (call $k))");
    let mut h = Harness::new(&[("main", &main), ("a-other", other), ("kbd", kbd)]);
    assert_eq!(h.run(Command::new("main")), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "7 ");
    assert_eq!(loads(&h.logs()), ["loading service kbd for main"]);
    // Nobody exports `hw:nothing`: the error names the interface.
    let lost = program(r#"(import "hw" "nothing" (func $k (result i32)))"#, "", "(call $num (call $k))");
    let error = spawn_error(&[("main", &lost), ("kbd", kbd), ("ok", &program("", "", ""))]);
    assert!(error.contains("no interface or service `hw` (main -> hw)"), "{error}");
}

#[test]
fn a_service_runs_its_start_function_and_initialize_once_before_its_first_call() {
    // `g` answers what the start function stored, then `_initialize` added.
    let counter = r#"(module
      (global $n (mut i32) (i32.const 0))
      (func $init (global.set $n (i32.const 3)))
      (start $init)
      (func (export "_initialize") (global.set $n (i32.add (global.get $n) (i32.const 2))))
      (func (export "g") (result i32) (global.get $n)))"#;
    let main = program(r#"(import "b" "g" (func $g (result i32)))"#, "", "(call $num (call $g)) (call $num (call $g))");
    let mut h = Harness::new(&[("main", &main), ("b", counter)]);
    assert_eq!(h.run(Command::new("main")), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "5 5 ");
}

/// A service `b` whose start function runs `body`, exporting `g() -> 1`;
/// `main` prints what `g` answers, `ticker` prints `1 2 3 `.
fn start_function_bench(body: &str) -> Harness {
    let b = format!(r#"(module (func $init {body}) (start $init) (func (export "g") (result i32) (i32.const 1)))"#);
    let main = program(r#"(import "b" "g" (func $g (result i32)))"#, "", "(call $num (call $g))");
    // Short slices: a debug build of wasmi's dispatch takes stack for
    // each instruction of a slice.
    let config = Config { slice_fuel: 1000, ..Config::default() };
    Harness::with_config(&[("main", &main), ("b", &b), ("ticker", &ticker())], config)
}

#[test]
fn a_service_whose_start_function_traps_fails_the_call_naming_it() {
    let mut h = start_function_bench("unreachable");
    // Loading the service does not run it: `main` links.
    assert_eq!(h.run(Command::new("main")), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "-1 ");
    let failed = "err    b: start function: trapped: unreachable instruction executed; \
                  the call of b.g by main fails, the service restarts on next use";
    assert!(h.logs().contains(failed), "{}", h.logs());
}

#[test]
fn a_service_whose_start_function_loops_lets_the_others_run() {
    // Before, a service's start function ran inside `main`'s link, alone:
    // nobody ran until its budget was spent.
    let mut h = start_function_bench("(loop $forever (br $forever))");
    let main = h.spawn(Command::new("main")).unwrap();
    let ticker = h.spawn(Command::new("ticker")).unwrap();
    assert_eq!(h.kernel.run_until_exit(ticker), Some(ExitStatus::Exited(0)));
    assert_eq!(h.stdout(), "1 2 3 ", "`main` still waits for its call");
    assert_eq!(h.kernel.run_until_exit(main), Some(ExitStatus::Exited(0)));
    assert_eq!(h.stdout(), "1 2 3 -1 ");
    let hung = "err    b: start function: still running after 1000 slices; the call of b.g by main fails";
    assert!(h.logs().contains(hung), "{}", h.logs());
}

/// Returns the next byte of console input: blocks while there is none.
const READER: &str = r#"(module
  (import "stdio" "getc" (func $getc (result i32)))
  (func (export "get") (result i32) (call $getc)))"#;

/// A program calling `reader.get` as `$get` in `body`.
fn calls_reader(body: &str) -> String {
    program(r#"(import "reader" "get" (func $get (result i32)))"#, "", body)
}

/// Prints `1 2 3 `, giving the CPU away after each.
fn ticker() -> String {
    program(
        r#"(import "sys" "yield" (func $yield))"#,
        "",
        "(call $num (i32.const 1)) (call $yield) (call $num (i32.const 2)) (call $yield) (call $num (i32.const 3))",
    )
}

#[test]
fn a_provider_blocked_in_a_call_lets_the_others_run() {
    let main = calls_reader("(call $num (i32.sub (call $get) (i32.const 48)))");
    let mut h = Harness::new(&[("main", &main), ("reader", READER), ("ticker", &ticker())]);
    // Input arrives only once nobody can run.
    h.machine.borrow_mut().stdin_on_wait.push_back(Some(b"7".to_vec()));
    let pid = h.spawn(Command::new("main")).unwrap();
    h.spawn(Command::new("ticker")).unwrap();
    assert_eq!(h.kernel.run_until_exit(pid), Some(ExitStatus::Exited(0)));
    assert_eq!(h.stdout(), "1 2 3 7 ");
}

#[test]
fn calls_to_a_busy_provider_wait_their_turn() {
    // Two callers of the blocking reader: served one after the other, in
    // the order they called.
    let main =
        |n: i32| calls_reader(&format!("(call $num (i32.const {n})) (call $num (i32.sub (call $get) (i32.const 48)))"));
    let (one, two) = (main(1), main(2));
    let mut h = Harness::new(&[("one", &one), ("two", &two), ("reader", READER)]);
    h.machine.borrow_mut().stdin_on_wait.extend([Some(b"5".to_vec()), Some(b"6".to_vec())]);
    let first = h.spawn(Command::new("one")).unwrap();
    let second = h.spawn(Command::new("two")).unwrap();
    assert_eq!(h.kernel.run_until_exit(first), Some(ExitStatus::Exited(0)));
    assert_eq!(h.kernel.run_until_exit(second), Some(ExitStatus::Exited(0)));
    assert_eq!(h.stdout(), "1 2 5 6 ");
    // The service is a process of its own, idle now.
    let reader = h.kernel.processes().into_iter().find(|p| p.name == "reader").expect("listed");
    assert_eq!(reader.state, walos_kernel::RunState::Blocked);
}

#[test]
fn a_killed_provider_fails_the_call_and_restarts() {
    let main = calls_reader("(call $num (call $get)) (call $num (i32.sub (call $get) (i32.const 48)))");
    // Pid 1 is the reader, loaded for main (pid 2); the killer is pid 3.
    let killer = program(
        r#"(import "proc" "kill" (func $kill (param i32) (result i32)))"#,
        "",
        "(call $num (call $kill (i32.const 1)))",
    );
    let mut h = Harness::new(&[("main", &main), ("reader", READER), ("killer", &killer)]);
    let pid = h.spawn(Command::new("main")).unwrap();
    assert_eq!(pid, 2);
    h.spawn(Command::new("killer")).unwrap();
    // Input arrives only once nobody can run: after the kill.
    h.machine.borrow_mut().stdin_on_wait.push_back(Some(b"4".to_vec()));
    assert_eq!(h.kernel.run_until_exit(pid), Some(ExitStatus::Exited(0)));
    assert_eq!(h.stdout(), "0 -1 4 ");
    assert!(h.logs().contains("restarting service reader"), "{}", h.logs());
}

#[test]
fn console_input_can_come_from_a_service() {
    // `kbd` hands out "hi\n", then the end of input, then waits for an
    // interrupt that never comes, as a keyboard driver with no keys.
    let kbd = r#"(module
  (import "x86" "irq_wait" (func $irq_wait (param i32) (result i32)))
  (memory 1)
  (data (i32.const 0) "hi\n")
  (global $next (mut i32) (i32.const 0))
  (func (export "stdio:getc") (result i32)
    (local $c i32)
    (if (i32.lt_u (global.get $next) (i32.const 3))
      (then (local.set $c (i32.load8_u (global.get $next)))
            (global.set $next (i32.add (global.get $next) (i32.const 1)))
            (return (local.get $c))))
    (if (i32.eq (global.get $next) (i32.const 3))
      (then (global.set $next (i32.const 4)) (return (i32.const -1))))
    (loop $forever (drop (call $irq_wait (i32.const 2))) (br $forever))
    (i32.const 0)))"#;
    let cat = program(
        r#"(import "stdio" "getc" (func $getc (result i32)))"#,
        "",
        "(local $c i32)
         (block $end (loop $next
           (local.set $c (call $getc))
           (br_if $end (i32.lt_s (local.get $c) (i32.const 0)))
           (drop (call $putc (local.get $c)))
           (br $next)))",
    );
    let config = Config {
        log_level: Level::Info,
        drivers: vec!["kbd".into()],
        input: Some("stdio".into()),
        ..Config::default()
    };
    let mut h = Harness::with_config(&[("cat", &cat), ("kbd", kbd)], config);
    assert_eq!(h.run(Command::new("cat")), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "hi\n");
    assert_eq!(loads(&h.logs()), ["loading service kbd for kernel"]);
    // The driver is parked on its interrupt, not spinning: a program that
    // sleeps now lets the kernel wait for the deadline or that interrupt.
    let kbd = h.kernel.processes().into_iter().find(|p| p.name == "kbd").expect("listed");
    assert_eq!(kbd.state, walos_kernel::RunState::Blocked);
    h.machine.borrow_mut().programs.insert("nap".into(), wat::parse_str(NAP).unwrap());
    assert_eq!(h.run(Command::new("nap")), ExitStatus::Exited(0));
    let waits = h.machine.borrow().waits.clone();
    assert_eq!(waits.last().map(|w| (w.irqs, w.deadline.is_some())), Some((2, true)), "{waits:?}");
}

/// Sleeps 1 ms.
const NAP: &str = r#"(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    ;; one clock subscription at 0: userdata, tag 0, clock id 1, timeout 1 ms
    (i32.store8 (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.const 1000000))
    (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))"#;

#[test]
fn a_missing_input_service_is_named() {
    let config = Config { input: Some("stdio".into()), ..Config::default() };
    let mut h = Harness::with_config(&[("ok", &program("", "", ""))], config);
    assert_eq!(h.run(Command::new("ok")), ExitStatus::Exited(0));
    assert!(h.logs().contains("no console input from `stdio.getc`:"), "{}", h.logs());
    assert!(h.logs().contains("no interface or service `stdio` (kernel -> stdio)"), "{}", h.logs());
}

#[test]
fn a_provider_parked_for_a_caller_that_ended_is_ended_too() {
    // main (pid 2) calls the reader (pid 1), which waits for input; the
    // killer (pid 3) kills main. The reader must not then take the input
    // meant for `next`, for an answer nobody waits for.
    let main = calls_reader("(call $num (call $get))");
    let killer = program(
        r#"(import "proc" "kill" (func $kill (param i32) (result i32)))"#,
        "",
        "(call $num (call $kill (i32.const 2)))",
    );
    let next = program(
        r#"(import "stdio" "getc" (func $getc (result i32)))"#,
        "",
        "(call $num (i32.sub (call $getc) (i32.const 48)))",
    );
    let mut h = Harness::new(&[("main", &main), ("reader", READER), ("killer", &killer), ("next", &next)]);
    let pid = h.spawn(Command::new("main")).unwrap();
    assert_eq!(pid, 2);
    let killer = h.spawn(Command::new("killer")).unwrap();
    assert_eq!(h.kernel.run_until_exit(killer), Some(ExitStatus::Exited(0)));
    h.machine.borrow_mut().stdin_on_wait.push_back(Some(b"8".to_vec()));
    assert_eq!(h.run(Command::new("next")), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "0 8 ");
    let logs = h.logs();
    assert!(
        logs.contains(
            "its caller, pid 2, ended; the call of reader.get by main fails, the service restarts on next use"
        ),
        "{logs}"
    );
    // The reader's process is gone; it starts again for its next caller.
    assert!(!h.kernel.processes().iter().any(|p| p.name == "reader"));
}

/// `Config::unknown_imports` stands in for the entry's imports that name
/// nothing (a missing service, a missing export of a service), not for a
/// service's own imports, as wasmtime's flags are for the main module.
#[test]
fn unknown_imports_are_stood_in_for_the_entry_only() {
    let main = program(
        r#"(import "leaf" "missing" (func $missing (result i32)))
           (import "nowhere" "f" (func $f (param i64) (result i32)))
           (import "leaf" "g" (func $g (result i32)))"#,
        "",
        "(call $num (call $g)) (call $num (call $missing)) (call $num (call $f (i64.const 1)))",
    );
    let zeros = Config { unknown_imports: walos_kernel::UnknownImports::DefaultValues, ..Config::default() };
    let mut h = Harness::with_config(&[("main", &main), ("leaf", LEAF)], zeros);
    assert_eq!(h.run(Command::new("main")), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "4 0 0 ");

    let traps = Config { unknown_imports: walos_kernel::UnknownImports::Trap, ..Config::default() };
    let mut h = Harness::with_config(&[("main", &main), ("leaf", LEAF)], traps.clone());
    let status = h.run(Command::new("main"));
    assert!(matches!(status, ExitStatus::Trapped(_)), "{status:?}");
    assert_eq!(h.stdout(), "4 ");
    assert!(h.logs().contains("main: trap: unknown import: `leaf::missing` has not been defined"), "{}", h.logs());

    // A service importing what nobody provides is still refused.
    let needy = r#"(module (import "nowhere" "f" (func)) (func (export "g") (result i32) (i32.const 4)))"#;
    let mut h = Harness::with_config(&[("main", &main), ("leaf", needy)], traps);
    let error = h.spawn(Command::new("main")).map(|_| ()).unwrap_err().to_string();
    assert!(
        error.contains("import `nowhere.f` (func ()): no interface or service `nowhere` (main -> leaf -> nowhere)"),
        "{error}"
    );
}
