//! `bench`: builds the benchmark programs (wasm and native, from the same C
//! with the same clang -O2) and runs the harness, `walos-bench`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::build::{self, Kind};
use crate::{exec, root};

/// Where the programs and the report go.
pub fn dir() -> PathBuf {
    root().join("target/bench")
}

/// Builds everything, then runs the harness with `args` (`--quick`, `--only
/// NAME`, `--out FILE`).
pub fn run(args: &[String]) -> Result<(), String> {
    programs()?;
    build::walos()?;
    // `wasmtime run`, the reference of the wasmtime engine's compute rows.
    let python = crate::reference::python()?;
    let mut bench = Command::new(root().join("target/release/walos-bench"));
    bench.arg(dir()).args(args).env("WALOS_REFERENCE_PYTHON", python);
    exec::run(&mut bench)
}

/// Every program the harness runs, in `target/bench/{wasm,native}`.
pub fn programs() -> Result<(), String> {
    let c = root().join("bench/c");
    let (wasm, native) = (dir().join("wasm"), dir().join("native"));
    for source in build::c_sources(&c.join("compute"))? {
        let name = format!("compute-{}", stem(&source)?);
        build::compile_c(Kind::CWasi, std::slice::from_ref(&source), &wasm.join(format!("{name}.wasm")))?;
        clang(&["-lm"], &source, &native.join(name))?;
    }
    for source in build::c_sources(&c.join("walos"))? {
        let name = stem(&source)?;
        // `minimal` is the smallest program: no libc at all.
        let kind = if name == "minimal" { Kind::CNative } else { Kind::CWasi };
        build::compile_c(kind, std::slice::from_ref(&source), &wasm.join(format!("{name}.wasm")))?;
    }
    // The services the programs call (`ipc` calls `text`), next to them,
    // where the harness's service store finds them.
    for service in build::SERVICES {
        build::build_service(service, &wasm.join(format!("{}.wasm", service.name)))?;
    }
    for source in build::c_sources(&c.join("native"))? {
        let name = stem(&source)?;
        let flags: &[&str] = if name == "minimal" { &["-static", "-nostdlib"] } else { &[] };
        clang(flags, &source, &native.join(name))?;
    }
    Ok(())
}

fn stem(path: &Path) -> Result<&str, String> {
    path.file_stem().and_then(|s| s.to_str()).ok_or_else(|| format!("{}: bad file name", path.display()))
}

/// A native program, with the clang and the flags of the wasm builds.
fn clang(flags: &[&str], source: &Path, out: &Path) -> Result<(), String> {
    std::fs::create_dir_all(out.parent().expect("output in a directory")).map_err(|err| err.to_string())?;
    let mut clang = Command::new("clang");
    clang.args(["-O2", "-Wall", "-Wextra", "-o"]).arg(out).arg(source).args(flags);
    exec::run(&mut clang)
}
