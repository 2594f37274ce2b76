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
    /// Instantiation failed: bindings that do not fit, a resource limit.
    Instantiate(String),
    /// The start function trapped.
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
            Error::Instantiate(msg) => write!(f, "cannot instantiate: {msg}"),
            Error::Trap(trap) => write!(f, "start function trapped: {trap}"),
            Error::NoSuchExport(name) => write!(f, "no exported function `{name}`"),
            Error::Arguments(msg) => write!(f, "bad arguments: {msg}"),
            Error::Busy => f.write_str("a call is already in progress"),
        }
    }
}

impl core::error::Error for Error {}
