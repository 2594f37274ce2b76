//! Timing one side of a comparison: a native program run as a Linux
//! process, wasm programs on a walos kernel on the elf loader, in this
//! process, or a wasm program on wasmtime's own runtime.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use walos_kernel::{Config, ExitStatus, Kernel};
use walos_loader_elf::cli::EngineKind;
use walos_loader_elf::host::HostLoader;
use walos_loader_elf::run::engine;
use walos_loader_elf::store::FileStore;
use walos_loader_elf::timer::Timer;

/// What is timed: a program given a repetition count.
pub enum Side {
    /// A native program (`DIR/native/NAME ARGS... N`).
    Native { program: String, args: Vec<String>, n: u64, ops: u64 },
    /// A wasm program (`DIR/wasm/NAME.wasm ARGS... N`) alone on a kernel.
    Walos { engine: EngineKind, program: String, args: Vec<String>, n: u64, ops: u64 },
    /// Two copies of a wasm program side by side on one kernel, each given
    /// `N`; `2N` operations in all.
    WalosPair { engine: EngineKind, program: String, n: u64 },
    /// `N` spawns of a wasm program on one kernel, each run to its end.
    WalosSpawns { engine: EngineKind, program: String, n: u64 },
    /// The same wasm program on wasmtime's own runtime, as `wasmtime run`
    /// runs it (the pinned wasmtime of the differential tests, through
    /// `tests/reference/wasmtime_run.py`): what the wasmtime engine of
    /// walos is measured against.
    WasmtimeRun { program: String, args: Vec<String>, n: u64, ops: u64 },
}

impl Side {
    /// `NAME ARGS... N` natively, where a count of `N` makes `ops`
    /// operations per unit.
    pub fn native(program: &str, args: &[&str], n: u64, ops: u64) -> Side {
        Side::Native { program: program.into(), args: strings(args), n, ops }
    }

    pub fn walos(engine: EngineKind, program: &str, args: &[&str], n: u64, ops: u64) -> Side {
        Side::Walos { engine, program: program.into(), args: strings(args), n, ops }
    }

    pub fn wasmtime_run(program: &str, args: &[&str], n: u64, ops: u64) -> Side {
        Side::WasmtimeRun { program: program.into(), args: strings(args), n, ops }
    }

    pub fn walos_pair(engine: EngineKind, program: &str, n: u64) -> Side {
        Side::WalosPair { engine, program: program.into(), n }
    }

    pub fn walos_spawns(engine: EngineKind, program: &str, n: u64) -> Side {
        Side::WalosSpawns { engine, program: program.into(), n }
    }

    /// The repetition count and the operations it makes.
    fn operations(&self) -> (u64, u64) {
        match self {
            Side::Native { n, ops, .. } | Side::Walos { n, ops, .. } | Side::WasmtimeRun { n, ops, .. } => {
                (*n, n * ops)
            }
            Side::WalosPair { n, .. } => (*n, 2 * n),
            Side::WalosSpawns { n, .. } => (*n, *n),
        }
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

/// The programs and the number of repetitions of every measurement.
pub struct Bench {
    dir: PathBuf,
    repetitions: usize,
    /// The Python with the pinned wasmtime package
    /// (`WALOS_REFERENCE_PYTHON`, set by `cargo xtask bench`); without it
    /// nothing is measured on wasmtime's own runtime.
    python: Option<PathBuf>,
}

/// The medians of one comparison, in nanoseconds per operation.
pub struct Medians {
    /// The native reference.
    pub reference: f64,
    /// walos on each engine, in [`crate::ENGINES`] order.
    pub walos: Vec<Option<f64>>,
    /// wasmtime's own runtime, when it was measured.
    pub wasmtime_run: Option<f64>,
}

impl Bench {
    pub fn new(dir: &Path, repetitions: usize, python: Option<PathBuf>) -> Result<Bench, String> {
        for sub in ["native", "wasm"] {
            if !dir.join(sub).is_dir() {
                return Err(format!("{}: no `{sub}` programs (built by `cargo xtask bench`)", dir.display()));
            }
        }
        Ok(Bench { dir: dir.to_path_buf(), repetitions, python })
    }

    /// Whether wasmtime's own runtime can be measured.
    pub fn has_wasmtime_run(&self) -> bool {
        self.python.is_some()
    }

    pub fn native_path(&self, name: &str) -> PathBuf {
        self.dir.join("native").join(name)
    }

    fn wasm_path(&self, name: &str) -> PathBuf {
        self.dir.join("wasm").join(format!("{name}.wasm"))
    }

    /// Times the reference, the walos side on every engine and, if given
    /// and possible, wasmtime's own runtime, turn about, and returns the
    /// medians. Every side must exit with the reference's status (the
    /// compute workloads' checksums).
    pub fn compare(
        &self,
        reference: Side,
        walos: impl Fn(EngineKind) -> Side,
        wasmtime_run: Option<Side>,
    ) -> Result<Medians, String> {
        let mut others: Vec<Side> = crate::ENGINES.map(|(kind, _)| walos(kind)).into();
        let engines = others.len();
        others.extend(wasmtime_run.filter(|_| self.has_wasmtime_run()));
        let mut reference_ns = Vec::new();
        let mut others_ns = vec![Vec::new(); others.len()];
        for _ in 0..self.repetitions {
            let (ns, expected) = self.per_operation(&reference)?;
            reference_ns.push(ns);
            for (side, samples) in others.iter().zip(&mut others_ns) {
                let (ns, status) = self.per_operation(side)?;
                if status != expected {
                    return Err(format!("{}: exit status {status}, natively {expected}", describe(side)));
                }
                samples.push(ns);
            }
        }
        let mut medians = others_ns.into_iter().map(median);
        let walos = medians.by_ref().take(engines).map(Some).collect();
        Ok(Medians { reference: median(reference_ns), walos, wasmtime_run: medians.next() })
    }

    /// Nanoseconds per operation: the time at `N` less the time at `0`,
    /// over the operations; with the exit status at `N`.
    fn per_operation(&self, side: &Side) -> Result<(f64, i32), String> {
        let (n, operations) = side.operations();
        let (empty, _) = self.time(side, 0)?;
        let (full, status) = self.time(side, n)?;
        let ns = full.saturating_sub(empty).as_nanos() as f64 / operations.max(1) as f64;
        Ok((ns, status))
    }

    fn time(&self, side: &Side, n: u64) -> Result<(Duration, i32), String> {
        match side {
            Side::Native { program, args, .. } => {
                let mut command = Command::new(self.native_path(program));
                command.args(args).arg(n.to_string());
                timed(&mut command, program)
            }
            Side::WasmtimeRun { program, args, .. } => {
                let python = self.python.as_ref().ok_or("no Python with wasmtime (WALOS_REFERENCE_PYTHON)")?;
                let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/reference/wasmtime_run.py");
                let mut command = Command::new(python);
                command.arg(script).arg(self.wasm_path(program)).args(args).arg(n.to_string());
                timed(&mut command, &python.display().to_string())
            }
            Side::Walos { engine, program, args, .. } => {
                let mut args = args.clone();
                args.push(n.to_string());
                self.on_walos(*engine, program, &[args])
            }
            Side::WalosPair { engine, program, .. } => {
                self.on_walos(*engine, program, &[vec![n.to_string()], vec![n.to_string()]])
            }
            Side::WalosSpawns { engine, program, .. } => {
                let runs = vec![Vec::new(); n as usize];
                let mut total = Duration::ZERO;
                let mut status = 0;
                // One kernel for all, one spawn at a time.
                let (mut kernel, _timer) = self.kernel(*engine, program);
                for args in runs {
                    let (time, code) = run(&mut kernel, program, &[args])?;
                    total += time;
                    status = status.max(code);
                }
                Ok((total, status))
            }
        }
    }

    /// Runs the program once per argument list, side by side on a new
    /// kernel; the time from the first spawn to the last exit.
    fn on_walos(&self, engine: EngineKind, program: &str, runs: &[Vec<String>]) -> Result<(Duration, i32), String> {
        let (mut kernel, _timer) = self.kernel(engine, program);
        run(&mut kernel, program, runs)
    }

    /// A kernel for `program` on the engine of that kind, preempting as it
    /// does by default (`walos run`'s choice), with the timer that drives
    /// it if it counts ticks.
    fn kernel(&self, kind: EngineKind, program: &str) -> (Kernel, Option<Timer>) {
        let mut store = FileStore::default();
        store.add(program, self.wasm_path(program));
        // The services the program imports (`ipc` calls `text`).
        store.search(self.dir.join("wasm"));
        let engine = engine(kind, None).expect("walos-bench is built with every engine");
        let timer = Timer::drive(&*engine);
        (Kernel::new(Box::new(HostLoader::new(store)), engine, Config::default()), timer)
    }
}

/// Runs a process to its end: how long it took and its exit status.
fn timed(command: &mut Command, what: &str) -> Result<(Duration, i32), String> {
    let start = Instant::now();
    let status = command.status().map_err(|err| format!("{what}: {err}"))?;
    Ok((start.elapsed(), status.code().unwrap_or(-1)))
}

/// Spawns the program once per argument list and runs them all to their
/// ends; the highest exit status.
fn run(kernel: &mut Kernel, program: &str, runs: &[Vec<String>]) -> Result<(Duration, i32), String> {
    let start = Instant::now();
    let mut pids = Vec::new();
    for args in runs {
        let command = walos_kernel::Command::new(program).args(args.iter().cloned());
        pids.push(kernel.spawn(command).map_err(|err| err.to_string())?);
    }
    let mut status = 0;
    for pid in pids {
        match kernel.run_until_exit(pid) {
            Some(ExitStatus::Exited(code)) => status = status.max(code as i32),
            Some(ExitStatus::Trapped(trap)) => return Err(format!("{program} trapped: {trap}")),
            Some(ExitStatus::Killed { .. }) => return Err(format!("{program} was killed")),
            None => return Err(format!("{program}: pid {pid} vanished")),
        }
    }
    Ok((start.elapsed(), status))
}

fn describe(side: &Side) -> String {
    match side {
        Side::Native { program, .. } => program.clone(),
        Side::WasmtimeRun { program, .. } => format!("{program} on wasmtime run"),
        Side::Walos { engine, program, .. }
        | Side::WalosPair { engine, program, .. }
        | Side::WalosSpawns { engine, program, .. } => format!("{program} on {engine:?}"),
    }
}

/// The median; the mean of the middle two for an even count.
pub fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    match samples.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => samples[n / 2],
        n => (samples[n / 2 - 1] + samples[n / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn medians() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(Vec::new()).is_nan());
    }
}
