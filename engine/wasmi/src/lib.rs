//! walos's portable engine: the [wasmi] interpreter behind the
//! [`walos_engine`] traits.
//!
//! Preemption uses wasmi's fuel and resumable calls: a call that runs out of
//! fuel is kept as a [`wasmi::ResumableCallOutOfFuel`], and a host function
//! that needs to suspend its caller returns a `Suspend` host error, which
//! turns the call into a [`wasmi::ResumableCallHostTrap`] that the next
//! [`run`](walos_engine::Instance::run) resumes.
//!
//! What every engine does the same way (the module's description, the
//! checks of host functions, the lent host) is `walos-engine`'s and
//! `walos-engine-lend`'s; this crate holds what is wasmi's own.

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

mod convert;
mod host_func;
mod instance;
mod limiter;
mod module;
mod store;

use alloc::boxed::Box;
use alloc::string::ToString;

use walos_engine::{self as api, CompiledModule, Preemption};
use wasmi::Config;

use crate::module::WasmiModule;

/// The wasm proposals this engine runs beyond wasm 1.0: every one wasmi
/// 2.0 has that wasmtime runs by default too. Not exception handling, gc,
/// function references nor threads, which wasmi does not implement.
pub const PROPOSALS: &[&str] = &[
    "mutable-global",
    "sign-extension-ops",
    "nontrapping-float-to-int",
    "multi-value",
    "bulk-memory",
    "reference-types",
    "simd",
    "relaxed-simd",
    "tail-call",
    "extended-const",
    "multi-memory",
    "memory64",
    "wide-arithmetic",
];

/// The wasmi engine; one per kernel.
pub struct WasmiEngine {
    engine: wasmi::Engine,
}

impl WasmiEngine {
    /// An engine that meters fuel, so that the kernel can preempt: an
    /// interpreter has no cheaper way (no epoch, no ticker).
    pub fn new() -> Self {
        let mut config = Config::default();
        config.consume_fuel(true);
        // Lazy translation charges fuel when a function first runs, and when
        // that fuel is short wasmi 2.0 fails the call instead of returning a
        // resumable out-of-fuel: a program would trap at a slice boundary.
        config.compilation_mode(wasmi::CompilationMode::Eager);
        // Every proposal wasmi runs that wasmtime runs by default too (SIMD,
        // relaxed SIMD and memory64 are crate features, on in Cargo.toml).
        config.wasm_wide_arithmetic(true);
        WasmiEngine { engine: wasmi::Engine::new(&config) }
    }
}

impl Default for WasmiEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl api::Engine for WasmiEngine {
    fn name(&self) -> &'static str {
        "wasmi"
    }

    fn preemption(&self) -> Preemption {
        Preemption::Fuel
    }

    fn load(&self, wasm: &[u8]) -> Result<Box<dyn api::Module>, api::Error> {
        let module =
            wasmi::Module::new(&self.engine, wasm).map_err(|err| api::Error::refused("wasmi", err.to_string()))?;
        Ok(Box::new(CompiledModule::new(WasmiModule { engine: self.engine.clone(), module })))
    }
}
