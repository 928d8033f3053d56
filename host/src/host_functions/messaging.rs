//! `airssys:core/host-messaging` for a component: its grant and rate are
//! checked here, then the host's router queues (MSG-1..9).

use std::time::Duration;

use crate::bindings::airssys::core::errors::MessagingError;
use crate::bindings::airssys::core::host_messaging::Host;
use crate::bindings::airssys::core::types::ComponentId;
use crate::ctx::{AirssysCtx, Rated};
use crate::security::Capability;

impl AirssysCtx {
    /// The grant for `target` (SEC-1), then the rate (RES-2).
    fn authorize_messaging(
        &mut self,
        capability: Capability,
        target: &ComponentId,
    ) -> Result<(), MessagingError> {
        self.authorize(capability, Some(target))
            .and_then(|()| self.within_rate(Rated::Messages, 1, capability, Some(target)))
            .map_err(MessagingError::DeliveryFailed)
    }
}

impl Host for AirssysCtx {
    fn send(&mut self, target: ComponentId, payload: Vec<u8>) -> Result<(), MessagingError> {
        self.authorize_messaging(Capability::Send, &target)?;
        let host = &self.host;
        host.router.send(&host.registry, &self.id, &target, payload)
    }

    fn request(
        &mut self,
        target: ComponentId,
        payload: Vec<u8>,
        timeout_ms: u64,
    ) -> Result<String, MessagingError> {
        self.authorize_messaging(Capability::Request, &target)?;
        let host = &self.host;
        let timeout = Duration::from_millis(timeout_ms);
        host.router
            .request(&host.registry, &self.id, &target, payload, timeout)
    }

    fn cancel_request(&mut self, request_id: String) -> Result<(), MessagingError> {
        self.host.router.cancel(&self.id, &request_id)
    }

    fn broadcast(
        &mut self,
        targets: Vec<ComponentId>,
        payload: Vec<u8>,
    ) -> Result<(), MessagingError> {
        for target in &targets {
            self.authorize(Capability::Broadcast, Some(target))
                .map_err(MessagingError::DeliveryFailed)?;
        }
        // One delivery per target (RES-2).
        self.within_rate(Rated::Messages, targets.len(), Capability::Broadcast, None)
            .map_err(MessagingError::DeliveryFailed)?;
        let host = &self.host;
        host.router
            .broadcast(&host.registry, &self.id, &targets, payload)
    }

    fn self_id(&mut self) -> ComponentId {
        ComponentId::clone(&self.id)
    }
}
