//! The boot volume: the files the kernel needs, read while boot services
//! last.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use uefi::fs::{FileSystem, PathBuf};
use uefi::{CString16, boot};
use walos_efi_os_bootinfo::{Bytes, File};
use walos_uefi_boot::volume::{self, SERVICES};

/// The volume this stub was loaded from.
pub struct Volume {
    fs: FileSystem,
}

fn path(text: &str) -> Result<PathBuf, String> {
    CString16::try_from(text).map(PathBuf::from).map_err(|_| format!("`{text}` is not a UEFI path"))
}

impl Volume {
    pub fn open() -> Result<Volume, String> {
        let fs = boot::get_image_file_system(boot::image_handle())
            .map_err(|err| format!("cannot open the boot volume: {err}"))?;
        Ok(Volume { fs: FileSystem::new(fs) })
    }

    pub fn read(&mut self, name: &str) -> Result<Vec<u8>, String> {
        self.fs.read(path(name)?).map_err(|err| format!("cannot read {name}: {err}"))
    }

    /// `None` when the file does not exist.
    pub fn read_optional(&mut self, name: &str) -> Result<Option<Vec<u8>>, String> {
        match self.fs.try_exists(path(name)?) {
            Ok(true) => self.read(name).map(Some),
            _ => Ok(None),
        }
    }

    /// The first of `names` that is on the volume, with its contents.
    pub fn read_first(&mut self, names: &[&'static str]) -> Result<Option<(&'static str, Vec<u8>)>, String> {
        for &name in names {
            if let Some(data) = self.read_optional(name)? {
                return Ok(Some((name, data)));
            }
        }
        Ok(None)
    }

    /// Every `\srv\NAME.wasm`, named `NAME`.
    pub fn services(&mut self) -> Result<Vec<File>, String> {
        let entries = self.fs.read_dir(path(SERVICES)?).map_err(|err| format!("cannot list {SERVICES}: {err}"))?;
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|err| format!("cannot list {SERVICES}: {err}"))?;
            if let Some(name) = volume::service_name(&entry.file_name().to_string())
                && !entry.is_directory()
            {
                names.push(name.to_string());
            }
        }
        let mut files = Vec::with_capacity(names.len());
        for name in names {
            let data = self.read(&volume::service_path(&name))?;
            files.push(File { name: leak(name.into_bytes()), data: leak(data) });
        }
        Ok(files)
    }
}

/// Hands `data` over to the kernel: it stays where it is (UEFI loader
/// memory) for good.
pub fn leak(data: Vec<u8>) -> Bytes {
    let data = data.leak();
    Bytes { ptr: data.as_ptr(), len: data.len() }
}
