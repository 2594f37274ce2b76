//! The wasm proposals a module may need beyond wasm 1.0, recognised in the
//! validator's refusal, so that a module an engine cannot run is refused
//! with the proposal named rather than with a validator's sentence.

/// What the validator (wasmparser, under wasmi and wasmtime alike) says
/// when a proposal is off, and the proposal's name. More specific phrases
/// come first: "relaxed SIMD support" before "SIMD support".
const PHRASES: &[(&str, &str)] = &[
    ("legacy exceptions support is not enabled", "legacy exception-handling"),
    ("exceptions support is not enabled", "exception-handling"),
    ("exceptions proposal not enabled", "exception-handling"),
    ("without the exception handling feature", "exception-handling"),
    ("relaxed SIMD support is not enabled", "relaxed-simd"),
    ("SIMD support is not enabled", "simd"),
    ("tail calls support is not enabled", "tail-call"),
    ("threads support is not enabled", "threads"),
    ("threads must be enabled", "threads"),
    ("shared-everything-threads support is not enabled", "shared-everything-threads"),
    ("function references support is not enabled", "function-references"),
    ("gc support is not enabled", "gc"),
    ("without the gc feature", "gc"),
    ("gc proposal must be enabled", "gc"),
    ("memory64 must be enabled", "memory64"),
    ("wide arithmetic support is not enabled", "wide-arithmetic"),
    ("custom page sizes proposal must be enabled", "custom-page-sizes"),
    ("stack switching", "stack-switching"),
    ("reference types support is not enabled", "reference-types"),
    ("bulk memory support is not enabled", "bulk-memory"),
    ("bulk memory must be enabled", "bulk-memory"),
];

/// The proposal that the validator's `message` says is off, if it says so.
pub fn needed_proposal(message: &str) -> Option<&'static str> {
    PHRASES.iter().find(|(phrase, _)| message.contains(phrase)).map(|&(_, proposal)| proposal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validator_refusals_name_the_proposal() {
        assert_eq!(needed_proposal("exceptions proposal not enabled (at offset 0x1a)"), Some("exception-handling"));
        assert_eq!(
            needed_proposal("exception refs not supported without the exception handling feature"),
            Some("exception-handling")
        );
        assert_eq!(needed_proposal("relaxed SIMD support is not enabled"), Some("relaxed-simd"));
        assert_eq!(needed_proposal("SIMD support is not enabled"), Some("simd"));
        assert_eq!(needed_proposal("threads must be enabled for shared memories"), Some("threads"));
        assert_eq!(needed_proposal("heap types not supported without the gc feature"), Some("gc"));
        assert_eq!(needed_proposal("type mismatch: expected i32, found i64"), None);
    }
}
