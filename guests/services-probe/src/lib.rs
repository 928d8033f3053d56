//! Makes the host-services calls a test asks for; its `health` export answers
//! whatever the test last set (SVC-*).

use std::cell::Cell;

use airssys_guest::bindings::airssys::core::host_services as raw;
use airssys_guest::logging::{self, Level as LogLevel};
use airssys_guest::{
    Component, ComponentError, Error, Health as HealthStatus, Message, Metadata, services,
};
use airssys_probe_protocol::{
    self as probe, Call, Health, HostServicesCall, Level, ProbeCall, Reply, Returned, WitError,
};

thread_local! {
    static HEALTH: Cell<HealthStatus> = const { Cell::new(HealthStatus::Healthy) };
}

struct ServicesProbe;

fn wit_error(error: ComponentError) -> WitError {
    match error {
        ComponentError::InitializationFailed(s) => WitError::new("initialization-failed", Some(s)),
        ComponentError::AlreadyInitialized => WitError::new("already-initialized", None),
        ComponentError::NotInitialized => WitError::new("not-initialized", None),
        ComponentError::ShutdownFailed(s) => WitError::new("shutdown-failed", Some(s)),
        ComponentError::InvalidState(s) => WitError::new("invalid-state", Some(s)),
        // The SDK's enum is non-exhaustive; the WIT variant has five cases.
        other => WitError::new("unknown", Some(other.to_string())),
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
        Call::HostServices(services_call) => make_services(services_call),
        Call::Probe(ProbeCall::SetHealth { health: h }) => {
            HEALTH.set(health(*h));
            Ok(Returned::Unit)
        }
        // SEC-2.1: a loop that calls nothing, for the execution budget to end.
        Call::Probe(ProbeCall::Spin) => {
            let mut n: u64 = 0;
            loop {
                n = std::hint::black_box(n.wrapping_add(1));
            }
        }
        // Other interfaces' calls; other probes' own, listed so that a new
        // one is placed somewhere.
        Call::Storage(_)
        | Call::HostMessaging(_)
        | Call::Filled { .. }
        | Call::Probe(
            ProbeCall::Inbox
            | ProbeCall::Trap
            | ProbeCall::Hog
            | ProbeCall::WasiSleep { .. }
            | ProbeCall::Print { .. }
            | ProbeCall::Flood { .. }
            | ProbeCall::Reply { .. },
        ) => probe::unsupported(call),
    }
}

fn make_services(call: &HostServicesCall) -> Reply {
    match call {
        HostServicesCall::Log {
            level: l,
            message,
            context: None,
        } => {
            logging::log(level(*l), message);
            Ok(Returned::Unit)
        }
        HostServicesCall::Log {
            level: l,
            message,
            context: Some(pairs),
        } => {
            logging::log_with(level(*l), message, pairs);
            Ok(Returned::Unit)
        }
        HostServicesCall::CurrentTime => {
            // Raw on purpose: the SDK's `services::now` normalises the
            // timestamp, which would hide a host's out-of-range nanoseconds.
            let now = raw::current_time();
            Ok(Returned::Time {
                seconds: now.seconds,
                nanoseconds: now.nanoseconds,
            })
        }
        HostServicesCall::CurrentTimeMillis => Ok(Returned::Millis(services::unix_millis())),
        HostServicesCall::SleepMillis { duration_ms } => {
            services::sleep(std::time::Duration::from_millis(*duration_ms));
            Ok(Returned::Unit)
        }
        HostServicesCall::ListComponents => Ok(Returned::Ids(services::components())),
        HostServicesCall::GetComponentMetadata { id } => services::component_info(id)
            .map(|info| Returned::Info {
                id: info.id,
                name: info.name,
                version: info.version,
                health: info.health,
            })
            .map_err(wit_error),
    }
}

impl Component for ServicesProbe {
    fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error> {
        let call = probe::decode_call(&message.payload).map_err(Error::payload)?;
        Ok(Some(probe::encode_reply(&make(&call))))
    }

    fn metadata() -> Metadata {
        Metadata::new()
            .description("Makes host-services calls; reports a settable health")
            .author("airssys")
            .supported_operations(["probe-call"])
            .stateful(true)
    }

    fn health() -> HealthStatus {
        HEALTH.get()
    }
}

airssys_guest::export!(ServicesProbe);
