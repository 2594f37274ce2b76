//! `walos run`: one program on a fresh kernel.

use std::path::{Path, PathBuf};

use walos_engine::Engine;
#[cfg(feature = "wasmtime")]
use walos_engine::Preemption;
use walos_engine_wasmi::WasmiEngine;
#[cfg(feature = "wasmtime")]
use walos_engine_wasmtime::WasmtimeEngine;
use walos_kernel::log::Level;
use walos_kernel::vfs::mem::MemFs;
use walos_kernel::{
    Command, Config, DEFAULT_MAX_FDS, DEFAULT_MAX_PROCESSES, DEFAULT_MAX_TABLE_ELEMENTS, ExitStatus, Kernel, LinkError,
    SpawnError, UnknownImports,
};

use crate::cli::{EngineKind, PreemptKind, RunOptions};
use crate::framebuffer::{Output, Screen};
use crate::host::{HostLoader, physical_memory};
use crate::hostfs::HostFs;
use crate::store::FileStore;
use crate::timer::Timer;

/// The exit status of a trapped program: 128 + SIGABRT, as wasmtime uses.
pub const TRAP_STATUS: i32 = 134;

/// Exit status when walos could not start the program.
pub const ERROR_STATUS: i32 = 1;

/// Runs the program and returns the status `walos` exits with.
pub fn run(options: RunOptions) -> i32 {
    match start(options) {
        Ok(status) => status,
        Err(message) => {
            eprintln!("walos: {message}");
            ERROR_STATUS
        }
    }
}

fn start(options: RunOptions) -> Result<i32, String> {
    let (program, args) = options.program_and_args.split_first().ok_or("no program given")?;
    let module = read_module(Path::new(program))?;
    let precompiled = is_precompiled(&module);
    let kind = options.engine.unwrap_or(if precompiled { EngineKind::Wasmtime } else { EngineKind::Wasmi });
    if precompiled && kind == EngineKind::Wasmi {
        return Err(format!(
            "`{program}` is compiled for the wasmtime engine (`walos compile`); the wasmi engine runs wasm only \
             (`walos run --engine wasmtime` runs it)"
        ));
    }
    let setup = Setup {
        cache: if options.no_cache { None } else { cache_dir() },
        report: options.log >= Level::Info,
        trusted: precompiled.then(|| module.clone()),
    };
    let engine = engine_with(kind, options.preempt, &setup)?;
    let env = options.env.iter().filter_map(|spec| environment(spec)).collect();
    let mut dirs = Vec::new();
    for spec in &options.dirs {
        let (host, guest) = preopen(spec)?;
        let fs = HostFs::open(Path::new(host)).map_err(|err| format!("--dir {spec}: {err}"))?;
        dirs.push((guest, fs));
    }

    let mut store = FileStore::default();
    store.add_module(program.as_str(), module);
    // Programs may start their siblings by name (`proc.spawn`).
    if let Some(dir) = Path::new(program).parent() {
        store.search(if dir.as_os_str().is_empty() { Path::new(".") } else { dir });
    }
    let mut loader = HostLoader::new(store);
    let mut screen = None;
    if let Some(path) = &options.framebuffer {
        let output = Output::create(path)?;
        let pixels = Screen::new(options.framebuffer_size);
        screen = Some((output, pixels.pixels()));
        loader = loader.with_screen(pixels);
    }
    let unknown_imports = match (options.trap_unknown_imports, options.default_values_unknown_imports) {
        (true, _) => UnknownImports::Trap,
        (false, true) => UnknownImports::DefaultValues,
        (false, false) => UnknownImports::Refuse,
    };
    let max_processes = options.max_processes.map_or(DEFAULT_MAX_PROCESSES, |n| n as usize);
    let config = Config {
        log_level: options.log,
        unknown_imports,
        max_processes,
        max_total_memory: options.max_total_memory.unwrap_or_else(physical_memory),
        max_table_elements: options.max_table_elements.map_or(DEFAULT_MAX_TABLE_ELEMENTS, |n| n as usize),
        max_memory: options.max_memory,
        max_fds: options.max_fds.map_or(DEFAULT_MAX_FDS, |n| n as usize),
        ..Config::default()
    };
    // Ticks for as long as the kernel runs (declared first: dropped last).
    let _timer = Timer::drive(&*engine);
    let mut kernel = Kernel::new(Box::new(loader), engine, config);
    let mut preopens = Vec::new();
    for (guest, fs) in dirs {
        kernel.mount(guest.clone(), Box::new(fs));
        preopens.push(guest);
    }
    for guest in &options.mem_dirs {
        // Device numbers after the host's own would be confusing: in-memory
        // directories count down from the top.
        let dev = u64::MAX - preopens.len() as u64;
        kernel.mount(guest.clone(), Box::new(MemFs::new(dev, now_ns())));
        preopens.push(guest.clone());
    }

    let invoke = options.invoke.clone();
    let command = Command { env, preopens, invoke, ..Command::new(program.as_str()).args(args) };
    let outcome = execute(&mut kernel, command);
    // The screen is saved however the program ended.
    if let Some((output, pixels)) = screen {
        output.save(&pixels.borrow()).map_err(|err| match &outcome {
            Err(first) => format!("{first}\nwalos: {err}"),
            Ok(_) => err,
        })?;
    }
    outcome
}

/// The time of day, in ns since the epoch (an in-memory directory's
/// creation time).
fn now_ns() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

/// A new engine of that kind, if this build has it, preempting as `preempt`
/// says or, by default, as suits it best: epoch on wasmtime, fuel on wasmi
/// (an interpreter has no epoch). An engine that preempts by epoch needs a
/// [`Timer`] to drive it.
pub fn engine(kind: EngineKind, preempt: Option<PreemptKind>) -> Result<Box<dyn Engine>, String> {
    engine_with(kind, preempt, &Setup::default())
}

/// What a wasmtime engine keeps besides compiling.
#[derive(Debug, Default)]
pub struct Setup {
    /// The directory of the compilation cache; `None`: no cache.
    pub cache: Option<PathBuf>,
    /// Whether cache hits and compilations are reported on stderr (`--log
    /// info` and more verbose).
    pub report: bool,
    /// A precompiled module the user named, which the engine may load.
    pub trusted: Option<Vec<u8>>,
}

/// [`engine`] with a cache and a trusted precompiled module, for wasmtime.
pub fn engine_with(kind: EngineKind, preempt: Option<PreemptKind>, setup: &Setup) -> Result<Box<dyn Engine>, String> {
    #[cfg(not(feature = "wasmtime"))]
    let _ = setup;
    match kind {
        EngineKind::Wasmi if preempt == Some(PreemptKind::Epoch) => Err(NO_EPOCH.into()),
        EngineKind::Wasmi => Ok(Box::new(WasmiEngine::new())),
        #[cfg(feature = "wasmtime")]
        EngineKind::Wasmtime => Ok(Box::new(wasmtime_engine(preempt, setup))),
        #[cfg(not(feature = "wasmtime"))]
        EngineKind::Wasmtime => Err(NO_WASMTIME.into()),
    }
}

/// A wasmtime engine preempting as `preempt` says (epoch by default).
#[cfg(feature = "wasmtime")]
pub fn wasmtime_engine(preempt: Option<PreemptKind>, setup: &Setup) -> WasmtimeEngine {
    let preemption = match preempt {
        Some(PreemptKind::Fuel) => Preemption::Fuel,
        Some(PreemptKind::Epoch) | None => Preemption::Epoch,
    };
    let mut engine = WasmtimeEngine::new(preemption);
    if let Some(dir) = &setup.cache {
        let report = setup.report;
        engine = engine.with_cache(walos_engine_wasmtime::Cache::new(dir.clone(), move |event| {
            if report {
                eprintln!("walos: cache: {event}");
            }
        }));
    }
    if let Some(bytes) = &setup.trusted {
        engine.trust_precompiled(bytes);
    }
    engine
}

/// Whether `bytes` are a module precompiled for the wasmtime engine.
pub fn is_precompiled(bytes: &[u8]) -> bool {
    #[cfg(feature = "wasmtime")]
    let precompiled = walos_engine_wasmtime::is_precompiled(bytes);
    #[cfg(not(feature = "wasmtime"))]
    let precompiled = bytes.is_empty() && false;
    precompiled
}

/// The compilation cache's directory: `$XDG_CACHE_HOME/walos/wasmtime`, or
/// `~/.cache/walos/wasmtime`; `None` if neither variable is set (as in the
/// tests' empty environment).
pub fn cache_dir() -> Option<PathBuf> {
    let absolute = |var| std::env::var_os(var).map(PathBuf::from).filter(|path| path.is_absolute());
    let base = absolute("XDG_CACHE_HOME").or_else(|| absolute("HOME").map(|home| home.join(".cache")))?;
    Some(base.join("walos").join("wasmtime"))
}

/// Why `--preempt epoch` fails on wasmi.
const NO_EPOCH: &str = "--preempt epoch: the wasmi engine has no epoch interruption, it preempts by fuel only \
                        (`--engine wasmtime` has both)";

/// Why `--engine wasmtime` fails on a build without it, and which builds
/// have it.
#[cfg(not(feature = "wasmtime"))]
const NO_WASMTIME: &str = "--engine wasmtime: this walos was built without the wasmtime engine (`make run` \
                           builds it so for wasmi); `make run ENGINE=wasmtime`, `make all` and `cargo build \
                           --release -p walos-loader-elf` build it with both engines";

/// The module in `path` as the kernel takes it, binary (or precompiled by
/// `walos compile`): a file that is not binary wasm is the text format, compiled here as wasmtime does (a syntax
/// error names the file, line and column).
pub fn read_module(path: &Path) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(path).map_err(|err| format!("cannot read `{}`: {err}", path.display()))?;
    if is_precompiled(&bytes) {
        return Ok(bytes);
    }
    if bytes.starts_with(b"\x7fELF") {
        return Err(format!(
            "`{}` is an ELF file but no module compiled by `walos compile` (damaged, or another program's)",
            path.display()
        ));
    }
    match wat::Parser::new().parse_bytes(Some(path), &bytes) {
        Ok(binary) => Ok(binary.into_owned()),
        Err(err) => Err(format!("`{}` is not a valid wasm module: {err}", path.display())),
    }
}

/// Starts the program and runs it to its end.
fn execute(kernel: &mut Kernel, command: Command) -> Result<i32, String> {
    let pid = kernel.spawn(command).map_err(|err| spawn_error(&err))?;
    Ok(match kernel.run_until_exit(pid) {
        // The host keeps the low 8 bits, as for any exit status.
        Some(ExitStatus::Exited(code)) => code as i32,
        Some(ExitStatus::Trapped(_)) => TRAP_STATUS,
        Some(status @ ExitStatus::Killed { .. }) => status.code() as i32,
        None => ERROR_STATUS,
    })
}

/// The kernel's message, and what to do when a device is missing.
fn spawn_error(err: &SpawnError) -> String {
    let needs_screen = matches!(err, SpawnError::Link { errors, .. }
        if errors.iter().any(|e| matches!(e, LinkError::NoDevice { device: "framebuffer", .. })));
    if needs_screen {
        format!("{err}\n(`walos run --framebuffer FILE.ppm` gives the program a screen)")
    } else if let Some(engine) = engine_for(err) {
        format!("{err}\n(`walos run --engine {engine}` runs it)")
    } else if matches!(err, SpawnError::Reactor { .. }) {
        format!("{err}\n(`walos run --invoke FUNCTION FILE ARGS...` calls one of its functions)")
    } else {
        err.to_string()
    }
}

/// The other engine of this build that runs the proposal a module was
/// refused for.
fn engine_for(err: &SpawnError) -> Option<&'static str> {
    let SpawnError::Invalid { error: walos_engine::Error::Unsupported { proposal, engine }, .. } = err else {
        return None;
    };
    #[cfg(feature = "wasmtime")]
    if *engine != "wasmtime" && walos_engine_wasmtime::PROPOSALS.contains(proposal) {
        return Some("wasmtime");
    }
    if *engine != "wasmi" && walos_engine_wasmi::PROPOSALS.contains(proposal) {
        return Some("wasmi");
    }
    None
}

/// `NAME=VALUE` as given; `NAME` alone takes the host's value, and is left
/// out if the host has none (as wasmtime does).
fn environment(spec: &str) -> Option<(String, String)> {
    match spec.split_once('=') {
        Some((name, value)) => Some((name.into(), value.into())),
        None => std::env::var(spec).ok().map(|value| (spec.into(), value)),
    }
}

/// `HOST::GUEST` or `DIR`: checks that the host directory exists and returns
/// it with the guest path.
fn preopen(spec: &str) -> Result<(&str, String), String> {
    let (host, guest) = spec.split_once("::").unwrap_or((spec, spec));
    if !Path::new(host).is_dir() {
        return Err(format!("--dir {spec}: `{host}` is not a directory"));
    }
    Ok((host, guest.into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use walos_engine::Preemption;

    #[test]
    fn the_engines_are_those_of_the_build() {
        assert!(engine(EngineKind::Wasmi, None).is_ok());
        #[cfg(feature = "wasmtime")]
        assert!(engine(EngineKind::Wasmtime, None).is_ok());
        #[cfg(not(feature = "wasmtime"))]
        assert_eq!(engine(EngineKind::Wasmtime, None).err().as_deref(), Some(NO_WASMTIME));
    }

    #[test]
    fn each_engine_preempts_as_suits_it_unless_told() {
        let preemption = |kind, preempt| engine(kind, preempt).map(|e| e.preemption());
        assert_eq!(preemption(EngineKind::Wasmi, None), Ok(Preemption::Fuel));
        assert_eq!(preemption(EngineKind::Wasmi, Some(PreemptKind::Fuel)), Ok(Preemption::Fuel));
        assert_eq!(preemption(EngineKind::Wasmi, Some(PreemptKind::Epoch)), Err(NO_EPOCH.into()));
        #[cfg(feature = "wasmtime")]
        {
            assert_eq!(preemption(EngineKind::Wasmtime, None), Ok(Preemption::Epoch));
            assert_eq!(preemption(EngineKind::Wasmtime, Some(PreemptKind::Fuel)), Ok(Preemption::Fuel));
            assert!(engine(EngineKind::Wasmtime, None).is_ok_and(|e| e.ticker().is_some()));
        }
    }

    #[test]
    fn environment_specs() {
        assert_eq!(environment("A=1=2"), Some(("A".into(), "1=2".into())));
        assert_eq!(environment("EMPTY="), Some(("EMPTY".into(), String::new())));
        assert_eq!(environment("WALOS_TEST_SURELY_UNSET_VARIABLE"), None);
    }

    #[test]
    fn preopen_specs() {
        let here = env!("CARGO_MANIFEST_DIR");
        let spec = format!("{here}::/sandbox");
        assert_eq!(preopen(&spec), Ok((here, "/sandbox".into())));
        assert_eq!(preopen(here), Ok((here, here.into())));
        assert_eq!(
            preopen("/nonexistent/walos::/x"),
            Err("--dir /nonexistent/walos::/x: `/nonexistent/walos` is not a directory".into())
        );
    }
}
