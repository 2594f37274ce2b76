//! The command line.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use walos_kernel::log::Level;

use crate::framebuffer::Size;

#[derive(Debug, Parser)]
#[command(name = "walos", version, about = "walos, the WebAssembly operating system, as a Linux process")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Commands,
}

#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Runs a WebAssembly program (a WASI command or a walos program).
    Run(RunOptions),
    /// Compiles a module for the wasmtime engine ahead of time, as
    /// `wasmtime compile` does: `walos run FILE.cwasm` then starts without
    /// compiling.
    Compile(CompileOptions),
}

#[derive(Debug, Args)]
pub struct CompileOptions {
    /// The wasm module (binary or text).
    #[arg(value_name = "WASM")]
    pub file: PathBuf,

    /// Where to write the compiled module (default: the input with the
    /// extension `.cwasm`).
    #[arg(short, long, value_name = "FILE.cwasm")]
    pub output: Option<PathBuf>,

    /// The preemption the code is compiled for, as `walos run --preempt`
    /// (the compiled code checks its counter): it must be the one it runs
    /// with.
    #[arg(long, value_name = "MODE", env = "WALOS_PREEMPT")]
    pub preempt: Option<PreemptKind>,
}

#[derive(Debug, Args)]
pub struct RunOptions {
    /// Sets an environment variable of the program; `NAME` alone passes on
    /// the host's value. The program sees exactly these.
    #[arg(long = "env", value_name = "NAME[=VAL]")]
    pub env: Vec<String>,

    /// Grants the program a host directory, seen as GUEST (default: the same
    /// path).
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    pub dirs: Vec<String>,

    /// Grants the program an empty directory in the kernel's memory (its
    /// in-memory file system, as on the UEFI loaders), seen as GUEST; it
    /// holds what the walos process's memory can.
    #[arg(long = "mem-dir", value_name = "GUEST")]
    pub mem_dirs: Vec<String>,

    /// The most verbose kernel log level shown on stderr: emerg, alert,
    /// crit, err, warn, notice, info or debug (debug traces every syscall).
    #[arg(long, value_name = "LEVEL", default_value = "warn")]
    pub log: Level,

    /// The engine that runs the wasm: `wasmi` (an interpreter, the portable
    /// engine) or `wasmtime` (Cranelift, compiled to native code at load;
    /// only in builds with the `wasmtime` cargo feature, on by default).
    /// Default: wasmi, and wasmtime for a module precompiled by `walos
    /// compile`.
    #[arg(long, value_name = "ENGINE", env = "WALOS_ENGINE")]
    pub engine: Option<EngineKind>,

    /// Keeps the modules the wasmtime engine compiles in
    /// `$XDG_CACHE_HOME/walos` (or `~/.cache/walos`), so that the next run
    /// of the same module does not compile it again: the default.
    #[arg(long, overrides_with = "no_cache")]
    pub cache: bool,

    /// Compiles every module afresh and keeps nothing.
    #[arg(long, overrides_with = "cache")]
    pub no_cache: bool,

    /// How running wasm is preempted: `epoch` (a timer tick every
    /// millisecond; the default on wasmtime) or `fuel` (counted
    /// instructions: deterministic, slower on wasmtime; the only one on
    /// wasmi).
    #[arg(long, value_name = "MODE", env = "WALOS_PREEMPT")]
    pub preempt: Option<PreemptKind>,

    /// The exported function to call instead of `_start`, as `wasmtime run
    /// --invoke` does: `_initialize` first if the module exports it, then
    /// FUNCTION with the words after the file as its arguments (decimal or
    /// `0x` integers, floats); its results are printed, one a line.
    #[arg(long, value_name = "FUNCTION")]
    pub invoke: Option<String>,

    /// Links the program's function imports that nothing provides (no
    /// interface, service or function of that name) to functions that trap
    /// when called, naming the import, as wasmtime's flag does (`-W
    /// unknown-imports-trap`).
    #[arg(long)]
    pub trap_unknown_imports: bool,

    /// Links the program's function imports that nothing provides to
    /// functions that return zeros, as wasmtime's flag does (`-W
    /// unknown-imports-default`).
    #[arg(long, conflicts_with = "trap_unknown_imports")]
    pub default_values_unknown_imports: bool,

    /// The most processes alive at once, services included (default 128):
    /// past it `proc.spawn` fails with EAGAIN, the refusal logged naming
    /// the program.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_processes: Option<u32>,

    /// The most linear memory of all processes together (default: the
    /// machine's memory), in bytes or with a K, M or G suffix: past it
    /// `memory.grow` returns -1 and a program whose memory does not fit
    /// cannot start.
    #[arg(long, value_name = "SIZE", value_parser = size)]
    pub max_total_memory: Option<usize>,

    /// The most linear memory of one process (default 4 GiB, the wasm32
    /// maximum), as SIZE above: past it `memory.grow` returns -1.
    #[arg(long, value_name = "SIZE", value_parser = size)]
    pub max_memory: Option<usize>,

    /// The most descriptors one process may have open (default 4096): past
    /// it opening fails with EMFILE.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_fds: Option<u32>,

    /// The most elements of one table of a process (default 20000): past
    /// it `table.grow` returns -1 and a program declaring a larger table
    /// cannot start.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_table_elements: Option<u32>,

    /// The wasm file, then the program's arguments: everything after the
    /// file is passed on. The path, as given, is the program's `argv[0]`.
    #[arg(value_name = "WASM", required = true, num_args = 1.., trailing_var_arg = true, allow_hyphen_values = true)]
    pub program_and_args: Vec<String>,

    /// Gives the program a screen (the `vga` interface), saved to FILE as a
    /// binary PPM image when the program ends.
    #[arg(long, value_name = "FILE.ppm")]
    pub framebuffer: Option<PathBuf>,

    /// The size of the `--framebuffer` screen, in pixels.
    #[arg(long, value_name = "WIDTHxHEIGHT", default_value = "800x600", requires = "framebuffer")]
    pub framebuffer_size: Size,
}

/// The engines `walos` is built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineKind {
    Wasmi,
    Wasmtime,
}

/// The preemption modes of `--preempt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PreemptKind {
    Fuel,
    Epoch,
}

/// `walos FILE.wasm ...` means `walos run FILE.wasm ...`, as with wasmtime.
pub fn with_implicit_run(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut args: Vec<OsString> = args.into_iter().collect();
    let explicit = ["run", "compile", "help", "-h", "--help", "-V", "--version"];
    if let Some(first) = args.get(1)
        && !explicit.iter().any(|e| first == e)
    {
        args.insert(1, "run".into());
    }
    args
}

/// A `--max-total-memory` or `--max-memory` value ([`walos_kernel::parse_size`]).
fn size(text: &str) -> Result<usize, String> {
    walos_kernel::parse_size(text)
        .ok_or_else(|| "a positive byte count, with an optional K, M or G suffix, is needed".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<RunOptions, clap::Error> {
        let args = with_implicit_run(args.iter().map(OsString::from));
        Cli::try_parse_from(args).map(|cli| match cli.command {
            Commands::Run(options) => options,
            Commands::Compile(_) => panic!("not a run"),
        })
    }

    #[test]
    fn program_arguments_are_not_walos_options() {
        let run = parse(&["walos", "run", "--env", "A=1", "x.wasm", "--env", "-v", "B=2"]).unwrap();
        assert_eq!(run.env, ["A=1"]);
        assert_eq!(run.program_and_args, ["x.wasm", "--env", "-v", "B=2"]);
    }

    #[test]
    fn run_is_implied() {
        let run = parse(&["walos", "x.wasm", "arg"]).unwrap();
        assert_eq!(run.program_and_args, ["x.wasm", "arg"]);
        assert_eq!(run.log, Level::Warn);
        // Both default from the environment, which a test run may set
        // (`make test` runs the suite once per engine).
        if std::env::var_os("WALOS_ENGINE").is_none() {
            assert_eq!(run.engine, None);
        }
        if std::env::var_os("WALOS_PREEMPT").is_none() {
            assert_eq!(run.preempt, None);
        }
        assert!(!run.no_cache);
        assert_eq!(run.invoke, None);
        assert!(!run.trap_unknown_imports && !run.default_values_unknown_imports);
    }

    #[test]
    fn unknown_imports_are_trapped_or_zero_not_both() {
        assert!(parse(&["walos", "--trap-unknown-imports", "x.wasm"]).unwrap().trap_unknown_imports);
        assert!(
            parse(&["walos", "--default-values-unknown-imports", "x.wasm"]).unwrap().default_values_unknown_imports
        );
        let err =
            parse(&["walos", "--trap-unknown-imports", "--default-values-unknown-imports", "x.wasm"]).unwrap_err();
        assert!(err.to_string().contains("cannot be used with"), "{err}");
    }

    #[test]
    fn the_process_limit_is_a_positive_count() {
        assert_eq!(parse(&["walos", "--max-processes", "8", "x.wasm"]).unwrap().max_processes, Some(8));
        assert_eq!(parse(&["walos", "x.wasm"]).unwrap().max_processes, None);
        let err = parse(&["walos", "--max-processes", "0", "x.wasm"]).unwrap_err();
        assert!(err.to_string().contains("invalid value '0' for '--max-processes <N>'"), "{err}");
    }

    #[test]
    fn memory_and_table_limits_take_sizes_and_counts() {
        let run = parse(&["walos", "--max-total-memory", "64M", "--max-table-elements", "500", "x.wasm"]).unwrap();
        assert_eq!((run.max_total_memory, run.max_table_elements), (Some(64 << 20), Some(500)));
        let run = parse(&["walos", "--max-memory", "1G", "--max-fds", "16", "x.wasm"]).unwrap();
        assert_eq!((run.max_memory, run.max_fds), (Some(1 << 30), Some(16)));
        let err = parse(&["walos", "--max-total-memory", "lots", "x.wasm"]).unwrap_err();
        assert!(err.to_string().contains("invalid value 'lots' for '--max-total-memory <SIZE>'"), "{err}");
        assert!(err.to_string().contains("a positive byte count, with an optional K, M or G suffix"), "{err}");
    }

    #[test]
    fn invoke_takes_a_function_and_leaves_the_words_after_the_file() {
        let run = parse(&["walos", "run", "--invoke", "add", "lib.wasm", "1", "-2"]).unwrap();
        assert_eq!(run.invoke.as_deref(), Some("add"));
        assert_eq!(run.program_and_args, ["lib.wasm", "1", "-2"]);
        assert!(parse(&["walos", "run", "x.wasm", "--invoke"]).unwrap().invoke.is_none());
    }

    #[test]
    fn options_are_checked() {
        let err = parse(&["walos", "run", "--log", "loud", "x.wasm"]).unwrap_err();
        assert!(err.to_string().contains("unknown log level `loud`"), "{err}");
        assert!(parse(&["walos", "run"]).is_err());
        let run = parse(&["walos", "run", "--dir", "a::/b", "--dir", "c", "--log", "debug", "x.wasm"]).unwrap();
        assert_eq!(run.dirs, ["a::/b", "c"]);
        assert_eq!(run.log, Level::Debug);
        let run = parse(&["walos", "run", "--mem-dir", "/tmp", "x.wasm"]).unwrap();
        assert_eq!(run.mem_dirs, ["/tmp"]);
        let run = parse(&["walos", "run", "--engine", "wasmtime", "x.wasm"]).unwrap();
        assert_eq!(run.engine, Some(EngineKind::Wasmtime));
        assert!(parse(&["walos", "run", "--no-cache", "x.wasm"]).unwrap().no_cache);
        assert!(!parse(&["walos", "run", "--no-cache", "--cache", "x.wasm"]).unwrap().no_cache);
        let run = parse(&["walos", "run", "--preempt", "fuel", "x.wasm"]).unwrap();
        assert_eq!(run.preempt, Some(PreemptKind::Fuel));
        let err = parse(&["walos", "run", "--preempt", "never", "x.wasm"]).unwrap_err();
        assert!(err.to_string().contains("invalid value 'never' for '--preempt <MODE>'"), "{err}");
        let err = parse(&["walos", "run", "--engine", "v8", "x.wasm"]).unwrap_err();
        assert!(err.to_string().contains("invalid value 'v8' for '--engine <ENGINE>'"), "{err}");
    }

    #[test]
    fn compile_takes_a_file_and_an_output() {
        let args = with_implicit_run(["walos", "compile", "x.wasm", "-o", "y.cwasm"].map(OsString::from));
        let Commands::Compile(options) = Cli::try_parse_from(args).unwrap().command else { panic!("a compile") };
        assert_eq!((options.file, options.output), (PathBuf::from("x.wasm"), Some(PathBuf::from("y.cwasm"))));
    }

    #[test]
    fn a_framebuffer_has_a_default_size() {
        let run = parse(&["walos", "run", "--framebuffer", "out.ppm", "x.wasm"]).unwrap();
        assert_eq!(run.framebuffer, Some(PathBuf::from("out.ppm")));
        assert_eq!(run.framebuffer_size, Size { width: 800, height: 600 });
        let run =
            parse(&["walos", "run", "--framebuffer", "o.ppm", "--framebuffer-size", "320x200", "x.wasm"]).unwrap();
        assert_eq!(run.framebuffer_size, Size { width: 320, height: 200 });
        assert_eq!(parse(&["walos", "x.wasm"]).unwrap().framebuffer, None);
        let err = parse(&["walos", "run", "--framebuffer-size", "320x200", "x.wasm"]).unwrap_err();
        assert!(err.to_string().contains("--framebuffer <FILE.ppm>"), "{err}");
        let err =
            parse(&["walos", "run", "--framebuffer", "o.ppm", "--framebuffer-size", "big", "x.wasm"]).unwrap_err();
        assert!(err.to_string().contains("`big` is not a screen size"), "{err}");
    }
}
