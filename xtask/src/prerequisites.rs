//! The system packages a command needs: `xtask/prerequisites.sh` checks them,
//! and installs the missing ones, before anything is built. The Makefile runs
//! the same script first (before this tool is even compiled), so `make` and
//! `cargo xtask` stop alike.

use std::process::Command;

use crate::root;

/// What packages are for, as the script names them.
#[derive(Debug, Clone, Copy)]
pub enum Purpose {
    /// The C-to-wasm toolchain: any build of the wasm programs.
    Wasm,
    /// QEMU and OVMF: the UEFI loaders.
    Qemu,
    /// xorriso (and mtools): the bootable images.
    Image,
    /// Everything `test` needs.
    Test,
}

impl Purpose {
    fn name(self) -> &'static str {
        match self {
            Purpose::Wasm => "wasm",
            Purpose::Qemu => "qemu",
            Purpose::Image => "image",
            Purpose::Test => "test",
        }
    }
}

/// Checks (and installs) what `purposes` need, with what Rust's own builds
/// need. When something is missing and cannot be installed, the script has
/// said what and how to get it: the tool exits with its status, adding
/// nothing, as `make` does.
pub fn check(purposes: &[Purpose]) -> Result<(), String> {
    let script = root().join("xtask/prerequisites.sh");
    let status = Command::new("sh")
        .arg(&script)
        .args(purposes.iter().map(|p| p.name()))
        .status()
        .map_err(|err| format!("cannot run `sh {}`: {err}", script.display()))?;
    if !status.success() {
        std::process::exit(status.code().unwrap_or(1));
    }
    Ok(())
}
