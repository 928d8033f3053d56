//! `airssys:core/host-services` for a component: logging, clocks, sleep
//! within its budget, and the registry read (SVC-1..6).

use std::time::Duration;

use crate::bindings::airssys::core::errors::ComponentError;
use crate::bindings::airssys::core::host_services::{ComponentInfo, Host};
use crate::bindings::airssys::core::types::{ComponentId, LogLevel, Timestamp};
use crate::ctx::AirssysCtx;
use crate::log_sink::{LogRecord, deliver};
use crate::messaging::router::now_timestamp;
use crate::services::health_name;
use airssys_contract::log::{bound_context, cut_message};

impl Host for AirssysCtx {
    fn log(&mut self, level: LogLevel, message: String, context: Option<Vec<(String, String)>>) {
        let record = LogRecord {
            component: self.id.clone(),
            level,
            message: cut_message(message, self.host.config.max_log_message_bytes),
            context: bound_context(
                context.unwrap_or_default(),
                self.host.config.max_log_context_bytes,
            ),
        };
        deliver(self.host.log_sink.as_deref(), record);
    }

    fn current_time(&mut self) -> Timestamp {
        now_timestamp()
    }

    fn current_time_millis(&mut self) -> u64 {
        let now = now_timestamp();
        now.seconds * 1000 + u64::from(now.nanoseconds / 1_000_000)
    }

    fn sleep_millis(&mut self, duration_ms: u64) -> wasmtime::Result<()> {
        // Nothing to wait for, and no budget can be exceeded by it: no clock read.
        if duration_ms == 0 {
            return Ok(());
        }
        let asked = Duration::from_millis(duration_ms);
        let remaining = self.remaining_budget();
        if asked > remaining {
            wasmtime::bail!(
                "sleep-millis({duration_ms}) by {} exceeds its remaining execution budget of {} ms",
                self.id,
                remaining.as_millis()
            );
        }
        std::thread::sleep(asked);
        Ok(())
    }

    fn list_components(&mut self) -> Vec<ComponentId> {
        self.host.registry.ids()
    }

    fn get_component_metadata(&mut self, id: ComponentId) -> Result<ComponentInfo, ComponentError> {
        let Some(registration) = self.host.registry.get(&id) else {
            return Err(ComponentError::InvalidState(format!(
                "no component `{id}` is loaded"
            )));
        };
        let health = registration.observed_health();
        Ok(ComponentInfo {
            id: ComponentId::clone(&registration.id),
            name: registration.name,
            version: registration.version,
            health: health_name(health).into(),
        })
    }
}
