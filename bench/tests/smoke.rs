//! The harness runs end to end: one tiny repetition of everything (figures
//! meaningless at that size, so none is checked), and a report of the
//! issue's shape. The programs come from `cargo xtask test` (or `bench`).

use std::path::PathBuf;
use std::process::Command;

#[test]
fn a_quick_run_writes_a_report_for_both_engines() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("bench/ is in the repository").to_path_buf();
    let programs = root.join("target/bench");
    assert!(programs.join("native").is_dir(), "no benchmark programs: run `make test` once first");
    let out = std::env::temp_dir().join(format!("walos-bench-smoke-{}.json", std::process::id()));
    let run = Command::new(env!("CARGO_BIN_EXE_walos-bench"))
        .arg(&programs)
        .arg("--quick")
        .arg("--out")
        .arg(&out)
        .output()
        .expect("walos-bench runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    assert!(
        stdout.starts_with(
            "benchmark           reference     wasmi ns  speedup  wasmtime ns  speedup    wt-run ns       vs\n"
        ),
        "{stdout}"
    );

    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("report written")).expect("JSON");
    let _ = std::fs::remove_file(&out);
    let rows = report.as_array().expect("an array");
    let names = [
        "syscall",
        "ipc",
        "switch",
        "spawn",
        "compute-list",
        "compute-matrix",
        "compute-fsm",
        "compute-crc",
        "compute-float",
    ];
    assert_eq!(rows.len(), names.len() * 2);
    for (i, row) in rows.iter().enumerate() {
        let object = row.as_object().expect("rows are objects");
        let keys: Vec<&str> = object.keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 8, "{row}");
        let keys = ["name", "engine", "walos_ns", "reference", "reference_ns", "speedup", "wasmtime_run_ns"];
        for key in keys.into_iter().chain(["vs_wasmtime_run"]) {
            assert!(object.contains_key(key), "{key} missing in {row}");
        }
        assert_eq!(row["name"], names[i / 2], "{row}");
        assert_eq!(row["engine"], ["wasmi", "wasmtime"][i % 2], "{row}");
        assert!(row["reference"].as_str().is_some_and(|r| !r.is_empty()), "{row}");
        assert!(row["reference_ns"].is_number(), "{row}");
        assert!(row["walos_ns"].is_number(), "{row}");
        // `wasmtime run` times the compute rows, given the reference Python
        // (`make test` gives it).
        let compute = row["name"].as_str().is_some_and(|name| name.starts_with("compute-"));
        let measured = compute && std::env::var_os("WALOS_REFERENCE_PYTHON").is_some();
        assert_eq!(row["wasmtime_run_ns"].is_number(), measured, "{row}");
    }
}
