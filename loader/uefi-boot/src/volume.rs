//! The boot volume of the UEFI loaders (a directory, the ISO, the disk
//! image): which file is where.
//!
//! ```text
//! \EFI\BOOT\BOOTX64.EFI   the loader (the removable-media path firmware boots)
//! \walos\cmdline          the kernel command line (see crate::cmdline)
//! \walos\kernel.elf       efi-os only: the bare-metal kernel image
//! \walos\initrd.tar       optional: the root file system
//! \walos\initrd.tar.gz    or the same, gzipped (read when there is no initrd.tar)
//! \srv\NAME.wasm          the service store: the entry and the services
//! ```
//!
//! Paths are written as UEFI and the loaders' messages write them:
//! absolute, `\`-separated. The build tool lays them out below a directory
//! or a FAT image's root with [`relative`].

use alloc::format;
use alloc::string::String;

/// The loader: what UEFI firmware boots from removable media.
pub const BOOT_LOADER: &str = "\\EFI\\BOOT\\BOOTX64.EFI";
/// The kernel command line.
pub const CMDLINE: &str = "\\walos\\cmdline";
/// efi-os's bare-metal kernel image, which its stub loads.
pub const KERNEL_IMAGE: &str = "\\walos\\kernel.elf";
/// The optional root file system: a tar archive.
pub const INITRD: &str = "\\walos\\initrd.tar";
/// The same, gzipped, as the original walos read it.
pub const INITRD_GZ: &str = "\\walos\\initrd.tar.gz";
/// Where the loaders look for the root file system, in this order: the
/// first file there is the one (the kernel tells a gzip by its content).
pub const INITRDS: [&str; 2] = [INITRD, INITRD_GZ];
/// The directory of the service store.
pub const SERVICES: &str = "\\srv";
/// How the file of a module in [`SERVICES`] ends.
const SERVICE_SUFFIX: &str = ".wasm";

/// Where module `name` is: `\srv\NAME.wasm`.
pub fn service_path(name: &str) -> String {
    format!("{SERVICES}\\{name}{SERVICE_SUFFIX}")
}

/// Module names are plain file names (letters, digits, `-`, `_` and `.`,
/// not starting with `.`): no directories, no `..`, nothing the command
/// line could not carry.
pub fn is_service_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The module a file of [`SERVICES`] holds: `NAME` of `NAME.wasm` (the
/// suffix in any case, as FAT file names are), if NAME is a module name.
pub fn service_name(file_name: &str) -> Option<&str> {
    let stem_len = file_name.len().checked_sub(SERVICE_SUFFIX.len())?;
    let suffix = file_name.get(stem_len..)?;
    let stem = &file_name[..stem_len];
    (suffix.eq_ignore_ascii_case(SERVICE_SUFFIX) && is_service_name(stem)).then_some(stem)
}

/// `path` relative to the volume's root, `/`-separated: where the build
/// tool puts the file below a directory or in a FAT image.
pub fn relative(path: &str) -> String {
    path.trim_start_matches('\\').replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(service_path("hello"), "\\srv\\hello.wasm");
        assert_eq!(relative(BOOT_LOADER), "EFI/BOOT/BOOTX64.EFI");
        assert_eq!(relative(CMDLINE), "walos/cmdline");
        assert_eq!(relative(&service_path("text")), "srv/text.wasm");
    }

    #[test]
    fn service_names() {
        assert!(is_service_name("hello-rs_2.x"));
        for bad in ["", ".hidden", "../x", "a/b", "a\\b", "two words", "é"] {
            assert!(!is_service_name(bad), "{bad}");
        }
        assert_eq!(service_name("hello.wasm"), Some("hello"));
        assert_eq!(service_name("SHOUT.WASM"), Some("SHOUT"));
        assert_eq!(service_name("notes.txt"), None);
        assert_eq!(service_name(".wasm"), None);
        assert_eq!(service_name("a b.wasm"), None);
        assert_eq!(service_name("wasm"), None);
    }
}
