//! The hostile-program suite's harness: a case runs beside the honest
//! program (`tests/hostile/honest.c`), which starts it, does a computation
//! with a known answer, then waits for it, so that a case passes only if
//! the honest program finishes with its exact output, walos does not
//! panic, and the whole run ends within a bound.
//!
//! Every run gets a directory of its own holding `honest.wasm` and the
//! case's modules: the Linux loader serves a program's siblings by name
//! (`proc.spawn`, services).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::{Run, walos_command};

/// The most a run of the suite may take; the slowest case (wasmtime
/// compiling 100 000 functions) takes a few seconds.
pub const TIMEOUT: Duration = Duration::from_secs(90);

/// The walos process's data limit in memory cases: the "machine" whose
/// memory they exhaust (not the one the tests run on).
pub const MACHINE: u64 = 1 << 30;

/// What the honest program computes: the sum of the squares of 1..=20000.
pub const HONEST_SUM: &str = "honest: sum 2666866670000";

/// A built program of `tests/hostile/` (C or Rust).
pub fn program(name: &str) -> PathBuf {
    let dir = std::env::var_os("WALOS_WASM").map_or_else(|| crate::root().join("target/wasm"), PathBuf::from);
    let path = dir.join("hostile").join(format!("{name}.wasm"));
    assert!(path.exists(), "the hostile program {} is missing: run `cargo xtask build` first", path.display());
    path
}

/// A WAT case of `tests/hostile/`, compiled.
pub fn wat_case(name: &str) -> Vec<u8> {
    let path = crate::root().join("tests/hostile").join(format!("{name}.wat"));
    wat::parse_file(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// A directory for one run: the honest program and the case's modules.
pub struct Bench {
    dir: PathBuf,
    options: Vec<String>,
    stdin: Vec<u8>,
    data_limit: Option<u64>,
    timeout: Duration,
}

impl Bench {
    /// A fresh directory holding `honest.wasm`; runs may take `timeout`.
    pub fn new(timeout: Duration) -> Bench {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("walos-hostile-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a directory");
        std::fs::copy(program("honest"), dir.join("honest.wasm")).expect("honest.wasm");
        Bench { dir, options: Vec::new(), stdin: Vec::new(), data_limit: None, timeout }
    }

    /// Adds module `name` (`NAME.wasm`) to the directory.
    pub fn module(self, name: &str, wasm: &[u8]) -> Bench {
        std::fs::write(self.dir.join(format!("{name}.wasm")), wasm).expect("a module");
        self
    }

    /// Adds the built hostile program `name`.
    pub fn program(self, name: &str) -> Bench {
        let wasm = std::fs::read(program(name)).expect("a hostile program");
        self.module(name, &wasm)
    }

    /// Adds the WAT case `name` of `tests/hostile/`.
    pub fn wat(self, name: &str) -> Bench {
        let wasm = wat_case(name);
        self.module(name, &wasm)
    }

    /// A `walos run` option (before the file).
    pub fn option(mut self, option: &str) -> Bench {
        self.options.push(option.into());
        self
    }

    /// The run's standard input.
    pub fn stdin(mut self, bytes: &[u8]) -> Bench {
        self.stdin = bytes.to_vec();
        self
    }

    /// Runs walos with at most `bytes` of data segments (`RLIMIT_DATA`): a
    /// machine that small, so that memory bombs meet the end of the host's
    /// memory without threatening the machine the tests run on.
    pub fn data_limit(mut self, bytes: u64) -> Bench {
        self.data_limit = Some(bytes);
        self
    }

    /// The directory, for `--dir`.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `walos run OPTIONS DIR/honest.wasm ARGS...`, killed and failed if it
    /// takes longer than the bench's timeout; fails if walos panicked.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut command = walos_command();
        command.arg("run").args(&self.options).arg(self.dir.join("honest.wasm")).args(args);
        if let Some(limit) = self.data_limit {
            limit_data(&mut command, limit);
        }
        let run = run_bounded(command, &self.stdin, self.timeout);
        assert!(!run.stderr.contains("panicked"), "walos panicked:\n{}", run.stderr);
        run
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn limit_data(command: &mut Command, bytes: u64) {
    use std::os::unix::process::CommandExt;
    // SAFETY: only setrlimit runs between fork and exec, an
    // async-signal-safe system call on a value on the stack.
    unsafe {
        command.pre_exec(move || {
            let limit = libc::rlimit { rlim_cur: bytes, rlim_max: bytes };
            if libc::setrlimit(libc::RLIMIT_DATA, &limit) == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
        });
    }
}

/// Runs `command` with `stdin` as its input; kills it and fails the test
/// if it is not done within `timeout` (a hang).
pub fn run_bounded(mut command: Command, stdin: &[u8], timeout: Duration) -> Run {
    let (mut child, feeder) = crate::spawn_fed(&mut command, stdin);
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut all = Vec::new();
            let _ = pipe.read_to_end(&mut all);
            all
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("piped stdout")));
    let err = drain(Box::new(child.stderr.take().expect("piped stderr")));
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait().expect("waiting for walos") {
            Some(status) => break status,
            None if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                let stderr = String::from_utf8_lossy(&err.join().expect("stderr")).into_owned();
                panic!("walos hung: not done after {timeout:?}: {command:?}\nstderr:\n{stderr}");
            }
        }
    };
    let _ = feeder.join();
    let stdout = String::from_utf8_lossy(&out.join().expect("stdout")).into_owned();
    let stderr = String::from_utf8_lossy(&err.join().expect("stderr")).into_owned();
    Run { status: status.code().unwrap_or(-1), stdout, stderr }
}

/// The honest program's lines, in order (a case's output may precede one
/// on the same line: each is taken from its `honest: `).
pub fn honest_lines(run: &Run) -> Vec<&str> {
    run.stdout.lines().filter_map(|line| line.find("honest: ").map(|at| &line[at..])).collect()
}

/// Asserts that the honest program started `case` (spawn status
/// `spawned`), finished its computation, and saw `case` end as `ended`
/// (`None`: it was not started), and that walos exited 0.
pub fn assert_honest(run: &Run, case: &str, spawned: u32, ended: Option<&str>) {
    let mut expected = vec![format!("honest: spawn {case}: {spawned}"), HONEST_SUM.to_string()];
    expected.extend(ended.map(|end| format!("honest: {case} {end}")));
    assert_eq!(honest_lines(run), expected, "stderr:\n{}", run.stderr);
    assert_eq!(run.status, 0, "stderr:\n{}", run.stderr);
}

/// A bench of the suite's [`TIMEOUT`].
pub fn bench() -> Bench {
    Bench::new(TIMEOUT)
}

/// The case's own lines (from `prefix` on), in order: without the honest
/// program's, which may follow a case's on the same line.
pub fn lines_of<'a>(run: &'a Run, prefix: &str) -> Vec<&'a str> {
    run.stdout
        .lines()
        .map(|line| line.find("honest: ").map_or(line, |at| &line[..at]))
        .filter_map(|own| own.find(prefix).map(|at| &own[at..]))
        .collect()
}

/// walos's log lines, without their time stamps (`[   0.260012] `).
pub fn log_lines(text: &str) -> Vec<&str> {
    text.lines().map(|line| line.split_once("] ").map_or(line, |(_, rest)| rest)).collect()
}

/// Asserts that `line` is `start`, then what starts with a number (how
/// far the case got, which depends on the machine's allocator), then `end`.
pub fn assert_shape(line: &str, start: &str, end: &str) {
    let middle = line.strip_prefix(start).and_then(|rest| rest.strip_suffix(end));
    assert!(
        middle.is_some_and(|m| m.starts_with(|c: char| c.is_ascii_digit())),
        "{line:?} is not {start:?}N...{end:?}"
    );
}
