//! Write components for the `airssys:core@1.0.0` contract in plain Rust, and
//! unit-test them with plain `cargo test`.
//!
//! The SDK carries the contract's WIT and its bindings: a component needs no
//! WIT files, no `wit-bindgen` dependency and no `[package.metadata.component]`.
//!
//! # Five minutes to a component
//!
//! **1. A library crate that builds a `cdylib`:**
//!
//! ```toml
//! [package]
//! name = "counter"
//! version = "0.1.0"
//! edition = "2024"
//!
//! [lib]
//! crate-type = ["cdylib"]
//!
//! [dependencies]
//! airssys-guest = { path = "../guest-sdk" }
//! ```
//!
//! **2. Implement [`Component`]; only `handle_message` is required.**
//!
//! ```
//! use airssys_guest::{Component, Error, Message, storage};
//!
//! struct Counter;
//!
//! impl Component for Counter {
//!     fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error> {
//!         let key = message.text()?;
//!         let count = storage::increment(key, 1)?;
//!         airssys_guest::info!({ "key" => key }, "counted {count}");
//!         // A request gets the new count back, as text; a plain message gets nothing.
//!         message.reply(count)
//!     }
//! }
//!
//! airssys_guest::export!(Counter);
//! ```
//!
//! `?` works on the SDK's calls and on the errors a handler meets reading
//! its input (UTF-8, `parse`, JSON, component ids; see [`Error`]). A reply is
//! anything [`IntoReply`]: text, bytes, numbers, or [`Json`].
//!
//! **3. Test it natively.** Off wasm, every call goes to an in-memory
//! [`testing::TestHost`]: storage is a map, messages and logs are recorded,
//! the clock is yours, and requests get scripted replies, at once or after
//! a delay (a late one becomes the timeout notice), or real answers from
//! other components loaded beside it.
//!
//! ```
//! # use airssys_guest::{Component, Error, Message, storage};
//! # struct Counter;
//! # impl Component for Counter {
//! #     fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error> {
//! #         let key = message.text()?;
//! #         message.reply(storage::increment(key, 1)?)
//! #     }
//! # }
//! use airssys_guest::ComponentId;
//! use airssys_guest::testing::TestHost;
//!
//! let host = TestHost::new();
//! let client = ComponentId::new("acme", "client", "0");
//! host.deliver::<Counter>(&client, "visits").unwrap();
//! let reply = host.deliver_request::<Counter>(&client, "visits").unwrap();
//! assert_eq!(reply.as_deref(), Some(&b"2"[..]));
//! ```
//!
//! **4. Build the component** with either
//! `cargo build --release --target wasm32-wasip2` or `cargo component build --release`.
//! The file in `target/wasm32-wasip2/release/` (or `wasm32-wasip1` for
//! cargo-component) is the component a host loads.
//!
//! # What is where
//!
//! | module | contract interface |
//! |---|---|
//! | [`storage`] | `airssys:core/storage`: the component's own key/value namespace; typed values ([`storage::get_as`]) and counters ([`storage::increment`]) |
//! | [`messaging`] | `airssys:core/host-messaging`: send, request, broadcast, `self_id` |
//! | [`callback`] | a request's answer as [`Callback`]: its correlation id, and [`Outcome::Reply`] or [`Outcome::TimedOut`]; what a request [remembered](messaging::PendingRequest::remember) |
//! | [`services`] | `airssys:core/host-services`: clocks, sleep, the component registry |
//! | [`logging`] and [`trace!`] .. [`error!`] | `airssys:core/host-services.log` |
//! | [`Component`], [`export!`] | `airssys:core/component-lifecycle`, the exports; [`Health::degraded_because`] logs why |
//! | [`limits`] | the contract's default limits: key and message bytes, keys, quota, request timeouts |
//! | [`panic_hook`] | a panic's text and location, logged through the host before the trap |
//! | [`testing`] | the in-memory host, off wasm only |
//!
//! Features: `json` (default) adds JSON helpers ([`storage::get_json`],
//! [`Message::json`], [`messaging::send_json`], [`Json`] replies,
//! [`PendingRequest::remember_json`](messaging::PendingRequest::remember_json))
//! and makes a [`PendingRequest`](messaging::PendingRequest) serializable;
//! `log` (default) adds [`logger::init`], which routes the `log` crate
//! through the host; `anyhow` lets `?` turn an `anyhow::Error` into an
//! [`Error`], contexts kept.
//!
//! # When a component panics
//!
//! A panic in a component ends its call with a trap: the host fails the
//! call, and its state (storage excepted) may be gone. Before the trap, the
//! [`panic_hook`] that [`export!`] installs logs the panic's text at error
//! level, with `panic.location` and `panic.export` in its context: look for
//! `panicked: ` in the host's log. Natively, under [`testing`], a panic is
//! an ordinary failing test.
//!
//! The raw generated bindings stay reachable in [`bindings`] for anything
//! the wrappers do not cover; a component may mix both.

#![deny(missing_docs)]

// So that the generated bindings' `runtime_path` resolves inside this crate too.
extern crate self as airssys_guest;

// The generated glue has no WIT docs to carry; the WIT's own items are documented in wit/.
#[allow(missing_docs)]
pub mod bindings;
pub mod callback;
pub mod component;
mod error;
mod id;
mod imports;
pub mod limits;
pub mod logging;
mod message;
pub mod messaging;
pub mod panic_hook;
mod reply;
pub mod services;
pub mod storage;
mod time;

#[cfg(feature = "log")]
pub mod logger;

#[cfg(not(target_arch = "wasm32"))]
pub mod testing;

pub use callback::{Callback, Outcome};
pub use component::{Component, Config, Health, Metadata};
pub use error::{ComponentError, Error, MessagingError, StorageError};
pub use id::{ComponentId, ParseIdError};
pub use message::{Message, TIMEOUT_CONTENT_TYPE};
#[cfg(feature = "json")]
pub use reply::Json;
pub use reply::{IntoReply, reply};

/// The wit-bindgen this SDK generated its bindings with.
pub use wit_bindgen;

/// What [`export!`] expands to; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use crate::bindings::airssys::core::errors::{
        ComponentError as WitComponentError, WasmError,
    };
    pub use crate::bindings::airssys::core::types::ComponentMessage;
    pub use crate::bindings::exports::airssys::core::component_lifecycle::{
        ComponentMetadata as WitMetadata, Guest,
    };
    pub use crate::component::{
        Package, exports, handle_callback, handle_message, health, initialize, metadata, shutdown,
    };
}
