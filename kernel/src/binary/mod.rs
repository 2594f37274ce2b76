//! The wasm binary format, as far as the kernel reads and writes it itself:
//! walking sections ([`reader`]), and moving a start function out of
//! instantiation ([`start`]).

pub mod reader;
mod start;

pub use reader::SectionError;
pub use start::{START_EXPORT, defer_start};
