//! The wasmtime `Engine` every component of a runtime shares, and the clock
//! that enforces execution budgets.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use wasmtime::{Config, Engine};

use crate::config::HostConfig;

/// The engine settings, each chosen on purpose:
/// - `concurrency_support(false)`: every call here is synchronous; wasmtime 43+
///   turns concurrency support on by default, which sets up per-store
///   structures that make synchronous component calls markedly slower.
/// - `epoch_interruption(true)`: a guest that loops ends its own call when its
///   `max-execution-time` runs out, without a signal handler (SEC-2, SVC-4).
///   An engine passed to [`RuntimeBuilder::engine`](super::RuntimeBuilder::engine)
///   must have it too: start from this `Config`.
/// - `consume_fuel`: only if the embedder wants `max-fuel` enforced.
pub fn engine_config(config: &HostConfig) -> Config {
    let mut engine = Config::new();
    engine.wasm_component_model(true);
    engine.concurrency_support(false);
    engine.epoch_interruption(true);
    engine.consume_fuel(config.fuel_metering);
    engine
}

/// A wasmtime engine with the settings of [`engine_config`].
pub fn new_engine(config: &HostConfig) -> wasmtime::Result<Engine> {
    Engine::new(&engine_config(config))
}

/// `Err(problem)` if `engine` lacks a setting [`engine_config`] makes: without
/// epoch interruption no loop ever ends; with fuel metering not as
/// `config.fuel_metering` says, every call runs out of fuel at once or no
/// `max-fuel` is enforced.
pub fn check(engine: &Engine, config: &HostConfig) -> Result<(), String> {
    if !engine.get_epoch_interruption() {
        return Err("has epoch interruption off, so no execution budget could end a loop".into());
    }
    if engine.get_consume_fuel() != config.fuel_metering {
        return Err(format!(
            "has consume_fuel {}, but HostConfig::fuel_metering is {}",
            engine.get_consume_fuel(),
            config.fuel_metering
        ));
    }
    Ok(())
}

/// Advances the engine's epoch every `tick` until dropped.
pub struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    /// Starts a thread (`airssys-epoch`) that advances `engine`'s epoch every
    /// `tick`; it ends when the ticker is dropped or the engine is gone.
    pub fn start(engine: &Engine, tick: Duration) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let engine = engine.weak();
        let thread = std::thread::Builder::new()
            .name("airssys-epoch".into())
            .spawn({
                let stop = stop.clone();
                move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::park_timeout(tick);
                        match engine.upgrade() {
                            Some(engine) => engine.increment_epoch(),
                            None => break,
                        }
                    }
                }
            })
            .expect("spawning the epoch thread");
        Self {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}
