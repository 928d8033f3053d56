//! A hostile guest: every export the host calls on its own (`metadata`,
//! `initialize`, `health`, `shutdown`) calls back into the host, asking
//! for its own metadata, which makes the host ask it for its health again.
//! A host that holds a lock while guest code runs deadlocks on it.

use airssys_guest::{Component, Config, Error, Health, Message, Metadata, messaging, services};

struct ReentryProbe;

/// Asks the host about this component and the others, from inside an export.
fn reenter() -> bool {
    let me = messaging::self_id();
    let listed = services::components();
    services::component_info(&me).is_ok() && listed.contains(&me)
}

impl Component for ReentryProbe {
    fn initialize(_config: Config) -> Result<(), Error> {
        reenter();
        Ok(())
    }

    fn handle_message(_message: Message) -> Result<Option<Vec<u8>>, Error> {
        Ok(None)
    }

    fn metadata() -> Metadata {
        // Not registered yet: the answer is "not loaded", and must come.
        reenter();
        Metadata::default()
    }

    fn health() -> Health {
        if reenter() {
            Health::Healthy
        } else {
            Health::Degraded
        }
    }

    fn shutdown() -> Result<(), Error> {
        reenter();
        Ok(())
    }
}

airssys_guest::export!(ReentryProbe);
