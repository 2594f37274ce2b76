//! Preemption may fall anywhere, even on a function's first call.

use walos_engine::{Engine, Host, HostFlow, HostFuncId, Limits, RunOutcome, Val};
use walos_engine_wasmi::WasmiEngine;

struct NoHost;

impl Host for NoHost {
    fn call(&mut self, _: HostFuncId, _: &mut [u8], _: &[Val], _: &mut [Val]) -> HostFlow {
        HostFlow::Return
    }
}

/// A chain of functions, each called for the first time in the run, so
/// that slices of any size end on first calls.
fn chain(length: usize) -> String {
    let mut wat = String::from("(module\n");
    for i in 0..length {
        let next = if i + 1 < length { format!("(call $f{})", i + 1) } else { "(i32.const 1)".into() };
        wat += &format!("(func $f{i} (result i32) (i32.add (i32.const {i}) {next}))\n");
    }
    wat += r#"(func (export "run") (result i32) (call $f0)))"#;
    wat
}

#[test]
fn running_out_of_fuel_at_a_first_call_preempts() {
    let wasm = wat::parse_str(chain(200)).expect("valid");
    let expected = (0..200).sum::<i32>() + 1;
    for fuel in [1, 2, 3, 5, 8, 13] {
        let engine = WasmiEngine::new();
        let module = engine.load(&wasm).expect("loads");
        let limits = Limits { memory_bytes: 1 << 16, start_fuel: 1_000 };
        let mut instance = module.instantiate(&[], &limits, &mut NoHost).expect("instantiates");
        instance.call("run", &[]).expect("calls");
        let outcome = loop {
            match instance.run(fuel, &mut NoHost) {
                RunOutcome::Preempted => continue,
                outcome => break outcome,
            }
        };
        assert_eq!(outcome, RunOutcome::Finished(vec![Val::I32(expected)]), "slices of {fuel} fuel");
    }
}
