//! walos's build tool, in the `cargo xtask` convention: the Makefile's
//! targets are thin wrappers around these commands, so everything is also
//! reachable with cargo alone.

mod bench;
mod build;
mod exec;
mod fuzz;
mod logo;
mod prerequisites;
mod reference;
mod uefi;

use std::path::PathBuf;
use std::process::ExitCode;

use prerequisites::Purpose;

const USAGE: &str = "\
usage: cargo xtask <command>

The commands that build first check the system packages they need, install the
missing ones (xtask/prerequisites.sh, which the Makefile runs too) or say
how and stop.

commands:
  build                     build walos (release, both engines), the samples and the test programs
  run [options] [-- ARGS]   build walos and the entry, then run it
      --entry ENTRY         sample/NAME, or a wasm file (.wasm, or the text format)
                            [default: sample/hello]
      --loader LOADER       elf (a Linux process), efi-app or efi-os (QEMU, serial
                            console on the terminal) [default: elf]
      --engine ENGINE       elf loader: wasmi or wasmtime [default: wasmi]; walos is
                            built with wasmtime only to run on it
      --log LEVEL           kernel log level [default: warn]
      --vga                 UEFI loaders: show the screen in a window
  package [options]         write target/walos.iso and target/walos.img, bootable
      --entry ENTRY         the program they run [default: sample/hello]
      --loader LOADER       efi-app or efi-os [default: efi-os]
      --log LEVEL           kernel log level [default: warn]
      --debug-exit          report the exit status to QEMU's isa-debug-exit device
  lint                      check formatting, clippy lints and doc links
  test                      lint, build, then run every test (end-to-end ones on each engine)
  bench [options]           benchmarks against Linux and native code; table and target/bench/report.json
      --quick               one tiny repetition (a smoke test; figures meaningless)
      --only NAME           only the rows whose name starts with NAME
  fuzz [--seconds N]        run every fuzz target of fuzz/ N seconds [default: 60] on the
                            nightly fuzz/rust-toolchain.toml pins (installed, with
                            cargo-fuzz, if missing); crashes land in fuzz/artifacts/
  logo                      draw the walos logo into sample/vga/logo.tga
  help                      show this
";

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("build") => prerequisites::check(&[Purpose::Wasm]).and_then(|()| build::all()),
        Some("run") => run(&args[1..]),
        Some("package") => package(&args[1..]),
        Some("lint") => lint(),
        Some("test") => test(),
        Some("bench") => prerequisites::check(&[Purpose::Wasm]).and_then(|()| bench::run(&args[1..])),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("logo") => logo::write(),
        Some("help" | "-h" | "--help") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `run`: builds what is needed and runs the entry on a loader; exits with
/// the entry's status.
fn run(args: &[String]) -> Result<(), String> {
    let (options, program_args) = match args.iter().position(|a| a == "--") {
        Some(split) => (&args[..split], &args[split + 1..]),
        None => (args, &[][..]),
    };
    let mut entry = "sample/hello".to_string();
    let mut loader = "elf".to_string();
    let mut log = "warn".to_string();
    let mut engine = "wasmi".to_string();
    let mut vga = false;
    let mut options = options.iter();
    while let Some(option) = options.next() {
        if option == "--vga" {
            vga = true;
            continue;
        }
        let value = options.next().ok_or(format!("{option} needs a value"))?;
        match option.as_str() {
            "--entry" => entry = value.clone(),
            "--loader" => loader = value.clone(),
            "--log" => log = value.clone(),
            "--engine" => engine = value.clone(),
            _ => return Err(format!("unknown run option `{option}`\n\n{USAGE}")),
        }
    }
    if loader == "elf" && vga {
        return Err("--vga is for the UEFI loaders: on the elf loader, sample/vga's screen is saved to an image".into());
    }
    if loader != "elf" {
        if engine != "wasmi" {
            return Err(format!("--engine {engine}: the UEFI loaders have the wasmi engine only"));
        }
        let loader = loader
            .parse()
            .map_err(|_| format!("unknown loader `{loader}`: the loaders are elf, efi-app and efi-os"))?;
        prerequisites::check(&[Purpose::Wasm, Purpose::Qemu])?;
        let boot = uefi::Boot { loader, entry: &entry, log: Some(&log), args: program_args, debug_exit: true };
        return uefi::run(&boot, vga);
    }
    // C is compiled to wasm for a sample, not for a wasm file.
    prerequisites::check(if build::is_sample(&entry) { &[Purpose::Wasm] } else { &[] })?;
    build::walos_for(&engine)?;
    let wasm = build::entry(&entry)?;
    let mut walos = std::process::Command::new(build::walos_binary());
    walos.arg("run").arg("--log").arg(&log).arg("--engine").arg(&engine);
    let screen = build::needs_screen(&entry).then(build::screen_file);
    if let Some(screen) = &screen {
        walos.arg("--framebuffer").arg(screen);
    }
    walos.arg(&wasm).args(build::elf_run_args(&entry)).args(program_args);
    let status = exec::status(&mut walos)?;
    if let Some(screen) = &screen {
        eprintln!("xtask: the screen was saved to {}", screen.display());
    }
    std::process::exit(status.code().unwrap_or(1));
}

/// `package`: the bootable ISO and disk image.
fn package(args: &[String]) -> Result<(), String> {
    let mut entry = "sample/hello".to_string();
    let mut loader = uefi::DEFAULT_PACKAGE_LOADER;
    let mut log = None;
    let mut debug_exit = false;
    let mut options = args.iter();
    while let Some(option) = options.next() {
        if option == "--debug-exit" {
            debug_exit = true;
            continue;
        }
        let value = options.next().ok_or(format!("{option} needs a value"))?;
        match option.as_str() {
            "--entry" => entry = value.clone(),
            "--loader" => loader = value.parse()?,
            "--log" => log = Some(value.clone()),
            _ => return Err(format!("unknown package option `{option}`\n\n{USAGE}")),
        }
    }
    prerequisites::check(&[Purpose::Wasm, Purpose::Image])?;
    uefi::package(&uefi::Boot { loader, entry: &entry, log: log.as_deref(), args: &[], debug_exit })
}

/// Formatting, clippy and doc links, for the host crates and the wasm ones.
fn lint() -> Result<(), String> {
    prerequisites::check(&[])?;
    exec::cargo(&["fmt", "--all", "--", "--check"])?;
    exec::cargo(&["clippy", "--release", "--all-targets", "--", "-D", "warnings"])?;
    let mut wasm_packages = vec!["--target", build::RUST_WASM_TARGET];
    for package in build::rust_wasm_packages() {
        wasm_packages.extend(["-p", package]);
    }
    exec::cargo(&[&["clippy", "--release"], &wasm_packages[..], &["--", "-D", "warnings"]].concat())?;
    for packages in [
        build::target_packages(walos_qemu::UEFI_TARGET, build::UEFI_PACKAGES),
        build::target_packages(walos_qemu::BARE_METAL_TARGET, build::BARE_METAL_PACKAGES),
    ] {
        exec::cargo(&[&["clippy", "--release"], &packages[..], &["--", "-D", "warnings"]].concat())?;
        let mut docs =
            exec::cargo_command(&[&["doc", "--no-deps", "--document-private-items"], &packages[..]].concat());
        docs.env("RUSTDOCFLAGS", "-D warnings");
        exec::run(&mut docs)?;
    }
    for package in build::HOST_TESTED_LIBS {
        // The test profile lints the unit tests too (`--tests` would take the wasm binary).
        exec::cargo(&["clippy", "-p", package, "--lib", "--profile", "test", "--", "-D", "warnings"])?;
    }
    // `--release` everywhere: the dependencies' metadata (wasmtime's is the
    // costly one) is then checked once, for clippy and rustdoc alike.
    let mut docs = exec::cargo_command(&["doc", "--release", "--no-deps", "--document-private-items"]);
    docs.env("RUSTDOCFLAGS", "-D warnings");
    exec::run(&mut docs)?;
    let mut wasm_docs = exec::cargo_command(&[&["doc", "--release", "--no-deps"], &wasm_packages[..]].concat());
    wasm_docs.env("RUSTDOCFLAGS", "-D warnings");
    exec::run(&mut wasm_docs)
}

/// The engines of the `walos` command, the default first.
pub const ENGINES: [&str; 2] = ["wasmi", "wasmtime"];

/// `test`: what CI runs.
fn test() -> Result<(), String> {
    prerequisites::check(&[Purpose::Test])?;
    lint()?;
    build::all()?;
    // For the harness's smoke test.
    bench::programs()?;
    let python = reference::python()?;
    let mut tests = exec::cargo_command(&["test", "--release"]);
    tests.env("WALOS_REFERENCE_PYTHON", &python).env("WALOS_ENGINE", ENGINES[0]);
    exec::run(&mut tests)?;
    // The Linux loader's end-to-end tests again on every other engine (the
    // UEFI loaders have wasmi only): same binaries.
    for engine in &ENGINES[1..] {
        let mut tests = exec::cargo_command(&["test", "--release", "-p", "walos-tests", "--test", "elf_*"]);
        tests.env("WALOS_REFERENCE_PYTHON", &python).env("WALOS_ENGINE", engine);
        exec::run(&mut tests)?;
    }
    build::HOST_TESTED_LIBS
        .iter()
        .try_for_each(|package| exec::cargo(&["test", "--release", "-p", package, "--lib"]))?;
    // Each fuzz target briefly, so that they keep building and finding
    // nothing; `make fuzz` runs them for longer.
    fuzz::each_target(fuzz::TEST_SECONDS)
}
