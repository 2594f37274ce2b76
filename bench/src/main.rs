//! `walos-bench`: walos against Linux and native code (`make bench`).
//!
//! Every walos figure is measured in the same run as its reference, turn
//! about, over several repetitions; the medians are reported. Programs take
//! a repetition count `N` and are timed at `N` and at `0`: the difference
//! leaves out what does not depend on `N` (starting a process, compiling a
//! module), on both sides alike. The compute rows are also measured on
//! wasmtime's own runtime (`wasmtime run`, the pinned wasmtime of the
//! differential tests, given by `WALOS_REFERENCE_PYTHON`), the reference
//! of walos's wasmtime engine. The programs are built by `cargo xtask
//! bench` into the directory given as the first argument.
//!
//! usage: `walos-bench DIR [--quick] [--only NAME] [--out FILE]`

mod measure;
mod report;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use walos_loader_elf::cli::EngineKind;

use crate::measure::{Bench, Medians, Side};
use crate::report::Row;

/// The engines measured, as named in the report.
const ENGINES: [(EngineKind, &str); 2] = [(EngineKind::Wasmi, "wasmi"), (EngineKind::Wasmtime, "wasmtime")];

/// The compute workloads: name and repetitions per timed run (about 50 ms
/// natively on a 2020s x86_64 core).
const COMPUTE: [(&str, u64); 5] = [("list", 130), ("matrix", 150), ("fsm", 350), ("crc", 700), ("float", 2500)];

struct Options {
    dir: PathBuf,
    out: PathBuf,
    quick: bool,
    /// Only the rows whose name starts with this.
    only: Option<String>,
}

fn options() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: walos-bench DIR [--quick] [--only NAME] [--out FILE]")?);
    let mut options = Options { out: dir.join("report.json"), dir, quick: false, only: None };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--only" => options.only = Some(args.next().ok_or("--only needs a name")?),
            "--out" => options.out = PathBuf::from(args.next().ok_or("--out needs a file")?),
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    match options().and_then(|options| run(&options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("walos-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(options: &Options) -> Result<(), String> {
    // Quick mode (the smoke test): tiny counts, one repetition.
    let (scale, repetitions) = if options.quick { (1000, 1) } else { (1, 5) };
    let count = |n: u64| (n / scale).max(1);
    let wanted = |name: &str| options.only.as_ref().is_none_or(|only| name.starts_with(only.as_str()));
    let python = std::env::var_os("WALOS_REFERENCE_PYTHON").map(PathBuf::from);
    let bench = Bench::new(&options.dir, repetitions, python)?;
    if !bench.has_wasmtime_run() {
        eprintln!("walos-bench: WALOS_REFERENCE_PYTHON is not set: no `wasmtime run` column");
    }
    let mut rows = Vec::new();
    let mut add = |name: &str, reference: &str, medians: Medians| {
        for ((_, engine), walos_ns) in ENGINES.iter().zip(&medians.walos) {
            let row = Row::new(name, engine, reference, medians.reference, *walos_ns);
            rows.push(Row { wasmtime_run_ns: medians.wasmtime_run, ..row });
        }
    };

    if wanted("syscall") {
        eprintln!("syscall: sys.nop against getpid");
        let medians = bench.compare(
            Side::native("getpid", &[], count(2_000_000), 1),
            |engine| Side::walos(engine, "syscall", &[], count(2_000_000), 1),
            None,
        )?;
        add("syscall", "syscall(SYS_getpid) in a Linux process", medians);
    }

    if wanted("ipc") {
        eprintln!("ipc: text.upper, 64 bytes each way, against a pipe ping-pong between two Linux processes");
        let medians = bench.compare(
            Side::native("pingpong", &[], count(20_000), 1),
            |engine| Side::walos(engine, "ipc", &[], count(200_000), 1),
            None,
        )?;
        add("ipc", "64-byte round trip over two pipes between two Linux processes", medians);
    }

    if wanted("switch") {
        eprintln!("switch: sys.yield between two walos processes against a pipe ping-pong");
        let medians = bench.compare(
            Side::native("pingpong", &[], count(20_000), 1),
            |engine| Side::walos_pair(engine, "yield", count(500_000)),
            None,
        )?;
        // A round trip is two switches.
        let medians = Medians { reference: medians.reference / 2.0, ..medians };
        add("switch", "a switch of a pipe ping-pong between two Linux processes", medians);
    }

    if wanted("spawn") {
        eprintln!("spawn: a minimal program against fork + exec + wait of a minimal static one");
        let minimal = bench.native_path("minimal");
        let minimal = minimal.to_str().ok_or("non-UTF-8 path")?;
        let medians = bench.compare(
            Side::native("spawn", &[minimal], count(500), 1),
            |engine| Side::walos_spawns(engine, "minimal", count(500)),
            None,
        )?;
        add("spawn", "fork + exec + wait of a minimal static Linux program", medians);
    }

    for (name, n) in COMPUTE {
        let program = format!("compute-{name}");
        if !wanted(&program) {
            continue;
        }
        eprintln!("{program}");
        let medians = bench.compare(
            Side::native(&program, &[], count(n), 1),
            |engine| Side::walos(engine, &program, &[], count(n), 1),
            Some(Side::wasmtime_run(&program, &[], count(n), 1)),
        )?;
        add(&program, "the same C, native, clang -O2", medians);
    }

    print!("{}", report::table(&rows, ENGINES.map(|(_, name)| name).as_slice()));
    report::write_json(&rows, &options.out)?;
    eprintln!("walos-bench: wrote {}", display(&options.out));
    Ok(())
}

fn display(path: &Path) -> String {
    path.display().to_string()
}
