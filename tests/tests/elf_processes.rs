//! Processes on the Linux loader: the `exec` and `multitask` samples, and
//! a parent waiting for a child without using the CPU.

use std::process::{Command, Stdio};
use std::time::Duration;

use walos_tests::{program, reap, sample, temp_file, walos_bin, walos_run};

#[test]
fn exec_runs_its_embedded_module_and_gets_its_status() {
    let run = walos_run(&["--log", "info"], &sample("exec"), &[]);
    assert_eq!(
        run.stdout,
        "exec: running the embedded module\nHello from the embedded module!\nexec: embed ended with status 42\n"
    );
    assert!(run.stderr.contains("info   kernel: pid 2: started `embed` as embed"), "{}", run.stderr);
    assert!(run.stderr.contains("info   exec: Return to caller"), "{}", run.stderr);
    assert_eq!(run.status, 0);
}

#[test]
fn multitask_workers_interleave_and_the_sleeper_ticks_between_their_slices() {
    let run = walos_run(&[], &sample("multitask"), &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.first(), Some(&"multitask: workers a, b, c and a sleeper started"));
    assert_eq!(
        lines[lines.len() - 4..],
        [
            "multitask: worker a stopped (status 137)",
            "multitask: worker b stopped (status 137)",
            "multitask: worker c stopped (status 137)",
            "multitask: sleeper ended with status 0",
        ]
    );
    // The ticks come in order; before the first, between two, every worker
    // has made progress: nobody yields, yet the sleeper is never starved
    // and never starves the workers.
    let ticks: Vec<usize> =
        lines.iter().enumerate().filter(|(_, l)| l.starts_with("sleeper: tick")).map(|(i, _)| i).collect();
    assert_eq!(ticks.len(), 3, "{}", run.stdout);
    for (n, &at) in ticks.iter().enumerate() {
        assert!(lines[at].starts_with(&format!("sleeper: tick {} (", n + 1)), "{}", lines[at]);
        let since = if n == 0 { 1 } else { ticks[n - 1] + 1 };
        for worker in ["a", "b", "c"] {
            let prefix = format!("worker {worker}: step ");
            assert!(
                lines[since..at].iter().any(|l| l.starts_with(&prefix)),
                "worker {worker} did not run before tick {}:\n{}",
                n + 1,
                run.stdout
            );
        }
    }
    // Each worker's steps are numbered in order.
    for worker in ["a", "b", "c"] {
        let prefix = format!("worker {worker}: step ");
        let steps: Vec<u32> = lines.iter().filter_map(|l| l.strip_prefix(&prefix)?.parse().ok()).collect();
        assert_eq!(steps, (1..=steps.len() as u32).collect::<Vec<_>>(), "worker {worker}");
    }
}

#[test]
#[expect(clippy::zombie_processes, reason = "reaped by wait4, which also gives its CPU time")]
fn waiting_for_a_child_does_not_busy_wait() {
    // A parent that starts `sleep 800` (a sibling file) and exits with its
    // status.
    let parent = wat::parse_str(
        r#"(module
          (import "proc" "spawn" (func $spawn (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
          (import "proc" "wait" (func $wait (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (data (i32.const 1024) "sleep800")
          (data (i32.const 2048) "\05\04\00\00\03\00\00\00")
          (func (export "_start")
            (if (call $spawn (i32.const 1024) (i32.const 5) (i32.const 2048) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 4096))
              (then (call $exit (i32.const 100))))
            (if (call $wait (i32.load (i32.const 4096)) (i32.const 4100))
              (then (call $exit (i32.const 101))))
            (call $exit (i32.load (i32.const 4100)))))"#,
    )
    .expect("valid WAT");
    let sleep = std::fs::read(program("sleep")).expect("the sleep program");
    temp_file("sleep.wasm", &sleep);
    let parent = temp_file("sleep-parent.wasm", &parent);
    let child = Command::new(walos_bin())
        .arg("run")
        .arg(parent)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start walos");
    let (status, cpu) = reap(&child);
    assert_eq!(status, 0);
    assert!(cpu < Duration::from_millis(400), "walos used {cpu:?} of CPU while a parent waited 800 ms");
}

#[test]
fn programs_list_the_modules_of_the_service_store() {
    // The lister runs from a directory of its own: the store is that
    // directory's `*.wasm` files with a module name.
    let dir = std::env::temp_dir().join(format!("walos-modules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["zeta.wasm", "alpha.wasm", "notes.txt", ".hidden.wasm"] {
        std::fs::write(dir.join(name), b"").unwrap();
    }
    std::fs::copy(program("modules"), dir.join("lister.wasm")).unwrap();
    let run = walos_run(&[], &dir.join("lister.wasm"), &[]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(run.stdout, "alpha\nlister\nzeta\n[alpha\n]\n");
    assert_eq!(run.status, 18, "{}", run.stderr);
}

#[test]
fn status_words_tell_an_exit_with_137_a_trap_and_a_kill_apart() {
    // The children come from the program's own directory.
    let dir = std::env::temp_dir().join(format!("walos-endings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["endings", "exit_code", "abort", "spin"] {
        std::fs::copy(program(name), dir.join(format!("{name}.wasm"))).unwrap();
    }
    let run = walos_run(&[], &dir.join("endings.wasm"), &[]);
    std::fs::remove_dir_all(&dir).unwrap();
    // The children's own lines come in the scheduler's order.
    assert!(run.stdout.contains("about to abort\n") && run.stdout.contains("exiting with 137"), "{}", run.stdout);
    assert_eq!(
        run.stdout.replace("about to abort\n", "").replace("exiting with 137", "").replace("spinning\n", ""),
        "exit_code 137: exited, code 137 (status 0x89)\n\
         abort: trapped, code 134 (status 0x186)\n\
         spin: killed, code 137 (status 0x289)\n"
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
}
