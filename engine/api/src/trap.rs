use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// A trap: the end of a call that went wrong, with where it happened when the
/// engine knows.
#[derive(Debug, Clone, PartialEq)]
pub struct Trap {
    /// What went wrong.
    pub code: TrapCode,
    /// Innermost frame first; empty when the engine keeps no backtrace.
    pub backtrace: Vec<Frame>,
}

impl Trap {
    /// A trap without a backtrace.
    pub fn new(code: TrapCode) -> Self {
        Trap { code, backtrace: Vec::new() }
    }

    /// A trap raised by a host function on behalf of the guest.
    pub fn host(message: impl Into<String>) -> Self {
        Trap::new(TrapCode::Host(message.into()))
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.code, f)?;
        for (i, frame) in self.backtrace.iter().enumerate() {
            write!(f, "\n  {i}: {frame}")?;
        }
        Ok(())
    }
}

/// The kinds of trap, named the same whatever the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrapCode {
    /// An `unreachable` instruction ran.
    Unreachable,
    /// A load, store or bulk memory operation went outside linear memory.
    MemoryOutOfBounds,
    /// A table access went outside the table.
    TableOutOfBounds,
    /// `call_indirect` hit a null entry.
    IndirectCallToNull,
    /// `call_indirect` hit a function of another type.
    BadSignature,
    /// Integer division or remainder by zero.
    IntegerDivisionByZero,
    /// Signed division overflow (`i32::MIN / -1`).
    IntegerOverflow,
    /// A float-to-integer conversion out of range or of a NaN.
    BadConversionToInteger,
    /// Calls nested too deeply.
    StackOverflow,
    /// The engine ran out of memory for this instance.
    OutOfMemory,
    /// A host function refused the call (a message says why).
    Host(String),
    /// Anything else the engine reported.
    Other(String),
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrapCode::Unreachable => "unreachable instruction executed",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::IndirectCallToNull => "indirect call to a null table entry",
            TrapCode::BadSignature => "indirect call type mismatch",
            TrapCode::IntegerDivisionByZero => "integer divide by zero",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::BadConversionToInteger => "invalid conversion to integer",
            TrapCode::StackOverflow => "call stack exhausted",
            TrapCode::OutOfMemory => "out of memory",
            TrapCode::Host(msg) | TrapCode::Other(msg) => msg,
        })
    }
}

/// One frame of a trap's backtrace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Index of the function in the module's function index space.
    pub func_index: u32,
    /// Its name from the `name` section, if any.
    pub func_name: Option<String>,
}

impl fmt::Display for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.func_name {
            Some(name) => write!(f, "{name} (func {})", self.func_index),
            None => write!(f, "func {}", self.func_index),
        }
    }
}
