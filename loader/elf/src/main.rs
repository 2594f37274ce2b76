//! `walos`: the walos kernel as an ordinary Linux process.
//!
//! The command line follows wasmtime's (`walos run [--env K=V] [--dir
//! HOST::GUEST] FILE.wasm ARGS...`, exit status = the program's) so that
//! tools written for wasmtime can drive walos.

use clap::Parser;
use walos_loader_elf::{cli, compile, run};

fn main() {
    let cli = cli::Cli::parse_from(cli::with_implicit_run(std::env::args_os()));
    let status = match cli.command {
        cli::Commands::Run(options) => run::run(options),
        cli::Commands::Compile(options) => compile::compile(&options),
    };
    std::process::exit(status);
}
