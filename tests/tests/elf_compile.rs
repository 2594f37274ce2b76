//! Compiled code kept between runs, on the wasmtime engine: `walos compile`
//! and `walos run FILE.cwasm`, and the compilation cache, whose hits and
//! compilations `--log info` reports.

use std::path::{Path, PathBuf};

use walos_tests::{Run, run_with_input, temp_file, wat_file, wat_program};

/// `walos ARGS...` with `XDG_CACHE_HOME` set to `cache`, if given.
fn walos(args: &[&str], cache: Option<&Path>) -> Run {
    let mut command = walos_tests::walos_command();
    command.args(args);
    if let Some(dir) = cache {
        command.env("XDG_CACHE_HOME", dir);
    }
    run_with_input(command, b"")
}

fn path(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// The cache's lines of a run's stderr, keys left out.
fn cache_lines(run: &Run) -> Vec<String> {
    let lines = run.stderr.lines().filter_map(|line| line.strip_prefix("walos: cache: "));
    lines.map(|line| line.split([' ', '(']).take(2).collect::<Vec<_>>().join(" ")).collect()
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = temp_file(name, b"").with_extension("d");
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn a_compiled_module_runs_as_its_wasm() {
    let wasm = wat_program("simd");
    let cwasm = temp_file("simd.cwasm", b"");
    let compile = walos(&["compile", path(&wasm), "-o", path(&cwasm)], None);
    assert_eq!((compile.status, compile.stderr.as_str()), (0, ""));
    let expected = walos(&["run", "--engine", "wasmtime", path(&wasm)], None);
    // The wasmtime engine is the default for a compiled module.
    for engine in [&["--engine", "wasmtime"][..], &[]] {
        let mut command = walos_tests::walos_command();
        command.env_remove("WALOS_ENGINE").arg("run").args(engine).arg(&cwasm);
        let run = run_with_input(command, b"");
        assert_eq!((run.status, run.stdout.as_str(), run.stderr.as_str()), (0, expected.stdout.as_str(), ""));
    }
}

#[test]
fn a_compiled_modules_start_function_is_its_first_call() {
    let wasm = wat_file("startfn", r#"(module (func $s unreachable) (start $s) (func (export "_start")))"#);
    let cwasm = temp_file("startfn.cwasm", b"");
    let compile = walos(&["compile", path(&wasm), "-o", path(&cwasm)], None);
    assert_eq!((compile.status, compile.stderr.as_str()), (0, ""));
    // Deferred as the kernel defers a program's: the process traps, the
    // launch does not fail.
    let run = walos(&["run", "--engine", "wasmtime", path(&cwasm)], None);
    assert_eq!(run.status, 134, "{}", run.stderr);
    assert!(
        run.stderr.contains("startfn.cwasm: trap in the start function: unreachable instruction executed"),
        "{}",
        run.stderr
    );
    let squatter = wat_file("squatter", r#"(module (func (export "walos:start")))"#);
    let refused = walos(&["compile", path(&squatter)], None);
    assert_eq!(
        (refused.status, refused.stderr),
        (
            1,
            format!(
                "walos: `{}` cannot run on walos: it exports `walos:start`, a name walos keeps for start functions\n",
                path(&squatter)
            )
        )
    );
}

#[test]
fn a_compiled_module_must_fit_the_engine() {
    let wasm = wat_program("tail_calls");
    let cwasm = temp_file("tail.cwasm", b"");
    assert_eq!(walos(&["compile", path(&wasm), "-o", path(&cwasm)], None).status, 0);
    let refusal = |args: &[&str], file: &Path| {
        let mut all = vec!["run"];
        all.extend(args);
        all.push(path(file));
        let run = walos(&all, None);
        assert_eq!(run.status, 1, "{}", run.stderr);
        run.stderr.replace(path(file), "FILE")
    };
    assert_eq!(
        refusal(&["--engine", "wasmtime", "--preempt", "fuel"], &cwasm),
        "walos: `FILE` was compiled for another engine or configuration: Module was compiled without fuel \
         support but it is enabled for the host\n"
    );
    assert_eq!(
        refusal(&["--engine", "wasmi"], &cwasm),
        "walos: `FILE` is compiled for the wasmtime engine (`walos compile`); the wasmi engine runs wasm only \
         (`walos run --engine wasmtime` runs it)\n"
    );
    let bytes = std::fs::read(&cwasm).unwrap();
    let cut = temp_file("cut.cwasm", &bytes[..bytes.len() / 2]);
    assert_eq!(
        refusal(&["--engine", "wasmtime"], &cut),
        "walos: `FILE` is an ELF file but no module compiled by `walos compile` (damaged, or another program's)\n"
    );
    // Code compiled for fuel runs under fuel.
    let fuel = temp_file("tail-fuel.cwasm", b"");
    assert_eq!(walos(&["compile", "--preempt", "fuel", path(&wasm), "-o", path(&fuel)], None).status, 0);
    let run = walos(&["run", "--engine", "wasmtime", "--preempt", "fuel", path(&fuel)], None);
    assert_eq!((run.status, run.stdout.as_str()), (0, "500000500000\n0\n1\n"));
}

#[test]
fn compile_errors_name_the_file() {
    let bad = temp_file("bad.wasm", b"\0asm\x01\0\0\0\x01\x05");
    let run = walos(&["compile", path(&bad)], None);
    assert_eq!(run.status, 1);
    assert!(run.stderr.starts_with(&format!("walos: `{}` is not a valid wasm module: ", path(&bad))), "{}", run.stderr);
}

#[test]
fn the_cache_saves_compiling_again() {
    let cache = fresh_dir("cache");
    let module = wat_file("cached", r#"(module (func (export "_start")))"#);
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--engine", "wasmtime", "--log", "info"];
        args.extend(extra);
        args.push(path(&module));
        let run = walos(&args, Some(&cache));
        assert_eq!(run.status, 0, "{}", run.stderr);
        cache_lines(&run)
    };
    assert_eq!(run(&[]), ["compiled in"]);
    assert_eq!(run(&[]), ["loaded from"]);
    assert_eq!(run(&["--no-cache"]), Vec::<String>::new());
    let entries: Vec<PathBuf> =
        std::fs::read_dir(cache.join("walos/wasmtime")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    // A damaged entry is compiled again and rewritten.
    std::fs::write(&entries[0], b"\x7fELF and then nothing").unwrap();
    assert_eq!(run(&[]), ["cache entry", "compiled in"]);
    assert_eq!(run(&[]), ["loaded from"]);
    // A changed module is another entry; code for fuel is another entry.
    std::fs::write(&module, wat::parse_str(r#"(module (func (export "_start") nop))"#).unwrap()).unwrap();
    assert_eq!(run(&[]), ["compiled in"]);
    assert_eq!(run(&["--preempt", "fuel"]), ["compiled in"]);
    assert_eq!(run(&["--preempt", "fuel"]), ["loaded from"]);
    assert_eq!(std::fs::read_dir(cache.join("walos/wasmtime")).unwrap().count(), 3);
}

/// A module that cannot link is refused before it is compiled: the cache
/// reports no compilation.
#[test]
fn imports_are_linked_before_compiling() {
    let cache = fresh_dir("link-cache");
    let module =
        wat_file("unlinkable", r#"(module (import "env" "nothing" (func)) (func (export "_start") (call 0)))"#);
    let run = walos(&["run", "--engine", "wasmtime", "--log", "info", path(&module)], Some(&cache));
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("import `env.nothing` (func ()): no interface or service `env`"), "{}", run.stderr);
    assert_eq!(cache_lines(&run), Vec::<String>::new());
    assert!(!cache.join("walos").exists());
}
