//! `xtask/prerequisites.sh`, the check the Makefile runs before any build:
//! what it says and does when packages are missing, as root, with `sudo -n`,
//! with neither, and without apt-get. Nothing is installed: the commands it
//! runs (dpkg-query, apt-get, id, sudo, ...) are stand-ins on a PATH of
//! their own, which log how they were called.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use walos_tests::root;

/// The packages of the `wasm` purpose, and Rust's linker, always checked.
const WASM_PACKAGES: &[&str] = &["gcc", "libc6-dev", "clang", "lld", "wasi-libc", "libclang-rt-dev-wasm32"];

/// The targets rust-toolchain.toml pins.
const TARGETS: &[&str] = &["wasm32-wasip1", "x86_64-unknown-uefi", "x86_64-unknown-none"];

/// A machine for the script: a directory of stand-in commands (the whole
/// PATH), the packages "installed" and a log of the calls.
struct Machine {
    dir: PathBuf,
}

impl Machine {
    /// Rust is there (rustup, cargo) and `installed` are the installed
    /// packages; `id -u` says `uid`.
    fn debian(name: &str, installed: &[&str], uid: u32) -> Machine {
        let machine = Machine::bare(name);
        std::fs::write(machine.file("installed"), installed.iter().map(|p| format!("{p}\n")).collect::<String>())
            .unwrap();
        machine.command(
            "dpkg-query",
            &format!(
                r#"for name; do
                     case $name in -*) continue ;; esac
                     found=
                     while read -r line; do [ "$line" = "$name" ] && found=1; done < {installed}
                     if [ -n "$found" ]; then echo "installed $name"; else echo "no packages found matching $name" >&2; fi
                   done"#,
                installed = machine.file("installed").display()
            ),
        );
        // `install` "installs" the packages named after its options.
        machine.command(
            "apt-get",
            &format!(
                r#"echo "apt-get $*" >> {log}
                   if [ "$1" = install ]; then
                     shift
                     for arg; do case $arg in -*) ;; *) echo "$arg" >> {installed} ;; esac; done
                   fi"#,
                log = machine.log().display(),
                installed = machine.file("installed").display()
            ),
        );
        machine.command("id", &format!("echo {uid}"));
        machine.rust();
        let env = ["/usr/bin/env", "/bin/env"].into_iter().find(|p| Path::new(p).exists()).expect("env");
        std::os::unix::fs::symlink(env, machine.dir.join("bin/env")).unwrap();
        machine
    }

    /// rustup and cargo, and a rustc whose sysroot has every target of
    /// rust-toolchain.toml.
    fn rust(&self) {
        self.command("rustup", &format!("echo \"rustup $*\" >> {}", self.log().display()));
        self.command("cargo", "");
        let sysroot = self.file("sysroot");
        for target in TARGETS {
            std::fs::create_dir_all(sysroot.join("lib/rustlib").join(target)).unwrap();
        }
        self.command("rustc", &format!("echo {}", sysroot.display()));
    }

    /// Only the directory: no command at all.
    fn bare(name: &str) -> Machine {
        let dir = std::env::temp_dir().join(format!("walos-prerequisites-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        std::fs::write(dir.join("log"), "").unwrap();
        Machine { dir }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn log(&self) -> PathBuf {
        self.file("log")
    }

    /// A stand-in command running `script`.
    fn command(&self, name: &str, script: &str) {
        let path = self.dir.join("bin").join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// A `sudo` that runs what it is given.
    fn sudo_without_password(&self) {
        self.command("true", "");
        self.command(
            "sudo",
            &format!("echo \"sudo $*\" >> {}\n[ \"$1\" = -n ] && shift\nexec \"$@\"", self.log().display()),
        );
    }

    /// A `sudo` that wants a password, which `-n` forbids asking for.
    fn sudo_with_password(&self) {
        self.command(
            "sudo",
            &format!("echo \"sudo $*\" >> {}\necho 'sudo: a password is required' >&2\nexit 1", self.log().display()),
        );
    }

    /// Runs the script for `purposes`: its status and stderr (stdout must
    /// stay empty), and the calls logged.
    fn check(&self, purposes: &[&str]) -> (i32, String, String) {
        let output = Command::new("/bin/sh")
            .arg(root().join("xtask/prerequisites.sh"))
            .args(purposes)
            .env_clear()
            .env("PATH", self.dir.join("bin"))
            .output()
            .expect("run the script");
        assert_eq!(String::from_utf8_lossy(&output.stdout), "", "stdout");
        let log = std::fs::read_to_string(self.log()).unwrap();
        (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned(), log)
    }
}

impl Drop for Machine {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The wasm packages without clang and lld.
fn without_clang() -> Vec<&'static str> {
    WASM_PACKAGES.iter().copied().filter(|p| !["clang", "lld"].contains(p)).collect()
}

#[test]
fn nothing_is_said_or_done_when_everything_is_there() {
    let machine = Machine::debian("all-there", WASM_PACKAGES, 1000);
    assert_eq!(machine.check(&["wasm"]), (0, String::new(), String::new()));
}

#[test]
fn root_installs_what_is_missing_with_apt_get() {
    let machine = Machine::debian("root", &without_clang(), 0);
    let (status, stderr, log) = machine.check(&["wasm"]);
    assert_eq!(
        stderr,
        "prerequisites: installing the missing packages: clang lld\n\
         $ apt-get update -q\n\
         $ env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends clang lld\n"
    );
    assert_eq!(log, "apt-get update -q\napt-get install -y -q --no-install-recommends clang lld\n");
    assert_eq!(status, 0);
    // Installed now: the next check is silent.
    assert_eq!(machine.check(&["wasm"]).0, 0);
}

#[test]
fn others_install_with_sudo_when_it_needs_no_password() {
    let machine = Machine::debian("sudo", &without_clang(), 1000);
    machine.sudo_without_password();
    let (status, stderr, log) = machine.check(&["wasm"]);
    assert_eq!(
        stderr,
        "prerequisites: installing the missing packages: clang lld\n\
         $ sudo -n apt-get update -q\n\
         $ sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends clang lld\n"
    );
    assert_eq!(
        log,
        "sudo -n true\n\
         sudo -n apt-get update -q\n\
         apt-get update -q\n\
         sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends clang lld\n\
         apt-get install -y -q --no-install-recommends clang lld\n"
    );
    assert_eq!(status, 0);
}

#[test]
fn without_root_or_sudo_the_command_is_printed_and_nothing_runs() {
    let machine = Machine::debian("password", &without_clang(), 1000);
    machine.sudo_with_password();
    let (status, stderr, log) = machine.check(&["wasm"]);
    assert_eq!(
        stderr,
        "prerequisites: missing packages: clang lld\n\
         prerequisites: not root, and sudo asks for a password: install them with\n    \
         sudo apt-get install clang lld\n"
    );
    assert_eq!(log, "sudo -n true\n");
    assert_eq!(status, 1);

    let machine = Machine::debian("no-sudo", &without_clang(), 1000);
    let (status, stderr, log) = machine.check(&["wasm"]);
    assert_eq!(
        stderr,
        "prerequisites: missing packages: clang lld\n\
         prerequisites: not root, and no sudo: install them as root with\n    \
         apt-get install clang lld\n"
    );
    assert_eq!(log, "");
    assert_eq!(status, 1);
}

#[test]
fn each_purpose_checks_its_own_packages() {
    let machine = Machine::debian("purposes", &[], 1000);
    let stderr = |purposes: &[&str]| machine.check(purposes).1.lines().next().unwrap_or("").to_string();
    assert_eq!(stderr(&[]), "prerequisites: missing packages: gcc libc6-dev");
    assert_eq!(stderr(&["qemu"]), "prerequisites: missing packages: gcc libc6-dev qemu-system-x86 ovmf");
    assert_eq!(
        stderr(&["wasm", "image"]),
        format!("prerequisites: missing packages: {} xorriso mtools", WASM_PACKAGES.join(" "))
    );
    assert_eq!(stderr(&["reference"]), "prerequisites: missing packages: gcc libc6-dev python3 python3-venv");
    assert_eq!(
        stderr(&["test"]),
        format!(
            "prerequisites: missing packages: {} qemu-system-x86 ovmf xorriso mtools python3 python3-venv make",
            WASM_PACKAGES.join(" ")
        )
    );
    assert_eq!(
        machine.check(&["wasm", "gpu"]),
        (2, "prerequisites: unknown purpose `gpu` (they are: wasm qemu image reference test)\n".into(), String::new())
    );
}

#[test]
fn a_failed_install_stops() {
    let machine = Machine::debian("apt-fails", &without_clang(), 0);
    machine.command("apt-get", "echo 'E: Unable to locate package clang' >&2\nexit 100");
    let (status, stderr, _) = machine.check(&["wasm"]);
    assert_eq!(
        stderr,
        "prerequisites: installing the missing packages: clang lld\n\
         $ apt-get update -q\n\
         E: Unable to locate package clang\n\
         prerequisites: apt-get could not install: clang lld\n"
    );
    assert_eq!(status, 1);

    // apt-get succeeds but leaves the package out.
    let machine = Machine::debian("apt-forgets", &without_clang(), 0);
    machine.command("apt-get", "");
    let (status, stderr, _) = machine.check(&["wasm"]);
    assert!(stderr.ends_with("prerequisites: still missing after apt-get: clang lld\n"), "{stderr}");
    assert_eq!(status, 1);
}

#[test]
fn without_apt_get_the_missing_commands_are_named() {
    let machine = Machine::bare("other-system");
    machine.rust();
    for command in ["cc", "clang", "python3"] {
        machine.command(command, "");
    }
    let (status, stderr, _) = machine.check(&["wasm", "reference", "qemu"]);
    assert_eq!(
        stderr,
        "prerequisites: missing commands: wasm-ld qemu-system-x86_64\n\
         prerequisites: no apt-get here: install them with the system's package manager\n\
         prerequisites: (Debian's packages for them: clang lld wasi-libc libclang-rt-dev-wasm32 qemu-system-x86 ovmf)\n"
    );
    assert_eq!(status, 1);
    machine.command("wasm-ld", "");
    assert_eq!(machine.check(&["wasm", "reference"]), (0, String::new(), String::new()));
}

#[test]
fn without_rustup_it_says_where_to_get_it() {
    let machine = Machine::debian("no-rust", WASM_PACKAGES, 1000);
    std::fs::remove_file(machine.dir.join("bin/rustup")).unwrap();
    std::fs::remove_file(machine.dir.join("bin/cargo")).unwrap();
    let (status, stderr, _) = machine.check(&["wasm"]);
    assert_eq!(
        stderr,
        "prerequisites: not on PATH: rustup cargo: install Rust with rustup (https://rustup.rs), then open a new shell;\n\
         prerequisites: rust-toolchain.toml pins the toolchain and its targets, which the check installs\n"
    );
    assert_eq!(status, 1);
}

#[test]
fn the_pinned_toolchain_is_installed_when_rustc_has_none() {
    let machine = Machine::debian("no-toolchain", WASM_PACKAGES, 1000);
    machine.command("rustc", "echo \"error: toolchain '1.95.0' is not installed\" >&2; exit 1");
    let (status, stderr, log) = machine.check(&["wasm"]);
    assert_eq!(
        stderr,
        "prerequisites: rust-toolchain.toml's toolchain not installed: installing\n$ rustup toolchain install --no-self-update\n"
    );
    assert_eq!((status, log.as_str()), (0, "rustup toolchain install --no-self-update\n"));
}

#[test]
fn a_missing_target_is_installed_with_the_toolchain() {
    let machine = Machine::debian("no-target", WASM_PACKAGES, 1000);
    std::fs::remove_dir(machine.file("sysroot/lib/rustlib/x86_64-unknown-none")).unwrap();
    let (status, stderr, log) = machine.check(&["wasm"]);
    assert_eq!(
        stderr,
        "prerequisites: rust-toolchain.toml's x86_64-unknown-none not installed: installing\n$ rustup toolchain install --no-self-update\n"
    );
    assert_eq!((status, log.as_str()), (0, "rustup toolchain install --no-self-update\n"));
    // rustup failing stops the check.
    machine.command("rustup", "exit 1");
    let (status, stderr, _) = machine.check(&["wasm"]);
    assert_eq!(status, 1);
    let hint = format!(
        "prerequisites: rustup could not install the pinned toolchain: run `rustup toolchain install` in {}/xtask/..\n",
        root().display()
    );
    assert!(stderr.ends_with(&hint), "{stderr}");
}
