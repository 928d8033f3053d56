//! Components the in-process adapter loads, compiled once per run and
//! cached on disk between runs, keyed by the engine's compatibility hash and
//! the component's bytes.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use wasmtime::Engine;
use wasmtime::component::Component;

/// Compiled components by the path they were read from, shared by every
/// connection to the same in-process host.
pub(crate) struct Components {
    engine: Engine,
    compiled: Mutex<HashMap<PathBuf, Component>>,
}

impl Components {
    pub fn new(engine: Engine) -> Self {
        Self {
            engine,
            compiled: Mutex::default(),
        }
    }

    pub fn get(&self, path: &Path) -> Result<Component, String> {
        if let Some(component) = self.compiled.lock().unwrap().get(path) {
            return Ok(component.clone());
        }
        let component = compile(&self.engine, path)?;
        self.compiled
            .lock()
            .unwrap()
            .insert(path.to_owned(), component.clone());
        Ok(component)
    }
}

fn cache_path(engine: &Engine, wasm_path: &Path, wasm: &[u8]) -> PathBuf {
    let mut hasher = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    wasm.hash(&mut hasher);
    wasm_path.with_extension(format!("{:016x}.cwasm", hasher.finish()))
}

fn compile(engine: &Engine, path: &Path) -> Result<Component, String> {
    let wasm = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let cached = cache_path(engine, path, &wasm);
    if cached.is_file() {
        // SAFETY: the file was written by `precompile_component` below for an
        // engine with the same compatibility hash (it is part of the name).
        if let Ok(component) = unsafe { Component::deserialize_file(engine, &cached) } {
            return Ok(component);
        }
    }
    let precompiled = engine
        .precompile_component(&wasm)
        .map_err(|e| format!("cannot compile {}: {e:#}", path.display()))?;
    // Written aside and renamed, so a concurrent run never reads half a file.
    let partial = cached.with_extension("partial");
    if std::fs::write(&partial, &precompiled).is_ok() {
        let _ = std::fs::rename(&partial, &cached);
    }
    // SAFETY: produced just above by this engine.
    unsafe { Component::deserialize(engine, &precompiled) }
        .map_err(|e| format!("cannot load {}: {e:#}", path.display()))
}
