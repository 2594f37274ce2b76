//! The service store: the `\srv\*.wasm` files the stub read, by name.

use alloc::string::String;
use alloc::vec::Vec;

use walos_efi_os_bootinfo::File;
use walos_kernel::loader::{ServiceStore, StoreError};

pub struct BootStore {
    files: &'static [File],
}

impl BootStore {
    /// # Safety
    /// The files' names and data must stay valid for good.
    pub unsafe fn new(files: &'static [File]) -> BootStore {
        BootStore { files }
    }
}

impl ServiceStore for BootStore {
    fn load(&mut self, name: &str) -> Result<Vec<u8>, StoreError> {
        // SAFETY: per `new`.
        let found = self.files.iter().find(|file| unsafe { file.name.as_slice() } == name.as_bytes());
        // SAFETY: as above.
        found.map(|file| unsafe { file.data.as_slice() }.to_vec()).ok_or(StoreError::NotFound)
    }

    fn names(&mut self) -> Vec<String> {
        // SAFETY: per `new`.
        let names = self.files.iter().map(|file| unsafe { file.name.as_slice() });
        names.filter_map(|name| core::str::from_utf8(name).ok().map(String::from)).collect()
    }
}
