//! Compiled code kept outside the process: the persistent cache of compiled
//! modules and the precompiled artifacts of `walos compile` (`.cwasm`, the
//! wasmtime format), both loaded with wasmtime's own check that the code
//! fits this engine's version and configuration.
//!
//! Deserializing compiled code runs whatever it holds, so only code that
//! walos wrote (the cache directory) or that the user named on the command
//! line ([`Artifacts::trust`]) is ever deserialized; a guest handing the
//! kernel other precompiled bytes (`proc.spawn_module`) gets an error.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Instant;

use sha2::{Digest, Sha256};
use walos_engine as api;

/// What happened to a module on its way in, for the loader's log. `key`
/// names the cache entry: the module's digest and its configuration's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheEvent {
    /// Loaded from the cache: not compiled.
    Hit {
        /// The entry.
        key: String,
    },
    /// Compiled and saved.
    Compiled {
        /// The entry.
        key: String,
        /// How long compiling took, in milliseconds.
        ms: u128,
    },
    /// The entry could not be used: compiled again and rewritten.
    Corrupt {
        /// The entry.
        key: String,
        /// What wasmtime said of it.
        why: String,
    },
    /// The compiled module could not be saved; it runs anyway.
    NotSaved {
        /// The entry.
        key: String,
        /// What failed.
        why: String,
    },
}

impl std::fmt::Display for CacheEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CacheEvent::Hit { key } => write!(f, "loaded from the cache ({key})"),
            CacheEvent::Compiled { key, ms } => write!(f, "compiled in {ms} ms, cached as {key}"),
            CacheEvent::Corrupt { key, why } => write!(f, "cache entry {key} unusable ({why}): compiled again"),
            CacheEvent::NotSaved { key, why } => write!(f, "cannot save cache entry {key}: {why}"),
        }
    }
}

/// Where compiled modules are kept, and who hears about it.
pub struct Cache {
    dir: PathBuf,
    report: Box<dyn Fn(&CacheEvent)>,
}

impl Cache {
    /// A cache in `dir` (made on first write); `report` hears of every
    /// hit, compilation and failure.
    pub fn new(dir: PathBuf, report: impl Fn(&CacheEvent) + 'static) -> Self {
        Cache { dir, report: Box::new(report) }
    }
}

/// The compiled code an engine may load besides compiling wasm.
#[derive(Default)]
pub(crate) struct Artifacts {
    pub cache: Option<Cache>,
    /// Digests of the precompiled artifacts the user named.
    trusted: RefCell<BTreeSet<[u8; 32]>>,
}

impl Artifacts {
    /// Lets precompiled `bytes` be loaded: the loader read them from a file
    /// the user named.
    pub fn trust(&self, bytes: &[u8]) {
        self.trusted.borrow_mut().insert(digest(bytes));
    }

    /// `bytes` as a module: a trusted precompiled artifact, a cache entry,
    /// or compiled (and cached).
    pub fn module(&self, engine: &wasmtime::Engine, bytes: &[u8]) -> Result<wasmtime::Module, api::Error> {
        let refused = |message| api::Error::refused("wasmtime", message);
        if is_precompiled(bytes) {
            return self.precompiled(engine, bytes);
        }
        let Some(cache) = &self.cache else {
            return compile(engine, bytes).map_err(refused);
        };
        let key = key(engine, bytes);
        let path = cache.dir.join(format!("{key}.cwasm"));
        if path.exists() {
            // SAFETY: the cache directory holds only what `save` wrote from
            // wasmtime's own serialization; wasmtime checks its version and
            // configuration, and a damaged file fails to load (the entry is
            // then rewritten).
            match unsafe { wasmtime::Module::deserialize_file(engine, &path) } {
                Ok(module) => {
                    (cache.report)(&CacheEvent::Hit { key });
                    return Ok(module);
                }
                Err(err) => {
                    (cache.report)(&CacheEvent::Corrupt { key: key.clone(), why: err.root_cause().to_string() })
                }
            }
        }
        let started = Instant::now();
        let module = compile(engine, bytes).map_err(refused)?;
        let ms = started.elapsed().as_millis();
        match save(&module, &cache.dir, &path) {
            Ok(()) => (cache.report)(&CacheEvent::Compiled { key, ms }),
            Err(why) => (cache.report)(&CacheEvent::NotSaved { key, why }),
        }
        Ok(module)
    }

    fn precompiled(&self, engine: &wasmtime::Engine, bytes: &[u8]) -> Result<wasmtime::Module, api::Error> {
        if !self.trusted.borrow().contains(&digest(bytes)) {
            return Err(api::Error::Invalid(
                "precompiled code is only run from a file named on the command line".into(),
            ));
        }
        // SAFETY: the user named this file to run (as `wasmtime run
        // FILE.cwasm`); wasmtime checks that it was compiled by this
        // version with a compatible configuration.
        unsafe { wasmtime::Module::deserialize(engine, bytes) }
            .map_err(|err| api::Error::Incompatible(err.root_cause().to_string()))
    }
}

/// Whether `bytes` are wasmtime's precompiled module rather than wasm.
pub fn is_precompiled(bytes: &[u8]) -> bool {
    matches!(wasmtime::Engine::detect_precompiled(bytes), Some(wasmtime::Precompiled::Module))
}

fn compile(engine: &wasmtime::Engine, bytes: &[u8]) -> Result<wasmtime::Module, String> {
    wasmtime::Module::new(engine, bytes).map_err(|err| err.root_cause().to_string())
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The cache key: the module's digest, and a hash of what makes compiled
/// code fit (wasmtime's version, its configuration, the target).
fn key(engine: &wasmtime::Engine, bytes: &[u8]) -> String {
    let mut config = std::hash::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut config);
    env!("CARGO_PKG_VERSION").hash(&mut config);
    let module: String = digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    format!("{module}-{:016x}", config.finish())
}

/// Writes `module` at `path` through a temporary file, so that a reader
/// never sees half an entry.
fn save(module: &wasmtime::Module, dir: &Path, path: &Path) -> Result<(), String> {
    let bytes = module.serialize().map_err(|err| err.to_string())?;
    std::fs::create_dir_all(dir).map_err(|err| format!("{}: {err}", dir.display()))?;
    let temp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&temp, bytes).map_err(|err| format!("{}: {err}", temp.display()))?;
    std::fs::rename(&temp, path).map_err(|err| format!("{}: {err}", path.display()))
}
