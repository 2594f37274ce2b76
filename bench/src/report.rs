//! The report: a table for people, `report.json` for tools.
//!
//! Each row of the JSON array is `{"name", "engine", "walos_ns",
//! "reference", "reference_ns", "speedup", "wasmtime_run_ns",
//! "vs_wasmtime_run"}` with `speedup = reference_ns / walos_ns` (above 1:
//! walos is faster) and `vs_wasmtime_run = wasmtime_run_ns / walos_ns`, the
//! same against wasmtime's own runtime (compute rows; `null` elsewhere). A
//! benchmark that cannot run yet has `null` for `walos_ns` and `speedup`.

use std::path::Path;

use serde_json::json;

/// One benchmark on one engine.
pub struct Row {
    pub name: String,
    pub engine: String,
    pub walos_ns: Option<f64>,
    pub reference: String,
    pub reference_ns: f64,
    /// The same program on wasmtime's own runtime, if measured.
    pub wasmtime_run_ns: Option<f64>,
}

impl Row {
    pub fn new(name: &str, engine: &str, reference: &str, reference_ns: f64, walos_ns: Option<f64>) -> Row {
        let (name, engine, reference) = (name.into(), engine.into(), reference.into());
        Row { name, engine, walos_ns, reference, reference_ns, wasmtime_run_ns: None }
    }

    pub fn speedup(&self) -> Option<f64> {
        self.walos_ns.map(|walos| self.reference_ns / walos)
    }

    /// wasmtime's own runtime against walos on this row's engine.
    pub fn vs_wasmtime_run(&self) -> Option<f64> {
        Some(self.wasmtime_run_ns? / self.walos_ns?)
    }
}

/// The table, one line per benchmark, a column pair per engine, then
/// `wasmtime run` and how the last engine (walos's wasmtime) compares.
pub fn table(rows: &[Row], engines: &[&str]) -> String {
    let last = engines.last().copied().unwrap_or_default();
    let mut out = format!("{:<16} {:>12}", "benchmark", "reference");
    for engine in engines {
        out += &format!(" {:>12} {:>8}", format!("{engine} ns"), "speedup");
    }
    out += &format!(" {:>12} {:>8}\n", "wt-run ns", "vs");
    let mut names: Vec<&str> = Vec::new();
    for row in rows {
        if !names.contains(&row.name.as_str()) {
            names.push(&row.name);
        }
    }
    for name in names {
        let of = |engine: &str| rows.iter().find(|r| r.name == name && r.engine == engine);
        let Some(first) = rows.iter().find(|r| r.name == name) else { continue };
        out += &format!("{:<16} {:>12}", name, ns(first.reference_ns));
        for engine in engines {
            match of(engine).and_then(|row| Some((row.walos_ns?, row.speedup()?))) {
                Some((walos, speedup)) => out += &format!(" {:>12} {:>8}", ns(walos), format!("{speedup:.2}x")),
                None => out += &format!(" {:>12} {:>8}", "-", "-"),
            }
        }
        match of(last).and_then(|row| Some((row.wasmtime_run_ns?, row.vs_wasmtime_run()?))) {
            Some((run, vs)) => out += &format!(" {:>12} {:>8}\n", ns(run), format!("{vs:.2}x")),
            None => out += &format!(" {:>12} {:>8}\n", "-", "-"),
        }
    }
    out += "ns: per operation, median; speedup = reference ns / walos ns (above 1: walos is faster)\n";
    out += &format!("wt-run: the same wasm on `wasmtime run` (wasmtime's own runtime); vs = wt-run ns / {last} ns\n");
    for row in rows.iter().filter(|r| r.engine == engines[0]) {
        out += &format!("  {}: {}\n", row.name, row.reference);
    }
    out
}

fn ns(value: f64) -> String {
    if value >= 100.0 { format!("{value:.0}") } else { format!("{value:.1}") }
}

pub fn json(rows: &[Row]) -> serde_json::Value {
    rows.iter()
        .map(|row| {
            json!({
                "name": row.name,
                "engine": row.engine,
                "walos_ns": row.walos_ns,
                "reference": row.reference,
                "reference_ns": row.reference_ns,
                "speedup": row.speedup(),
                "wasmtime_run_ns": row.wasmtime_run_ns,
                "vs_wasmtime_run": row.vs_wasmtime_run(),
            })
        })
        .collect()
}

pub fn write_json(rows: &[Row], path: &Path) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|err| format!("{}: {err}", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(&json(rows)).map_err(|err| err.to_string())?;
    std::fs::write(path, text + "\n").map_err(|err| format!("{}: {err}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_have_the_fields_of_the_issue() {
        let crc = Row { wasmtime_run_ns: Some(90.0), ..Row::new("crc", "wasmi", "native", 60.0, Some(120.0)) };
        let rows = [
            Row::new("syscall", "wasmi", "getpid", 100.0, Some(25.0)),
            Row::new("ipc", "wasmi", "pipes", 50.0, None),
            crc,
        ];
        let value = json(&rows);
        assert_eq!(
            value,
            json!([
                {"name": "syscall", "engine": "wasmi", "walos_ns": 25.0, "reference": "getpid",
                 "reference_ns": 100.0, "speedup": 4.0, "wasmtime_run_ns": null, "vs_wasmtime_run": null},
                {"name": "ipc", "engine": "wasmi", "walos_ns": null, "reference": "pipes",
                 "reference_ns": 50.0, "speedup": null, "wasmtime_run_ns": null, "vs_wasmtime_run": null},
                {"name": "crc", "engine": "wasmi", "walos_ns": 120.0, "reference": "native",
                 "reference_ns": 60.0, "speedup": 0.5, "wasmtime_run_ns": 90.0, "vs_wasmtime_run": 0.75},
            ])
        );
        let table = table(&rows, &["wasmi"]);
        let words = |name: &str| -> Vec<String> {
            let line = table.lines().find(|l| l.starts_with(name)).unwrap_or_default();
            line.split_whitespace().map(String::from).collect()
        };
        assert_eq!(words("benchmark"), ["benchmark", "reference", "wasmi", "ns", "speedup", "wt-run", "ns", "vs"]);
        assert_eq!(words("syscall"), ["syscall", "100", "25.0", "4.00x", "-", "-"], "{table}");
        assert_eq!(words("ipc"), ["ipc", "50.0", "-", "-", "-", "-"], "{table}");
        assert_eq!(words("crc"), ["crc", "60.0", "120", "0.50x", "90.0", "0.75x"], "{table}");
    }
}
