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
//! name and signature trial. Implement [`Adapter::reset`] and a [`Runtime`]
//! that can `load` and `invoke` as well for the single-component behaviour
//! trials, and one that can `settle`, `logs`, `unload` and `restart` for the
//! rest, and say so in [`About::supports`]. One whose `invoke` honours a
//! whole [`Message`] (sender, correlation id, reply-to, `handle-callback`)
//! and that answers `metadata` and `health` declares
//! [`Supports::lifecycle`] (protocol 1.3): components can then be judged on
//! your host (`airssys-conformance --component FILE --adapter …`).
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
    About, Capabilities, CheckRefusal, ComponentId, Grant, Handler, Import, LogRecord, Message,
    Metadata, PROTOCOL_MINOR, PROTOCOL_VERSION, Request, Response, Supports, Unsatisfied,
};
pub use serve::{handle, serve, serve_dyn};

/// What `handle-message` or `handle-callback` returned: `ok` with its
/// payload, if any, or `err` with its error in the host's words.
pub type Handled = Result<Option<Vec<u8>>, String>;

/// Your host, as the suite drives it. Every error is the host's own text:
/// the suite puts it into its verdict as a detail.
///
/// Only `about` and `check` are required. An adapter that loads components
/// implements `reset` and `runtime` as well, and declares what its
/// [`Runtime`] can do in [`About::supports`].
pub trait Adapter {
    /// Your adapter, your host and its wasmtime version.
    fn about(&self) -> About;

    /// Whether the component in the file `component` could be instantiated
    /// with your host's registration, as in production: WASI included if
    /// your host provides it. With wasmtime: `Component::from_file`, then
    /// `linker.instantiate_pre(&component)`; its error is the answer.
    fn check(&mut self, component: &Path) -> Result<(), String>;

    /// [`check`](Self::check), naming the imports your host could not satisfy
    /// (protocol 1.1): what [`serve`] answers. By default your `check`'s words
    /// alone, which the suite reads for wasmtime's wording only; a host on
    /// another runtime, or one whose words differ, names them here, each by
    /// its full name ([`Unsatisfied::full_name`]).
    fn check_imports(&mut self, component: &Path) -> Result<(), CheckRefusal> {
        self.check(component).map_err(CheckRefusal::from)
    }

    /// Drop every loaded component and all state: a freshly started host on
    /// fresh storage, whose [`Runtime`] serves the requests up to the next
    /// `reset`. Components loaded from now on get each of `traps` as a
    /// function that traps when called, in place of yours (with wasmtime 48:
    /// `linker.allow_shadowing(true)` and `func_new` that returns an error;
    /// wasmtime 24 cannot, see `docs/adapter-protocol.md`).
    fn reset(&mut self, traps: &[Import]) -> Result<(), String> {
        let _ = traps;
        Err(unsupported("reset"))
    }

    /// The runtime the last `reset` started; `None` before it, or when this
    /// adapter loads no components.
    fn runtime(&mut self) -> Option<&mut dyn Runtime<Component = Path>> {
        None
    }
}

/// The protocol's operations on a started host, one method each and none
/// with a default: an operation added to the protocol fails to compile in
/// every runtime until that runtime answers it. A runtime that cannot do one
/// says so in its error, and leaves it out of [`About::supports`].
///
/// An adapter's runtime takes components as files (`Component = Path`); a
/// host in the suite's own process takes them compiled, by the same trait.
pub trait Runtime {
    /// How a component to load is given.
    type Component: ?Sized;

    /// Instantiate `component` as `id`, with `grant` (partial grants
    /// included, when [`Supports::grants`]), and call its `initialize` with
    /// an empty config. `budget`, when `Some`, is its execution budget per
    /// call (`max-execution-time`); `None`: your host's default.
    fn load(
        &mut self,
        id: &ComponentId,
        component: &Self::Component,
        grant: Grant,
        budget: Option<Duration>,
    ) -> Result<(), String>;

    /// Call `id`'s `handle-message` (or the export [`Message::export`]
    /// names) with `message`, stamped with the host's time. `Ok(Ok(reply))`:
    /// it returned `ok` (`handle-callback`'s carries no payload: `None`);
    /// `Ok(Err(error))`: it returned `err`, the error in the host's words, an
    /// answer (protocol 1.3 tells it from a trap); `Err(reason)`: it did not
    /// answer (it trapped, or the host refused the call). Before
    /// [`Supports::lifecycle`], only `payload` and `content_type` need be
    /// honoured: the suite sends nothing else.
    fn invoke(&mut self, id: &ComponentId, message: &Message) -> Result<Handled, String>;

    /// Call `id`'s `metadata` export; the record it returned, or why it
    /// failed ([`Supports::lifecycle`]).
    fn metadata(&mut self, id: &ComponentId) -> Result<Metadata, String>;

    /// Call `id`'s `health` export; the `health-status` case name it
    /// returned (e.g. `healthy`), or why it failed ([`Supports::lifecycle`]).
    fn health(&mut self, id: &ComponentId) -> Result<String, String>;

    /// Deliver queued messages, callbacks and due timeouts until nothing is
    /// queued or pending, for at most `limit`.
    fn settle(&mut self, limit: Duration) -> Result<(), String>;

    /// Every record your log sink received since the last `reset`, oldest first.
    fn logs(&mut self) -> Result<Vec<LogRecord>, String>;

    /// Call `id`'s `shutdown` and drop it, as the host unloads a component:
    /// it is no longer a message target nor listed by `list-components`.
    fn unload(&mut self, id: &ComponentId) -> Result<(), String>;

    /// Stop the host and start it again on the same storage, with no
    /// component loaded.
    fn restart(&mut self) -> Result<(), String>;
}

/// The error of an operation this adapter does not implement, e.g.
/// `Err(unsupported("settle"))` from a [`Runtime`] that cannot deliver.
pub fn unsupported(op: &str) -> String {
    format!("this adapter does not implement `{op}`")
}

/// The sender of the messages the suite sends with `invoke`.
pub fn suite_id() -> ComponentId {
    ComponentId::new("airssys-conformance", "suite", "0")
}
