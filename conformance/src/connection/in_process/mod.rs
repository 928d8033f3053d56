//! The in-process way to test a host on the suite's own wasmtime: what a host
//! implementer provides, [`HostUnderTest`] and optionally a [`Runtime`] of
//! compiled components ([`ComponentRuntime`]), and the adapter the suite makes
//! of them, so that an in-process host is driven through the same protocol,
//! and the same [`Runtime`] trait, as an adapter process.

mod adapter;
pub(crate) use adapter::WASMTIME_VERSION;
mod bindings;
mod components;
pub(crate) mod exact_names;
mod linker_refusal;
pub(crate) mod linker_runtime;

use std::time::Duration;

use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine};

pub use airssys_conformance_adapter::Runtime;

pub use crate::wire::{Capabilities, ComponentId, Grant, LogRecord};

pub(crate) use adapter::InProcess;
pub(crate) use components::Components;

/// The host whose registration and behaviour the suite judges.
pub trait HostUnderTest: Send + Sync + 'static {
    /// The host's store data.
    type Data: Send + 'static;

    /// Shown in reports, e.g. `reference`.
    fn name(&self) -> String;

    /// Engine settings the host relies on (epoch interruption, fuel, …).
    fn configure_engine(&self, _config: &mut Config) {}

    /// Registers the host's functions on `linker` exactly as the host does in
    /// production, WASI included if the host supplies it.
    fn register(&self, linker: &mut Linker<Self::Data>) -> wasmtime::Result<()>;

    /// Store data for a component the suite instantiates itself, which the
    /// host should know as `id`, with `grant`, and with `budget` as its
    /// execution budget per call when it is `Some` (`load`'s `budget_ms`;
    /// a host that keeps its own budget instead fails SVC-4.2). A partial
    /// grant ([`Grant::Only`]) must give exactly its capabilities and
    /// patterns: the SEC-1.1 and SEC-1.2 trials check that nothing more is
    /// allowed.
    fn store_data(&self, id: &ComponentId, grant: Grant, budget: Option<Duration>) -> Self::Data;

    /// A runtime that loads components and delivers their messages, for the
    /// trials that need one (delivery, callbacks, the registry, the log sink,
    /// restarts). It must put `stubs` on its linker after the host's
    /// registration (see [`Stubs::apply`]). `None`: those trials are
    /// reported as ignored, never as passed.
    fn runtime(&self, _engine: &Engine, _stubs: &Stubs) -> Option<Box<ComponentRuntime>> {
        None
    }
}

/// A runtime that the suite loads compiled probe components into: the
/// adapter protocol's [`Runtime`], operation for operation.
pub type ComponentRuntime = dyn Runtime<Component = Component>;

/// Functions whose registration failed its name or signature trial. The
/// behaviour trials replace them with stubs that trap when called, so a
/// broken function fails its own trials and no others.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stubs {
    /// (instance, function) pairs.
    pub functions: Vec<(String, String)>,
}

impl Stubs {
    /// Defines each stub on `linker`, shadowing what the host registered there.
    pub fn apply<T: 'static>(&self, linker: &mut Linker<T>) -> wasmtime::Result<()> {
        if self.functions.is_empty() {
            return Ok(());
        }
        linker.allow_shadowing(true);
        for (instance, name) in &self.functions {
            let message = format!(
                "`{instance}`.`{name}` is stubbed by the conformance suite: its \
                 registration failed the name or signature trial"
            );
            linker
                .instance(instance)?
                .func_new(name, move |_, _, _, _| wasmtime::bail!("{message}"))?;
        }
        linker.allow_shadowing(false);
        Ok(())
    }
}

/// Serves `host` as an adapter process on stdin and stdout: the one-line
/// `main` of an adapter for a host on the suite's own wasmtime.
pub fn serve<H: HostUnderTest>(host: H) -> std::process::ExitCode {
    let name = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.file_stem()?.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "airssys_conformance::serve".into());
    let adapter = InProcess::maker(host, name).and_then(|make| make());
    match adapter {
        Ok(mut adapter) => airssys_conformance_adapter::serve_dyn(adapter.as_mut()),
        Err(why) => {
            eprintln!("error: the host cannot be served: {why}");
            std::process::ExitCode::FAILURE
        }
    }
}
