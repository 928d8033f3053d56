//! What `airssys:core/host-services` words for embedders (SVC-1..6): a
//! health's WIT name, and the log sink's old path. A component's calls are
//! answered above the context, in `host_functions/services.rs`.

/// Where they were before they moved below the context (`crate::log_sink`).
pub mod log {
    pub use crate::log_sink::{LogBuffer, LogRecord, LogSink};
}

use crate::bindings::airssys::core::types::HealthStatus;

/// The lowercase WIT case name, as `component-info.health` carries it (SVC-6).
pub fn health_name(health: HealthStatus) -> &'static str {
    match health {
        HealthStatus::Healthy => "healthy",
        HealthStatus::Degraded => "degraded",
        HealthStatus::Unhealthy => "unhealthy",
        HealthStatus::Unknown => "unknown",
    }
}
