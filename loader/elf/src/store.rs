//! The service store of the Linux loader: host files, by name.

use std::collections::BTreeMap;
use std::path::PathBuf;

use walos_kernel::loader::{ServiceStore, StoreError};

/// Host files (or modules already read) the kernel may load, each under a
/// name; other names are looked up as `NAME.wasm` in one directory (that of
/// the entry program, so that a program can start its siblings).
#[derive(Debug, Default)]
pub struct FileStore {
    files: BTreeMap<String, Stored>,
    dir: Option<PathBuf>,
}

/// What a name added to the store serves.
#[derive(Debug)]
enum Stored {
    /// A file, read when the kernel loads it.
    File(PathBuf),
    /// A module in memory: the entry, read (and compiled from text) before
    /// the kernel starts.
    Module(Vec<u8>),
}

impl FileStore {
    pub fn add(&mut self, name: impl Into<String>, path: impl Into<PathBuf>) {
        self.files.insert(name.into(), Stored::File(path.into()));
    }

    /// Serves `module` under `name`.
    pub fn add_module(&mut self, name: impl Into<String>, module: Vec<u8>) {
        self.files.insert(name.into(), Stored::Module(module));
    }

    /// Serves the names not added from `dir`.
    pub fn search(&mut self, dir: impl Into<PathBuf>) {
        self.dir = Some(dir.into());
    }

    /// `DIR/NAME.wasm` for a plain module name (letters, digits, `-`, `_`,
    /// `.`, not starting with `.`): nothing outside the directory.
    fn lookup(&self, name: &str) -> Option<PathBuf> {
        let plain = !name.is_empty()
            && !name.starts_with('.')
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        let file = if name.ends_with(".wasm") { name.to_string() } else { format!("{name}.wasm") };
        self.dir.as_ref().filter(|_| plain).map(|dir| dir.join(file)).filter(|path| path.is_file())
    }
}

impl ServiceStore for FileStore {
    fn load(&mut self, name: &str) -> Result<Vec<u8>, StoreError> {
        let path = match self.files.get(name) {
            Some(Stored::Module(module)) => return Ok(module.clone()),
            Some(Stored::File(path)) => path.clone(),
            None => self.lookup(name).ok_or(StoreError::NotFound)?,
        };
        std::fs::read(path).map_err(|err| StoreError::Io(err.to_string()))
    }

    /// The modules of the directory, by name, and the files added under a
    /// plain name (the entry program, added as a path, is in the directory).
    fn names(&mut self) -> Vec<String> {
        let mut names: Vec<String> = self.files.keys().filter(|name| !name.contains(['/', '\\'])).cloned().collect();
        let entries = self.dir.as_ref().and_then(|dir| std::fs::read_dir(dir).ok());
        for entry in entries.into_iter().flatten().flatten() {
            let file = entry.file_name();
            let name = file.to_str().and_then(|f| f.strip_suffix(".wasm")).unwrap_or("");
            if self.lookup(name).is_some() {
                names.push(name.to_string());
            }
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_added_files_load() {
        let mut store = FileStore::default();
        store.add("gone", "/nonexistent/walos/file.wasm");
        store.add_module("read", b"module".to_vec());
        assert_eq!(store.load("other"), Err(StoreError::NotFound));
        assert_eq!(store.load("read"), Ok(b"module".to_vec()));
        let Err(StoreError::Io(msg)) = store.load("gone") else { panic!("expected an I/O error") };
        assert!(msg.starts_with("No such file or directory"), "{msg}");
    }

    #[test]
    fn other_names_come_from_the_directory_and_stay_in_it() {
        let dir = std::env::temp_dir().join(format!("walos-store-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("tool.wasm"), b"tool").unwrap();
        std::fs::write(dir.join("sub/inner.wasm"), b"inner").unwrap();
        let mut store = FileStore::default();
        store.search(&dir);
        assert_eq!(store.load("tool"), Ok(b"tool".to_vec()));
        assert_eq!(store.names(), ["tool"]);
        assert_eq!(store.load("tool.wasm"), Ok(b"tool".to_vec()));
        for name in ["missing", "sub/inner", "../tool", ".", "", "/etc/passwd"] {
            assert_eq!(store.load(name), Err(StoreError::NotFound), "{name}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
