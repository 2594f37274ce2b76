//! Running commands, echoed, with errors that say which one failed.

use std::path::Path;
use std::process::{Command, ExitStatus};

/// `cargo` with the arguments, run from the repository root.
pub fn cargo_command(args: &[&str]) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.args(args).current_dir(crate::root());
    command
}

pub fn cargo(args: &[&str]) -> Result<(), String> {
    run(&mut cargo_command(args))
}

/// Runs `command` to its end and returns its status.
pub fn status(command: &mut Command) -> Result<ExitStatus, String> {
    eprintln!("$ {}", describe(command));
    command.status().map_err(|err| {
        let program = command.get_program().to_string_lossy().into_owned();
        format!("cannot run `{program}`: {err}{}", hint(&program))
    })
}

/// Runs `command` and fails unless it succeeds.
pub fn run(command: &mut Command) -> Result<(), String> {
    let status = status(command)?;
    if status.success() { Ok(()) } else { Err(format!("`{}` failed ({status})", describe(command))) }
}

/// The command line, as shell words.
pub fn describe(command: &Command) -> String {
    let mut line = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        line.push(' ');
        line.push_str(&arg.to_string_lossy());
    }
    line
}

/// How to get a missing tool.
fn hint(program: &str) -> &'static str {
    match Path::new(program).file_name().and_then(|n| n.to_str()) {
        Some("clang") => "\n  install it: apt-get install clang lld wasi-libc libclang-rt-dev-wasm32",
        Some("python3") => "\n  install it: apt-get install python3 python3-venv",
        _ => "",
    }
}
