//! The parts of `sample/shell` that need no kernel: the line editor and the
//! command parser. They build on the host too, where their unit tests run.

pub mod command;
pub mod line;
