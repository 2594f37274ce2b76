//! The service store of the Linux loader: host files, by name.

use std::collections::BTreeMap;
use std::path::PathBuf;

use walos_kernel::loader::{ServiceStore, StoreError};

/// Host files the kernel may load, each under a name.
#[derive(Debug, Default)]
pub struct FileStore {
    files: BTreeMap<String, PathBuf>,
}

impl FileStore {
    pub fn add(&mut self, name: impl Into<String>, path: impl Into<PathBuf>) {
        self.files.insert(name.into(), path.into());
    }
}

impl ServiceStore for FileStore {
    fn load(&mut self, name: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.files.get(name).ok_or(StoreError::NotFound)?;
        std::fs::read(path).map_err(|err| StoreError::Io(err.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_added_files_load() {
        let mut store = FileStore::default();
        store.add("gone", "/nonexistent/walos/file.wasm");
        assert_eq!(store.load("other"), Err(StoreError::NotFound));
        let Err(StoreError::Io(msg)) = store.load("gone") else { panic!("expected an I/O error") };
        assert!(msg.starts_with("No such file or directory"), "{msg}");
    }
}
