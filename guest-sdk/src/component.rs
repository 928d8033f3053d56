//! What a component exports: implement [`Component`], then [`export!`](crate::export).
//!
//! Only [`Component::handle_message`] is required. Everything else has a
//! default: `initialize` and `shutdown` succeed, callbacks are ignored,
//! health is `healthy`, and metadata comes from the author's `Cargo.toml`.

use std::fmt;

use airssys_contract::GuestFn;

use crate::bindings::airssys::core::errors::WasmError;
use crate::bindings::exports::airssys::core::component_lifecycle as wit;
use crate::logging::{Level, log_with};
use crate::panic_hook::in_export;
use crate::{ComponentError, Error, Message};

/// What the host passes to `initialize`: environment, configuration bytes, limits.
pub use crate::bindings::airssys::core::types::ComponentConfig as Config;
/// The component's answer to the host's health check (SVC-6).
pub use crate::bindings::airssys::core::types::HealthStatus as Health;
pub use crate::bindings::airssys::core::types::ResourceLimits;

impl Config {
    /// The value of environment variable `name`, if the host set it.
    pub fn env_var(&self, name: &str) -> Option<&str> {
        self.env_vars
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// The WIT's `health-status` is an enum: the status travels, a reason
/// cannot. These say why in the host's log (SVC-1), where whoever sees the
/// status looks next, and return the status for [`Component::health`].
///
/// ```
/// use airssys_guest::{Health, storage};
///
/// fn health() -> Health {
///     match storage::usage() {
///         Ok(usage) if usage.used_fraction() > 0.9 => Health::degraded_because(format!(
///             "storage {:.0}% full; delete old entries",
///             usage.used_fraction() * 100.0
///         )),
///         Ok(_) => Health::Healthy,
///         Err(error) => Health::unhealthy_because(error),
///     }
/// }
/// # let host = airssys_guest::testing::TestHost::new();
/// # host.set_quota(20);
/// # storage::set("k", "x".repeat(18)).unwrap();
/// # assert_eq!(health(), Health::Degraded);
/// # assert_eq!(host.logs()[0].message, "degraded: storage 95% full; delete old entries");
/// ```
impl Health {
    /// [`Health::Degraded`], after logging `degraded: {reason}` at warn
    /// level with the context `("health", "degraded")`.
    pub fn degraded_because(reason: impl fmt::Display) -> Health {
        log_health(Level::Warn, Health::Degraded, "degraded", reason)
    }

    /// [`Health::Unhealthy`], after logging `unhealthy: {reason}` at error
    /// level with the context `("health", "unhealthy")`.
    pub fn unhealthy_because(reason: impl fmt::Display) -> Health {
        log_health(Level::Error, Health::Unhealthy, "unhealthy", reason)
    }
}

/// Logs why the component reports `status`, named `name` as
/// `component-info.health` names it (lowercase).
fn log_health(level: Level, status: Health, name: &str, reason: impl fmt::Display) -> Health {
    log_with(level, format!("{name}: {reason}"), &[("health", name)]);
    status
}

/// The component's description for the host's registry. Empty fields are
/// filled from the package by [`export!`](crate::export): name, version,
/// description, authors and license of the author's `Cargo.toml`.
///
/// Made with [`Metadata::new`] and its setters, so that a field the
/// contract's `component-metadata` record gains is not a break:
///
/// ```
/// # use airssys_guest::Metadata;
/// let metadata = Metadata::new()
///     .description("Keeps the notes it is sent")
///     .supported_operations(["note", "read"])
///     .stateful(true);
/// assert_eq!(metadata.name, ""); // filled from Cargo.toml by `export!`
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metadata {
    /// The name the host registers the component under; empty means the
    /// package name. At most 1 KiB by default (HOST-2.1, GST-4).
    pub name: String,
    /// The version the host registers; empty means the package version.
    /// At most 1 KiB by default (HOST-2.1, GST-4).
    pub version: String,
    /// A human-readable summary; empty means the package description.
    pub description: String,
    /// Who wrote the component; empty means the package's `authors`.
    pub author: String,
    /// The license expression; empty means the package license.
    pub license: String,
    /// Names of the operations the component says it handles; informative
    /// only, the reference host does not read them.
    pub supported_operations: Vec<String>,
    /// Whether the component keeps state between messages; informative
    /// only, the reference host does not read it.
    pub stateful: bool,
}

impl Metadata {
    /// Every field empty: [`export!`](crate::export) fills the text fields
    /// from the package.
    pub fn new() -> Self {
        Self::default()
    }

    /// The name the host registers the component under.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The version the host registers.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// A human-readable summary.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Who wrote the component.
    pub fn author(mut self, author: impl Into<String>) -> Self {
        self.author = author.into();
        self
    }

    /// The license expression.
    pub fn license(mut self, license: impl Into<String>) -> Self {
        self.license = license.into();
        self
    }

    /// Names of the operations the component says it handles.
    pub fn supported_operations(
        mut self,
        operations: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.supported_operations = operations.into_iter().map(Into::into).collect();
        self
    }

    /// Whether the component keeps state between messages.
    pub fn stateful(mut self, stateful: bool) -> Self {
        self.stateful = stateful;
        self
    }
}

/// A component's exports, as plain Rust.
pub trait Component {
    /// Called once after instantiation, before any message.
    fn initialize(_config: Config) -> Result<(), Error> {
        Ok(())
    }

    /// A message or request; `Ok(Some(reply))` answers a request (MSG-5),
    /// which [`Message::reply`] makes from text, bytes, numbers or JSON.
    fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error>;

    /// The reply to, or the timeout of, a request this component made:
    /// [`Message::into_callback`] reads it as a [`Callback`](crate::Callback),
    /// with its correlation id and [`Outcome`](crate::Outcome), and takes back
    /// what the request [remembered](crate::messaging::PendingRequest::remember).
    fn handle_callback(_message: Message) -> Result<(), Error> {
        Ok(())
    }

    /// What the component is, read by the host once at load (GST-4, SVC-6.1);
    /// the default fills every text field from the package.
    fn metadata() -> Metadata {
        Metadata::default()
    }

    /// How the component judges itself when the host or another component
    /// asks (GST-5, SVC-6). Keep it quick: one that runs past the host's
    /// health budget traps, and the component is retired (SVC-6.2).
    fn health() -> Health {
        Health::Healthy
    }

    /// Called once when the host unloads the component (GST-6); any error
    /// other than a [`ComponentError`] reaches the host as `shutdown-failed`.
    fn shutdown() -> Result<(), Error> {
        Ok(())
    }
}

/// Exports `$component` (a type implementing [`Component`]) as this crate's
/// `airssys:core/component-lifecycle`. Use it once, at the crate root.
#[macro_export]
macro_rules! export {
    ($component:ty) => {
        const _: () = {
            struct AirssysComponent;

            impl $crate::__private::Guest for AirssysComponent {
                fn initialize(
                    config: $crate::component::Config,
                ) -> ::core::result::Result<(), $crate::__private::WitComponentError> {
                    $crate::__private::initialize::<$component>(config)
                }

                fn handle_message(
                    message: $crate::__private::ComponentMessage,
                ) -> ::core::result::Result<
                    ::core::option::Option<::std::vec::Vec<u8>>,
                    $crate::__private::WasmError,
                > {
                    $crate::__private::handle_message::<$component>(message)
                }

                fn handle_callback(
                    message: $crate::__private::ComponentMessage,
                ) -> ::core::result::Result<(), $crate::__private::WasmError> {
                    $crate::__private::handle_callback::<$component>(message)
                }

                fn metadata() -> $crate::__private::WitMetadata {
                    $crate::__private::metadata::<$component>($crate::__private::Package {
                        name: ::core::env!("CARGO_PKG_NAME"),
                        version: ::core::env!("CARGO_PKG_VERSION"),
                        description: ::core::env!("CARGO_PKG_DESCRIPTION"),
                        authors: ::core::env!("CARGO_PKG_AUTHORS"),
                        license: ::core::env!("CARGO_PKG_LICENSE"),
                    })
                }

                fn health() -> $crate::component::Health {
                    $crate::__private::health::<$component>()
                }

                fn shutdown() -> ::core::result::Result<(), $crate::__private::WitComponentError> {
                    $crate::__private::shutdown::<$component>()
                }
            }

            // Only a component has exports. Natively the export names (with
            // `:` and `@`) would not even link as a cdylib, and the in-memory
            // test host calls the `Component` impl directly.
            #[cfg(target_arch = "wasm32")]
    $crate::bindings::export_runtime_host!(AirssysComponent with_types_in $crate::bindings);
            // What the exports would call counts as used natively too, so an
            // author's `cargo build` has no dead-code warnings.
            #[cfg(not(target_arch = "wasm32"))]
            let _ = $crate::__private::exports::<AirssysComponent>;
        };
    };
}

/// Every export of `G`, for [`export!`](crate::export) to mark as used off wasm.
#[doc(hidden)]
pub fn exports<G: crate::__private::Guest>() -> [*const (); 6] {
    [
        G::initialize as *const (),
        G::handle_message as *const (),
        G::handle_callback as *const (),
        G::metadata as *const (),
        G::health as *const (),
        G::shutdown as *const (),
    ]
}

/// The package facts [`export!`](crate::export) reads from the author's crate.
#[doc(hidden)]
pub struct Package {
    pub name: &'static str,
    pub version: &'static str,
    pub description: &'static str,
    pub authors: &'static str,
    pub license: &'static str,
}

// The adapters below turn SDK results into the contract's error variants;
// the export macro calls them so that its expansion stays small. Each runs
// its export under `in_export`, which installs the panic hook on wasm and
// names the export in a panic's log record.

#[doc(hidden)]
pub fn initialize<C: Component>(
    config: Config,
) -> Result<(), crate::bindings::airssys::core::errors::ComponentError> {
    in_export(GuestFn::Initialize, || {
        C::initialize(config)
            .map_err(|error| component_error(error, ComponentError::InitializationFailed))
    })
}

#[doc(hidden)]
pub fn handle_message<C: Component>(
    message: crate::bindings::airssys::core::types::ComponentMessage,
) -> Result<Option<Vec<u8>>, WasmError> {
    in_export(GuestFn::HandleMessage, || {
        C::handle_message(message.into()).map_err(runtime_error)
    })
}

#[doc(hidden)]
pub fn handle_callback<C: Component>(
    message: crate::bindings::airssys::core::types::ComponentMessage,
) -> Result<(), WasmError> {
    in_export(GuestFn::HandleCallback, || {
        C::handle_callback(message.into()).map_err(runtime_error)
    })
}

#[doc(hidden)]
pub fn health<C: Component>() -> Health {
    in_export(GuestFn::Health, C::health)
}

#[doc(hidden)]
pub fn metadata<C: Component>(package: Package) -> wit::ComponentMetadata {
    in_export(GuestFn::Metadata, || metadata_of::<C>(package))
}

fn metadata_of<C: Component>(package: Package) -> wit::ComponentMetadata {
    let own = C::metadata();
    let or = |field: String, fallback: &str| {
        if field.is_empty() {
            fallback.to_owned()
        } else {
            field
        }
    };
    wit::ComponentMetadata {
        name: or(own.name, package.name),
        version: or(own.version, package.version),
        description: or(own.description, package.description),
        author: or(own.author, package.authors),
        license: or(own.license, package.license),
        supported_operations: own.supported_operations,
        stateful: own.stateful,
    }
}

#[doc(hidden)]
pub fn shutdown<C: Component>() -> Result<(), crate::bindings::airssys::core::errors::ComponentError>
{
    in_export(GuestFn::Shutdown, || {
        C::shutdown().map_err(|error| component_error(error, ComponentError::ShutdownFailed))
    })
}

/// A component error as it is; any other error as `otherwise(message)`.
fn component_error(
    error: Error,
    otherwise: fn(String) -> ComponentError,
) -> crate::bindings::airssys::core::errors::ComponentError {
    match error {
        Error::Component(error) => error.into(),
        other => otherwise(other.to_string()).into(),
    }
}

fn runtime_error(error: Error) -> WasmError {
    WasmError::RuntimeError(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::airssys::core::types::{ComponentMessage, MessageMetadata, Timestamp};

    struct Described;

    impl Component for Described {
        fn handle_message(_message: Message) -> Result<Option<Vec<u8>>, Error> {
            Err(Error::msg("no such operation"))
        }

        fn metadata() -> Metadata {
            Metadata::new().name("ledger").stateful(true)
        }

        fn initialize(_config: Config) -> Result<(), Error> {
            Err(Error::msg("missing LEDGER_URL"))
        }
    }

    fn package() -> Package {
        Package {
            name: "ledger-crate",
            version: "1.2.3",
            description: "",
            authors: "A. Author",
            license: "MIT",
        }
    }

    #[test]
    fn metadata_fills_empty_fields_from_the_package_only() {
        let metadata = metadata::<Described>(package());
        assert_eq!(metadata.name, "ledger");
        assert_eq!(metadata.version, "1.2.3");
        assert_eq!(metadata.author, "A. Author");
        assert_eq!(metadata.license, "MIT");
        assert!(metadata.stateful);
    }

    #[test]
    fn handler_errors_become_the_contract_variants_with_their_message() {
        let config = Config {
            env_vars: vec![],
            config_data: None,
            resource_limits: ResourceLimits {
                max_memory_bytes: 0,
                max_execution_time_ms: 0,
                max_fuel: None,
            },
        };
        assert_eq!(
            initialize::<Described>(config),
            Err(
                crate::bindings::airssys::core::errors::ComponentError::InitializationFailed(
                    "missing LEDGER_URL".into()
                )
            )
        );
        let message = ComponentMessage {
            sender: crate::ComponentId::new("acme", "client", "0"),
            payload: b"frobnicate".to_vec(),
            metadata: MessageMetadata {
                correlation_id: None,
                reply_to: None,
                timestamp: Timestamp {
                    seconds: 0,
                    nanoseconds: 0,
                },
                content_type: None,
            },
        };
        assert_eq!(
            handle_message::<Described>(message),
            Err(WasmError::RuntimeError("no such operation".into()))
        );
    }
}
