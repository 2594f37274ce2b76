//! Booting walos's UEFI loaders in QEMU, for the build tool (`cargo xtask
//! run`, `cargo xtask package`) and the tests alike.
//!
//! - [`Volume`]: the boot volume (loader, `\walos\cmdline`, `\srv\*.wasm`),
//!   written as a directory or a FAT image; where each file goes and the
//!   command line ([`Cmdline`]) are `walos_uefi_boot`'s, which the loaders
//!   read them with;
//! - [`image`]: the bootable ISO and raw GPT disk made from a volume;
//! - [`Qemu`]: the reference machine's command line (q35, OVMF, TCG), and
//!   what its exit code says ([`Exit`]);
//! - [`Monitor`]: typing keys and taking screenshots through QEMU's monitor.

pub mod image;
mod machine;
mod monitor;
mod volume;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

pub use machine::{Exit, Media, QEMU, Qemu, SerialTo, firmware, handoff_end, program_serial, qemu_binary};
pub use monitor::Monitor;
pub use volume::{Error, Volume};
pub use walos_uefi_boot::Cmdline;
use walos_uefi_boot::volume::{BOOT_LOADER, KERNEL_IMAGE};

/// The UEFI loaders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Loader {
    /// The kernel as a UEFI application that keeps boot services.
    EfiApp,
    /// A UEFI stub that exits boot services and starts the bare-metal
    /// kernel image (`\walos\kernel.elf`).
    EfiOs,
}

/// The keyboard driver service of efi-os (`srv/ps2kbd`): `hw:key_read` over
/// the `x86` interface.
pub const KEYBOARD_DRIVER: &str = "ps2kbd";
/// The interface that fills efi-os's stdin, `stdio:getc`, and the service
/// exporting it (`srv/stdin`).
pub const INPUT_INTERFACE: &str = "stdio";
pub const INPUT_SERVICE: &str = "stdin";

/// The target of the UEFI images.
pub const UEFI_TARGET: &str = "x86_64-unknown-uefi";
/// The target of efi-os's bare-metal kernel image.
pub const BARE_METAL_TARGET: &str = "x86_64-unknown-none";

impl Loader {
    pub const ALL: [Loader; 2] = [Loader::EfiApp, Loader::EfiOs];

    pub fn name(self) -> &'static str {
        match self {
            Loader::EfiApp => "efi-app",
            Loader::EfiOs => "efi-os",
        }
    }

    /// The command line of the loader by default: on efi-os, the keyboard
    /// reaches stdin through the wasm services of
    /// [`Loader::input_services`] (`--driver ps2kbd --input stdio`);
    /// efi-app reads the firmware's console input.
    pub fn cmdline(self, entry: impl Into<String>) -> Cmdline {
        let mut cmdline = Cmdline::new(entry);
        if self == Loader::EfiOs {
            cmdline.drivers = vec![KEYBOARD_DRIVER.into()];
            cmdline.input = Some(INPUT_INTERFACE.into());
        }
        cmdline
    }

    /// The services the loader's default command line needs in the
    /// service store: efi-os's keyboard chain (see [`Loader::cmdline`]).
    pub fn input_services(self) -> &'static [&'static str] {
        match self {
            Loader::EfiApp => &[],
            Loader::EfiOs => &[INPUT_SERVICE, KEYBOARD_DRIVER],
        }
    }

    /// The built files of the loader (release profile, below `target_dir`)
    /// and where each goes on the boot volume.
    pub fn artefacts(self, target_dir: &Path) -> Vec<(&'static str, PathBuf)> {
        let uefi = target_dir.join(UEFI_TARGET).join("release");
        match self {
            Loader::EfiApp => vec![(BOOT_LOADER, uefi.join("walos-efi-app.efi"))],
            Loader::EfiOs => vec![
                (BOOT_LOADER, uefi.join("walos-efi-os.efi")),
                (KERNEL_IMAGE, target_dir.join(BARE_METAL_TARGET).join("release").join("walos-efi-os-image")),
            ],
        }
    }
}

impl fmt::Display for Loader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Loader {
    type Err = String;

    fn from_str(name: &str) -> Result<Loader, String> {
        Loader::ALL
            .into_iter()
            .find(|loader| loader.name() == name)
            .ok_or_else(|| format!("unknown UEFI loader `{name}`: the UEFI loaders are efi-app and efi-os"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loaders_by_name() {
        assert_eq!("efi-app".parse(), Ok(Loader::EfiApp));
        assert_eq!("efi-os".parse(), Ok(Loader::EfiOs));
        assert_eq!(
            "elf".parse::<Loader>(),
            Err("unknown UEFI loader `elf`: the UEFI loaders are efi-app and efi-os".to_string())
        );
        let files = Loader::EfiOs.artefacts(Path::new("/t"));
        assert_eq!(files[1], (KERNEL_IMAGE, PathBuf::from("/t/x86_64-unknown-none/release/walos-efi-os-image")));
    }

    #[test]
    fn default_command_lines() {
        assert_eq!(Loader::EfiApp.cmdline("hello").line().unwrap(), "hello\n");
        assert_eq!(Loader::EfiOs.cmdline("hello").line().unwrap(), "--driver ps2kbd --input stdio hello\n");
        assert_eq!(Loader::EfiApp.cmdline("hello").efi_app_supports(), Ok(()));
    }
}
