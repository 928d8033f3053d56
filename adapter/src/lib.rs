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
//! your host (`airssys-conformance --component FILE --adapter …`). One that
//! can tell a name registered exactly from one matched by semver implements
//! [`Adapter::check_exact`] and declares [`Supports::exact_names`]
//! (protocol 1.4): the suite then says how each name was found.
//!
//! ```no_run
//! use std::path::Path;
//! use airssys_conformance_adapter::{About, Adapter, AdapterError, Supports, serve};
//!
//! struct MyAdapter; // holds your Engine and Linker
//!
//! impl Adapter for MyAdapter {
//!     fn about(&self) -> About {
//!         About::new("my-host-adapter", env!("CARGO_PKG_VERSION"), "my-host 2.3.0", "24.0.4")
//!             .supporting(Supports::CHECK_ONLY)
//!     }
//!     fn check(&mut self, component: &Path) -> Result<(), AdapterError> {
//!         // wasmtime 24's errors (anyhow's) lift with `?`; a later
//!         // wasmtime's own `Error` with `.map_err(AdapterError::chain)?`:
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
//!
//! # Versions
//!
//! A protocol minor is a crate minor: the types that grow with the protocol
//! ([`Request`], [`Response`] and their variants, [`About`], [`Supports`],
//! [`Message`], [`Metadata`], [`Grant`], [`Capabilities`], [`Unsatisfied`],
//! [`SemverMatch`], [`LogRecord`], [`Import`], [`AdapterError`]) are `#[non_exhaustive]` and
//! built with constructors, and a new [`Runtime`] or [`Adapter`] method
//! comes with a default that answers `unsupported`. An adapter written
//! against this version keeps compiling when a field, an answer or an
//! operation is added. A new required method is a major (see `CHANGELOG.md`).

#![deny(missing_docs)]

mod error;
mod messages;
mod protocol;
mod serve;

use std::path::Path;
use std::time::Duration;

pub use error::{AdapterError, CheckRefusal};
pub use messages::{Request, Response};
pub use protocol::{
    About, Capabilities, ComponentId, Grant, Handler, Import, LogRecord, Message, Metadata,
    PROTOCOL_MINOR, PROTOCOL_VERSION, SemverMatch, Supports, Unsatisfied,
};
pub use serve::{handle, serve, serve_dyn};

/// What `handle-message` or `handle-callback` returned: `ok` with its
/// payload, if any, or `err` with its error in the host's words.
pub type Handled = Result<Option<Vec<u8>>, String>;

/// Your host, as the suite drives it. Every error is an [`AdapterError`]: the
/// host's own text, which the suite puts into its verdict as a detail, and
/// the imports it names, if any.
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
    /// `linker.instantiate_pre(&component)`; its error is the answer (`?`).
    ///
    /// The suite reads wasmtime's words for the import they quote. A host
    /// on another runtime, or one whose words differ, names the imports it
    /// could not satisfy as well (protocol 1.1), each by its full name
    /// ([`Unsatisfied::full_name`]): [`AdapterError::with_missing`] for one
    /// it does not provide, [`AdapterError::with_other_type`] for one it
    /// provides with another type.
    fn check(&mut self, component: &Path) -> Result<(), AdapterError>;

    /// [`check`](Self::check), answering `Ok` only if every import of the
    /// component is registered under exactly the name it imports (protocol
    /// 1.4, declared by [`Supports::exact_names`]): wasmtime's linker also
    /// links an import of `x@1.0.0` to a registration of `x@1.1.0`, the same
    /// semver track, which a runtime without semver matching would not. A
    /// component that does not instantiate at all is refused as `check`
    /// refuses it; one that instantiates only by semver is refused naming
    /// each such import with [`AdapterError::with_by_semver`]. By default:
    /// unsupported.
    fn check_exact(&mut self, component: &Path) -> Result<(), AdapterError> {
        let _ = component;
        Err(AdapterError::unsupported("check with exact_names"))
    }

    /// Drop every loaded component and all state: a freshly started host on
    /// fresh storage, whose [`Runtime`] serves the requests up to the next
    /// `reset`. Components loaded from now on get each of `traps` as a
    /// function that traps when called, in place of yours (with wasmtime 48:
    /// `linker.allow_shadowing(true)` and `func_new` that returns an error;
    /// wasmtime 24 cannot, see `docs/adapter-protocol.md`).
    fn reset(&mut self, traps: &[Import]) -> Result<(), AdapterError> {
        let _ = traps;
        Err(AdapterError::unsupported("reset"))
    }

    /// The runtime the last `reset` started; `None` before it, or when this
    /// adapter loads no components.
    fn runtime(&mut self) -> Option<&mut dyn Runtime<Component = Path>> {
        None
    }
}

/// The protocol's operations on a started host, one method each.
///
/// `load` and `invoke` are required: a runtime exists to run components.
/// Every other method has a default that answers
/// [`AdapterError::unsupported`], which [`serve`] sends as the protocol's
/// `unsupported`: implement the ones your host can do, and declare them in
/// [`About::supports`] (`runtime` for `settle`, `logs`, `unload` and
/// `restart`; `lifecycle` for `metadata` and `health`). An operation a later
/// protocol minor adds comes the same way, with such a default, so it breaks
/// no runtime; the suite asks for it only from adapters that declare it.
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
    ) -> Result<(), AdapterError>;

    /// Call `id`'s `handle-message` (or the export [`Message::export`]
    /// names) with `message`, stamped with the host's time. `Ok(Ok(reply))`:
    /// it returned `ok` (`handle-callback`'s carries no payload: `None`);
    /// `Ok(Err(error))`: it returned `err`, the error in the host's words, an
    /// answer (protocol 1.3 tells it from a trap); `Err(error)`: it did not
    /// answer (it trapped, or the host refused the call), naming with
    /// [`AdapterError::with_other_type`] an import whose answer the host
    /// could not give the component as the import's type (protocol 1.2).
    /// Before [`Supports::lifecycle`], only `payload` and `content_type` need
    /// be honoured: the suite sends nothing else.
    fn invoke(&mut self, id: &ComponentId, message: &Message) -> Result<Handled, AdapterError>;

    /// Call `id`'s `metadata` export; the record it returned, or why it
    /// failed ([`Supports::lifecycle`]). By default: unsupported.
    fn metadata(&mut self, id: &ComponentId) -> Result<Metadata, AdapterError> {
        let _ = id;
        Err(AdapterError::unsupported("metadata"))
    }

    /// Call `id`'s `health` export; the `health-status` case name it
    /// returned (e.g. `healthy`), or why it failed ([`Supports::lifecycle`]).
    /// By default: unsupported.
    fn health(&mut self, id: &ComponentId) -> Result<String, AdapterError> {
        let _ = id;
        Err(AdapterError::unsupported("health"))
    }

    /// Deliver queued messages, callbacks and due timeouts until nothing is
    /// queued or pending, for at most `limit` ([`Supports::runtime`]). By
    /// default: unsupported.
    fn settle(&mut self, limit: Duration) -> Result<(), AdapterError> {
        let _ = limit;
        Err(AdapterError::unsupported("settle"))
    }

    /// Every record your log sink received since the last `reset`, oldest
    /// first ([`Supports::runtime`]). By default: unsupported.
    fn logs(&mut self) -> Result<Vec<LogRecord>, AdapterError> {
        Err(AdapterError::unsupported("logs"))
    }

    /// Call `id`'s `shutdown` and drop it, as the host unloads a component:
    /// it is no longer a message target nor listed by `list-components`
    /// ([`Supports::runtime`]). By default: unsupported.
    fn unload(&mut self, id: &ComponentId) -> Result<(), AdapterError> {
        let _ = id;
        Err(AdapterError::unsupported("unload"))
    }

    /// Stop the host and start it again on the same storage, with no
    /// component loaded ([`Supports::runtime`]). By default: unsupported.
    fn restart(&mut self) -> Result<(), AdapterError> {
        Err(AdapterError::unsupported("restart"))
    }
}

/// The error of an operation this adapter does not implement, e.g.
/// `Err(unsupported("settle"))` from a [`Runtime`] that cannot deliver:
/// [`AdapterError::unsupported`].
pub fn unsupported(op: &str) -> AdapterError {
    AdapterError::unsupported(op)
}

/// The sender of the messages the suite sends with `invoke`.
pub fn suite_id() -> ComponentId {
    ComponentId::new("airssys-conformance", "suite", "0")
}
