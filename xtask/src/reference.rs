//! The reference runtime of the differential tests: wasmtime, through its
//! Python package, in a virtual environment under `target/` made on first
//! use (PyPI is reachable where walos is built and tested).

use std::path::PathBuf;
use std::process::Command;

use crate::{exec, root};

/// The pinned version: expectations are checked against this one.
const WASMTIME: &str = "wasmtime==50.0.1";

/// The Python interpreter that has the reference runtime.
pub fn python() -> Result<PathBuf, String> {
    let venv = root().join("target/reference-venv");
    let python = venv.join("bin/python3");
    let marker = venv.join(format!("{WASMTIME}.installed"));
    if !marker.exists() {
        exec::run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        exec::run(Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            WASMTIME,
        ]))?;
        std::fs::write(&marker, "").map_err(|err| format!("{}: {err}", marker.display()))?;
    }
    Ok(python)
}
