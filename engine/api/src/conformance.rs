//! The contract every engine must keep, as tests: each engine crate runs
//! them with [`conformance_tests!`](crate::conformance_tests).
//!
//! The kernel relies on all of this: preemption by fuel (and by epoch, for
//! an engine that has it), suspension and retry of host calls, exits, traps
//! named the same whatever the engine, memory limits, and errors instead of
//! panics.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::{
    Engine, Error, ExternType, FuncType, Host, HostFlow, HostFuncId, Instance, Limits, MemoryBudget, Preemption,
    RunOutcome, Slice, Ticker, Trap, TrapCode, Val, ValType,
};

/// Generates one `#[test]` per check for the engine built by `$engine`,
/// which preempts by fuel: the deterministic mode every engine has.
#[macro_export]
macro_rules! conformance_tests {
    ($engine:expr) => {
        $crate::conformance_tests!(@tests $engine;
            fuel_engines_have_no_ticker,
            invalid_modules_are_rejected,
            imports_and_exports_are_described,
            calls_run_to_completion,
            host_calls_get_arguments_and_memory,
            fuel_preempts_and_resumes,
            preemption_may_fall_on_a_first_call,
            yield_resumes_with_the_results,
            block_retries_the_host_call,
            exit_ends_the_call,
            host_traps_end_the_call,
            wasm_traps_are_classified,
            memory_growth_is_limited,
            table_growth_is_limited,
            memory_budget_is_shared,
            start_functions_can_call_the_host,
            start_functions_cannot_block,
            start_function_traps_are_errors,
            call_errors,
            host_functions_take_numbers_only,
            memory_is_visible,
            suspended_calls_can_be_dropped,
            synchronous_host_calls_return_exit_and_trap,
            synchronous_host_calls_that_suspend_trap,
            synchronous_host_calls_in_start_functions,
            common_proposals_run,
            exceptions_run_or_are_refused_by_name,
        );
    };
    (@epoch $engine:expr) => {
        $crate::conformance_tests!(@tests $engine;
            epoch_engines_give_a_ticker,
            without_ticks_a_slice_goes_on,
            ticks_preempt_and_resume,
            host_calls_suspend_under_epoch,
            a_resumed_call_gets_a_new_slice,
            start_functions_have_a_time_budget,
            calls_run_to_completion,
            host_calls_get_arguments_and_memory,
            yield_resumes_with_the_results,
            block_retries_the_host_call,
            exit_ends_the_call,
            host_traps_end_the_call,
            wasm_traps_are_classified,
            memory_growth_is_limited,
            table_growth_is_limited,
            memory_budget_is_shared,
            start_functions_can_call_the_host,
            start_function_traps_are_errors,
            call_errors,
            host_functions_take_numbers_only,
            memory_is_visible,
            synchronous_host_calls_return_exit_and_trap,
            synchronous_host_calls_that_suspend_trap,
            synchronous_host_calls_in_start_functions,
        );
    };
    (@tests $engine:expr; $($check:ident,)*) => {
        $(
            #[test]
            fn $check() {
                $crate::conformance::$check(&$engine);
            }
        )*
    };
}

/// Generates one `#[test]` per check for the engine built by `$engine`,
/// which preempts by epoch: what does not depend on fuel, and the epoch
/// checks, with a timer thread driving the engine's [`Ticker`].
#[macro_export]
macro_rules! epoch_conformance_tests {
    ($engine:expr) => {
        $crate::conformance_tests!(@epoch $engine);
    };
}

/// Memories of 1 MiB, tables of 100 elements, no shared budget to speak
/// of, and a start function's budget of a million fuel or a second of 1 ms
/// ticks (no check runs a ticker during a start function unless it says so).
fn limits() -> Limits {
    Limits {
        memory_bytes: 1 << 20,
        table_elements: 100,
        budget: Arc::new(MemoryBudget::new(usize::MAX)),
        start: Slice::new(1_000_000, 1000),
    }
}
/// A slice of a million fuel or one tick.
const FUEL: Slice = Slice::new(1_000_000, 1);

/// A host that records its calls and answers from a script.
#[derive(Default)]
struct ScriptedHost {
    /// `(func, args, memory size, first 8 bytes of memory)` of every call.
    calls: Vec<(HostFuncId, Vec<Val>, usize, Vec<u8>)>,
    /// Flows to answer with, in order; `Return` once they run out.
    flows: Vec<HostFlow>,
    /// The value written to every result.
    result: i32,
    /// Whether the host says its functions never suspend
    /// ([`Host::may_suspend`]): the engine binds them synchronously.
    synchronous: bool,
}

impl Host for ScriptedHost {
    fn call(&mut self, func: HostFuncId, memory: &mut [u8], args: &[Val], results: &mut [Val]) -> HostFlow {
        self.calls.push((func, args.to_vec(), memory.len(), memory.iter().take(8).copied().collect()));
        if let Some(first) = memory.first_mut() {
            *first = first.wrapping_add(1);
        }
        let flow = if self.flows.is_empty() { HostFlow::Return } else { self.flows.remove(0) };
        if !matches!(flow, HostFlow::Block) {
            // Each result of its type, as the kernel writes them.
            for result in results.iter_mut() {
                *result = match result {
                    Val::I32(_) => Val::I32(self.result),
                    Val::I64(_) => Val::I64(i64::from(self.result)),
                    Val::F32(_) => Val::F32(self.result as f32),
                    Val::F64(_) => Val::F64(f64::from(self.result)),
                };
            }
        }
        flow
    }

    fn may_suspend(&self, _: HostFuncId) -> bool {
        !self.synchronous
    }
}

fn module(engine: &dyn Engine, wat: &str) -> Box<dyn crate::Module> {
    let wasm = wat::parse_str(wat).expect("test module");
    engine.load(&wasm).expect("valid module")
}

/// Instantiates with import `i` bound to host function `100 + i`.
fn instance(engine: &dyn Engine, wat: &str, host: &mut ScriptedHost) -> Box<dyn Instance> {
    let module = module(engine, wat);
    let bindings: Vec<HostFuncId> = (0..module.imports().len() as u32).map(|i| 100 + i).collect();
    module.instantiate(&bindings, &limits(), host).expect("instantiates")
}

fn run_to_end(instance: &mut dyn Instance, host: &mut ScriptedHost, slice: Slice) -> (RunOutcome, usize) {
    for slices in 1..10_000 {
        match instance.run(slice, host) {
            RunOutcome::Preempted | RunOutcome::Yielded | RunOutcome::Blocked => continue,
            outcome => return (outcome, slices),
        }
    }
    panic!("the call never ended");
}

/// An engine that counts fuel has nothing for a timer to drive.
pub fn fuel_engines_have_no_ticker(engine: &dyn Engine) {
    assert_eq!(engine.preemption(), Preemption::Fuel);
    assert!(engine.ticker().is_none());
}

/// Bytes that are not a module are an [`Error::Invalid`], not a panic.
pub fn invalid_modules_are_rejected(engine: &dyn Engine) {
    for bytes in [&b"not wasm"[..], b"\0asm", b"\0asm\x01\0\0\0\x01\x05", b""] {
        assert!(matches!(engine.load(bytes), Err(Error::Invalid(_))), "{bytes:?}");
    }
}

/// Imports and exports are listed in declaration order with their types: the kernel links by them.
pub fn imports_and_exports_are_described(engine: &dyn Engine) {
    let module = module(
        engine,
        r#"(module
          (import "m" "f" (func (param i32 i64) (result i32)))
          (import "m" "mem" (memory 1))
          (func (export "g") (result f64) (f64.const 1))
          (global (export "x") i32 (i32.const 0)))"#,
    );
    let imports = module.imports();
    assert_eq!(imports.len(), 2);
    assert_eq!((imports[0].module.as_str(), imports[0].name.as_str()), ("m", "f"));
    assert_eq!(imports[0].ty, ExternType::Func(FuncType::new(vec![ValType::I32, ValType::I64], vec![ValType::I32])));
    assert_eq!(imports[1].ty, ExternType::Memory);
    let exports = module.exports();
    assert_eq!(exports.len(), 2);
    assert_eq!(exports[0].name, "g");
    assert_eq!(exports[0].ty, ExternType::Func(FuncType::new(vec![], vec![ValType::F64])));
    assert_eq!(exports[1].ty, ExternType::Global);
}

/// A call returns its results, and the instance can be called again.
pub fn calls_run_to_completion(engine: &dyn Engine) {
    let mut host = ScriptedHost::default();
    let mut instance = instance(
        engine,
        r#"(module (func (export "add") (param i32 i64) (result i64)
             (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1))))"#,
        &mut host,
    );
    instance.call("add", &[Val::I32(-2), Val::I64(10)]).unwrap();
    assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Finished(vec![Val::I64(8)]));
    // The instance is idle again and can be called anew.
    instance.call("add", &[Val::I32(1), Val::I64(1)]).unwrap();
    assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Finished(vec![Val::I64(2)]));
}

const CALLS_HOST: &str = r#"(module
  (import "h" "f" (func $f (param i32 i64) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\07")
  (func (export "go") (result i32) (call $f (i32.const 5) (i64.const -1))))"#;

/// A host function gets its id, the arguments and the caller's memory, and its writes are seen by wasm.
pub fn host_calls_get_arguments_and_memory(engine: &dyn Engine) {
    let mut host = ScriptedHost { result: 42, ..Default::default() };
    let mut instance = instance(engine, CALLS_HOST, &mut host);
    instance.call("go", &[]).unwrap();
    assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Finished(vec![Val::I32(42)]));
    assert_eq!(host.calls, [(100, vec![Val::I32(5), Val::I64(-1)], 65536, vec![7, 0, 0, 0, 0, 0, 0, 0])]);
    // The host's write to memory is visible to the instance.
    assert_eq!(instance.memory()[0], 8);
}

/// A long call is preempted when its slice's fuel is spent and resumes where it stopped.
pub fn fuel_preempts_and_resumes(engine: &dyn Engine) {
    let mut host = ScriptedHost::default();
    let mut instance = instance(
        engine,
        r#"(module (func (export "sum") (param $n i32) (result i32) (local $acc i32)
             (loop $l
               (local.set $acc (i32.add (local.get $acc) (local.get $n)))
               (local.set $n (i32.sub (local.get $n) (i32.const 1)))
               (br_if $l (local.get $n)))
             (local.get $acc)))"#,
        &mut host,
    );
    instance.call("sum", &[Val::I32(100_000)]).unwrap();
    let (outcome, slices) = run_to_end(instance.as_mut(), &mut host, Slice::new(10_000, 1));
    assert_eq!(outcome, RunOutcome::Finished(vec![Val::I32(705_082_704)]));
    assert!(slices > 10, "only {slices} slices of 10 000 fuel for 100 000 iterations");
}

/// Slices of any size, even ending on a function's first call (where an
/// engine compiling lazily does its work), preempt and resume.
pub fn preemption_may_fall_on_a_first_call(engine: &dyn Engine) {
    let mut wat = alloc::string::String::from("(module\n");
    for i in 0..200 {
        let next = if i + 1 < 200 { alloc::format!("(call $f{})", i + 1) } else { "(i32.const 1)".into() };
        wat += &alloc::format!("(func $f{i} (result i32) (i32.add (i32.const {i}) {next}))\n");
    }
    wat += r#"(func (export "run") (result i32) (call $f0)))"#;
    let expected = (0..200).sum::<i32>() + 1;
    for fuel in [1, 2, 3, 5, 8, 13] {
        let mut host = ScriptedHost::default();
        let mut instance = instance(engine, &wat, &mut host);
        instance.call("run", &[]).unwrap();
        let (outcome, _) = run_to_end(instance.as_mut(), &mut host, Slice::new(fuel, 1));
        assert_eq!(outcome, RunOutcome::Finished(vec![Val::I32(expected)]), "slices of {fuel} fuel");
    }
}

/// [`HostFlow::Yield`] suspends the call, which resumes with the host's results without calling it again.
pub fn yield_resumes_with_the_results(engine: &dyn Engine) {
    let mut host = ScriptedHost { flows: vec![HostFlow::Yield], result: 9, ..Default::default() };
    let mut instance = instance(engine, CALLS_HOST, &mut host);
    instance.call("go", &[]).unwrap();
    assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Yielded);
    assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Finished(vec![Val::I32(9)]));
    assert_eq!(host.calls.len(), 1, "a yield does not repeat the call");
}

/// [`HostFlow::Block`] suspends the call, and each next run calls the host function again.
pub fn block_retries_the_host_call(engine: &dyn Engine) {
    let mut host = ScriptedHost { flows: vec![HostFlow::Block, HostFlow::Block], result: 3, ..Default::default() };
    let mut instance = instance(engine, CALLS_HOST, &mut host);
    instance.call("go", &[]).unwrap();
    assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Blocked);
    assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Blocked);
    assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Finished(vec![Val::I32(3)]));
    assert_eq!(host.calls.len(), 3);
    assert!(host.calls.iter().all(|(func, args, ..)| *func == 100 && args == &[Val::I32(5), Val::I64(-1)]));
    // Retries see the memory as the previous attempts left it.
    assert_eq!(host.calls[2].3[0], 9);
}

/// [`HostFlow::Exit`] ends the call with its status.
pub fn exit_ends_the_call(engine: &dyn Engine) {
    let mut host = ScriptedHost { flows: vec![HostFlow::Exit(3)], ..Default::default() };
    let mut instance = instance(engine, CALLS_HOST, &mut host);
    instance.call("go", &[]).unwrap();
    assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Exited(3));
}

/// [`HostFlow::Trap`] ends the call with the host's trap, and the instance stays usable.
pub fn host_traps_end_the_call(engine: &dyn Engine) {
    let mut host = ScriptedHost { flows: vec![HostFlow::Trap(Trap::host("bad pointer"))], ..Default::default() };
    let mut instance = instance(engine, CALLS_HOST, &mut host);
    instance.call("go", &[]).unwrap();
    match instance.run(FUEL, &mut host) {
        RunOutcome::Trapped(trap) => assert_eq!(trap.code, TrapCode::Host("bad pointer".into())),
        other => panic!("expected a trap, got {other:?}"),
    }
    // The instance can be called again.
    instance.call("go", &[]).unwrap();
    assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Finished(vec![Val::I32(0)]));
}

/// Wasm traps get the same [`TrapCode`] whatever the engine.
pub fn wasm_traps_are_classified(engine: &dyn Engine) {
    let cases: [(&str, TrapCode); 8] = [
        ("unreachable", TrapCode::Unreachable),
        ("(drop (i32.load (i32.const 65535)))", TrapCode::MemoryOutOfBounds),
        ("(drop (i32.div_u (i32.const 1) (i32.const 0)))", TrapCode::IntegerDivisionByZero),
        ("(drop (i32.div_s (i32.const -2147483648) (i32.const -1)))", TrapCode::IntegerOverflow),
        ("(drop (i32.trunc_f32_s (f32.const nan)))", TrapCode::BadConversionToInteger),
        ("(call_indirect (type $v) (i32.const 1))", TrapCode::IndirectCallToNull),
        ("(call_indirect (type $v) (i32.const 0))", TrapCode::BadSignature),
        ("(call $deep)", TrapCode::StackOverflow),
    ];
    for (body, code) in cases {
        let wat = alloc::format!(
            r#"(module
              (type $v (func))
              (memory 1)
              (table 2 funcref)
              (elem (i32.const 0) $int)
              (func $int (result i32) (i32.const 0))
              (func $deep (call $deep))
              (func (export "go") {body}))"#
        );
        let mut host = ScriptedHost::default();
        let mut instance = instance(engine, &wat, &mut host);
        instance.call("go", &[]).unwrap();
        match run_to_end(instance.as_mut(), &mut host, FUEL).0 {
            RunOutcome::Trapped(trap) => assert_eq!(trap.code, code, "{body}"),
            other => panic!("{body}: expected a trap, got {other:?}"),
        }
    }
}

/// `memory.grow` beyond [`Limits::memory_bytes`] returns -1.
pub fn memory_growth_is_limited(engine: &dyn Engine) {
    // limits() allows 1 MiB: 16 pages.
    let mut host = ScriptedHost::default();
    let mut instance = instance(
        engine,
        r#"(module (memory 1)
             (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
        &mut host,
    );
    for (pages, result) in [(16, -1), (15, 1), (1, -1)] {
        instance.call("grow", &[Val::I32(pages)]).unwrap();
        assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Finished(vec![Val::I32(result)]), "grow {pages}");
    }
}

/// `table.grow` beyond [`Limits::table_elements`] returns -1; a table
/// declared larger fails instantiation.
pub fn table_growth_is_limited(engine: &dyn Engine) {
    // limits() allows 100 elements.
    let mut host = ScriptedHost::default();
    let mut instance = instance(
        engine,
        r#"(module (table 10 funcref)
             (func (export "grow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))"#,
        &mut host,
    );
    for (elements, result) in [(91, -1), (90, 10), (1, -1)] {
        instance.call("grow", &[Val::I32(elements)]).unwrap();
        assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Finished(vec![Val::I32(result)]), "grow {elements}");
    }
    let big = module(engine, "(module (table 101 funcref))");
    let err = big.instantiate(&[], &limits(), &mut host).map(|_| ()).unwrap_err();
    assert!(matches!(err, Error::Instantiate(_)), "{err:?}");
}

/// Instances sharing a [`MemoryBudget`] cannot grow past it together, a
/// memory that does not fit fails instantiation, and a dropped instance
/// gives its memory back.
pub fn memory_budget_is_shared(engine: &dyn Engine) {
    const PAGE: usize = 64 << 10;
    let budget = Arc::new(MemoryBudget::new(3 * PAGE));
    let limits = Limits { budget: budget.clone(), ..limits() };
    let mut host = ScriptedHost::default();
    let module =
        module(engine, r#"(module (memory 1) (func (export "grow") (result i32) (memory.grow (i32.const 1))))"#);
    let grow = |instance: &mut Box<dyn Instance>, host: &mut ScriptedHost| {
        instance.call("grow", &[]).unwrap();
        instance.run(FUEL, host)
    };
    let mut a = module.instantiate(&[], &limits, &mut host).expect("the first fits");
    let mut b = module.instantiate(&[], &limits, &mut host).expect("the second fits");
    assert_eq!(grow(&mut a, &mut host), RunOutcome::Finished(vec![Val::I32(1)]));
    assert_eq!(budget.used(), 3 * PAGE);
    assert_eq!(grow(&mut b, &mut host), RunOutcome::Finished(vec![Val::I32(-1)]), "past the budget");
    let err = module.instantiate(&[], &limits, &mut host).map(|_| ()).unwrap_err();
    assert!(matches!(err, Error::Instantiate(_)), "{err:?}");
    drop(a);
    assert_eq!(budget.used(), PAGE);
    assert_eq!(grow(&mut b, &mut host), RunOutcome::Finished(vec![Val::I32(1)]), "a's memory was given back");
    drop(b);
    assert_eq!(budget.used(), 0);
}

/// A start function calls the host with the memory; a yield there is just a return.
pub fn start_functions_can_call_the_host(engine: &dyn Engine) {
    // Yielding in a start function is harmless: it just returns.
    let mut host = ScriptedHost { flows: vec![HostFlow::Yield], result: 1, ..Default::default() };
    let mut instance = instance(
        engine,
        r#"(module
          (import "h" "f" (func $f (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "\05")
          (global $g (mut i32) (i32.const 0))
          (func $init (global.set $g (call $f)))
          (start $init)
          (func (export "g") (result i32) (global.get $g)))"#,
        &mut host,
    );
    assert_eq!(host.calls.len(), 1);
    assert_eq!(host.calls[0].2, 65536, "the start function's host call sees the memory");
    assert_eq!(host.calls[0].3[0], 5);
    instance.call("g", &[]).unwrap();
    assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Finished(vec![Val::I32(1)]));
}

const START_CALLS_HOST: &str = r#"(module
  (import "h" "f" (func $f))
  (func $init (call $f))
  (start $init))"#;

/// A start function that blocks or spends its fuel is refused with the same message whatever the engine.
pub fn start_functions_cannot_block(engine: &dyn Engine) {
    let module = module(engine, START_CALLS_HOST);
    let mut host = ScriptedHost { flows: vec![HostFlow::Block], ..Default::default() };
    let err = module.instantiate(&[1], &limits(), &mut host).err().expect("refused");
    assert_eq!(err, Error::Instantiate("the start function made a blocking call".into()));
    let mut host = ScriptedHost::default();
    let endless = self::module(engine, r#"(module (func $s (loop (br 0))) (start $s))"#);
    let err = endless.instantiate(&[], &limits(), &mut host).err().expect("refused");
    assert_eq!(err, Error::Instantiate("the start function did not finish within its fuel budget".into()));
}

/// A start function's trap, wasm or host, is an [`Error::Trap`].
pub fn start_function_traps_are_errors(engine: &dyn Engine) {
    let module = module(engine, START_CALLS_HOST);
    let mut host = ScriptedHost { flows: vec![HostFlow::Trap(Trap::host("no"))], ..Default::default() };
    let err = module.instantiate(&[1], &limits(), &mut host).err().expect("refused");
    assert_eq!(err, Error::Trap(Trap::host("no")));
    let unreachable = self::module(engine, r#"(module (func $s unreachable) (start $s))"#);
    let err = unreachable.instantiate(&[], &limits(), &mut host).err().expect("refused");
    assert_eq!(err, Error::Trap(Trap::new(TrapCode::Unreachable)));
}

/// One import of each shape an engine may bind its own way when the host
/// says it never suspends: no values, i32s in and one out (typed), nine
/// i32s (the most typed), an i64 and a float (raw or untyped), two results.
const CALLS_SYNC: &str = r#"(module
  (import "h" "none" (func $none))
  (import "h" "i32s" (func $i32s (param i32 i32) (result i32)))
  (import "h" "nine" (func $nine (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "h" "mixed" (func $mixed (param i32 i64 f64) (result i32)))
  (import "h" "two" (func $two (result i32 i64)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\07")
  (func (export "none") (call $none))
  (func (export "i32s") (result i32) (call $i32s (i32.const 5) (i32.const -1)))
  (func (export "nine") (result i32)
    (call $nine (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 5)
                (i32.const 6) (i32.const 7) (i32.const 8) (i32.const 9)))
  (func (export "mixed") (result i32) (call $mixed (i32.const 5) (i64.const -1) (f64.const 2.5)))
  (func (export "two") (result i64) (local $b i64)
    (call $two) (local.set $b) (drop) (local.get $b)))"#;

/// A host function that never suspends, whatever its signature, gets its
/// id, the arguments and the memory, returns its results, and ends the
/// call by an exit or a trap as a suspending one does.
pub fn synchronous_host_calls_return_exit_and_trap(engine: &dyn Engine) {
    let mut host = ScriptedHost { result: 42, synchronous: true, ..Default::default() };
    let mut instance = instance(engine, CALLS_SYNC, &mut host);
    let nine: Vec<Val> = (1..=9).map(Val::I32).collect();
    let mixed = vec![Val::I32(5), Val::I64(-1), Val::F64(2.5)];
    for (func, id, args, result) in [
        ("none", 100, vec![], vec![]),
        ("i32s", 101, vec![Val::I32(5), Val::I32(-1)], vec![Val::I32(42)]),
        ("nine", 102, nine, vec![Val::I32(42)]),
        ("mixed", 103, mixed, vec![Val::I32(42)]),
        ("two", 104, vec![], vec![Val::I64(42)]),
    ] {
        host.calls.clear();
        instance.call(func, &[]).unwrap();
        assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Finished(result), "{func}");
        assert_eq!(host.calls.len(), 1, "{func}");
        assert_eq!((host.calls[0].0, &host.calls[0].1, host.calls[0].2), (id, &args, 65536), "{func}");
    }
    // Each call's write to memory was seen by the next one.
    assert_eq!((host.calls[0].3[0], instance.memory()[0]), (11, 12));
    for (func, flow, outcome) in [
        ("none", HostFlow::Exit(3), RunOutcome::Exited(3)),
        ("i32s", HostFlow::Exit(4), RunOutcome::Exited(4)),
        ("mixed", HostFlow::Trap(Trap::host("bad pointer")), RunOutcome::Trapped(Trap::host("bad pointer"))),
        ("i32s", HostFlow::Trap(Trap::host("bad fd")), RunOutcome::Trapped(Trap::host("bad fd"))),
    ] {
        host.flows = vec![flow];
        instance.call(func, &[]).unwrap();
        let got = instance.run(FUEL, &mut host);
        match (&got, &outcome) {
            (RunOutcome::Trapped(got), RunOutcome::Trapped(want)) => assert_eq!(got.code, want.code, "{func}"),
            _ => assert_eq!(got, outcome, "{func}"),
        }
    }
}

/// A host function its host said never suspends, that yields or blocks
/// all the same, traps its caller with that said: never a hang, never a
/// resumption with made-up results.
pub fn synchronous_host_calls_that_suspend_trap(engine: &dyn Engine) {
    let mut host = ScriptedHost { synchronous: true, ..Default::default() };
    let mut instance = instance(engine, CALLS_SYNC, &mut host);
    for (func, id, flow) in
        [("i32s", 101, HostFlow::Yield), ("mixed", 103, HostFlow::Block), ("none", 100, HostFlow::Block)]
    {
        host.flows = vec![flow];
        instance.call(func, &[]).unwrap();
        match instance.run(FUEL, &mut host) {
            RunOutcome::Trapped(trap) => assert_eq!(trap.code, crate::HostFunc::suspended_anyway(id).code, "{func}"),
            other => panic!("{func}: expected a trap, got {other:?}"),
        }
    }
    // The instance is idle again and can be called.
    instance.call("i32s", &[]).unwrap();
    assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Finished(vec![Val::I32(0)]));
}

/// A start function's synchronous host calls see the memory and their
/// results.
pub fn synchronous_host_calls_in_start_functions(engine: &dyn Engine) {
    let mut host = ScriptedHost { result: 6, synchronous: true, ..Default::default() };
    let mut instance = instance(
        engine,
        r#"(module
          (import "h" "f" (func $f (param i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "\05")
          (global $g (mut i32) (i32.const 0))
          (func $init (global.set $g (call $f (i32.const 1))))
          (start $init)
          (func (export "g") (result i32) (global.get $g)))"#,
        &mut host,
    );
    assert_eq!(host.calls, [(100, vec![Val::I32(1)], 65536, vec![5, 0, 0, 0, 0, 0, 0, 0])]);
    instance.call("g", &[]).unwrap();
    assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Finished(vec![Val::I32(6)]));
}

/// Unknown exports, wrong arguments, a second call and bindings that do not fit are errors, not panics.
pub fn call_errors(engine: &dyn Engine) {
    let mut host = ScriptedHost { flows: vec![HostFlow::Yield], ..Default::default() };
    let mut instance = instance(engine, CALLS_HOST, &mut host);
    assert_eq!(instance.call("nope", &[]), Err(Error::NoSuchExport("nope".into())));
    assert_eq!(instance.call("memory", &[]), Err(Error::NoSuchExport("memory".into())));
    assert_eq!(
        instance.call("go", &[Val::I32(1)]),
        Err(Error::Arguments("`go` has type () -> i32, called with 1 arguments".into()))
    );
    instance.call("go", &[]).unwrap();
    assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Yielded);
    assert_eq!(instance.call("go", &[]), Err(Error::Busy));
    // Bindings that do not fit the imports are refused, not a panic.
    let module = module(engine, CALLS_HOST);
    assert!(matches!(module.instantiate(&[], &limits(), &mut host), Err(Error::Instantiate(_))));
}

/// An import that takes or returns a reference is refused at instantiation,
/// with the same message whatever the engine: references never cross to the
/// host.
pub fn host_functions_take_numbers_only(engine: &dyn Engine) {
    let mut host = ScriptedHost::default();
    // funcref, not externref: wasmtime without GC refuses externref at load.
    for func in ["(param i32 funcref)", "(result i32 funcref)"] {
        let module = module(engine, &alloc::format!(r#"(module (import "h" "f" (func {func})))"#));
        let refused = Error::Instantiate("host functions cannot take or return funcref values".into());
        assert_eq!(module.instantiate(&[1], &limits(), &mut host).err(), Some(refused), "{func}");
    }
    assert!(host.calls.is_empty());
}

/// [`Instance::memory`] is the exported memory, readable and writable; empty without one.
pub fn memory_is_visible(engine: &dyn Engine) {
    let mut host = ScriptedHost::default();
    let mut with = instance(engine, r#"(module (memory (export "memory") 2) (data (i32.const 9) "x"))"#, &mut host);
    assert_eq!(with.memory().len(), 2 * 65536);
    assert_eq!(with.memory()[9], b'x');
    with.memory()[10] = b'y';
    assert_eq!(with.memory()[10], b'y');
    let mut without = instance(engine, r#"(module (func (export "f")))"#, &mut host);
    assert!(without.memory().is_empty());
}

/// An instance dropped with a call in progress calls no host function.
pub fn suspended_calls_can_be_dropped(engine: &dyn Engine) {
    // A process killed while blocked, or preempted: its instance goes away
    // with the call in progress.
    let mut host = ScriptedHost { flows: vec![HostFlow::Block], ..Default::default() };
    let mut blocked = instance(engine, CALLS_HOST, &mut host);
    blocked.call("go", &[]).unwrap();
    assert_eq!(blocked.run(FUEL, &mut host), RunOutcome::Blocked);
    drop(blocked);
    let mut preempted = instance(engine, r#"(module (func (export "spin") (loop (br 0))))"#, &mut host);
    preempted.call("spin", &[]).unwrap();
    assert_eq!(preempted.run(Slice::new(1000, 1), &mut host), RunOutcome::Preempted);
    drop(preempted);
    assert_eq!(host.calls.len(), 1, "dropping calls no host function");
}

/// Ticks an engine's [`Ticker`] every millisecond, from its own thread, until
/// dropped: the timer a loader runs.
struct Metronome {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Metronome {
    fn start(engine: &dyn Engine) -> Metronome {
        let ticker: Ticker = engine.ticker().expect("an epoch engine gives a ticker");
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(1));
                ticker.tick();
            }
        });
        Metronome { stop, thread: Some(thread) }
    }
}

impl Drop for Metronome {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `sum(n)`: 1 + 2 + ... + n, wrapping, in a loop of `n` turns.
const SUM: &str = r#"(module (func (export "sum") (param $n i32) (result i32) (local $acc i32)
  (loop $l
    (local.set $acc (i32.add (local.get $acc) (local.get $n)))
    (local.set $n (i32.sub (local.get $n) (i32.const 1)))
    (br_if $l (local.get $n)))
  (local.get $acc)))"#;

fn sum(n: u32) -> i32 {
    (1..=n).fold(0u32, |acc, i| acc.wrapping_add(i)) as i32
}

/// An engine that preempts by epoch says so and gives the loader its tick
/// source.
pub fn epoch_engines_give_a_ticker(engine: &dyn Engine) {
    assert_eq!(engine.preemption(), Preemption::Epoch);
    let ticker = engine.ticker().expect("a ticker");
    // Ticking with nothing running is harmless.
    ticker.clone().tick();
    ticker.tick();
}

/// Fuel means nothing under epoch: without ticks, a slice of one unit of
/// fuel runs a long call to its end.
pub fn without_ticks_a_slice_goes_on(engine: &dyn Engine) {
    let mut host = ScriptedHost::default();
    let mut instance = instance(engine, SUM, &mut host);
    instance.call("sum", &[Val::I32(1_000_000)]).unwrap();
    assert_eq!(instance.run(Slice::new(1, 1), &mut host), RunOutcome::Finished(vec![Val::I32(sum(1_000_000))]));
}

/// A call that outlasts its ticks is preempted at its next check and
/// resumes where it stopped; one that never ends is preempted again and
/// again, and can be dropped.
pub fn ticks_preempt_and_resume(engine: &dyn Engine) {
    let _timer = Metronome::start(engine);
    let mut host = ScriptedHost::default();
    let mut instance = instance(engine, SUM, &mut host);
    // Tens of milliseconds of compiled code: several ticks.
    let n = 100_000_000;
    instance.call("sum", &[Val::I32(n as i32)]).unwrap();
    let (outcome, slices) = run_to_end(instance.as_mut(), &mut host, Slice::new(1, 1));
    assert_eq!(outcome, RunOutcome::Finished(vec![Val::I32(sum(n))]));
    assert!(slices > 1, "{n} turns of a loop ran in one slice of one tick");
    let mut spinning = self::instance(engine, r#"(module (func (export "spin") (loop (br 0))))"#, &mut host);
    spinning.call("spin", &[]).unwrap();
    for _ in 0..3 {
        assert_eq!(spinning.run(Slice::new(1, 1), &mut host), RunOutcome::Preempted);
    }
    drop(spinning);
    assert!(host.calls.is_empty());
}

/// Host calls suspend and resume under epoch as under fuel.
pub fn host_calls_suspend_under_epoch(engine: &dyn Engine) {
    let flows = vec![HostFlow::Block, HostFlow::Yield];
    let mut host = ScriptedHost { flows, result: 4, ..Default::default() };
    let mut instance = instance(engine, CALLS_HOST, &mut host);
    instance.call("go", &[]).unwrap();
    assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Blocked);
    assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Yielded);
    assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Finished(vec![Val::I32(4)]));
    assert_eq!(host.calls.len(), 2, "blocked once, then yielded with the results");
}

/// A call resumed after a block gets a slice of its own: its wasm goes on
/// until ticks pass again, and is then preempted, not stopped for good.
pub fn a_resumed_call_gets_a_new_slice(engine: &dyn Engine) {
    let mut host = ScriptedHost { flows: vec![HostFlow::Block], ..Default::default() };
    let mut instance = instance(
        engine,
        r#"(module (import "h" "f" (func $f))
             (func (export "go") (call $f) (loop (br 0))))"#,
        &mut host,
    );
    instance.call("go", &[]).unwrap();
    assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Blocked);
    let _timer = Metronome::start(engine);
    std::thread::sleep(Duration::from_millis(5));
    // Ticks passed while it was blocked; its new slice starts now.
    assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Preempted);
    assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Preempted);
    assert_eq!(host.calls.len(), 2);
}

/// A start function that runs past the ticks of its budget is refused with
/// the same message whatever the engine.
pub fn start_functions_have_a_time_budget(engine: &dyn Engine) {
    let _timer = Metronome::start(engine);
    let endless = module(engine, r#"(module (func $s (loop (br 0))) (start $s))"#);
    let limits = Limits { start: Slice::new(1, 3), ..limits() };
    let err = endless.instantiate(&[], &limits, &mut ScriptedHost::default()).err().expect("refused");
    assert_eq!(err, Error::Instantiate("the start function did not finish within its time budget".into()));
}

/// What every engine runs beyond wasm 1.0, as wasmtime does by default:
/// tail calls (a million deep, across preemptions), SIMD and relaxed SIMD,
/// multi-memory, extended constants, bulk memory and wide arithmetic.
pub fn common_proposals_run(engine: &dyn Engine) {
    let mut host = ScriptedHost::default();
    let mut instance = instance(
        engine,
        r#"(module
          (memory $a 1) (memory $b 1)
          (global $g i32 (i32.add (i32.const 40) (i32.mul (i32.const 1) (i32.const 2))))
          (func $count (param i64 i64) (result i64)
            (if (result i64) (i64.eqz (local.get 0)) (then (local.get 1))
              (else (return_call $count (i64.sub (local.get 0) (i64.const 1))
                                        (i64.add (local.get 1) (i64.const 2))))))
          (func (export "tail") (result i64) (call $count (i64.const 1000000) (i64.const 0)))
          (func (export "simd") (result i32)
            (i32x4.extract_lane 3 (i32x4.add (v128.const i32x4 1 2 3 4) (v128.const i32x4 10 20 30 40))))
          (func (export "relaxed") (result i32)
            (i8x16.extract_lane_u 0
              (i8x16.relaxed_swizzle (v128.const i8x16 7 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
                                     (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0))))
          (func (export "memories") (result i32)
            (memory.fill $b (i32.const 8) (i32.const 9) (i32.const 4))
            (memory.copy $a $b (i32.const 0) (i32.const 8) (i32.const 4))
            (i32.add (i32.load $a (i32.const 0)) (global.get $g)))
          (func (export "wide") (result i64 i64)
            (i64.add128 (i64.const -1) (i64.const 0) (i64.const 1) (i64.const 0))))"#,
        &mut host,
    );
    let small = Slice::new(10_000, 1);
    let cases: [(&str, Vec<Val>); 5] = [
        ("tail", vec![Val::I64(2_000_000)]),
        ("simd", vec![Val::I32(44)]),
        ("relaxed", vec![Val::I32(7)]),
        ("memories", vec![Val::I32(0x0909_0909 + 42)]),
        ("wide", vec![Val::I64(0), Val::I64(1)]),
    ];
    for (name, results) in cases {
        instance.call(name, &[]).unwrap();
        assert_eq!(run_to_end(&mut *instance, &mut host, small).0, RunOutcome::Finished(results), "{name}");
    }
}

/// A module thrown through (`throw` two frames down, caught by
/// `try_table`) runs and catches, or is refused naming the proposal and the
/// engine: never a validator's sentence, never a panic.
pub fn exceptions_run_or_are_refused_by_name(engine: &dyn Engine) {
    let wat = r#"(module
      (tag $oops (param i32))
      (export "oops" (tag $oops))
      (func $deep (param i32) (if (local.get 0) (then (throw $oops (i32.const 42)))))
      (func $middle (param i32) (call $deep (local.get 0)) (call $deep (i32.const 0)))
      (func (export "catch") (param i32) (result i32)
        (block $caught (result i32)
          (try_table (catch $oops $caught) (call $middle (local.get 0)))
          (i32.const -1)))
      (func (export "escape") (call $middle (i32.const 1))))"#;
    let wasm = wat::parse_str(wat).expect("test module");
    match engine.load(&wasm) {
        Err(Error::Unsupported { proposal, engine: refused_by }) => {
            assert_eq!((proposal, refused_by), ("exception-handling", engine.name()));
        }
        Err(other) => panic!("refused without naming the proposal: {other:?}"),
        Ok(module) => {
            assert_eq!(module.exports()[0].ty, ExternType::Tag);
            let mut host = ScriptedHost::default();
            let mut instance = module.instantiate(&[], &limits(), &mut host).expect("instantiates");
            for (arg, result) in [(1, 42), (0, -1)] {
                instance.call("catch", &[Val::I32(arg)]).unwrap();
                assert_eq!(instance.run(FUEL, &mut host), RunOutcome::Finished(vec![Val::I32(result)]));
            }
            // An exception nobody catches ends the call as a trap.
            instance.call("escape", &[]).unwrap();
            match instance.run(FUEL, &mut host) {
                RunOutcome::Trapped(trap) => assert!(trap.to_string().contains("uncaught"), "{trap}"),
                other => panic!("an uncaught exception is a trap, not {other:?}"),
            }
        }
    }
}
