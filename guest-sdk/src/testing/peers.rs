//! Real components beside the one under test: loaded under their own ids,
//! each with its own storage namespace and grant, delivered to by the test
//! host's dispatcher as a host's dispatcher delivers (MSG-2.1): after the
//! sending call returns, one at a time, oldest first.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use crate::{Component, ComponentId, Error, Health, Message};

use super::TestHost;
use super::grants::Grants;
use super::lifecycle::{default_config, health_name};
use super::state::{
    Delivery, DeliveryKind, Exports, METADATA_TEXT_BYTES, call_budget, health_budget, in_call_as,
    with,
};

/// Deliveries one [`TestHost::dispatch`] makes at most: components that
/// keep messaging each other would otherwise never let a test end.
pub(crate) const DISPATCH_LIMIT: usize = 100_000;

impl TestHost {
    /// Loads the component type `C` under `id`, as a host loads a
    /// component: its `initialize` runs with [`TestHost::default_config`],
    /// its `metadata` and `health` are read for the registry (SVC-6), and
    /// from now on messages and requests to `id` are delivered to
    /// `C::handle_message` by the dispatcher ([`Self::dispatch`], which
    /// [`Self::deliver_callbacks`] runs first); a reply answers the
    /// request, and `C`'s own requests get their callbacks at
    /// `C::handle_callback`.
    ///
    /// While `C` runs, the SDK acts for `id`: its own storage namespace
    /// (STO-10), its grant ([`Grants::everything`] until [`Self::grant_to`]),
    /// its `self-id`, logs tagged with `id`. What the test host cannot
    /// separate is `C`'s own statics: two ids loaded with the same type
    /// share them, where two instances of a component do not.
    ///
    /// Panics where a host refuses the load: a metadata `name` or `version`
    /// over 1 KiB (HOST-2.1), or `C::initialize` failing (test that with
    /// [`Self::initialize`]); and if `id` is the component under test (call
    /// it with `deliver…`) or is scripted with `answer…`.
    pub fn load_component<C: Component>(&self, id: &ComponentId) -> &Self {
        with(|state| {
            if id == &state.self_id {
                panic!(
                    "`{id}` is the component under test: call it with TestHost::deliver…; \
                     load_component loads the components it talks to"
                );
            }
            if state.responders.contains_key(id) {
                panic!("`{id}` is scripted with answer…: load the component under another id");
            }
            if state.is_loaded(id) {
                panic!(
                    "`{id}` is already loaded, and a host loads one component per id: \
                     unload it first, or load this one under another id"
                );
            }
            state.load(id.clone(), Some(Exports::of::<C>()));
        });
        let metadata = in_call_as(id, call_budget(), C::metadata);
        for (field, text) in [("name", &metadata.name), ("version", &metadata.version)] {
            if text.len() > METADATA_TEXT_BYTES {
                panic!(
                    "the metadata {field} of `{id}` is {} bytes; a host refuses to load a \
                     component whose name or version is over {METADATA_TEXT_BYTES} bytes (HOST-2.1)",
                    text.len()
                );
            }
        }
        if let Err(error) = in_call_as(id, call_budget(), || C::initialize(default_config())) {
            panic!("initialize of `{id}` failed, so a host would not load it: {error}");
        }
        with(|state| {
            let instance = state.instance_mut(id).expect("loaded above");
            if !metadata.name.is_empty() {
                instance.info.name = metadata.name;
            }
            if !metadata.version.is_empty() {
                instance.info.version = metadata.version;
            }
        });
        // The host's own question at load runs under the whole call budget (SVC-6.2).
        run_health(id, call_budget(), C::health);
        self
    }

    /// Sets what the loaded component `id` may do from now on (SEC-1).
    pub fn grant_to(&self, id: &ComponentId, grants: Grants) -> &Self {
        with(|state| match state.instance_mut(id) {
            Some(instance) => instance.grants = grants,
            None => panic!("`{id}` is not loaded: load it before granting it anything"),
        });
        self
    }

    /// What the component `id` stored, by key, whether it is loaded now or
    /// was before (STO-10.1); empty for an id never loaded.
    pub fn storage_of(&self, id: &ComponentId) -> BTreeMap<String, Vec<u8>> {
        with(|state| match state.instance(id) {
            Some(loaded) => loaded.storage.clone(),
            None => state
                .unloaded_storage
                .get(id)
                .map(|(storage, _)| storage.clone())
                .unwrap_or_default(),
        })
    }

    /// Unloads the component `id` as a host does: its `shutdown` runs (if
    /// it was loaded with [`Self::load_component`]; its error is returned,
    /// the component is unloaded all the same), it leaves the registry
    /// (SVC-5.1), what was queued for it and the requests it waited on are
    /// dropped, and requests to it time out (MSG-4.2). Its storage stays:
    /// loaded again under the same id, it sees its keys (STO-10.1).
    ///
    /// Panics for the component under test, which stays loaded (test its
    /// shutdown with [`Self::shutdown`]).
    pub fn unload(&self, id: &ComponentId) -> Result<(), Error> {
        let exports = with(|state| {
            if id == &state.self_id {
                panic!(
                    "`{id}` is the component under test, which stays loaded: test its \
                     shutdown with TestHost::shutdown"
                );
            }
            state.exports_of(id)
        });
        let shutdown = match exports {
            Some(exports) => in_call_as(id, call_budget(), exports.shutdown),
            None => Ok(()),
        };
        with(|state| state.unload(id));
        shutdown
    }

    /// Calls the `handle_message` of `target`, loaded with
    /// [`Self::load_component`], with `message` as it is, at once: as a
    /// test harness invokes a component, not through the queue.
    pub fn deliver_message_to(
        &self,
        target: &ComponentId,
        message: Message,
    ) -> Result<Option<Vec<u8>>, Error> {
        let Some(exports) = with(|state| state.exports_of(target)) else {
            panic!("`{target}` was not loaded with load_component, so it has no handle_message");
        };
        if with(|state| state.instance(target).is_some_and(|i| i.retired)) {
            return Err(Error::msg(format!(
                "`{target}` is retired: it trapped, so calls into it fail at once (SEC-2.3)"
            )));
        }
        in_call_as(target, call_budget(), || (exports.handle_message)(message))
    }

    /// Deliveries to loaded components that failed, oldest first: the
    /// newest 256, each cut to 512 bytes, as a host's dispatch report keeps
    /// them (HOST-5). A host tells no sender (MSG-2.3); a test can look.
    pub fn problems(&self) -> Vec<String> {
        with(|state| state.problems.clone())
    }

    /// Delivers what is queued for loaded components, oldest first, until
    /// nothing is: messages, requests (a reply answers the request if it
    /// comes before the deadline; a request delivered at or after its
    /// deadline is delivered all the same and its reply dropped, MSG-6.2)
    /// and the callbacks of their own requests. Returns how many deliveries
    /// ran. Callbacks of the component under test wait for
    /// [`Self::deliver_callbacks`], which knows its type.
    pub fn dispatch(&self) -> usize {
        let mut delivered = 0;
        while let Some((delivery, exports)) = with(|state| {
            state.collect_due();
            let index = state
                .deliveries
                .iter()
                .position(|d| state.exports_of(&d.target).is_some())?;
            let delivery = state.deliveries.remove(index)?;
            let exports = state.exports_of(&delivery.target)?;
            Some((delivery, exports))
        }) {
            delivered += 1;
            if delivered > DISPATCH_LIMIT {
                panic!(
                    "the dispatcher made {DISPATCH_LIMIT} deliveries without running out: \
                     components keep messaging each other; make one of them stop answering"
                );
            }
            if with(|state| state.instance(&delivery.target).is_some_and(|i| i.retired)) {
                with(|state| {
                    state.problem(format!(
                        "{} is retired: it trapped, so deliveries to it fail at once (SEC-2.3)",
                        delivery.target
                    ))
                });
                continue;
            }
            deliver(delivery, exports);
        }
        delivered
    }
}

/// Asks the loaded component `id` its health as a host does when another
/// component asks (SVC-6.1, SVC-6.2): not when it is busy, when a question
/// is already being answered, when it has no exports here, or when it is
/// retired (`unhealthy`); otherwise its `health` runs under the 100 ms
/// health budget, and one that runs past it traps: the component is
/// retired. The answer is recorded as its last.
pub(crate) fn ask_health(id: &ComponentId) {
    let exports = with(|state| {
        let instance = state.instance(id)?;
        let ask = !instance.retired && !state.asking_health && !state.is_busy(id);
        instance.exports.filter(|_| ask)
    });
    let Some(exports) = exports else {
        return;
    };
    /// Clears the flag however the call ends, a panic included.
    struct Asking;
    impl Drop for Asking {
        fn drop(&mut self) {
            with(|state| state.asking_health = false);
        }
    }
    with(|state| state.asking_health = true);
    let asking = Asking;
    run_health(id, health_budget(), exports.health);
    drop(asking);
}

/// Runs `health` as a call into `id` with `budget`, and records the
/// answer as its last. One that traps (here: sleeps past the budget and
/// panics) retires the component, which reports `unhealthy` (SEC-2.3).
fn run_health(id: &ComponentId, budget: Duration, health: fn() -> Health) {
    let answer = catch_unwind(AssertUnwindSafe(|| in_call_as(id, budget, health)));
    with(|state| {
        if let Some(instance) = state.instance_mut(id) {
            match answer {
                Ok(health) => instance.info.health = health_name(health).to_owned(),
                Err(_) => {
                    instance.retired = true;
                    instance.info.health = "unhealthy".to_owned();
                }
            }
        }
    });
}

/// One delivery to a peer, as the peer; a failure is a problem (MSG-2.3).
fn deliver(delivery: Delivery, exports: Exports) {
    let Delivery {
        target,
        kind,
        message,
    } = delivery;
    let correlation_id = message.correlation_id.clone();
    let failure = match kind {
        DeliveryKind::Message => {
            in_call_as(&target, call_budget(), || (exports.handle_message)(message))
                .err()
                .map(|error| ("handle-message", error))
        }
        DeliveryKind::Request => {
            match in_call_as(&target, call_budget(), || (exports.handle_message)(message)) {
                Ok(Some(reply)) => {
                    let id = correlation_id.expect("a request has a correlation id");
                    with(|state| {
                        let now = state.now;
                        state.answer(&id, &target, reply, now)
                    });
                    None
                }
                // No answer: the request times out (MSG-5.2).
                Ok(None) => None,
                Err(error) => Some(("handle-message", error)),
            }
        }
        DeliveryKind::Callback => in_call_as(&target, call_budget(), || {
            (exports.handle_callback)(message)
        })
        .err()
        .map(|error| ("handle-callback", error)),
    };
    if let Some((export, error)) = failure {
        with(|state| {
            state.problem(format!(
                "{export} of {target} returned err: {error} (the sender is not told, MSG-2.3)"
            ))
        });
    }
}
