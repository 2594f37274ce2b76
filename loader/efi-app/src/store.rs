//! The service store of a UEFI machine: `\srv\NAME.wasm` on the volume
//! this application was loaded from (the ESP, the CD or the USB stick),
//! read when the kernel first needs the module.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use uefi::fs::{self, FileSystem, PathBuf};
use uefi::{CString16, Status, boot};
use walos_kernel::loader::{ServiceStore, StoreError};
use walos_uefi_boot::volume;

pub struct BootVolume {
    fs: FileSystem,
}

/// Why a file of the boot volume could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// There is no such file.
    NotFound,
    /// The path has characters UEFI's UCS-2 cannot write.
    NotUcs2,
    /// The file is not UTF-8 text ([`BootVolume::read_text`]).
    NotUtf8,
    /// The firmware failed otherwise.
    Firmware(fs::Error),
}

/// In words: the `uefi` crate's `Display` says only "IO error".
impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotFound => f.write_str("not found"),
            ReadError::NotUcs2 => f.write_str("not a UCS-2 path"),
            ReadError::NotUtf8 | ReadError::Firmware(fs::Error::Utf8Encoding(_)) => f.write_str("not UTF-8 text"),
            ReadError::Firmware(fs::Error::Io(io)) => write!(f, "{}: {}", io.context, io.uefi_error.status()),
            ReadError::Firmware(fs::Error::Path(path)) => write!(f, "bad path: {path}"),
        }
    }
}

impl From<fs::Error> for ReadError {
    fn from(error: fs::Error) -> ReadError {
        match error {
            fs::Error::Io(io) if io.uefi_error.status() == Status::NOT_FOUND => ReadError::NotFound,
            other => ReadError::Firmware(other),
        }
    }
}

impl BootVolume {
    /// The file system of the volume walos was loaded from.
    pub fn open() -> Result<BootVolume, uefi::Error> {
        let protocol = boot::get_image_file_system(boot::image_handle())?;
        Ok(BootVolume { fs: FileSystem::new(protocol) })
    }

    /// The whole file at `path` (a `\`-separated absolute path).
    pub fn read(&mut self, path: &str) -> Result<Vec<u8>, ReadError> {
        let name = CString16::try_from(path).map_err(|_| ReadError::NotUcs2)?;
        Ok(self.fs.read(PathBuf::from(name))?)
    }

    /// The file at `path` as UTF-8 text.
    pub fn read_text(&mut self, path: &str) -> Result<String, ReadError> {
        String::from_utf8(self.read(path)?).map_err(|_| ReadError::NotUtf8)
    }
}

impl ServiceStore for BootVolume {
    fn load(&mut self, name: &str) -> Result<Vec<u8>, StoreError> {
        if !volume::is_service_name(name) {
            return Err(StoreError::Io(format!(
                "`{name}` is not a module name (letters, digits, `-`, `_` and `.` only)"
            )));
        }
        let path = volume::service_path(name);
        self.read(&path).map_err(|err| match err {
            ReadError::NotFound => StoreError::NotFound,
            err => StoreError::Io(format!("{path}: {err}")),
        })
    }

    /// The `*.wasm` files of `\srv\` with a module name.
    fn names(&mut self) -> Vec<String> {
        let Ok(dir) = CString16::try_from(volume::SERVICES) else { return Vec::new() };
        let Ok(entries) = self.fs.read_dir(PathBuf::from(dir)) else { return Vec::new() };
        entries
            .flatten()
            .filter(|info| !info.is_directory())
            .filter_map(|info| volume::service_name(&info.file_name().to_string()).map(ToString::to_string))
            .collect()
    }
}
