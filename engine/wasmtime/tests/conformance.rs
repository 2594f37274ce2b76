//! wasmtime keeps the engine contract, under fuel and under epoch.

use walos_engine::Preemption;
use walos_engine_wasmtime::WasmtimeEngine;

walos_engine::conformance_tests!(WasmtimeEngine::new(Preemption::Fuel));

/// The same engine under epoch slices, its default.
mod epoch {
    use super::*;

    walos_engine::epoch_conformance_tests!(WasmtimeEngine::new(Preemption::Epoch));
}
