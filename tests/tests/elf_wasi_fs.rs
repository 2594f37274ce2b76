//! The WASI file-system corpus (`tests/programs/fs_*.c`, `fs-std`): each
//! program runs on walos and on the reference runtime (wasmtime), each in a
//! fresh host directory mapped as `/sandbox`; both must print the same,
//! exit the same, and leave the same tree behind.

use std::path::{Path, PathBuf};
use std::process::Command;

use walos_tests::{Run, program, reference_run, run_with_input, walos_bin};

/// A fresh, empty directory for one run.
fn sandbox(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("walos-wasi-fs-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("sandbox");
    dir
}

/// Every entry below `dir`, sorted: path, type, and size or link target.
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).expect("read_dir") {
            let path = entry.expect("entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            let rel = path.strip_prefix(dir).expect("inside").display().to_string();
            if meta.file_type().is_symlink() {
                out.push(format!("{rel} -> {}", std::fs::read_link(&path).expect("link").display()));
            } else if meta.is_dir() {
                out.push(format!("{rel}/"));
                stack.push(path);
            } else {
                out.push(format!("{rel} ({} bytes)", meta.len()));
            }
        }
    }
    out.sort();
    out
}

fn walos_in(dir: &Path, options: &[&str], file: &Path, args: &[&str], stdin: &[u8]) -> Run {
    walos_at(dir, "/sandbox", options, file, args, stdin)
}

/// `walos run --dir DIR::GUEST OPTIONS FILE ARGS`.
fn walos_at(dir: &Path, guest: &str, options: &[&str], file: &Path, args: &[&str], stdin: &[u8]) -> Run {
    let mut command = Command::new(walos_bin());
    command.arg("run").arg("--dir").arg(format!("{}::{guest}", dir.display())).args(options);
    command.arg(file).args(args).env_clear();
    run_with_input(command, stdin)
}

/// Runs `name` on both runtimes and compares everything; returns walos's
/// output.
fn agree(name: &str, options: &[&str], args: &[&str], stdin: &[u8]) -> String {
    agree_at("/sandbox", name, options, args, stdin)
}

/// [`agree`] with the directory mapped as `guest`.
fn agree_at(guest: &str, name: &str, options: &[&str], args: &[&str], stdin: &[u8]) -> String {
    let file = program(name);
    let ours = sandbox(&format!("{name}-walos"));
    let theirs = sandbox(&format!("{name}-reference"));
    let walos = walos_at(&ours, guest, options, &file, args, stdin);
    let dir_option = format!("{}::{guest}", theirs.display());
    let mut reference_options = vec!["--dir", &dir_option];
    reference_options.extend(options);
    let reference = reference_run(&reference_options, &file, args, stdin);
    assert_eq!(walos.stdout, reference.stdout, "{name}: stdout\nwalos stderr: {}", walos.stderr);
    assert_eq!(walos.status, reference.status, "{name}: status\nwalos stderr: {}", walos.stderr);
    assert_eq!(tree(&ours), tree(&theirs), "{name}: the tree left behind");
    let _ = std::fs::remove_dir_all(&ours);
    let _ = std::fs::remove_dir_all(&theirs);
    walos.stdout
}

/// A C program of the corpus: it passes on both.
fn corpus(name: &str) {
    let stdout = agree(name, &[], &[], b"");
    assert!(stdout.ends_with(", 0 failed\n"), "{name}:\n{stdout}");
}

walos_tests::fs_corpus_tests!(corpus);

/// Rights are enforced on walos; wasmtime does not implement them, so this
/// one runs on walos alone.
#[test]
fn rights() {
    let dir = sandbox("rights");
    let run = walos_in(&dir, &[], &program("fs_rights"), &[], b"");
    assert_eq!((run.status, run.stdout.as_str()), (0, "fs_rights: 26 checks, 0 failed\n"), "{}", run.stderr);
    assert_eq!(tree(&dir), ["f (0 bytes)"]);
}

#[test]
fn rust_std() {
    let stdout = agree("fs-std", &["--env", "DIR=/sandbox", "--env", "B=2"], &["one", "two"], b"x\ny\n");
    assert!(stdout.contains("entries: [\"a\", \"copy.txt\", \"data.bin\", \"hard.txt\"]\n"), "{stdout}");
    assert!(stdout.ends_with("env: [(\"B\", \"2\"), (\"DIR\", \"/sandbox\")]\n"), "{stdout}");
}

/// The directory mapped as the guest's `/`, as test suites for wasmtime
/// expect.
#[test]
fn mapped_as_the_root() {
    let stdout = agree_at("/", "fs-std", &["--env", "DIR=/"], &[], b"");
    assert!(stdout.contains("entries: [\"a\", \"copy.txt\", \"data.bin\", \"hard.txt\"]\n"), "{stdout}");
}

/// A host symlink pointing out of the mapped directory is not followed.
#[test]
fn host_symlinks_stay_inside() {
    let dir = sandbox("host-symlink");
    std::os::unix::fs::symlink("/etc", dir.join("etc")).expect("symlink");
    std::os::unix::fs::symlink("/etc/hostname", dir.join("hostname")).expect("symlink");
    let run = walos_in(&dir, &[], &program("fs_symlinks"), &[], b"");
    // The corpus program itself works next to the hostile links...
    assert!(run.stdout.ends_with(", 0 failed\n"), "{}", run.stdout);
    // ...and they are still there, untouched.
    assert!(tree(&dir).contains(&"etc -> /etc".to_string()));
}
