//! wasmtime keeps the engine contract.

walos_engine::conformance_tests!(walos_engine_wasmtime::WasmtimeEngine::new());
