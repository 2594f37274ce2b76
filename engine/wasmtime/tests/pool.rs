//! Instances come from a fixed pool: running out is an error, not a crash,
//! and a slot is free again once its instance is dropped.

use std::sync::Arc;

use walos_engine::{Engine, Error, Host, HostFlow, HostFuncId, Limits, MemoryBudget, Slice, Val};
use walos_engine_wasmtime::{MAX_INSTANCES, WasmtimeEngine};

struct NoHost;

impl Host for NoHost {
    fn call(&mut self, _: HostFuncId, _: &mut [u8], _: &[Val], _: &mut [Val]) -> HostFlow {
        HostFlow::Return
    }
}

#[test]
fn a_full_pool_refuses_one_more_instance() {
    let engine = WasmtimeEngine::default();
    let wasm = wat::parse_str(r#"(module (memory (export "memory") 1) (func (export "_start")))"#).expect("valid");
    let module = engine.load(&wasm).expect("loads");
    let limits = Limits {
        memory_bytes: 1 << 20,
        table_elements: 100,
        budget: Arc::new(MemoryBudget::new(usize::MAX)),
        start: Slice::new(1000, 1000),
    };
    let mut live: Vec<_> = (0..MAX_INSTANCES)
        .map(|i| module.instantiate(&[], &limits, &mut NoHost).unwrap_or_else(|e| panic!("instance {i}: {e}")))
        .collect();
    match module.instantiate(&[], &limits, &mut NoHost) {
        Err(Error::Instantiate(message)) => assert!(message.contains("concurrent"), "{message}"),
        Err(other) => panic!("unexpected error: {other}"),
        Ok(_) => panic!("the pool has {MAX_INSTANCES} slots, yet one more instance was made"),
    }
    live.pop();
    assert!(module.instantiate(&[], &limits, &mut NoHost).is_ok());
}
