#![no_main]
//! Generated modules (wasm-smith) importing the real interfaces, run by the
//! kernel on wasmi to their end: every host function gets arbitrary
//! arguments. Loops and calls are bounded by wasm-smith's fuel global (the
//! start function, the process's first call, too); the kernel must neither
//! panic nor hang, whatever the module does.

use std::sync::OnceLock;

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use walos_engine_wasmi::WasmiEngine;
use walos_fuzz::{MEMORY_LIMIT, Machine, imports_module};
use walos_kernel::{Command, Config, Kernel};

fn config() -> wasm_smith::Config {
    static IMPORTS: OnceLock<Vec<u8>> = OnceLock::new();
    let imports = IMPORTS.get_or_init(imports_module).clone();
    let exports = wat::parse_str(r#"(module (func (export "_start")) (memory (export "memory") 1))"#).expect("valid");
    wasm_smith::Config {
        available_imports: Some(imports),
        exports: Some(exports),
        max_memory32_bytes: MEMORY_LIMIT as u64,
        max_table_elements: 1000,
        // What wasmi runs.
        exceptions_enabled: false,
        gc_enabled: false,
        threads_enabled: false,
        memory64_enabled: false,
        relaxed_simd_enabled: false,
        wide_arithmetic_enabled: false,
        compact_imports_enabled: false,
        ..wasm_smith::Config::default()
    }
}

fn module(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let mut module = wasm_smith::Module::new(config(), u)?;
    module.ensure_termination(10_000).map_err(|_| libfuzzer_sys::arbitrary::Error::IncorrectFormat)?;
    Ok(module.to_bytes())
}

fuzz_target!(|data: &[u8]| {
    let Ok(wasm) = module(&mut Unstructured::new(data)) else {
        return;
    };
    let mut kernel = Kernel::new(Box::new(Machine::new(wasm)), Box::new(WasmiEngine::new()), Config::default());
    if let Ok(pid) = kernel.spawn(Command::new("fuzz").args(["a", "b"])) {
        let _ = kernel.run_until_exit(pid);
    }
});
