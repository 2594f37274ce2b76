use alloc::string::String;
use core::fmt;

use crate::Trap;

/// What can go wrong between the kernel and an engine, apart from a running
/// call's own outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The bytes are not a valid wasm module (or use a feature this engine
    /// lacks); the message comes from the validator.
    Invalid(String),
    /// The module needs a wasm proposal this engine does not run.
    Unsupported {
        /// The proposal, as its repository names it (`exception-handling`).
        proposal: &'static str,
        /// The engine that refused it.
        engine: &'static str,
    },
    /// Precompiled code that does not fit this engine (another version,
    /// configuration or host); the message is the engine's check.
    Incompatible(String),
    /// Instantiation failed: bindings that do not fit, a resource limit.
    Instantiate(String),
    /// Instantiation trapped: a data or element segment out of bounds, or
    /// a start function the engine ran (a program's runs later, as its
    /// first call: see `walos_kernel::defer_start`).
    Trap(Trap),
    /// No exported function has this name.
    NoSuchExport(String),
    /// The arguments of a call do not fit the function's parameters.
    Arguments(String),
    /// A call is already in progress on this instance.
    Busy,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid(msg) => write!(f, "invalid module: {msg}"),
            Error::Unsupported { proposal, engine } => {
                write!(f, "it needs the {proposal} proposal, which the {engine} engine does not run")
            }
            Error::Incompatible(msg) => write!(f, "compiled for another engine or configuration: {msg}"),
            Error::Instantiate(msg) => write!(f, "cannot instantiate: {msg}"),
            Error::Trap(trap) => write!(f, "instantiation trapped: {trap}"),
            Error::NoSuchExport(name) => write!(f, "no exported function `{name}`"),
            Error::Arguments(msg) => write!(f, "bad arguments: {msg}"),
            Error::Busy => f.write_str("a call is already in progress"),
        }
    }
}

impl Error {
    /// The error for a module `engine`'s validator refused with `message`:
    /// [`Error::Unsupported`] when the message says a proposal is off,
    /// [`Error::Invalid`] otherwise.
    pub fn refused(engine: &'static str, message: String) -> Error {
        match crate::proposal::needed_proposal(&message) {
            Some(proposal) => Error::Unsupported { proposal, engine },
            None => Error::Invalid(message),
        }
    }
}

impl core::error::Error for Error {}
