//! The service store of a UEFI machine: `\srv\NAME.wasm` on the volume
//! this application was loaded from (the ESP, the CD or the USB stick),
//! read when the kernel first needs the module.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use uefi::fs::{Error, FileSystem, PathBuf};
use uefi::{CString16, Status, boot};
use walos_kernel::loader::{ServiceStore, StoreError};
use walos_uefi_boot::volume;

/// What [`BootVolume::read`] says of a missing file.
pub const NOT_FOUND: &str = "not found";

pub struct BootVolume {
    fs: FileSystem,
}

impl BootVolume {
    /// The file system of the volume walos was loaded from.
    pub fn open() -> Result<BootVolume, uefi::Error> {
        let protocol = boot::get_image_file_system(boot::image_handle())?;
        Ok(BootVolume { fs: FileSystem::new(protocol) })
    }

    /// The whole file at `path` (a `\`-separated absolute path).
    pub fn read(&mut self, path: &str) -> Result<Vec<u8>, String> {
        let name = CString16::try_from(path).map_err(|_| "not a UCS-2 path".to_string())?;
        self.fs.read(PathBuf::from(name)).map_err(describe)
    }

    /// The file at `path` as UTF-8 text.
    pub fn read_text(&mut self, path: &str) -> Result<String, String> {
        String::from_utf8(self.read(path)?).map_err(|_| "not UTF-8 text".to_string())
    }
}

/// What went wrong, in words (the crate's `Display` says only "IO error").
fn describe(error: Error) -> String {
    match error {
        Error::Io(io) if io.uefi_error.status() == Status::NOT_FOUND => NOT_FOUND.to_string(),
        Error::Io(io) => format!("{}: {}", io.context, io.uefi_error.status()),
        Error::Path(path) => format!("bad path: {path}"),
        Error::Utf8Encoding(_) => "not UTF-8 text".to_string(),
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
        self.read(&path).map_err(|err| match err.as_str() {
            NOT_FOUND => StoreError::NotFound,
            _ => StoreError::Io(format!("{path}: {err}")),
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
