//! Why an instantiation failed, told the same way by every engine.

use alloc::string::String;

use crate::{Error, Trap};

/// How instantiation failed, as an engine finds out: the engine maps its own
/// error to this, and [`Error::from`] words it the same for every engine.
#[derive(Debug, Clone, PartialEq)]
pub enum StartFailure {
    /// The start function trapped, in wasm or in a host function.
    Trapped(Trap),
    /// A host function ended the start function with this status (WASI
    /// `proc_exit`).
    Exited(u32),
    /// A host function blocked: a start function cannot be suspended.
    Blocked,
    /// The start function spent the fuel of its
    /// [`Limits::start`](crate::Limits) slice.
    OutOfFuel,
    /// The start function ran past the ticks of its
    /// [`Limits::start`](crate::Limits) slice.
    OutOfTime,
    /// The engine refused the instance (a resource limit, a full pool); its
    /// message.
    Refused(String),
}

impl From<StartFailure> for Error {
    fn from(failure: StartFailure) -> Error {
        match failure {
            StartFailure::Trapped(trap) => Error::Trap(trap),
            StartFailure::Exited(status) => {
                Error::Instantiate(alloc::format!("the start function exited with status {status}"))
            }
            StartFailure::Blocked => Error::Instantiate("the start function made a blocking call".into()),
            StartFailure::OutOfFuel => {
                Error::Instantiate("the start function did not finish within its fuel budget".into())
            }
            StartFailure::OutOfTime => {
                Error::Instantiate("the start function did not finish within its time budget".into())
            }
            StartFailure::Refused(message) => Error::Instantiate(message),
        }
    }
}
