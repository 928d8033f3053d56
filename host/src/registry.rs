//! The loaded components, in load order: what `list-components` and
//! `get-component-metadata` read, and what message routing checks targets against.

use std::sync::{Arc, Mutex, RwLock};

use crate::bindings::airssys::core::types::{ComponentHandle, ComponentId, HealthStatus};
use crate::component_id::SharedId;

/// Asks a loaded component for its health, if it can be asked right now.
pub(crate) trait HealthSource: Send + Sync {
    /// `None` when the component is busy (for example, it is the caller) or has trapped.
    fn current_health(&self) -> Option<HealthStatus>;
}

/// What the registry knows of one loaded component.
#[derive(Clone)]
#[non_exhaustive]
pub struct Registration {
    /// The id the host assigned at load, shared with the component's context
    /// and every record that names it.
    pub id: SharedId,
    /// The host-local number [`Runtime::load`](crate::Runtime::load) returned for it.
    pub handle: ComponentHandle,
    /// From the component's `metadata` export, read once at load.
    pub name: String,
    /// From the component's `metadata` export, read once at load (HOST-2.1).
    pub version: String,
    /// Asks the component for its health at the time of a question (SVC-6.1).
    pub(crate) health: Arc<dyn HealthSource>,
    /// What `health` last answered; reported while the component cannot be
    /// asked. Crate-private, so only the component's own answers set it.
    pub(crate) last_health: Arc<Mutex<HealthStatus>>,
}

impl Registration {
    /// Keeps `health` as the last answer, for when the component cannot be asked.
    pub(crate) fn record_health(&self, health: HealthStatus) {
        *self.last_health.lock().unwrap_or_else(|p| p.into_inner()) = health;
    }

    /// What the component's `health` last answered, without asking it again
    /// (asking runs guest code).
    pub fn last_health(&self) -> HealthStatus {
        *self.last_health.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The component's health now, or the last answer it gave if it is busy (SVC-6).
    pub fn observed_health(&self) -> HealthStatus {
        // Asked before taking the lock: `health` is guest code, and it may call
        // back into the host and end up here again for the same component.
        let now = self.health.current_health();
        let mut last = self.last_health.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(now) = now {
            *last = now;
        }
        *last
    }
}

/// The loaded components of one host, in load order (SVC-5.1).
#[derive(Default)]
pub struct Registry {
    entries: RwLock<Vec<Registration>>,
}

/// A component with this id is already loaded (HOST-1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error(
    "a component with id `{0}` is already loaded; unload it first or choose another instance name"
)]
pub struct AlreadyLoaded(pub ComponentId);

impl Registry {
    /// Adds a component at the end of the load order, unless its id is already
    /// there. Crate-private: only a load adds one, after its checks (HOST-1, HOST-2).
    pub(crate) fn insert(&self, registration: Registration) -> Result<(), AlreadyLoaded> {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if entries.iter().any(|e| e.id == registration.id) {
            return Err(AlreadyLoaded(ComponentId::clone(&registration.id)));
        }
        entries.push(registration);
        Ok(())
    }

    /// Takes the component out, if it is there; the others keep their order.
    /// Crate-private: only an unload removes one, with its instance and queue.
    pub(crate) fn remove(&self, id: &ComponentId) -> Option<Registration> {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        let index = entries.iter().position(|e| *e.id == *id)?;
        Some(entries.remove(index))
    }

    /// A copy of the component's registration, if it is loaded.
    pub fn get(&self, id: &ComponentId) -> Option<Registration> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries.iter().find(|e| *e.id == *id).cloned()
    }

    /// Whether a component with this id is loaded.
    pub fn contains(&self, id: &ComponentId) -> bool {
        self.shared_id(id).is_some()
    }

    /// The loaded component's own [`SharedId`] for `id`, if it is loaded:
    /// what the router keeps instead of a copy of the id a guest named.
    pub fn shared_id(&self, id: &ComponentId) -> Option<SharedId> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries.iter().find(|e| *e.id == *id).map(|e| e.id.clone())
    }

    /// Every loaded id, in load order (SVC-5).
    pub fn ids(&self) -> Vec<ComponentId> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries.iter().map(|e| ComponentId::clone(&e.id)).collect()
    }
}
