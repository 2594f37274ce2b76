//! `fuzz`: every target of `fuzz/` (cargo-fuzz, its own workspace on the
//! nightly that `fuzz/rust-toolchain.toml` pins) for a given time each,
//! then how many executions each made. A crash stops it: libFuzzer leaves
//! the input in `fuzz/artifacts/TARGET/`, to become a regression test.

use std::process::{Command, Stdio};

use crate::exec;

/// The targets, in the order they run (`fuzz/Cargo.toml`'s `[[bin]]`s),
/// with libFuzzer options of their own.
const TARGETS: &[(&str, &[&str])] = &[
    ("w_section", &[]),
    ("cmdline", &[]),
    ("initrd", &[]),
    ("copy_plan", &[]),
    // Four bytes a call: long inputs from the start, or the first minutes
    // try sequences of one call.
    ("wasi_fs", &["-len_control=0", "-max_len=256"]),
    ("kernel_run", &[]),
];

/// The longest one input may take before libFuzzer calls it a hang.
const INPUT_TIMEOUT_S: u32 = 10;

/// How long `make test` runs each target: enough that a target that no
/// longer builds or crashes at once fails the test run.
pub const TEST_SECONDS: u32 = 20;

/// `cargo xtask fuzz [--seconds N]`.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut seconds: u32 = 60;
    let mut args = args.iter();
    while let Some(option) = args.next() {
        let value = args.next().ok_or_else(|| format!("`{option}` needs a value"))?;
        match option.as_str() {
            "--seconds" => seconds = value.parse().map_err(|_| format!("--seconds: `{value}` is not a number"))?,
            _ => return Err(format!("unknown fuzz option `{option}`")),
        }
    }
    each_target(seconds)
}

/// Runs every target for `seconds`, installing what it needs first.
pub fn each_target(seconds: u32) -> Result<(), String> {
    let toolchain = toolchain()?;
    install(&toolchain)?;
    let mut total: u64 = 0;
    let mut report = Vec::new();
    for (target, options) in TARGETS {
        let mut command = fuzz_command(&toolchain);
        let time = format!("-max_total_time={seconds}");
        let timeout = format!("-timeout={INPUT_TIMEOUT_S}");
        command.args(["run", "-O", target, "--", &time, &timeout]).args(*options).stderr(Stdio::piped());
        eprintln!("$ {}", exec::describe(&command));
        let output = command.output().map_err(|err| format!("cannot run cargo fuzz: {err}"))?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            let tail: Vec<&str> = stderr.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
            return Err(format!("fuzz target `{target}` failed ({}):\n{}", output.status, tail.join("\n")));
        }
        let runs = executions(&stderr).ok_or_else(|| format!("`{target}`: libFuzzer reported no `Done N runs`"))?;
        total += runs;
        report.push(format!("{target:<12} {runs:>12} executions in {seconds} s"));
    }
    println!("{}\n{:<12} {total:>12} executions, 0 crashes", report.join("\n"), "total");
    Ok(())
}

/// The nightly of `fuzz/rust-toolchain.toml`.
fn toolchain() -> Result<String, String> {
    let path = crate::root().join("fuzz/rust-toolchain.toml");
    let text = std::fs::read_to_string(&path).map_err(|err| format!("{}: {err}", path.display()))?;
    text.lines()
        .find_map(|line| line.trim().strip_prefix("channel = ")?.trim_matches('"').to_owned().into())
        .ok_or_else(|| format!("{}: no `channel = \"...\"`", path.display()))
}

/// `cargo fuzz` on the pinned nightly, run in `fuzz/`.
fn fuzz_command(toolchain: &str) -> Command {
    let mut command = Command::new("rustup");
    command.args(["run", toolchain, "cargo", "fuzz"]).current_dir(crate::root().join("fuzz"));
    // The build tool runs under the main toolchain: its variables would win.
    command.env_remove("RUSTUP_TOOLCHAIN").env_remove("CARGO").env_remove("RUSTC");
    command
}

/// Installs the nightly and cargo-fuzz if they are missing.
fn install(toolchain: &str) -> Result<(), String> {
    let have =
        |command: &mut Command| command.stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success());
    if !have(Command::new("rustup").args(["run", toolchain, "rustc", "--version"])) {
        exec::run(Command::new("rustup").args(["toolchain", "install", toolchain, "--profile", "minimal"]))?;
    }
    if !have(fuzz_command(toolchain).arg("--version")) {
        exec::run(Command::new("rustup").args(["run", toolchain, "cargo", "install", "cargo-fuzz", "--locked"]))?;
    }
    Ok(())
}

/// The count of libFuzzer's last line `Done N runs in S second(s)`.
fn executions(stderr: &str) -> Option<u64> {
    stderr.lines().rev().find_map(|line| line.strip_prefix("Done ")?.split_whitespace().next()?.parse().ok())
}

#[cfg(test)]
mod tests {
    #[test]
    fn executions_come_from_libfuzzer_s_last_line() {
        let stderr = "#1024\tpulse\n#906626\tDONE   cov: 223\nDone 906626 runs in 31 second(s)\n";
        assert_eq!(super::executions(stderr), Some(906_626));
        assert_eq!(super::executions("crashed\n"), None);
    }
}
