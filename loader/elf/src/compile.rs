//! `walos compile`: a module compiled ahead of time for the wasmtime
//! engine, in wasmtime's format, as `wasmtime compile` writes it.

use crate::cli::CompileOptions;
use crate::run::ERROR_STATUS;

/// Compiles the module and returns the status `walos` exits with.
pub fn compile(options: &CompileOptions) -> i32 {
    match write(options) {
        Ok(()) => 0,
        Err(message) => {
            eprintln!("walos: {message}");
            ERROR_STATUS
        }
    }
}

fn write(options: &CompileOptions) -> Result<(), String> {
    let output = options.output.clone().unwrap_or_else(|| options.file.with_extension("cwasm"));
    compiled(options).and_then(|bytes| {
        std::fs::write(&output, bytes).map_err(|err| format!("cannot write `{}`: {err}", output.display()))
    })
}

#[cfg(feature = "wasmtime")]
fn compiled(options: &CompileOptions) -> Result<Vec<u8>, String> {
    let wasm = crate::run::read_module(&options.file)?;
    let file = options.file.display();
    if crate::run::is_precompiled(&wasm) {
        return Err(format!("`{file}` is compiled already"));
    }
    // As the kernel does before compiling a program, so that the compiled
    // module runs its start function as its first call.
    let deferred = walos_kernel::defer_start(&wasm).map_err(|why| format!("`{file}` cannot run on walos: {why}"))?;
    let engine = crate::run::wasmtime_engine(options.preempt, &crate::run::Setup::default());
    engine.precompile(deferred.as_deref().unwrap_or(&wasm)).map_err(|err| match err {
        walos_engine::Error::Invalid(msg) => format!("`{file}` is not a valid wasm module: {msg}"),
        other => format!("cannot compile `{file}`: {other}"),
    })
}

#[cfg(not(feature = "wasmtime"))]
fn compiled(options: &CompileOptions) -> Result<Vec<u8>, String> {
    let _ = options;
    Err("walos compile: this walos was built without the wasmtime engine, which alone runs compiled modules".into())
}
