//! The probe components, compiled once per run and cached on disk between
//! runs, keyed by the engine's compatibility hash and the component's bytes.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use wasmtime::Engine;
use wasmtime::component::Component;

/// The probes the behaviour trials load.
#[derive(Clone)]
pub struct Guests {
    pub storage: Component,
    pub messaging: Component,
    pub services: Component,
}

impl Guests {
    pub fn compile(engine: &Engine) -> Result<Self, String> {
        Ok(Self {
            storage: compile(engine, airssys_guests::STORAGE_PROBE)?,
            messaging: compile(engine, airssys_guests::MESSAGING_PROBE)?,
            services: compile(engine, airssys_guests::SERVICES_PROBE)?,
        })
    }
}

fn cache_path(engine: &Engine, wasm_path: &Path, wasm: &[u8]) -> PathBuf {
    let mut hasher = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    wasm.hash(&mut hasher);
    wasm_path.with_extension(format!("{:016x}.cwasm", hasher.finish()))
}

fn compile(engine: &Engine, path: &str) -> Result<Component, String> {
    let path = Path::new(path);
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
