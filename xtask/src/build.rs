//! Building walos and the wasm programs: the samples (C and Rust) and the
//! C test programs.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{exec, root};

/// The target of Rust programs.
pub const RUST_WASM_TARGET: &str = "wasm32-wasip1";

/// How a program is compiled.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// C without libc, on the native walos interfaces.
    CNative,
    /// [`Kind::CNative`], with a child module: `embed.c` is compiled first
    /// and its bytes handed to the other files as `embed.wasm.h`
    /// (`embed_wasm`), as the original walos's `sample/exec` did.
    CNativeEmbed,
    /// C with wasi-libc.
    CWasi,
    /// A C service without libc: no `_start`, exports of its own.
    CService,
    /// A Rust crate of the workspace, for `wasm32-wasip1`.
    Rust,
}

struct Sample {
    name: &'static str,
    kind: Kind,
}

/// The samples, each in `sample/NAME/`.
const SAMPLES: &[Sample] = &[
    Sample { name: "hello", kind: Kind::CNative },
    Sample { name: "hello-wasi", kind: Kind::CWasi },
    Sample { name: "hello-rs", kind: Kind::Rust },
    Sample { name: "exec", kind: Kind::CNativeEmbed },
    Sample { name: "multitask", kind: Kind::Rust },
    Sample { name: "vga", kind: Kind::Rust },
    Sample { name: "shell", kind: Kind::Rust },
    Sample { name: "shout", kind: Kind::CNative },
];

/// A service: `srv/NAME/`, C without libc ([`Kind::CService`]) or a Rust
/// `cdylib` crate of the workspace ([`Kind::Rust`]).
pub struct Service {
    pub name: &'static str,
    kind: Kind,
}

/// The services. They are built next to the samples, where the Linux
/// loader's service store finds them, and go to `\srv\` on the UEFI
/// volumes.
pub const SERVICES: &[Service] = &[
    Service { name: "text", kind: Kind::CService },
    Service { name: "ps2kbd", kind: Kind::Rust },
    Service { name: "stdin", kind: Kind::Rust },
];

/// The samples that draw on the screen: `run` gives them one.
const SCREEN_SAMPLES: &[&str] = &["vga"];

/// Whether the entry `spec` (as `run` takes it) draws on the screen.
pub fn needs_screen(spec: &str) -> bool {
    let name = spec.trim_end_matches('/').strip_prefix("sample/").unwrap_or(spec);
    SCREEN_SAMPLES.contains(&name)
}

/// The arguments `run` puts before the user's for `spec` on the Linux
/// loader. The shell echoes typed keys when stdin is a terminal, as the
/// UEFI consoles need; a host terminal already echoes them.
pub fn elf_run_args(spec: &str) -> &'static [&'static str] {
    let name = spec.trim_end_matches('/').strip_prefix("sample/").unwrap_or(spec);
    if name == "shell" { &["--no-echo"] } else { &[] }
}

/// The other programs a UEFI boot volume serves in `\\srv\\` with the
/// entry `spec`: every sample for the shell, so that it has programs to
/// run, as on the Linux loader, which serves the entry's sibling files.
pub fn companions(spec: &str) -> Result<Vec<PathBuf>, String> {
    let name = spec.trim_end_matches('/').strip_prefix("sample/").unwrap_or(spec);
    if name != "shell" {
        return Ok(Vec::new());
    }
    SAMPLES.iter().filter(|s| s.name != name).map(build_sample).collect()
}

/// Where `run` saves the screen on the Linux loader.
pub fn screen_file() -> PathBuf {
    root().join("target/vga.ppm")
}

/// Wasm crates whose library also builds on the host, where its unit tests
/// run (the sample's binary is for wasm only).
pub const HOST_TESTED_LIBS: &[&str] = &["vga", "shell"];

/// The Rust test programs, each a crate in `tests/programs/NAME/`.
const RUST_TEST_PROGRAMS: &[&str] = &["std-tour", "fs-std"];

/// The Rust hostile programs, each a crate in `tests/hostile/NAME/`.
const RUST_HOSTILE_PROGRAMS: &[&str] = &["alloc-bomb"];

/// The workspace crates that only build for wasm.
pub fn rust_wasm_packages() -> Vec<&'static str> {
    let mut packages = vec!["walos-sdk"];
    packages.extend(SAMPLES.iter().filter(|s| matches!(s.kind, Kind::Rust)).map(|s| s.name));
    packages.extend(SERVICES.iter().filter(|s| matches!(s.kind, Kind::Rust)).map(|s| s.name));
    packages.extend(RUST_TEST_PROGRAMS);
    packages.extend(RUST_HOSTILE_PROGRAMS);
    packages
}

/// Where built wasm programs go: `samples/` and `tests/` below it.
pub fn wasm_dir() -> PathBuf {
    root().join("target/wasm")
}

pub fn walos_binary() -> PathBuf {
    root().join("target/release/walos")
}

pub fn all() -> Result<(), String> {
    walos()?;
    uefi_loaders()?;
    samples()?;
    test_programs()
}

/// The UEFI loaders' packages, built for [`walos_qemu::UEFI_TARGET`]: the
/// efi-app loader and the efi-os stub.
pub const UEFI_PACKAGES: &[&str] = &["walos-loader-efi-app", "walos-efi-os-boot"];

/// The bare-metal packages, built for [`walos_qemu::BARE_METAL_TARGET`]: the
/// efi-os kernel image.
pub const BARE_METAL_PACKAGES: &[&str] = &["walos-efi-os-image"];

/// `--target TARGET -p PACKAGE...`
pub fn target_packages(target: &'static str, packages: &[&'static str]) -> Vec<&'static str> {
    let mut args = vec!["--target", target];
    for package in packages {
        args.extend(["-p", package]);
    }
    args
}

/// The UEFI loaders, release builds (where `walos_qemu::Loader::artefacts`
/// finds them).
pub fn uefi_loaders() -> Result<(), String> {
    exec::cargo(&[&["build", "--release"], &target_packages(walos_qemu::UEFI_TARGET, UEFI_PACKAGES)[..]].concat())?;
    exec::cargo(
        &[&["build", "--release"], &target_packages(walos_qemu::BARE_METAL_TARGET, BARE_METAL_PACKAGES)[..]].concat(),
    )
}

/// The `walos` command for `run` on `engine`, release build. For wasmi it
/// is built alone and without the wasmtime engine, whose compilation is most
/// of a first build; for wasmtime by [`walos`], whose wasmtime `test` and
/// `bench` reuse (built alone, wasmtime's dependencies get other features
/// and it is compiled again).
pub fn walos_for(engine: &str) -> Result<(), String> {
    if engine == "wasmtime" {
        return walos();
    }
    exec::cargo(&["build", "--release", "-p", "walos-loader-elf", "--bin", "walos", "--no-default-features"])
}

/// The `walos` command, release build, with both engines and the other
/// host crates (`walos-bench`, the test helpers): built together, their dependencies get
/// the features `cargo test` gives them, so that wasmtime, the costly one,
/// is compiled once for building, testing and benchmarking.
pub fn walos() -> Result<(), String> {
    exec::cargo(&["build", "--release"])
}

pub fn samples() -> Result<(), String> {
    services()?;
    SAMPLES.iter().try_for_each(|sample| build_sample(sample).map(|_| ()))
}

/// Where service `name` is built.
pub fn service_wasm(name: &str) -> PathBuf {
    wasm_dir().join("sample").join(format!("{name}.wasm"))
}

/// Builds every service of [`SERVICES`] where [`service_wasm`] says.
pub fn services() -> Result<(), String> {
    SERVICES.iter().try_for_each(|service| build_service(service, &service_wasm(service.name)))
}

/// Builds `service` into `out`.
pub fn build_service(service: &Service, out: &Path) -> Result<(), String> {
    match service.kind {
        Kind::Rust => build_rust(service.name, out),
        kind => compile_c(kind, &c_sources(&root().join("srv").join(service.name))?, out),
    }
}

fn build_sample(sample: &Sample) -> Result<PathBuf, String> {
    let dir = root().join("sample").join(sample.name);
    let out = wasm_dir().join("sample").join(format!("{}.wasm", sample.name));
    match sample.kind {
        Kind::CNative | Kind::CWasi | Kind::CService => compile_c(sample.kind, &c_sources(&dir)?, &out)?,
        Kind::CNativeEmbed => build_with_embedded(&dir, &out)?,
        Kind::Rust => build_rust(sample.name, &out)?,
    }
    Ok(out)
}

/// Compiles `dir/embed.c`, writes its bytes as a C header next to `out`,
/// then compiles the other C files of `dir` with it.
fn build_with_embedded(dir: &Path, out: &Path) -> Result<(), String> {
    let work = out.with_extension("embed");
    let embed_wasm = work.join("embed.wasm");
    let embed_source = dir.join("embed.c");
    compile_c(Kind::CNative, std::slice::from_ref(&embed_source), &embed_wasm)?;
    let bytes = std::fs::read(&embed_wasm).map_err(|err| format!("{}: {err}", embed_wasm.display()))?;
    let header = work.join("embed.wasm.h");
    std::fs::write(&header, c_array("embed_wasm", &bytes)).map_err(|err| format!("{}: {err}", header.display()))?;
    let sources: Vec<PathBuf> = c_sources(dir)?.into_iter().filter(|path| *path != embed_source).collect();
    compile_c_with(Kind::CNative, &sources, out, &[&work])
}

/// A C header defining `static const unsigned char NAME[]` with `bytes`.
fn c_array(name: &str, bytes: &[u8]) -> String {
    let mut text =
        format!("/* Generated by `cargo xtask build`. */\nstatic const unsigned char {name}[{}] = {{", bytes.len());
    for (i, byte) in bytes.iter().enumerate() {
        text.push_str(if i % 16 == 0 { "\n   " } else { "" });
        text.push_str(&format!(" {byte:#04x},"));
    }
    text.push_str("\n};\n");
    text
}

/// Builds the workspace crate `package` for wasm and copies it to `out`.
fn build_rust(package: &str, out: &Path) -> Result<(), String> {
    exec::cargo(&["build", "--release", "--target", RUST_WASM_TARGET, "-p", package])?;
    let built = root().join("target").join(RUST_WASM_TARGET).join("release").join(format!("{package}.wasm"));
    copy(&built, out)
}

/// Every `tests/programs/*.c`, each a WASI program of its own, and the Rust
/// test programs.
pub fn test_programs() -> Result<(), String> {
    let sources = c_sources(&root().join("tests/programs"))?;
    for source in sources {
        let name = source.file_stem().and_then(|s| s.to_str()).ok_or("bad file name")?;
        let out = wasm_dir().join("tests").join(format!("{name}.wasm"));
        compile_c(Kind::CWasi, std::slice::from_ref(&source), &out)?;
    }
    for package in RUST_TEST_PROGRAMS {
        build_rust(package, &wasm_dir().join("tests").join(format!("{package}.wasm")))?;
    }
    hostile_programs()
}

/// The hostile-program suite's C and Rust programs (`tests/hostile/`), in
/// `target/wasm/hostile/`; its WAT cases are read by the tests themselves.
fn hostile_programs() -> Result<(), String> {
    let out = wasm_dir().join("hostile");
    for source in c_sources(&root().join("tests/hostile"))? {
        let name = source.file_stem().and_then(|s| s.to_str()).ok_or("bad file name")?;
        compile_c(Kind::CWasi, std::slice::from_ref(&source), &out.join(format!("{name}.wasm")))?;
    }
    for package in RUST_HOSTILE_PROGRAMS {
        build_rust(package, &out.join(format!("{package}.wasm")))?;
    }
    Ok(())
}

/// The `.c` files of a directory, sorted.
pub fn c_sources(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|err| format!("{}: {err}", dir.display()))?;
    let mut sources: Vec<PathBuf> =
        entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|e| e == "c")).collect();
    sources.sort();
    if sources.is_empty() {
        return Err(format!("{}: no C sources", dir.display()));
    }
    Ok(sources)
}

pub fn compile_c(kind: Kind, sources: &[PathBuf], out: &Path) -> Result<(), String> {
    compile_c_with(kind, sources, out, &[])
}

/// [`compile_c`] with more include directories.
fn compile_c_with(kind: Kind, sources: &[PathBuf], out: &Path, includes: &[&Path]) -> Result<(), String> {
    std::fs::create_dir_all(out.parent().expect("output in a directory")).map_err(|err| err.to_string())?;
    let mut clang = Command::new("clang");
    clang.args(["-O2", "-Wall", "-Wextra", "-I"]).arg(root().join("sdk/c/include"));
    for dir in includes {
        clang.arg("-I").arg(dir);
    }
    match kind {
        Kind::CNative | Kind::CNativeEmbed => {
            clang.args(["--target=wasm32", "-nostdlib", "-Wl,--no-entry", "-Wl,--export=_start"]);
        }
        Kind::CWasi => {
            clang.arg("--target=wasm32-wasi");
        }
        Kind::CService => {
            clang.args(["--target=wasm32", "-nostdlib", "-Wl,--no-entry"]);
        }
        Kind::Rust => unreachable!("not C"),
    }
    clang.arg("-o").arg(out).args(sources);
    exec::run(&mut clang)
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to.parent().expect("output in a directory")).map_err(|err| err.to_string())?;
    std::fs::copy(from, to).map(|_| ()).map_err(|err| format!("copy {} to {}: {err}", from.display(), to.display()))
}

/// The sample that the entry `spec` names (`sample/NAME` or `NAME`).
fn sample(spec: &str) -> Option<&'static Sample> {
    let name = spec.trim_end_matches('/').strip_prefix("sample/").unwrap_or(spec);
    SAMPLES.iter().find(|s| s.name == name)
}

/// Whether the entry `spec` is a sample, built by [`entry`], rather than a
/// wasm file.
pub fn is_sample(spec: &str) -> bool {
    sample(spec).is_some()
}

/// The wasm file of an entry: `sample/NAME` (or `NAME`) is built first; a
/// path to a wasm file (binary, or text as `walos run` takes it) is taken
/// as it is.
pub fn entry(spec: &str) -> Result<PathBuf, String> {
    if let Some(sample) = sample(spec) {
        // What it may import comes along.
        services()?;
        return build_sample(sample);
    }
    let path = PathBuf::from(spec);
    if path.is_file() {
        return Ok(path);
    }
    let names: Vec<String> = SAMPLES.iter().map(|s| format!("sample/{}", s.name)).collect();
    Err(format!("no entry `{spec}`: give a .wasm or .wat file or one of {}", names.join(", ")))
}
