//! The boot volume of the UEFI loaders: which file goes where.
//!
//! ```text
//! \EFI\BOOT\BOOTX64.EFI   the loader (the removable-media path firmware boots)
//! \walos\cmdline          [--log L] [--env K=V]... [--initrd-at PATH] [--driver NAME]...
//!                         [--input IFACE] [--debug-exit] ENTRY [ARGS]
//! \walos\kernel.elf       efi-os only: the bare-metal kernel
//! \walos\initrd.tar       optional: the root file system
//! \srv\NAME.wasm          the service store: the entry and the services
//! ```
//!
//! The same volume becomes a directory (QEMU's `fat:rw:DIR`), a FAT image
//! (inside the ISO and the disk image).

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use crate::Loader;

/// Where the loader is on the volume.
pub const BOOT_FILE: &str = "EFI/BOOT/BOOTX64.EFI";
/// Where the kernel command line is.
pub const CMDLINE_FILE: &str = "walos/cmdline";
/// Where efi-os finds its kernel.
pub const KERNEL_FILE: &str = "walos/kernel.elf";
/// Where the optional initrd is.
pub const INITRD_FILE: &str = "walos/initrd.tar";
/// The directory of the service store.
pub const SERVICE_DIR: &str = "srv";

/// The kernel command line (`walos_kernel::boot::BootArgs` parses it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmdline {
    /// The kernel log level; `None` keeps the kernel's default (warn).
    pub log: Option<String>,
    pub env: Vec<(String, String)>,
    /// Where efi-os mounts the initrd; `None` keeps the kernel's default
    /// (`/`).
    pub initrd_at: Option<String>,
    /// Report the exit status to QEMU's `isa-debug-exit` device.
    pub debug_exit: bool,
    /// The driver services, allowed the `x86` interface (`--driver`).
    pub drivers: Vec<String>,
    /// The interface whose `getc` is the console's stdin (`--input`).
    pub input: Option<String>,
    /// The entry program's name in the service store.
    pub entry: String,
    pub args: Vec<String>,
}

impl Cmdline {
    /// The command line of `loader` by default: on efi-os, the keyboard
    /// reaches stdin through the wasm services of [`Loader::input_services`]
    /// (`--driver ps2kbd --input stdio`); efi-app reads the firmware's
    /// console input.
    pub fn for_loader(loader: Loader, entry: impl Into<String>) -> Cmdline {
        let mut cmdline = Cmdline::new(entry);
        if loader == Loader::EfiOs {
            cmdline.drivers = vec![crate::KEYBOARD_DRIVER.into()];
            cmdline.input = Some(crate::INPUT_INTERFACE.into());
        }
        cmdline
    }

    pub fn new(entry: impl Into<String>) -> Cmdline {
        Cmdline {
            log: None,
            env: Vec::new(),
            initrd_at: None,
            debug_exit: false,
            drivers: Vec::new(),
            input: None,
            entry: entry.into(),
            args: Vec::new(),
        }
    }

    /// The line, or what cannot be put on it: words are separated by white
    /// space and there is no quoting.
    pub fn line(&self) -> Result<String, String> {
        let mut words = Vec::new();
        if let Some(log) = &self.log {
            words.extend(["--log".to_string(), log.clone()]);
        }
        for (name, value) in &self.env {
            if name.is_empty() || name.contains('=') {
                return Err(format!("environment variable name `{name}`: it must be non-empty, without `=`"));
            }
            words.extend(["--env".to_string(), format!("{name}={value}")]);
        }
        if let Some(path) = &self.initrd_at {
            words.extend(["--initrd-at".to_string(), path.clone()]);
        }
        for driver in &self.drivers {
            words.extend(["--driver".to_string(), driver.clone()]);
        }
        if let Some(input) = &self.input {
            words.extend(["--input".to_string(), input.clone()]);
        }
        if self.debug_exit {
            words.push("--debug-exit".into());
        }
        if self.entry.is_empty() || self.entry.starts_with("--") {
            return Err(format!("`{}` cannot be an entry program name", self.entry));
        }
        words.push(self.entry.clone());
        words.extend(self.args.iter().cloned());
        if let Some(bad) = words.iter().find(|w| w.is_empty() || w.chars().any(char::is_whitespace)) {
            return Err(format!(
                "`{bad}` cannot go on the kernel command line: words are separated by white space, without quoting"
            ));
        }
        Ok(words.join(" ") + "\n")
    }
}

/// Where a file's bytes come from.
#[derive(Debug, Clone)]
enum Content {
    File(PathBuf),
    Bytes(Vec<u8>),
}

/// The files of a boot volume, by path (`/`-separated, relative).
#[derive(Debug, Clone, Default)]
pub struct Volume {
    files: BTreeMap<String, Content>,
}

/// A failure while building a volume or an image, naming the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

fn io_error(what: impl fmt::Display) -> impl FnOnce(std::io::Error) -> Error {
    move |err| Error(format!("{what}: {err}"))
}

impl Volume {
    /// A volume booting `loader` (built in `target_dir`) with this command
    /// line; add the services next.
    pub fn new(loader: Loader, target_dir: &Path, cmdline: &Cmdline) -> Result<Volume, Error> {
        let mut volume = Volume::default();
        for (path, built) in loader.artefacts(target_dir) {
            if !built.is_file() {
                return Err(Error(format!(
                    "the {loader} loader is not built: {} is missing (`cargo xtask build` builds it)",
                    built.display()
                )));
            }
            volume.files.insert(path.into(), Content::File(built));
        }
        let line = cmdline.line().map_err(Error)?;
        volume.files.insert(CMDLINE_FILE.into(), Content::Bytes(line.into_bytes()));
        Ok(volume)
    }

    /// Adds the module `wasm` to the service store as `NAME`
    /// (`\srv\NAME.wasm`).
    pub fn service(&mut self, name: &str, wasm: &Path) -> Result<(), Error> {
        let valid = !name.is_empty()
            && !name.starts_with('.')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid {
            return Err(Error(format!("`{name}` is not a service name (letters, digits, `-`, `_` and `.` only)")));
        }
        if !wasm.is_file() {
            return Err(Error(format!("service `{name}`: {} is not a file", wasm.display())));
        }
        self.files.insert(format!("{SERVICE_DIR}/{name}.wasm"), Content::File(wasm.to_path_buf()));
        Ok(())
    }

    /// Adds a root file system for the kernel.
    pub fn initrd(&mut self, tar: &Path) {
        self.files.insert(INITRD_FILE.into(), Content::File(tar.to_path_buf()));
    }

    /// The paths on the volume, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    fn read(path: &str, content: &Content) -> Result<Vec<u8>, Error> {
        match content {
            Content::File(file) => std::fs::read(file).map_err(io_error(format_args!("{path} ({})", file.display()))),
            Content::Bytes(bytes) => Ok(bytes.clone()),
        }
    }

    /// Writes the volume's files below `dir` (created if needed).
    pub fn write_dir(&self, dir: &Path) -> Result<(), Error> {
        for (path, content) in &self.files {
            let out = dir.join(path);
            let parent = out.parent().expect("volume paths are below the root");
            std::fs::create_dir_all(parent).map_err(io_error(parent.display()))?;
            match content {
                Content::File(file) => std::fs::copy(file, &out).map(drop).map_err(io_error(format_args!(
                    "copy {} to {}",
                    file.display(),
                    out.display()
                )))?,
                Content::Bytes(bytes) => std::fs::write(&out, bytes).map_err(io_error(out.display()))?,
            }
        }
        Ok(())
    }

    /// The volume as a FAT file system image, sized to fit.
    pub fn fat_image(&self) -> Result<Vec<u8>, Error> {
        let mut contents = Vec::new();
        for (path, content) in &self.files {
            contents.push((path.as_str(), Volume::read(path, content)?));
        }
        let data: usize = contents.iter().map(|(_, bytes)| bytes.len()).sum();
        // Room for the FATs, directories and cluster slack; at least 8 MiB,
        // rounded to whole MiB.
        let size = (data + data / 4 + (4 << 20)).max(8 << 20).next_multiple_of(1 << 20);
        let mut image = Cursor::new(vec![0u8; size]);
        let fat_error = |err: std::io::Error| Error(format!("FAT image: {err}"));
        fatfs::format_volume(&mut image, fatfs::FormatVolumeOptions::new().volume_label(*b"WALOS      "))
            .map_err(fat_error)?;
        {
            let fs = fatfs::FileSystem::new(&mut image, fatfs::FsOptions::new()).map_err(fat_error)?;
            for (path, bytes) in &contents {
                let (dirs, name) = path.rsplit_once('/').map_or(("", *path), |(d, n)| (d, n));
                let mut dir = fs.root_dir();
                for part in dirs.split('/').filter(|p| !p.is_empty()) {
                    dir = dir.create_dir(part).map_err(fat_error)?;
                }
                let mut file = dir.create_file(name).map_err(fat_error)?;
                file.truncate().map_err(fat_error)?;
                file.write_all(bytes).map_err(fat_error)?;
            }
            fs.unmount().map_err(fat_error)?;
        }
        Ok(image.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines() {
        let mut cmdline = Cmdline::new("hello");
        assert_eq!(cmdline.line().unwrap(), "hello\n");
        cmdline.log = Some("info".into());
        cmdline.env.push(("A".into(), "1=2".into()));
        cmdline.initrd_at = Some("/data".into());
        cmdline.debug_exit = true;
        cmdline.drivers = vec!["ps2kbd".into()];
        cmdline.input = Some("stdio".into());
        cmdline.args = vec!["x".into(), "--log".into()];
        assert_eq!(
            cmdline.line().unwrap(),
            "--log info --env A=1=2 --initrd-at /data --driver ps2kbd --input stdio --debug-exit hello x --log\n"
        );
        cmdline.args.push("two words".into());
        assert_eq!(
            cmdline.line().unwrap_err(),
            "`two words` cannot go on the kernel command line: words are separated by white space, without quoting"
        );
        assert!(Cmdline::new("--x").line().unwrap_err().contains("cannot be an entry program name"));
    }

    #[test]
    fn services_are_checked() {
        let mut volume = Volume::default();
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert!(volume.service("../x", here).unwrap_err().0.contains("is not a service name"));
        let err = volume.service("x", Path::new("/nonexistent/x.wasm")).unwrap_err();
        assert_eq!(err.0, "service `x`: /nonexistent/x.wasm is not a file");
    }

    #[test]
    fn a_missing_loader_is_named() {
        let err = Volume::new(Loader::EfiApp, Path::new("/nonexistent/target"), &Cmdline::new("hello")).unwrap_err();
        assert!(err.0.starts_with("the efi-app loader is not built: /nonexistent/target/"), "{err}");
        assert!(err.0.ends_with("is missing (`cargo xtask build` builds it)"), "{err}");
    }

    #[test]
    fn fat_images_hold_the_files() {
        let mut volume = Volume::default();
        volume.files.insert("a/b/c.txt".into(), Content::Bytes(b"deep".to_vec()));
        volume.files.insert("top".into(), Content::Bytes(vec![7; 100_000]));
        let image = volume.fat_image().unwrap();
        let fs = fatfs::FileSystem::new(Cursor::new(image), fatfs::FsOptions::new()).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut fs.root_dir().open_file("a/b/c.txt").unwrap(), &mut text).unwrap();
        assert_eq!(text, "deep");
        let mut top = Vec::new();
        std::io::Read::read_to_end(&mut fs.root_dir().open_file("top").unwrap(), &mut top).unwrap();
        assert_eq!(top, vec![7; 100_000]);
    }
}
