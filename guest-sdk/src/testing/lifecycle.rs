//! The component under test's other exports, called as a host calls them
//! (GST-*, SVC-6), and callbacks crafted for one request.

use crate::component::ResourceLimits;
use crate::{Component, Config, Error, Health, Message, Metadata, TIMEOUT_CONTENT_TYPE};

use super::TestHost;
use super::in_call;
use super::state::{EXECUTION_TIME_MS, Pending, Settled, with};

/// The reference host's default memory limit (`ResourceLimits::max_memory_bytes`).
const MEMORY_BYTES: u64 = 64 * 1024 * 1024;

/// The lowercase WIT case name, as `component-info.health` carries it (SVC-6).
pub(crate) fn health_name(health: Health) -> &'static str {
    match health {
        Health::Healthy => "healthy",
        Health::Degraded => "degraded",
        Health::Unhealthy => "unhealthy",
        Health::Unknown => "unknown",
    }
}

pub(crate) fn default_config() -> Config {
    Config {
        env_vars: Vec::new(),
        config_data: None,
        resource_limits: ResourceLimits {
            max_memory_bytes: MEMORY_BYTES,
            max_execution_time_ms: EXECUTION_TIME_MS,
            max_fuel: None,
        },
    }
}

impl TestHost {
    /// What the reference host passes to `initialize` when a component is
    /// loaded with no options: no environment, no configuration data, and
    /// its default limits (64 MiB, 5000 ms, no fuel). Change fields to taste.
    pub fn default_config() -> Config {
        default_config()
    }

    /// Calls `C::initialize` with `config`, as a host does at load.
    pub fn initialize<C: Component>(&self, config: Config) -> Result<(), Error> {
        in_call(|| C::initialize(config))
    }

    /// Calls `C::health`, as a host does at load and when asked; the
    /// answer becomes the component under test's `health` in
    /// `services::component_info` (SVC-6.1: the caller is busy, so its last
    /// answer is reported).
    pub fn health<C: Component>(&self) -> Health {
        let health = in_call(C::health);
        with(|state| {
            let id = state.self_id.clone();
            if let Some(instance) = state.instance_mut(&id) {
                instance.info.health = health_name(health).to_owned();
            }
        });
        health
    }

    /// Calls `C::metadata`, which a host reads once at load; its `name` and
    /// `version`, where not empty, become the component under test's in
    /// `services::component_info` (SVC-6). Off wasm there is no package to
    /// fill empty fields from, so they stay empty here.
    pub fn metadata<C: Component>(&self) -> Metadata {
        let metadata = in_call(C::metadata);
        with(|state| {
            let id = state.self_id.clone();
            if let Some(instance) = state.instance_mut(&id) {
                if !metadata.name.is_empty() {
                    instance.info.name = metadata.name.clone();
                }
                if !metadata.version.is_empty() {
                    instance.info.version = metadata.version.clone();
                }
            }
        });
        metadata
    }

    /// Calls `C::shutdown`, as a host does when it unloads the component.
    pub fn shutdown<C: Component>(&self) -> Result<(), Error> {
        in_call(C::shutdown)
    }

    /// Answers the component under test's pending request `request_id`
    /// with `payload` now, whatever its script or deadline: the request is
    /// settled as answered and `C::handle_callback` runs with the reply
    /// from the request's target (MSG-5).
    ///
    /// Panics if `request_id` is not pending (see [`Self::deliver_callback`]).
    pub fn deliver_reply<C: Component>(
        &self,
        request_id: &str,
        payload: impl Into<Vec<u8>>,
    ) -> Result<(), Error> {
        let pending = self.settle(request_id, Settled::Answered);
        let mut message = self.message(&pending.target, payload.into(), None, None);
        message.correlation_id = Some(pending.correlation_id);
        in_call(|| C::handle_callback(message))
    }

    /// Times out the component under test's pending request `request_id`
    /// now, whatever its deadline: `C::handle_callback` runs with the
    /// timeout notice (MSG-6: empty payload, content type
    /// [`TIMEOUT_CONTENT_TYPE`], from the target), and `cancel-request` of
    /// it is then `correlation-timeout`.
    ///
    /// Panics if `request_id` is not pending (see [`Self::deliver_callback`]).
    pub fn deliver_timeout<C: Component>(&self, request_id: &str) -> Result<(), Error> {
        let pending = self.settle(request_id, Settled::TimedOut);
        let mut message = self.message(&pending.target, Vec::new(), None, None);
        message.correlation_id = Some(pending.correlation_id);
        message.content_type = Some(TIMEOUT_CONTENT_TYPE.to_owned());
        in_call(|| C::handle_callback(message))
    }

    /// Calls `C::handle_callback` with `message` as it is: a callback for a
    /// request the host never saw, or with fields of the test's choosing.
    pub fn deliver_callback<C: Component>(&self, message: Message) -> Result<(), Error> {
        in_call(|| C::handle_callback(message))
    }

    /// Takes the component under test's pending request `request_id` and
    /// records how it ended.
    fn settle(&self, request_id: &str, how: Settled) -> Pending {
        let found = with(|state| {
            let self_id = state.self_id.clone();
            let index = state
                .pending
                .iter()
                .position(|p| p.correlation_id == request_id && p.requester == self_id)?;
            let pending = state.pending.remove(index);
            state.settled.settle(request_id, &self_id, how);
            Some(pending)
        });
        found.unwrap_or_else(|| {
            panic!(
                "`{request_id}` is not a pending request of the component under test (never \
                 made, or already answered, cancelled or timed out); to hand it any callback \
                 anyway, build the Message and call TestHost::deliver_callback"
            )
        })
    }
}
