//! Precompiled modules: only those the loader trusts are loaded, and only
//! if they fit the engine.

use walos_engine::{Engine, Error, Preemption};
use walos_engine_wasmtime::{WasmtimeEngine, is_precompiled};

#[test]
fn precompiled_code_is_loaded_only_when_trusted_and_fitting() {
    let wasm = wat::parse_str(r#"(module (func (export "_start")))"#).unwrap();
    let epoch = WasmtimeEngine::new(Preemption::Epoch);
    let cwasm = epoch.precompile(&wasm).unwrap();
    assert!(is_precompiled(&cwasm) && !is_precompiled(&wasm));
    // What a guest could hand the kernel is never deserialized.
    let refused = epoch.load(&cwasm).err();
    assert_eq!(
        refused,
        Some(Error::Invalid("precompiled code is only run from a file named on the command line".into()))
    );
    epoch.trust_precompiled(&cwasm);
    assert_eq!(epoch.load(&cwasm).map(|module| module.exports().len()).ok(), Some(1));
    // Compiled for epoch interruption, refused by an engine counting fuel.
    let fuel = WasmtimeEngine::new(Preemption::Fuel);
    fuel.trust_precompiled(&cwasm);
    assert!(matches!(fuel.load(&cwasm), Err(Error::Incompatible(msg)) if msg.contains("fuel")));
}
