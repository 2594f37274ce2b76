//! The WASI file-system corpus (`tests/programs/fs_*.c`, `fs-std`) on
//! efi-os, in QEMU. Each program boots with an empty initrd mounted at
//! `/sandbox` (`--initrd-at`: the kernel's memory file system, preopened
//! there), and must print and exit exactly as on the elf loader given an
//! empty host directory as `/sandbox`: the elf loader is the reference, as
//! `elf_wasi_fs.rs` compares it with wasmtime. The tree a program leaves
//! stays inside the machine; the programs check it themselves and print
//! what they saw.
//!
//! One boot per program (about 5 s under TCG); the test harness runs them
//! in parallel. `rust_std_at_the_root` mounts the initrd at `/` instead,
//! as efi-os does by default.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use walos_tests::qemu::{Boot, End, Vm};
use walos_tests::{Run, program, run_with_input, walos_bin};

/// Where the programs work (see `tests/programs/check.h`).
const SANDBOX: &str = "/sandbox";

/// A fresh, empty directory.
fn empty_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("walos-efi-os-wasi-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a directory");
    dir
}

/// `dir` as a tar archive (holding `./` and what is in it), next to it.
fn tar(dir: &Path) -> PathBuf {
    let tar = dir.with_extension("tar");
    let status = Command::new("tar").arg("-cf").arg(&tar).arg("-C").arg(dir).arg(".").status().expect("tar");
    assert!(status.success(), "tar failed");
    tar
}

/// How a program is started: where its directory is, its environment,
/// arguments and input.
#[derive(Default)]
struct Start<'a> {
    /// The guest path of the empty directory; [`SANDBOX`] if `None`.
    at: Option<&'a str>,
    env: &'a [(&'a str, &'a str)],
    args: &'a [&'a str],
    /// Typed on the keyboard (QEMU key names) once `stdin_after` is on
    /// COM1; given as stdin on the elf loader.
    keys: &'a [&'a str],
    stdin: &'a [u8],
    stdin_after: &'a str,
}

impl Start<'_> {
    fn at(&self) -> &str {
        self.at.unwrap_or(SANDBOX)
    }
}

/// `walos run --dir EMPTY::/sandbox --env K=V... FILE ARGS` on the elf
/// loader (or where `start.at` says).
fn on_elf(file: &Path, start: &Start<'_>) -> Run {
    let dir = empty_dir();
    let mut command = Command::new(walos_bin());
    command.arg("run").arg("--dir").arg(format!("{}::{}", dir.display(), start.at()));
    for (name, value) in start.env {
        command.arg("--env").arg(format!("{name}={value}"));
    }
    command.arg(file).args(start.args).env_clear();
    let run = run_with_input(command, start.stdin);
    let _ = std::fs::remove_dir_all(&dir);
    run
}

/// The same program booted on efi-os with an empty initrd there.
fn on_efi_os(file: &Path, start: &Start<'_>) -> End {
    let dir = empty_dir();
    let tar = tar(&dir);
    let mut boot = Boot::new("efi-os", file).initrd(&tar).initrd_at(start.at()).args(start.args);
    for (name, value) in start.env {
        boot = boot.env(name, value);
    }
    let mut vm: Vm = boot.start();
    if !start.keys.is_empty() {
        vm.wait_for_serial(start.stdin_after);
        for key in start.keys {
            vm.sendkey(key);
        }
    }
    let end = vm.wait();
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&tar);
    end
}

/// Runs `name` on both loaders: the same output and status. Returns the
/// output.
fn agree(name: &str, start: &Start<'_>) -> String {
    let file = program(name);
    let elf = on_elf(&file, start);
    assert_eq!(elf.stderr, "", "{name} on elf: stderr");
    let efi_os = on_efi_os(&file, start);
    assert_eq!(efi_os.serial, elf.stdout, "{name}: the output on efi-os (left) and on elf (right)");
    assert_eq!(efi_os.status, Some(elf.status), "{name}: the exit status on efi-os (left) and on elf (right)");
    elf.stdout
}

/// A C program of the corpus: it passes, on both.
fn corpus(name: &str) {
    let stdout = agree(name, &Start::default());
    assert!(stdout.ends_with(", 0 failed\n"), "{name}:\n{stdout}");
}

walos_tests::fs_corpus_tests!(corpus);

/// Rights: on the elf loader this one runs on walos alone (wasmtime does
/// not implement them), so the expected output is spelled out too.
#[test]
fn rights() {
    let stdout = agree("fs_rights", &Start::default());
    assert_eq!(stdout, "fs_rights: 26 checks, 0 failed\n");
}

/// Rust's std: arguments, the environment, files and directories, and
/// stdin typed on the keyboard (after the program has listed the
/// directory, when it is about to read).
#[test]
fn rust_std() {
    let start = Start {
        env: &[("DIR", "/sandbox"), ("B", "2")],
        args: &["one", "two"],
        keys: &["x", "ret", "y", "ret", "ctrl-d"],
        stdin: b"x\ny\n",
        stdin_after: "entries: ",
        ..Start::default()
    };
    let stdout = agree("fs-std", &start);
    assert!(stdout.contains("entries: [\"a\", \"copy.txt\", \"data.bin\", \"hard.txt\"]\n"), "{stdout}");
    assert!(stdout.contains("stdin: 2 lines\n"), "{stdout}");
    assert!(stdout.ends_with("env: [(\"B\", \"2\"), (\"DIR\", \"/sandbox\")]\n"), "{stdout}");
}

/// The initrd as the root, as efi-os mounts it by default.
#[test]
fn rust_std_at_the_root() {
    let start =
        Start { at: Some("/"), env: &[("DIR", "/")], keys: &["ctrl-d"], stdin_after: "entries: ", ..Start::default() };
    let stdout = agree("fs-std", &start);
    assert!(stdout.contains("entries: [\"a\", \"copy.txt\", \"data.bin\", \"hard.txt\"]\n"), "{stdout}");
    assert!(stdout.ends_with("stdin: 0 lines\nenv: [(\"DIR\", \"/\")]\n"), "{stdout}");
}
