//! Clocks and the component registry (`airssys:core/host-services`).
//! Logging, the third service, is in [`crate::logging`].

use std::time::{Duration, SystemTime};

use crate::imports::services as host;
use crate::time::{system_time, whole_millis};
use crate::{ComponentError, ComponentId};

/// Registry facts and current health of a loaded component (SVC-6).
pub use crate::bindings::airssys::core::host_services::ComponentInfo;

/// UTC wall-clock time, from the host (SVC-2).
pub fn now() -> SystemTime {
    system_time(host::current_time())
}

/// Milliseconds since the Unix epoch, from the host (SVC-3).
pub fn unix_millis() -> u64 {
    host::current_time_millis()
}

/// Blocks for at least `duration`, rounded up to whole milliseconds, within
/// the call's execution budget: a sleep that does not fit traps (SVC-4).
pub fn sleep(duration: Duration) {
    host::sleep_millis(whole_millis(duration));
}

/// Every loaded component, this one included, in load order (SVC-5).
pub fn components() -> Vec<ComponentId> {
    host::list_components()
}

/// What the registry knows of a loaded component (SVC-6).
pub fn component_info(id: &ComponentId) -> Result<ComponentInfo, ComponentError> {
    Ok(host::get_component_metadata(id)?)
}
