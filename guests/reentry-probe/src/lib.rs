//! A hostile guest: its `health` export calls back into the host, asking for
//! its own metadata, which makes the host ask it for its health again. A
//! host that holds a lock while guest code runs deadlocks on it.

use airssys_guest::{Component, Error, Health, Message, messaging, services};

struct ReentryProbe;

impl Component for ReentryProbe {
    fn handle_message(_message: Message) -> Result<Option<Vec<u8>>, Error> {
        Ok(None)
    }

    fn health() -> Health {
        match services::component_info(&messaging::self_id()) {
            Ok(_) => Health::Healthy,
            Err(_) => Health::Degraded,
        }
    }
}

airssys_guest::export!(ReentryProbe);
