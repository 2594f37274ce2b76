//! The execution model: slices, preemption, yielding, blocking and waking.

mod common;

use common::{Harness, wasi_program};
use walos_kernel::loader::Wake;
use walos_kernel::{Command, Config, ExitStatus};

/// Copies stdin to stdout with `fd_read`/`fd_write` until end of input.
const CAT: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 1024))
    (loop $more
      (i32.store (i32.const 4) (i32.const 64))
      (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
      (if (i32.load (i32.const 8)) (then
        (i32.store (i32.const 4) (i32.load (i32.const 8)))
        (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 12)))
        (br $more))))))"#;

#[test]
fn reading_stdin_blocks_until_input_arrives() {
    let mut h = Harness::new(&[("cat", CAT)]);
    {
        let mut machine = h.machine.borrow_mut();
        machine.stdin.push_back(Some(b"first ".to_vec()));
        machine.stdin_on_wait.extend([Some(b"second\n".to_vec()), None]);
    }
    assert_eq!(h.run(Command::new("cat")), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "first second\n");
    // The kernel waited twice, for stdin only: no polling, no timeouts.
    let stdin_only = Wake { deadline: None, stdin: true, irqs: 0 };
    assert_eq!(h.machine.borrow().waits, [stdin_only, stdin_only]);
}

#[test]
fn getc_blocks_and_returns_minus_one_at_end_of_input() {
    // Echoes bytes from getc until -1, then prints "$".
    let program = r#"(module
      (import "stdio" "getc" (func $getc (result i32)))
      (import "stdio" "putc" (func $putc (param i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start") (local $c i32)
        (block $eof (loop $next
          (local.set $c (call $getc))
          (br_if $eof (i32.eq (local.get $c) (i32.const -1)))
          (drop (call $putc (local.get $c)))
          (br $next)))
        (drop (call $putc (i32.const 36)))))"#;
    let mut h = Harness::new(&[("echo", program)]);
    h.machine.borrow_mut().stdin_on_wait.extend([Some(b"hi".to_vec()), None]);
    assert_eq!(h.run(Command::new("echo")), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "hi$");
}

#[test]
fn a_sleeper_keeps_running_while_a_reader_waits() {
    let mut h = Harness::new(&[("cat", CAT), ("nap", &sleeper(1_000, "nap\n"))]);
    h.machine.borrow_mut().stdin_on_wait.extend([Some(b"in\n".to_vec()), None]);
    let cat = h.spawn(Command::new("cat")).unwrap();
    let nap = h.spawn(Command::new("nap")).unwrap();
    assert_eq!(h.kernel.run_until_exit(nap), Some(ExitStatus::Exited(0)));
    assert_eq!(h.kernel.run_until_exit(cat), Some(ExitStatus::Exited(0)));
    // The first wait covers both: the sleeper's deadline and the reader's
    // stdin; the input arrives first.
    let waits = h.machine.borrow().waits.clone();
    assert_eq!(waits[0], Wake { deadline: Some(1_000), stdin: true, irqs: 0 });
    assert_eq!(h.stdout(), "in\nnap\n");
}

/// `poll_oneoff` with one relative monotonic clock of `ns` nanoseconds.
fn sleeper(ns: u64, message: &str) -> String {
    wasi_program(
        &format!(
            r#"(import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
               (data (i32.const 1024) "{message}")
               (data (i32.const 2048) "\07\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\01\00\00\00\00\00\00\00{timeout}\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00")"#,
            message = message.replace('\n', "\\0a"),
            timeout = ns.to_le_bytes().iter().map(|b| format!("\\{b:02x}")).collect::<String>()
        ),
        &format!(
            r#"(if (call $poll (i32.const 2048) (i32.const 3072) (i32.const 1) (i32.const 3200))
                 (then (call $proc_exit (i32.const 1))))
               ;; the event's userdata, error and type
               (if (i64.ne (i64.load (i32.const 3072)) (i64.const 7)) (then (call $proc_exit (i32.const 2))))
               (if (i32.load16_u (i32.const 3080)) (then (call $proc_exit (i32.const 3))))
               (drop (call $print (i32.const 1024) (i32.const {len})))"#,
            len = message.len()
        ),
    )
}

#[test]
fn sleeping_waits_for_the_deadline_once() {
    let mut h = Harness::new(&[("nap", &sleeper(5_000_000, "awake\n"))]);
    let start = h.machine.borrow().now_ns;
    assert_eq!(h.run(Command::new("nap")), ExitStatus::Exited(0));
    assert_eq!(h.stdout(), "awake\n");
    let machine = h.machine.borrow();
    assert_eq!(machine.waits, [Wake { deadline: Some(start + 5_000_000), stdin: false, irqs: 0 }]);
    assert_eq!(machine.now_ns, start + 5_000_000);
}

#[test]
fn sleepers_wake_in_deadline_order() {
    let mut h = Harness::new(&[("slow", &sleeper(9_000, "slow\n")), ("fast", &sleeper(2_000, "fast\n"))]);
    let slow = h.spawn(Command::new("slow")).unwrap();
    let fast = h.spawn(Command::new("fast")).unwrap();
    assert_eq!(h.kernel.run_until_exit(slow), Some(ExitStatus::Exited(0)));
    assert_eq!(h.kernel.run_until_exit(fast), Some(ExitStatus::Exited(0)));
    assert_eq!(h.stdout(), "fast\nslow\n");
    let deadlines: Vec<_> = h.machine.borrow().waits.iter().map(|w| w.deadline).collect();
    assert_eq!(deadlines, [Some(2_000), Some(9_000)]);
}

/// Prints `letter` `count` times, doing `work` loop iterations between.
fn worker(letter: char, count: u32, work: u32) -> String {
    format!(
        r#"(module
          (import "stdout" "putc" (func $putc (param i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start") (local $i i32) (local $j i32)
            (loop $print
              (local.set $j (i32.const 0))
              (loop $spin
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br_if $spin (i32.lt_u (local.get $j) (i32.const {work}))))
              (drop (call $putc (i32.const {code})))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $print (i32.lt_u (local.get $i) (i32.const {count}))))))"#,
        code = letter as u32
    )
}

#[test]
fn busy_processes_share_the_cpu_in_slices() {
    let config = Config { slice_fuel: 20_000, ..Config::default() };
    let programs = [("a", worker('a', 20, 5_000)), ("b", worker('b', 20, 5_000))];
    let programs: Vec<(&str, &str)> = programs.iter().map(|(n, p)| (*n, p.as_str())).collect();
    let mut h = Harness::with_config(&programs, config);
    let a = h.spawn(Command::new("a")).unwrap();
    let b = h.spawn(Command::new("b")).unwrap();
    assert_eq!(h.kernel.run_until_exit(a), Some(ExitStatus::Exited(0)));
    assert_eq!(h.kernel.run_until_exit(b), Some(ExitStatus::Exited(0)));
    let out = h.stdout();
    assert_eq!(out.matches('a').count(), 20);
    assert_eq!(out.matches('b').count(), 20);
    // Round robin: the letters alternate in runs of a slice's worth.
    let switches = out.as_bytes().windows(2).filter(|w| w[0] != w[1]).count();
    assert!(switches >= 10, "not interleaved: {out}");
    let longest_run = out.as_bytes().chunk_by(|x, y| x == y).map(<[u8]>::len).max();
    assert!(longest_run <= Some(3), "a slice ran too long: {out}");
}

/// Runs `spin` (an endless loop) beside a program printing `done`, which
/// must finish; the kernel and the spinner's pid.
fn beside_a_spinner(spin: &str) -> (Harness, u32) {
    let done =
        wasi_program(r#"(data (i32.const 1024) "done\n")"#, "(drop (call $print (i32.const 1024) (i32.const 5)))");
    let mut h =
        Harness::with_config(&[("spin", spin), ("done", &done)], Config { slice_fuel: 10_000, ..Config::default() });
    let spinner = h.spawn(Command::new("spin")).unwrap();
    let pid = h.spawn(Command::new("done")).unwrap();
    assert_eq!(h.kernel.run_until_exit(pid), Some(ExitStatus::Exited(0)));
    assert_eq!(h.stdout(), "done\n");
    (h, spinner)
}

#[test]
fn an_endless_loop_does_not_starve_others() {
    beside_a_spinner(r#"(module (func (export "_start") (loop $l (br $l))))"#);
}

#[test]
fn an_endless_start_function_is_preempted_and_killable() {
    let (mut h, spinner) =
        beside_a_spinner(r#"(module (func $init (loop $l (br $l))) (start $init) (func (export "_start")))"#);
    assert!(h.kernel.kill(spinner));
    assert_eq!(h.kernel.run_until_exit(spinner), Some(ExitStatus::Killed { by: None }));
}

#[test]
fn yielding_hands_the_cpu_over_at_once() {
    // Each prints its letter then yields, three times: with yields the
    // output alternates exactly even though slices are long.
    let yielder = |letter: char| {
        format!(
            r#"(module
              (import "stdout" "putc" (func $putc (param i32) (result i32)))
              (import "sys" "yield" (func $yield))
              (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
              (memory (export "memory") 1)
              (func (export "_start")
                (drop (call $putc (i32.const {c}))) (call $yield)
                (drop (call $putc (i32.const {c}))) (drop (call $sched_yield))
                (drop (call $putc (i32.const {c})))))"#,
            c = letter as u32
        )
    };
    let (x, y) = (yielder('x'), yielder('y'));
    let mut h = Harness::new(&[("x", &x), ("y", &y)]);
    let px = h.spawn(Command::new("x")).unwrap();
    let py = h.spawn(Command::new("y")).unwrap();
    h.kernel.run_until_exit(px);
    h.kernel.run_until_exit(py);
    assert_eq!(h.stdout(), "xyxyxy");
}

#[test]
fn cpu_time_only_counts_the_process_slices() {
    // The clock moves 1 µs per read; a process that sleeps 1 s has used far
    // less CPU time than wall time.
    let program = wasi_program(
        r#"(import "wasi_snapshot_preview1" "clock_time_get" (func $time (param i32 i64 i32) (result i32)))
           (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
           (data (i32.const 2048) "\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\01\00\00\00\00\00\00\00\00\ca\9a\3b\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00")"#,
        r#"(drop (call $poll (i32.const 2048) (i32.const 3072) (i32.const 1) (i32.const 3200)))
           (drop (call $time (i32.const 2) (i64.const 0) (i32.const 64)))
           (drop (call $time (i32.const 1) (i64.const 0) (i32.const 72)))
           (call $proc_exit (i64.lt_u (i64.load (i32.const 64)) (i64.const 100000000)))"#,
    );
    let mut h = Harness::new(&[("cpu", &program)]);
    h.machine.borrow_mut().tick_ns = 1_000;
    assert_eq!(h.run(Command::new("cpu")), ExitStatus::Exited(1));
}

#[test]
fn poll_reports_stdin_readiness_before_a_long_timeout() {
    // Subscriptions: userdata 1 = fd_read on fd 0, userdata 2 = a 10 s clock.
    // Input arrives at the first wait: one FD_READ event with its byte count.
    let program = wasi_program(
        r#"(import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
           (data (i32.const 2048) "\01\00\00\00\00\00\00\00\01\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00")
           (data (i32.const 2096) "\02\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\01\00\00\00\00\00\00\00\00\e4\0b\54\02\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00")
           (func $check (param i32) (param i32) (if (i32.eqz (local.get 0)) (then (call $proc_exit (local.get 1)))))"#,
        r#"(call $check (i32.eqz (call $poll (i32.const 2048) (i32.const 3072) (i32.const 2) (i32.const 3200))) (i32.const 1))
           (call $check (i32.eq (i32.load (i32.const 3200)) (i32.const 1)) (i32.const 2))
           (call $check (i64.eq (i64.load (i32.const 3072)) (i64.const 1)) (i32.const 3))
           (call $check (i32.eq (i32.load8_u (i32.const 3082)) (i32.const 1)) (i32.const 4))
           (call $check (i64.eq (i64.load (i32.const 3088)) (i64.const 5)) (i32.const 5))
           (call $proc_exit (i32.const 0))"#,
    );
    let mut h = Harness::new(&[("poll", &program)]);
    h.machine.borrow_mut().stdin_on_wait.push_back(Some(b"input".to_vec()));
    assert_eq!(h.run(Command::new("poll")), ExitStatus::Exited(0));
    assert_eq!(h.machine.borrow().waits, [Wake { deadline: Some(10_000_000_000), stdin: true, irqs: 0 }]);
}

#[test]
fn poll_without_subscriptions_is_einval() {
    let program = wasi_program(
        r#"(import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))"#,
        "(call $proc_exit (call $poll (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 64)))",
    );
    let mut h = Harness::new(&[("poll0", &program)]);
    assert_eq!(h.run(Command::new("poll0")), ExitStatus::Exited(28));
}
