//! Makes the host-services calls a test asks for; its `health` export answers
//! whatever the test last set (SVC-*).

wit_bindgen::generate!({ path: "../../wit", world: "runtime-host" });

use std::cell::Cell;

use airssys::core::errors::{ComponentError as ImportedComponentError, WasmError};
use airssys::core::host_services as services;
use airssys::core::types::{
    ComponentConfig, ComponentId, ComponentMessage, HealthStatus, LogLevel,
};
use airssys_probe_protocol::{self as probe, Call, Health, Id, Level, Reply, Returned, WitError};
use exports::airssys::core::component_lifecycle::{ComponentError, ComponentMetadata, Guest};

thread_local! {
    static HEALTH: Cell<HealthStatus> = const { Cell::new(HealthStatus::Healthy) };
}

struct ServicesProbe;

fn to_wit(id: &Id) -> ComponentId {
    ComponentId {
        namespace: id.namespace.clone(),
        name: id.name.clone(),
        instance: id.instance.clone(),
    }
}

fn to_probe(id: ComponentId) -> Id {
    Id {
        namespace: id.namespace,
        name: id.name,
        instance: id.instance,
    }
}

fn wit_error(error: ImportedComponentError) -> WitError {
    match error {
        ImportedComponentError::InitializationFailed(s) => {
            WitError::new("initialization-failed", Some(s))
        }
        ImportedComponentError::AlreadyInitialized => WitError::new("already-initialized", None),
        ImportedComponentError::NotInitialized => WitError::new("not-initialized", None),
        ImportedComponentError::ShutdownFailed(s) => WitError::new("shutdown-failed", Some(s)),
        ImportedComponentError::InvalidState(s) => WitError::new("invalid-state", Some(s)),
    }
}

fn level(level: Level) -> LogLevel {
    match level {
        Level::Trace => LogLevel::Trace,
        Level::Debug => LogLevel::Debug,
        Level::Info => LogLevel::Info,
        Level::Warn => LogLevel::Warn,
        Level::Error => LogLevel::Error,
    }
}

fn health(health: Health) -> HealthStatus {
    match health {
        Health::Healthy => HealthStatus::Healthy,
        Health::Degraded => HealthStatus::Degraded,
        Health::Unhealthy => HealthStatus::Unhealthy,
        Health::Unknown => HealthStatus::Unknown,
    }
}

fn make(call: &Call) -> Reply {
    match call {
        Call::Log {
            level: l,
            message,
            context,
        } => {
            services::log(level(*l), message, context.as_deref());
            Ok(Returned::Unit)
        }
        Call::CurrentTime => {
            let now = services::current_time();
            Ok(Returned::Time {
                seconds: now.seconds,
                nanoseconds: now.nanoseconds,
            })
        }
        Call::CurrentTimeMillis => Ok(Returned::Millis(services::current_time_millis())),
        Call::SleepMillis { duration_ms } => {
            services::sleep_millis(*duration_ms);
            Ok(Returned::Unit)
        }
        Call::ListComponents => Ok(Returned::Ids(
            services::list_components()
                .into_iter()
                .map(to_probe)
                .collect(),
        )),
        Call::GetComponentMetadata { id } => services::get_component_metadata(&to_wit(id))
            .map(|info| Returned::Info {
                id: to_probe(info.id),
                name: info.name,
                version: info.version,
                health: info.health,
            })
            .map_err(wit_error),
        Call::SetHealth { health: h } => {
            HEALTH.set(health(*h));
            Ok(Returned::Unit)
        }
        other => probe::unsupported(other),
    }
}

impl Guest for ServicesProbe {
    fn initialize(_config: ComponentConfig) -> Result<(), ComponentError> {
        Ok(())
    }

    fn handle_message(msg: ComponentMessage) -> Result<Option<Vec<u8>>, WasmError> {
        let call = probe::decode_call(&msg.payload).map_err(WasmError::InvalidComponent)?;
        Ok(Some(probe::encode_reply(&make(&call))))
    }

    fn handle_callback(_msg: ComponentMessage) -> Result<(), WasmError> {
        Ok(())
    }

    fn metadata() -> ComponentMetadata {
        ComponentMetadata {
            name: "services-probe".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Makes host-services calls; reports a settable health".into(),
            author: "airssys".into(),
            license: "Apache-2.0".into(),
            supported_operations: vec!["probe-call".into()],
            stateful: true,
        }
    }

    fn health() -> HealthStatus {
        HEALTH.get()
    }

    fn shutdown() -> Result<(), ComponentError> {
        Ok(())
    }
}

export!(ServicesProbe);
