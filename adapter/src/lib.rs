//! Write an adapter that lets the `airssys:core@1.0.0` conformance suite judge
//! your host, whatever wasmtime major it is built on.
//!
//! The suite starts your adapter as a process and speaks the adapter
//! protocol with it (`docs/adapter-protocol.md`): JSON lines on stdin and
//! stdout. This crate has the protocol's types, the stdio loop ([`serve`]) and
//! the [`Adapter`] trait you fill with your own wasmtime; it depends on no
//! wasmtime itself.
//!
//! A linker-only adapter implements [`Adapter::about`] and [`Adapter::check`]
//! (`Linker::instantiate_pre` on your registration): that is enough for every
//! name and signature trial. Implement `reset`, `load` and `invoke` as well
//! for the single-component behaviour trials, and `settle`, `logs` and
//! `restart` for the rest, and say so in [`About::supports`].
//!
//! ```no_run
//! use std::path::Path;
//! use airssys_conformance_adapter::{About, Adapter, Supports, serve};
//!
//! struct MyAdapter; // holds your Engine and Linker
//!
//! impl Adapter for MyAdapter {
//!     fn about(&self) -> About {
//!         About {
//!             adapter: "my-host-adapter".into(),
//!             version: env!("CARGO_PKG_VERSION").into(),
//!             host: "my-host 2.3.0".into(),
//!             wasmtime: "24.0.4".into(),
//!             supports: Supports::CHECK_ONLY,
//!         }
//!     }
//!     fn check(&mut self, component: &Path) -> Result<(), String> {
//!         // let component = Component::from_file(&self.engine, component)?;
//!         // self.linker.instantiate_pre(&component)?;
//!         Ok(())
//!     }
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     serve(MyAdapter)
//! }
//! ```

#![deny(missing_docs)]

mod protocol;
mod serve;

use std::path::Path;
use std::time::Duration;

pub use protocol::{
    About, Capabilities, ComponentId, Grant, Import, LogRecord, PROTOCOL_VERSION, Request,
    Response, Supports,
};
pub use serve::{handle, serve, serve_dyn};

/// Your host, as the suite drives it. Every error is the host's own text:
/// the suite puts it into its verdict as a detail.
///
/// Only `about` and `check` are required; the others answer "unsupported"
/// unless you implement them and declare them in [`About::supports`].
pub trait Adapter {
    /// Your adapter, your host and its wasmtime version.
    fn about(&self) -> About;

    /// Whether the component in the file `component` could be instantiated
    /// with your host's registration, as in production: WASI included if
    /// your host provides it. With wasmtime: `Component::from_file`, then
    /// `linker.instantiate_pre(&component)`; its error is the answer.
    fn check(&mut self, component: &Path) -> Result<(), String>;

    /// Drop every loaded component and all state: a freshly started host on
    /// fresh storage. Components loaded from now on get each of `traps` as a
    /// function that traps when called, in place of yours (with wasmtime 48:
    /// `linker.allow_shadowing(true)` and `func_new` that returns an error;
    /// wasmtime 24 cannot, see `docs/adapter-protocol.md`).
    fn reset(&mut self, traps: &[Import]) -> Result<(), String> {
        let _ = traps;
        Err(unsupported("reset"))
    }

    /// Instantiate the component in `component` as `id`, with `grant`, and
    /// call its `initialize` with an empty config.
    fn load(&mut self, id: &ComponentId, component: &Path, grant: Grant) -> Result<(), String> {
        let _ = (id, component, grant);
        Err(unsupported("load"))
    }

    /// [`load`](Self::load), with `budget` as the component's execution
    /// budget per call (`max-execution-time`) when it is `Some`. The default
    /// ignores the budget, so the component runs with your host's default;
    /// trials of budgets then take that long.
    fn load_within(
        &mut self,
        id: &ComponentId,
        component: &Path,
        grant: Grant,
        budget: Option<std::time::Duration>,
    ) -> Result<(), String> {
        let _ = budget;
        self.load(id, component, grant)
    }

    /// Call `id`'s `handle-message` with a message from [`suite_id`] carrying
    /// `payload` and `content_type`; what it returned, or why it failed.
    fn invoke(
        &mut self,
        id: &ComponentId,
        payload: &[u8],
        content_type: &str,
    ) -> Result<Option<Vec<u8>>, String> {
        let _ = (id, payload, content_type);
        Err(unsupported("invoke"))
    }

    /// Deliver queued messages, callbacks and due timeouts until nothing is
    /// queued or pending, for at most `limit`.
    fn settle(&mut self, limit: Duration) -> Result<(), String> {
        let _ = limit;
        Err(unsupported("settle"))
    }

    /// Every record your log sink received since the last `reset`, oldest first.
    fn logs(&mut self) -> Result<Vec<LogRecord>, String> {
        Err(unsupported("logs"))
    }

    /// Call `id`'s `shutdown` and drop it, as the host unloads a component:
    /// it is no longer a message target nor listed by `list-components`.
    fn unload(&mut self, id: &ComponentId) -> Result<(), String> {
        let _ = id;
        Err(unsupported("unload"))
    }

    /// Stop the host and start it again on the same storage, with no
    /// component loaded.
    fn restart(&mut self) -> Result<(), String> {
        Err(unsupported("restart"))
    }
}

fn unsupported(op: &str) -> String {
    format!("this adapter does not implement `{op}`")
}

/// The sender of the messages the suite sends with `invoke`.
pub fn suite_id() -> ComponentId {
    ComponentId {
        namespace: "airssys-conformance".into(),
        name: "suite".into(),
        instance: "0".into(),
    }
}
