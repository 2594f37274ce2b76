//! The boot volume of the UEFI loaders, as the build tool writes it:
//! which file goes where is [`walos_uefi_boot::volume`]'s, the command line
//! [`Cmdline`]'s.
//!
//! The same volume becomes a directory (QEMU's `fat:rw:DIR`), a FAT image
//! (inside the ISO and the disk image).

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use walos_uefi_boot::Cmdline;
use walos_uefi_boot::volume::{self as layout, relative};

use crate::Loader;

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
            volume.files.insert(relative(path), Content::File(built));
        }
        let line = cmdline.line().map_err(|err| Error(err.to_string()))?;
        volume.cmdline_text(line);
        Ok(volume)
    }

    /// Puts `line` in `\walos\cmdline` as it is, unchecked: for the tests
    /// of what a loader makes of a line that [`Cmdline`] cannot write.
    pub fn cmdline_text(&mut self, line: String) {
        self.files.insert(relative(layout::CMDLINE), Content::Bytes(line.into_bytes()));
    }

    /// Adds the module `wasm` to the service store as `NAME`
    /// (`\srv\NAME.wasm`).
    pub fn service(&mut self, name: &str, wasm: &Path) -> Result<(), Error> {
        if !layout::is_service_name(name) {
            return Err(Error(format!("`{name}` is not a service name (letters, digits, `-`, `_` and `.` only)")));
        }
        if !wasm.is_file() {
            return Err(Error(format!("service `{name}`: {} is not a file", wasm.display())));
        }
        self.files.insert(relative(&layout::service_path(name)), Content::File(wasm.to_path_buf()));
        Ok(())
    }

    /// Adds a root file system for the kernel: a tar archive, gzipped if
    /// its name ends with `.gz` (`\\walos\\initrd.tar.gz`).
    pub fn initrd(&mut self, tar: &Path) {
        let gzipped = tar.extension().is_some_and(|ext| ext == "gz");
        for path in layout::INITRDS {
            self.files.remove(&relative(path));
        }
        let path = if gzipped { layout::INITRD_GZ } else { layout::INITRD };
        self.files.insert(relative(path), Content::File(tar.to_path_buf()));
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
    fn the_files_go_where_the_loaders_look() {
        let mut volume = Volume::default();
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        volume.service("hello", &here.join("Cargo.toml")).unwrap();
        volume.initrd(&here.join("Cargo.toml"));
        volume.cmdline_text("--log loud hello\n".into());
        assert_eq!(volume.paths().collect::<Vec<_>>(), ["srv/hello.wasm", "walos/cmdline", "walos/initrd.tar"]);
        // A gzipped archive takes the place of a plain one.
        volume.initrd(Path::new("root.tar.gz"));
        assert_eq!(volume.paths().collect::<Vec<_>>(), ["srv/hello.wasm", "walos/cmdline", "walos/initrd.tar.gz"]);
        volume.initrd(&here.join("Cargo.toml"));
        let dir = std::env::temp_dir().join(format!("walos-qemu-volume-{}", std::process::id()));
        volume.write_dir(&dir).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("walos/cmdline")).unwrap(), "--log loud hello\n");
        std::fs::remove_dir_all(&dir).unwrap();
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
