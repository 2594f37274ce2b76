//! The hostile-program suite on the Linux loader (issue 18): each case runs
//! beside the honest program (`tests/hostile/honest.c`), which must finish
//! with its exact output while the case misbehaves; the case gets an error
//! or a trap naming it; walos never panics and never hangs (every run is
//! bounded, `walos_tests::hostile::Bench`). `make test` runs this file on
//! both engines (`WALOS_ENGINE`).
//!
//! Known phase-2 gaps (issue 18 item 2: limits, preemptible instantiation)
//! are asserted as they are today and marked `PHASE 2`.

use std::time::Duration;

use walos_tests::hostile::{Bench, assert_honest, honest_lines};
use walos_tests::{Run, engine, generate};

/// The most a run may take; the slowest case (wasmi zeroing 1 GiB of
/// memories) takes a few seconds.
const TIMEOUT: Duration = Duration::from_secs(90);

/// The walos process's data limit in memory cases: the "machine" whose
/// memory they exhaust (not the one the tests run on).
const MACHINE: u64 = 1 << 30;

fn bench() -> Bench {
    Bench::new(TIMEOUT)
}

/// The case's own lines (from `prefix` on), in order: without the honest
/// program's, which may follow a case's on the same line.
fn lines_of<'a>(run: &'a Run, prefix: &str) -> Vec<&'a str> {
    run.stdout
        .lines()
        .map(|line| line.find("honest: ").map_or(line, |at| &line[..at]))
        .filter_map(|own| own.find(prefix).map(|at| &own[at..]))
        .collect()
}

/// walos's log lines, without their time stamps (`[   0.260012] `).
fn log_lines(run: &Run) -> Vec<&str> {
    run.stderr.lines().map(|line| line.split_once("] ").map_or(line, |(_, rest)| rest)).collect()
}

/// Asserts that `line` is `start`, then what starts with a number (how
/// far the case got, which depends on the host's allocator), then `end`.
fn assert_shape(line: &str, start: &str, end: &str) {
    let middle = line.strip_prefix(start).and_then(|rest| rest.strip_suffix(end));
    assert!(
        middle.is_some_and(|m| m.starts_with(|c: char| c.is_ascii_digit())),
        "{line:?} is not {start:?}N...{end:?}"
    );
}

// Memory bombs.

#[test]
fn a_memory_grown_to_the_limit_is_refused_growth() {
    let bench = bench().program("bomb").data_limit(MACHINE);
    let run = bench.run(&["bomb", "memory", "16"]);
    assert_honest(&run, "bomb", 0, Some("exited with 0"));
    let lines = lines_of(&run, "bomb: ");
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    assert!(lines[0].starts_with("bomb: memory.grow(16) refused at "), "{}", lines[0]);
    assert_eq!(run.stderr, "", "the kernel logged nothing");
}

#[test]
fn growth_in_a_loop_with_touches_is_refused_at_the_machine_s_end() {
    let bench = bench().program("bomb").data_limit(MACHINE);
    let run = bench.run(&["bomb", "touch", "16"]);
    assert_honest(&run, "bomb", 0, Some("exited with 0"));
    let lines = lines_of(&run, "bomb: ");
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    assert_shape(lines[0], "bomb: memory.grow(16) refused at ", " MiB grown)");
    assert_eq!(run.stderr, "", "the kernel logged nothing");
}

#[test]
fn many_memory_bombs_together_past_the_machine_s_memory_are_all_refused() {
    let bench = bench().program("bomb").data_limit(MACHINE);
    let run = bench.run(&["bomb", "many", "8", "touch", "64"]);
    assert_honest(&run, "bomb", 0, Some("exited with 0"));
    let lines = lines_of(&run, "bomb: ");
    assert_eq!(lines.last(), Some(&"bomb: 8 children: 8 refused and exited, 0 did not"), "{}", run.stdout);
    assert_eq!(lines.len(), 9, "{}", run.stdout);
    for line in &lines[..8] {
        assert_shape(line, "bomb: memory.grow(64) refused at ", " MiB grown)");
    }
    assert_eq!(run.stderr, "", "the kernel logged nothing");
}

#[test]
fn a_rust_heap_that_never_stops_growing_ends_in_the_allocator_s_abort() {
    let bench = bench().program("alloc-bomb").data_limit(MACHINE);
    let run = bench.run(&["alloc-bomb"]);
    assert_honest(&run, "alloc-bomb", 0, Some("trapped (134)"));
    assert!(run.stderr.contains("memory allocation of 16777216 bytes failed"), "{}", run.stderr);
    assert!(run.stderr.contains("err    alloc-bomb: trap: unreachable instruction executed"), "{}", run.stderr);
    assert!(!run.stdout.contains("never refused"), "{}", run.stdout);
}

// Spawn bombs, descriptors, files, floods.

#[test]
fn a_spawn_bomb_is_refused_or_bounded_and_spawning_works_again_after() {
    let bench = bench().program("bomb").wat("sleeper");
    let run = bench.run(&["bomb", "spawn", "1024"]);
    assert_honest(&run, "bomb", 0, Some("exited with 0"));
    let first = match engine().as_str() {
        // wasmtime's instance limit (engine/wasmtime MAX_INSTANCES, 256:
        // honest, bomb and 254 sleepers). PHASE 2 (issue 18 item 2): a
        // refusal for lack of room is ENOEXEC (45) today, not EAGAIN.
        "wasmtime" => {
            assert_eq!(
                log_lines(&run),
                [
                    "warn   bomb: spawn: cannot start `sleeper`: cannot instantiate: maximum concurrent limit of 256 for core instances reached"
                ]
            );
            "bomb: spawn refused with 45 after 254 children"
        }
        // PHASE 2 (issue 18 item 2): wasmi has no process limit yet; the
        // bomb's own bound stops it.
        _ => {
            assert_eq!(run.stderr, "");
            "bomb: 1024 children spawned, none refused"
        }
    };
    assert_eq!(lines_of(&run, "bomb: "), [first, "bomb: after killing them, spawn: 0"]);
}

#[test]
fn descriptor_exhaustion_is_emfile_and_the_table_is_usable_after() {
    let bench = bench().program("bomb");
    let dir = format!("{}::/d", bench.dir().display());
    let run = bench.option("--dir").option(&dir).run(&["bomb", "fds", "/d", "10000"]);
    assert_honest(&run, "bomb", 0, Some("exited with 0"));
    // kernel/src/fd MAX_FDS: 4096, less stdin, stdout, stderr and /d.
    assert_eq!(
        lines_of(&run, "bomb: "),
        [
            "bomb: open refused after 4092 descriptors: No file descriptors available",
            "bomb: after closing two, open: ok"
        ]
    );
    assert_eq!(run.stderr, "", "the kernel logged nothing");
}

#[test]
fn files_grown_until_the_in_memory_file_system_is_full_get_enospc() {
    let bench = bench().program("bomb").data_limit(MACHINE).option("--mem-dir").option("/m");
    let run = bench.run(&["bomb", "fill", "/m", "4096"]);
    assert_honest(&run, "bomb", 0, Some("exited with 0"));
    let lines = lines_of(&run, "bomb: ");
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    assert_shape(lines[0], "bomb: writing refused after ", ": No space left on device");
    assert_eq!(run.stderr, "", "the kernel logged nothing");
}

#[test]
fn a_console_flood_does_not_stop_a_reader_of_stdin() {
    let input = vec![b'i'; 1 << 20];
    let bench = bench().program("bomb").stdin(&input);
    let run = bench.run(&["-r", "bomb", "flood", "64"]);
    let flood = "f".repeat(1023);
    assert_eq!(run.stdout.lines().filter(|line| *line == flood).count(), 64 * 1024);
    assert_eq!(
        honest_lines(&run),
        [
            "honest: spawn bomb: 0",
            "honest: sum 2666866670000",
            "honest: read 1048576 bytes of input",
            "honest: bomb exited with 0"
        ]
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
}

// Endless loops.

#[test]
fn an_endless_loop_in_start_is_preempted_and_killed() {
    let bench = bench().wat("loop_start");
    let run = bench.run(&["-k", "loop_start"]);
    assert_honest(&run, "loop_start", 0, Some("was killed (137)"));
    assert_eq!(run.stderr, "");
}

#[test]
fn an_endless_start_function_is_stopped_at_its_budget() {
    let bench = bench().wat("loop_startfn");
    let run = bench.run(&["loop_startfn"]);
    // PHASE 2 (issue 18 item 2): instantiation is not preemptible; the
    // start function runs to its budget while nothing else runs (the
    // honest program only finishes after it).
    assert_honest(&run, "loop_startfn", 45, None);
    let budget = if engine() == "wasmtime" { "time" } else { "fuel" };
    assert_eq!(
        log_lines(&run),
        [format!(
            "warn   honest: spawn: cannot start `loop_startfn`: cannot instantiate: the start function did not finish within its {budget} budget"
        )]
    );
}

#[test]
fn a_trapping_start_function_refuses_the_spawn_naming_the_trap() {
    let bench = bench().wat("trap_startfn");
    let run = bench.run(&["trap_startfn"]);
    assert_honest(&run, "trap_startfn", 45, None);
    assert_eq!(
        log_lines(&run),
        ["warn   honest: spawn: cannot start `trap_startfn`: start function trapped: unreachable instruction executed"]
    );
}

/// How the kernel fails a call of `spinner.spin` (kernel/src/service
/// MAX_CALL_SLICES).
const SPIN_FAILED: &str = "err    spinner: spin: still running after 1000 slices; the call of spinner.spin by callers fails, the service restarts on next use";

#[test]
fn a_provider_that_never_answers_fails_its_caller_s_call() {
    let bench = bench().wat("spinner").program("callers");
    let run = bench.run(&["callers", "one"]);
    assert_honest(&run, "callers", 0, Some("exited with 0"));
    assert_eq!(lines_of(&run, "callers: "), ["callers: spin returned -1"]);
    assert_eq!(log_lines(&run), [SPIN_FAILED]);
}

#[test]
fn a_provider_that_never_answers_many_callers_fails_each_call() {
    let bench = bench().wat("spinner").program("callers");
    let run = bench.run(&["callers", "8"]);
    assert_honest(&run, "callers", 0, Some("exited with 0"));
    let mut lines = lines_of(&run, "callers: ");
    assert_eq!(lines.pop(), Some("callers: 8 of 8 callers got an answer"), "{}", run.stdout);
    assert_eq!(lines, ["callers: spin returned -1"; 8]);
    assert_eq!(log_lines(&run), [SPIN_FAILED; 8]);
}

// Every import of every interface, called with hostile arguments.

/// A generated case: its module's name and the import it calls.
struct Generated {
    name: String,
    import: walos_kernel::ImportInfo,
}

#[test]
fn every_import_called_with_hostile_arguments_exits_or_traps_naming_it() {
    let mut bench = bench().option("--framebuffer");
    let screen = bench.dir().join("screen.ppm");
    bench = bench.option(screen.to_str().expect("UTF-8 path"));
    let mut cases = Vec::new();
    for import in walos_kernel::interfaces() {
        for pattern in &generate::PATTERNS {
            let name = generate::case_name(&import, pattern);
            let wat = generate::call_module(&import, pattern);
            let wasm = wat::parse_str(&wat).unwrap_or_else(|err| panic!("{name}: {err}\n{wat}"));
            bench = bench.module(&name, &wasm);
            cases.push(Generated { name, import });
        }
    }
    let names: Vec<String> = cases.iter().map(|case| case.name.clone()).collect();
    let driver = wat::parse_str(generate::driver(&names)).expect("the driver");
    let run = bench.module("driver", &driver).run(&["driver"]);
    assert_honest(&run, "driver", 0, Some("exited with 0"));
    let classes = lines_of(&run, "classes: ");
    assert_eq!(classes.len(), 1, "{}", run.stdout);
    let classes = classes[0].strip_prefix("classes: ").expect("the prefix").as_bytes();
    assert_eq!(classes.len(), cases.len());
    let log = log_lines(&run);
    let mut problems = Vec::new();
    for (case, &class) in cases.iter().zip(classes) {
        let import = format!("{}.{}", case.import.module, case.import.name);
        match class {
            // Refused at link: only imports of hardware this machine lacks
            // (the Linux loader has no ports) or for drivers only.
            b's' if case.import.drivers_only || case.import.device.is_some() => {}
            b'e' => {}
            // A trap names the process and the import that refused the
            // call.
            b't' => {
                let prefix = format!("err    {}: trap: {import}: ", case.name);
                if !log.iter().any(|line| line.starts_with(&prefix)) {
                    problems.push(format!("{}: trapped without a line {prefix:?}", case.name));
                }
            }
            other => problems.push(format!("{}: class {}", case.name, other as char)),
        }
    }
    assert!(problems.is_empty(), "{} of {} cases:\n{}", problems.len(), cases.len(), problems.join("\n"));
}

// Malformed and oversized modules, spawned by the honest program.

/// Runs `honest NAME` with `wasm` as the sibling `NAME`; returns the run.
fn spawn_module(name: &str, wasm: &[u8]) -> Run {
    bench().module(name, wasm).data_limit(MACHINE).run(&[name])
}

/// `(module ... (func (export "_start")))` around `body`.
fn command(body: &str) -> Vec<u8> {
    wat::parse_str(format!("(module {body} (func (export \"_start\")))")).expect("valid WAT")
}

/// Asserts that the spawn of `name` was refused (ENOEXEC) with the kernel
/// saying `message` about it, the honest program unaffected.
fn assert_refused(run: &Run, name: &str, message: &str) {
    assert_honest(run, name, 45, None);
    assert_eq!(log_lines(run), [format!("warn   honest: spawn: {message}")]);
}

#[test]
fn a_truncated_module_is_refused_naming_it() {
    let wasm = command("(memory 1) (data (i32.const 0) \"some data\")");
    for cut in [3, 9, wasm.len() / 2, wasm.len() - 1] {
        let run = spawn_module("cut", &wasm[..cut]);
        assert_honest(&run, "cut", 45, None);
        let log = log_lines(&run);
        assert_eq!(log.len(), 1, "{}", run.stderr);
        assert!(
            log[0].starts_with("warn   honest: spawn: `cut` is not a valid wasm module: "),
            "cut at {cut}: {}",
            log[0]
        );
    }
}

#[test]
fn an_oversized_section_length_is_refused_naming_it() {
    // The header, then a type section claiming 4 GiB - 1 bytes.
    let mut wasm = b"\0asm\x01\0\0\0\x01".to_vec();
    wasm.extend([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x60, 0x00, 0x00]);
    let run = spawn_module("oversized", &wasm);
    assert_refused(&run, "oversized", "`oversized` is not a valid wasm module: unexpected end-of-file (at offset 0xe)");
}

#[test]
fn a_hundred_thousand_imports_link_or_are_refused_without_harm() {
    let imports: String = (0..100_000).map(|i| format!("(import \"sys\" \"nop\" (func $f{i}))")).collect();
    let run = spawn_module("imports", &command(&imports));
    if engine() == "wasmtime" {
        // The pooling allocator's bound on an instance's own state.
        assert_honest(&run, "imports", 45, None);
        assert!(
            log_lines(&run)[0].starts_with(
                "warn   honest: spawn: `imports` is not a valid wasm module: instance allocation for this module requires 6400208 bytes which exceeds the configured maximum of 1048576 bytes"
            ),
            "{}",
            run.stderr
        );
    } else {
        assert_honest(&run, "imports", 0, Some("exited with 0"));
        assert_eq!(run.stderr, "");
    }
}

#[test]
fn a_hundred_thousand_functions_load_without_harm() {
    let funcs: String = (0..100_000).map(|i| format!("(func $f{i} (result i32) (i32.const {i}))")).collect();
    let wasm = command(&funcs);
    if engine() == "wasmtime" {
        // PHASE 2 (issue 18 item 2): Cranelift's compilation of a module
        // (~600 MiB resident for this one) allocates infallibly: on a
        // machine of 1 GiB walos itself stops, "memory allocation of N
        // bytes failed". Here on the test machine's memory, it loads.
        let run = bench().module("funcs", &wasm).run(&["funcs"]);
        assert_honest(&run, "funcs", 0, Some("exited with 0"));
        assert_eq!(run.stderr, "");
        let run = spawn_module("funcs", &wasm);
        assert!(run.stderr.contains("memory allocation of "), "{}", run.stderr);
        assert_eq!(run.status, -1, "killed by SIGABRT");
    } else {
        let run = spawn_module("funcs", &wasm);
        assert_honest(&run, "funcs", 0, Some("exited with 0"));
        assert_eq!(run.stderr, "");
    }
}

#[test]
fn a_memory_larger_than_the_machine_is_refused() {
    // 4 GiB at once: the loader's limit (4 GiB, loader/elf/src/host.rs)
    // allows it, the machine does not.
    let run = spawn_module("bigmem", &command("(memory 65536)"));
    let why = match engine().as_str() {
        "wasmtime" => "Cannot allocate memory (os error 12)",
        _ => "failed to instantiate memory: tried to allocate more virtual memory than available on the system",
    };
    assert_refused(&run, "bigmem", &format!("cannot start `bigmem`: cannot instantiate: {why}"));
}

#[test]
fn a_table_of_four_billion_entries_is_refused() {
    let run = spawn_module("bigtable", &command("(table 0xffffffff funcref)"));
    // PHASE 2 (issue 18 item 2): walos has no table limit of its own yet;
    // wasmtime's is 20000 entries, wasmi's the machine's memory.
    let message = match engine().as_str() {
        "wasmtime" => {
            "`bigtable` is not a valid wasm module: table index 0 has a minimum element size of 4294967295 which exceeds the limit of 20000"
        }
        _ => {
            "cannot start `bigtable`: cannot instantiate: failed to instantiate table: tried to allocate more virtual memory than available on the system"
        }
    };
    assert_refused(&run, "bigtable", message);
}

#[test]
fn a_data_segment_past_the_memory_fails_instantiation() {
    let run = spawn_module("baddata", &command("(memory 1) (data (i32.const 0xfffffff0) \"0123456789abcdef\")"));
    // The engines report a segment's trap as the start function's (the
    // module has none): misleading wording, kept in engine/api error.rs.
    assert_refused(&run, "baddata", "cannot start `baddata`: start function trapped: out of bounds memory access");
}

#[test]
fn a_service_with_a_bad_w_section_is_refused_at_link_naming_it() {
    // `evil.take(ptr, len)`: its `w` entry says a buffer not followed by a
    // length, then entries for functions it does not have.
    let cases = [
        (
            "\\01\\04evil\\04take\\02\\02\\00",
            "`w` entry `evil.take`: parameter 0 is a buffer not followed by a length (-5)",
        ),
        ("\\01\\04evil\\04none\\02\\02\\fb", "`w` entry `evil.none` describes no exported function"),
        ("\\01\\04evil\\04take\\01\\02", "`w` entry `evil.take` has 1 kinds for 2 parameters"),
        // Five entries announced, one name begun.
        ("\\05\\04evil", "malformed `w` section: truncated number"),
        ("\\01\\04evil\\04take\\02\\01\\fb", "`w` entry `evil.take`: kind 1 is not supported yet"),
        // A name of 4 GiB - 1 bytes.
        ("\\01\\04evil\\ff\\ff\\ff\\ff\\0f", "malformed `w` section: truncated"),
    ];
    let (mut got, mut want) = (Vec::new(), Vec::new());
    for (section, message) in cases {
        let evil = wat::parse_str(format!(
            r#"(module (memory (export "memory") 1)
              (func (export "walos_alloc") (param i32) (result i32) (i32.const 1024))
              (func (export "walos_free") (param i32 i32))
              (func (export "take") (param i32 i32) (result i32) (local.get 1))
              (@custom "w" "{section}"))"#
        ))
        .expect("valid WAT");
        let taker = command(
            r#"(import "evil" "take" (func $take (param i32 i32) (result i32)))
               (memory (export "memory") 1)"#,
        );
        let run = bench().module("evil", &evil).module("taker", &taker).run(&["taker"]);
        assert_honest(&run, "taker", 45, None);
        got.push(log_lines(&run).join("\n"));
        want.push(format!(
            "warn   honest: spawn: cannot link `taker`:\n  import `evil.take` (func (i32, i32) -> i32): service `evil` cannot be loaded: {message} (taker -> evil)"
        ));
    }
    assert_eq!(got, want);
}

/// A service `evil` exporting `take(ptr, len) -> len` (its `w` entry: bytes
/// in) whose `walos_alloc` is `alloc`, and a command calling it with 16
/// bytes, exiting with what came back (255: -1, the call failed).
fn evil_service_bench(alloc: &str) -> Bench {
    evil_service_call(alloc, 0, 16)
}

/// [`evil_service_bench`] with the caller passing `ptr` and `len`.
fn evil_service_call(alloc: &str, ptr: u32, len: u32) -> Bench {
    let evil = wat::parse_str(format!(
        r#"(module (memory (export "memory") 1)
          (func (export "walos_alloc") (param i32) (result i32) {alloc})
          (func (export "walos_free") (param i32 i32))
          (func (export "take") (param i32 i32) (result i32) (local.get 1))
          (@custom "w" "\01\04evil\04take\02\02\fb"))"#
    ))
    .expect("valid WAT");
    let taker = wat::parse_str(format!(
        r#"(module
          (import "evil" "take" (func $take (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (call $exit (i32.and (call $take (i32.const {ptr}) (i32.const {len})) (i32.const 255)))))"#
    ))
    .expect("valid WAT");
    bench().module("evil", &evil).module("taker", &taker)
}

#[test]
fn a_provider_whose_allocator_answers_out_of_its_memory_fails_the_call() {
    let run = evil_service_bench("(i32.const 0xfffffff8)").run(&["taker"]);
    assert_honest(&run, "taker", 0, Some("exited with 255"));
    assert_eq!(
        log_lines(&run),
        [
            "err    evil: walos_alloc gave 4294967288, no room for 16 bytes there; the call of evil.take by taker fails, the service restarts on next use"
        ]
    );
}

#[test]
fn a_provider_whose_allocator_traps_fails_the_call() {
    let run = evil_service_bench("(unreachable)").run(&["taker"]);
    assert_honest(&run, "taker", 0, Some("exited with 255"));
    assert_eq!(
        log_lines(&run),
        [
            "err    evil: walos_alloc: trapped: unreachable instruction executed; the call of evil.take by taker fails, the service restarts on next use"
        ]
    );
}

#[test]
fn a_provider_whose_allocator_never_returns_fails_the_call() {
    let run = evil_service_bench("(loop $forever (br $forever)) (i32.const 0)").run(&["taker"]);
    assert_honest(&run, "taker", 0, Some("exited with 255"));
    assert_eq!(
        log_lines(&run),
        [
            "err    evil: walos_alloc: still running after 1000 slices; the call of evil.take by taker fails, the service restarts on next use"
        ]
    );
}

#[test]
fn a_program_that_kills_everybody_ends_the_honest_program_and_walos_holds() {
    // PHASE 2 / policy (docs/security.md): `proc.kill` may end any
    // process; the entry's end ends `walos run` with its status.
    let run = bench().wat("killer").run(&["killer"]);
    assert_eq!(honest_lines(&run), ["honest: spawn killer: 0"]);
    assert_eq!(run.status, 137, "{}", run.stderr);
    assert_eq!(run.stderr, "");
}

#[test]
fn a_caller_handing_a_provider_bad_buffers_gets_a_failed_call() {
    let bad = [
        (0xffff_fff0, 0x100, "parameter 0: buffer at 4294967280 outside the caller's memory"),
        (0, 0x7fff_ffff, "parameter 0: buffer at 0 outside the caller's memory"),
        (0x1_0000, 1, "parameter 0: buffer at 65536 outside the caller's memory"),
    ];
    let (mut got, mut want) = (Vec::new(), Vec::new());
    for (ptr, len, why) in bad {
        let run = evil_service_call("(i32.const 1024)", ptr, len).run(&["taker"]);
        assert_honest(&run, "taker", 0, Some("exited with 255"));
        got.push(log_lines(&run).join("\n"));
        want.push(format!("warn   taker: call of evil.take by taker: {why}"));
    }
    assert_eq!(got, want);
}
