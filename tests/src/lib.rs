//! Helpers for the end-to-end tests: where the built artifacts are, running
//! `walos` and the reference runtime, and what came out.
//!
//! The artifacts come from `cargo xtask build` (run by `make test`); the
//! paths can be overridden with `WALOS_BIN`, `WALOS_WASM` and
//! `WALOS_REFERENCE_PYTHON`. `WALOS_ENGINE` (`wasmi` or `wasmtime`, default
//! wasmi) picks the engine of every `walos` run: `make test` runs the tests
//! once per engine.

pub mod generate;
pub mod hostile;
pub mod logo;
pub mod ppm;
pub mod qemu;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is in the repository").to_path_buf()
}

fn existing(path: PathBuf, what: &str) -> PathBuf {
    assert!(path.exists(), "{what} {} is missing: run `make test` once first", path.display());
    path
}

/// The `walos` command of the Linux loader.
pub fn walos_bin() -> PathBuf {
    let path = std::env::var_os("WALOS_BIN").map_or_else(|| root().join("target/release/walos"), PathBuf::from);
    existing(path, "the walos binary")
}

fn wasm_dir() -> PathBuf {
    std::env::var_os("WALOS_WASM").map_or_else(|| root().join("target/wasm"), PathBuf::from)
}

/// A built sample, `target/wasm/sample/NAME.wasm`.
pub fn sample(name: &str) -> PathBuf {
    existing(wasm_dir().join("sample").join(format!("{name}.wasm")), "the sample")
}

/// A built service of `srv/NAME`, next to the samples.
pub fn service(name: &str) -> PathBuf {
    existing(wasm_dir().join("sample").join(format!("{name}.wasm")), "the service")
}

/// A built test program from `tests/programs/NAME.c`.
pub fn program(name: &str) -> PathBuf {
    existing(wasm_dir().join("tests").join(format!("{name}.wasm")), "the test program")
}

/// A WAT test program of `tests/wat/`, run as text (walos and the
/// reference runtime both compile the text format).
pub fn wat_program(name: &str) -> PathBuf {
    existing(root().join("tests/wat").join(format!("{name}.wat")), "the WAT test program")
}

/// Writes `bytes` to a fresh file in a temporary directory and returns its
/// path (the directory lives as long as the test process).
pub fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("walos-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("temp file");
    path
}

/// A tar archive `NAME` of `files` (path, contents), made by the system's
/// `tar` as a user would make an initrd: gzipped when NAME ends in `.gz`.
pub fn tar_archive(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let archive = temp_file(name, b"");
    // The files live in a directory of the archive's own, so archives of
    // the same test binary never pick up each other's files.
    let dir = archive.with_extension("d");
    let mut tops = Vec::new();
    for (path, bytes) in files {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().expect("a directory")).expect("temp dir");
        std::fs::write(&file, bytes).expect("temp file");
        let top = path.split('/').next().expect("a path");
        if !tops.contains(&top) {
            tops.push(top);
        }
    }
    let create = if name.ends_with(".gz") { "-czf" } else { "-cf" };
    let status = Command::new("tar").arg(create).arg(&archive).arg("-C").arg(&dir).args(&tops).status().expect("tar");
    assert!(status.success(), "tar {create} {}", archive.display());
    archive
}

/// A module written in WAT, saved as `NAME.wasm`.
pub fn wat_file(name: &str, source: &str) -> PathBuf {
    let wasm = wat::parse_str(source).unwrap_or_else(|err| panic!("{name}: {err}"));
    temp_file(&format!("{name}.wasm"), &wasm)
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// Starts `command` with piped standard streams and a thread feeding it
/// `stdin` while its output is read (or both pipes could fill up).
pub fn spawn_fed(command: &mut Command, stdin: &[u8]) -> (Child, std::thread::JoinHandle<()>) {
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().unwrap_or_else(|err| panic!("cannot start {command:?}: {err}"));
    let mut input = child.stdin.take().expect("piped stdin");
    let stdin = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        // The program may exit without reading everything: not an error.
        let _ = input.write_all(&stdin);
    });
    (child, feeder)
}

/// Runs `command` with `stdin` as its input, to its end.
pub fn run_with_input(mut command: Command, stdin: &[u8]) -> Run {
    let (child, feeder) = spawn_fed(&mut command, stdin);
    let output = child.wait_with_output().expect("wait");
    feeder.join().expect("stdin feeder");
    output.into()
}

/// `walos ARGS...` fed its input piece by piece, as a user types: what it
/// printed so far can be waited for before typing more.
pub struct Session {
    child: Child,
    stdin: Option<std::process::ChildStdin>,
    stdout: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    readers: Vec<std::thread::JoinHandle<Vec<u8>>>,
    /// How much of stdout earlier waits matched.
    seen: usize,
}

/// How long a session may take to print what a test waits for.
const SESSION_TIMEOUT: Duration = Duration::from_secs(120);

impl Session {
    pub fn start(args: &[&str]) -> Session {
        let mut command = walos_command();
        command.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().unwrap_or_else(|err| panic!("cannot start {command:?}: {err}"));
        let stdout = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut out = child.stdout.take().expect("piped stdout");
        let sink = stdout.clone();
        let out_reader = std::thread::spawn(move || {
            let mut buf = [0; 4096];
            while let Ok(n @ 1..) = std::io::Read::read(&mut out, &mut buf) {
                sink.lock().expect("stdout").extend_from_slice(&buf[..n]);
            }
            Vec::new()
        });
        let mut err = child.stderr.take().expect("piped stderr");
        let err_reader = std::thread::spawn(move || {
            let mut all = Vec::new();
            let _ = std::io::Read::read_to_end(&mut err, &mut all);
            all
        });
        Session { stdin: child.stdin.take(), child, stdout, readers: vec![out_reader, err_reader], seen: 0 }
    }

    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().expect("stdout")).into_owned()
    }

    /// Writes `bytes` to its stdin at once.
    pub fn type_bytes(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).and_then(|()| stdin.flush()).expect("typing");
    }

    /// Waits until `text` appears on stdout after what earlier waits saw.
    pub fn wait_for(&mut self, text: &str) {
        let deadline = std::time::Instant::now() + SESSION_TIMEOUT;
        loop {
            let stdout = self.stdout();
            if let Some(at) = stdout.get(self.seen..).and_then(|rest| rest.find(text)) {
                self.seen += at + text.len();
                return;
            }
            assert!(std::time::Instant::now() < deadline, "{text:?} never came; stdout:\n{stdout}");
            assert!(matches!(self.child.try_wait(), Ok(None)), "walos ended before {text:?}; stdout:\n{stdout}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Closes stdin and waits for the end.
    pub fn finish(mut self) -> Run {
        drop(self.stdin.take());
        let status = self.child.wait().expect("wait");
        let mut readers = std::mem::take(&mut self.readers).into_iter().map(|r| r.join().expect("reader"));
        let _ = readers.next();
        let stderr = String::from_utf8_lossy(&readers.next().unwrap_or_default()).into_owned();
        Run { status: status.code().unwrap_or(-1), stdout: self.stdout(), stderr }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The engine the tests run on: `WALOS_ENGINE`, default wasmi.
pub fn engine() -> String {
    std::env::var("WALOS_ENGINE").unwrap_or_else(|_| "wasmi".into())
}

/// `walos ARGS...` with empty input.
pub fn walos(args: &[&str]) -> Run {
    walos_with_input(args, b"")
}

pub fn walos_with_input(args: &[&str], stdin: &[u8]) -> Run {
    let mut command = walos_command();
    command.args(args);
    run_with_input(command, stdin)
}

/// The `walos` command, on the engine under test, with an empty host
/// environment.
pub fn walos_command() -> Command {
    let mut command = Command::new(walos_bin());
    command.env_clear().env("WALOS_ENGINE", engine());
    command
}

/// `walos run [OPTIONS] FILE ARGS...` for a file path.
pub fn walos_run(options: &[&str], file: &Path, args: &[&str]) -> Run {
    let mut all = vec!["run"];
    all.extend(options);
    all.push(file.to_str().expect("UTF-8 path"));
    all.extend(args);
    walos(&all)
}

/// The same command line on the reference runtime (wasmtime).
pub fn reference_run(options: &[&str], file: &Path, args: &[&str], stdin: &[u8]) -> Run {
    let python = std::env::var_os("WALOS_REFERENCE_PYTHON")
        .map_or_else(|| root().join("target/reference-venv/bin/python3"), PathBuf::from);
    let python = existing(python, "the reference runtime's Python");
    let mut command = Command::new(python);
    command.arg(root().join("tests/reference/wasmtime_run.py")).args(options).arg(file).args(args).env_clear();
    run_with_input(command, stdin)
}

/// Waits for `child` and returns its exit status and the CPU time it used
/// (the caller must not wait for it otherwise).
pub fn reap(child: &Child) -> (i32, Duration) {
    let mut status = 0;
    // SAFETY: rusage is plain data, zeroed is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, with valid pointers.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t);
    let time = |tv: libc::timeval| Duration::new(tv.tv_sec as u64, tv.tv_usec as u32 * 1000);
    (libc::WEXITSTATUS(status), time(usage.ru_utime) + time(usage.ru_stime))
}

/// One `#[test]` per C program of the WASI file-system corpus
/// (`tests/programs/fs_*.c`, but `fs_rights`, which wasmtime cannot run),
/// each calling `$run("fs_NAME")`: every loader tested on the corpus runs
/// the same programs.
#[macro_export]
macro_rules! fs_corpus_tests {
    ($run:ident) => {
        $crate::fs_corpus_tests!($run:
            files => "fs_files",
            directories => "fs_dirs",
            symlinks => "fs_symlinks",
            rename_link_and_unlink => "fs_rename",
            seek_and_tell => "fs_seek",
            pread_and_pwrite => "fs_pread",
            append => "fs_append",
            readdir => "fs_readdir",
            times => "fs_times",
            poll => "fs_poll",
            bad_arguments => "fs_errors",
        );
    };
    ($run:ident: $($test:ident => $program:literal,)*) => {
        $(
            #[test]
            fn $test() {
                $run($program);
            }
        )*
    };
}
