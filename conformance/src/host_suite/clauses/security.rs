//! SEC-1: deny by default; a refused call fails with the function's own
//! error. SEC-1.1: each capability, and each target pattern, allows its own
//! calls and no others; a pattern's parts match whole, not by prefix.
//! SEC-1.2: a broadcast needs every target granted.

use airssys_contract::capability::Capability;
use airssys_contract::{ByInterface, HostFn, HostMessagingFn, Interface, StorageFn};
use airssys_probe_protocol::{Call, StorageCall};

use super::{ClauseCheck, Judge, Needs, Probe, Session, no_part};
use crate::wire::{Capabilities, ComponentId, Grant};

pub(super) const CHECKS: &[ClauseCheck] = &[
    ClauseCheck {
        clause: "SEC-1",
        needs: Needs::RuntimeFor(Interface::HostMessaging),
        uses: &[],
        judge: Judge::Any(sec_1),
    },
    ClauseCheck {
        clause: "SEC-1.1",
        needs: Needs::PartialGrants,
        uses: &[],
        judge: Judge::Any(sec_1_1),
    },
    ClauseCheck {
        clause: "SEC-1.2",
        needs: Needs::PartialGrants,
        uses: &[],
        judge: Judge::Messaging(sec_1_2),
    },
];

fn sec_1(session: &mut Session, function: HostFn) {
    let (probe, call, case) = match function.by_interface() {
        ByInterface::Storage(f) => {
            let probe = session.load_with(Probe::Storage, "denied/1", Grant::Nothing);
            (probe, storage_call(f), "io-error")
        }
        ByInterface::HostMessaging(f) => {
            let target = session.load(Probe::Messaging, "target/1");
            let probe = session.load_with(Probe::Messaging, "denied/1", Grant::Nothing);
            (
                probe,
                messaging_call("SEC-1", f, &target),
                "delivery-failed",
            )
        }
        ByInterface::HostServices(_) => no_part("SEC-1", function),
    };
    denied(session, &probe, call, case, "with no grant");
}

/// Storage: every capability but the function's own is refused, its own
/// alone is enough. Messaging: patterns that each miss the target in one
/// part are refused, a pattern that fits it with a `*` is enough, and a
/// literal part fits an equal part only, not one it begins or that begins it.
fn sec_1_1(session: &mut Session, function: HostFn) {
    match function.by_interface() {
        ByInterface::Storage(f) => {
            let own = needed(function);
            let mut others = every_capability();
            grant_storage(&mut others, own, false);
            let probe = session.load_with(Probe::Storage, "without/1", Grant::Only(others));
            let without = format!("with every capability but {}", own.name());
            denied(session, &probe, storage_call(f), "io-error", &without);

            let mut alone = Capabilities::default();
            grant_storage(&mut alone, own, true);
            let probe = session.load_with(Probe::Storage, "alone/1", Grant::Only(alone));
            let with = format!("with {} alone", own.name());
            allowed(session, &probe, storage_call(f), &with);
        }
        ByInterface::HostMessaging(f) => {
            let own = needed(function);
            let target = session.load(Probe::Messaging, "target/1");
            let (namespace, name, instance) = (&target.namespace, &target.name, &target.instance);
            let near_misses = vec![
                format!("elsewhere/{name}/{instance}"),
                format!("{namespace}/elsewhere/{instance}"),
                format!("{namespace}/{name}/elsewhere"),
            ];
            let mut missing = every_capability();
            *patterns(&mut missing, own) = near_misses.clone();
            let probe = session.load_with(Probe::Messaging, "near-miss/1", Grant::Only(missing));
            let shown = format!(
                "with {} to {} (each misses {} in one part) and every other capability",
                own.name(),
                near_misses.join(", "),
                target
            );
            denied(
                session,
                &probe,
                messaging_call("SEC-1.1", f, &target),
                "delivery-failed",
                &shown,
            );

            // A `*` in each part, by two patterns that each fit the target.
            let fitting = [format!("{namespace}/*/{instance}"), format!("*/{name}/*")];
            for (n, fitting) in fitting.into_iter().enumerate() {
                let mut alone = Capabilities::default();
                *patterns(&mut alone, own) = vec![fitting.clone()];
                let path = format!("fitting/{n}");
                let probe = session.load_with(Probe::Messaging, &path, Grant::Only(alone));
                let shown = format!("with {} to {fitting} alone", own.name());
                allowed(
                    session,
                    &probe,
                    messaging_call("SEC-1.1", f, &target),
                    &shown,
                );
            }

            by_prefix(session, f, own, namespace);
        }
        ByInterface::HostServices(_) => no_part("SEC-1.1", function),
    }
}

/// A literal part matches an equal part only: granted `{namespace}/*/pre`
/// and `{namespace}/pro/*`, a call of `function` to a target whose part the
/// literal is a proper prefix of, or that is a proper prefix of the
/// literal, is refused; one to a target each fits whole is allowed. The
/// targets are loaded first, so that only the grant can refuse the call.
fn by_prefix(session: &mut Session, function: HostMessagingFn, own: Capability, namespace: &str) {
    let grant = [format!("{namespace}/*/pre"), format!("{namespace}/pro/*")];
    let misses = [
        (
            "x/prefix",
            "the pattern's `pre` is a proper prefix of the target's `prefix`",
        ),
        (
            "x/pr",
            "the target's `pr` is a proper prefix of the pattern's `pre`",
        ),
        (
            "probe/1",
            "the pattern's `pro` is a proper prefix of the target's `probe`",
        ),
    ];
    let fits = ["x/pre", "pro/1"];
    let misses = misses.map(|(path, why)| (session.load(Probe::Messaging, path), why));
    let fits = fits.map(|path| session.load(Probe::Messaging, path));
    let mut alone = Capabilities::default();
    *patterns(&mut alone, own) = grant.to_vec();
    let probe = session.load_with(Probe::Messaging, "by-prefix/1", Grant::Only(alone));
    let granted = format!("with {} to {} alone", own.name(), grant.join(", "));
    for (target, why) in misses {
        denied(
            session,
            &probe,
            messaging_call("SEC-1.1", function, &target),
            "delivery-failed",
            &format!("{granted} ({why}; parts match whole)"),
        );
    }
    for target in fits {
        allowed(
            session,
            &probe,
            messaging_call("SEC-1.1", function, &target),
            &granted,
        );
    }
}

/// A broadcast to a granted and an ungranted target is refused as a whole:
/// nothing reaches the granted one. The granted one alone is allowed.
fn sec_1_2(session: &mut Session, function: HostMessagingFn) {
    match function {
        HostMessagingFn::Broadcast => {}
        HostMessagingFn::Send
        | HostMessagingFn::Request
        | HostMessagingFn::CancelRequest
        | HostMessagingFn::SelfId => no_part("SEC-1.2", function),
    }
    let granted = session.load(Probe::Messaging, "granted/1");
    let ungranted = session.load(Probe::Messaging, "ungranted/1");
    let only_granted = Capabilities::none().with_broadcast(vec![granted.to_string()]);
    let probe = session.load_with(Probe::Messaging, "caster/1", Grant::Only(only_granted));
    let shown = format!("with broadcast to {} alone", granted);
    denied(
        session,
        &probe,
        Call::broadcast(&[&granted, &ungranted], b"x"),
        "delivery-failed",
        &format!("to both {} and {}, {shown}", granted, ungranted),
    );
    session.settle();
    let received = session.inbox(&granted);
    assert!(
        received.is_empty(),
        "a refused broadcast reached {} anyway: {} message(s) delivered",
        granted,
        received.len()
    );
    allowed(session, &probe, Call::broadcast(&[&granted], b"x"), &shown);
}

/// The capability `function` needs; SEC-1.1 names only functions that need one.
fn needed(function: HostFn) -> Capability {
    function
        .capability()
        .unwrap_or_else(|| no_part("SEC-1.1", function))
}

/// `call`, refused for lack of a grant: `err(case)` saying "capability denied".
fn denied(session: &mut Session, probe: &ComponentId, call: Call, case: &str, granted: &str) {
    let shown = super::brief(&call);
    let detail = match session.call(probe, call) {
        Err(error) if error.case == case => error.detail.unwrap_or_default(),
        other => panic!(
            "{shown} {granted}: expected err({case}) saying \"capability denied\", got {}",
            airssys_probe_protocol::wit_reply(&other)
        ),
    };
    assert!(
        detail.contains("capability denied"),
        "{shown} {granted}: the reason must say \"capability denied\", it says {detail:?}"
    );
}

/// `call`, allowed by what was granted: not refused for lack of a grant.
/// Its other answers are for the function's other clauses to judge (a
/// `delete` of an absent key, say).
fn allowed(session: &mut Session, probe: &ComponentId, call: Call, granted: &str) {
    let shown = super::brief(&call);
    match session.call(probe, call) {
        Err(error)
            if error
                .detail
                .as_deref()
                .is_some_and(|detail| detail.contains("capability denied")) =>
        {
            panic!(
                "{shown} {granted}: refused with {}; that grant allows the call",
                airssys_probe_protocol::wit_reply(&Err(error))
            )
        }
        Ok(_) | Err(_) => {}
    }
}

fn storage_call(function: StorageFn) -> Call {
    match function {
        StorageFn::Get => Call::get("k"),
        StorageFn::Set => Call::set("k", b"v"),
        StorageFn::Delete => Call::delete("k"),
        StorageFn::Exists => Call::exists("k"),
        StorageFn::ListKeys => Call::Storage(StorageCall::ListKeys { prefix: None }),
        StorageFn::Usage => Call::Storage(StorageCall::Usage),
    }
}

/// The call of `function` to `target` that `clause` judges.
fn messaging_call(clause: &str, function: HostMessagingFn, target: &ComponentId) -> Call {
    match function {
        HostMessagingFn::Send => Call::send(target, b"x"),
        HostMessagingFn::Request => Call::request(target, b"x", 1000),
        HostMessagingFn::Broadcast => Call::broadcast(&[target], b"x"),
        HostMessagingFn::CancelRequest | HostMessagingFn::SelfId => no_part(clause, function),
    }
}

fn every_capability() -> Capabilities {
    let any = || vec!["*/*/*".to_owned()];
    Capabilities::none()
        .with_storage_read(true)
        .with_storage_write(true)
        .with_storage_delete(true)
        .with_send(any())
        .with_request(any())
        .with_broadcast(any())
}

fn grant_storage(capabilities: &mut Capabilities, capability: Capability, granted: bool) {
    match capability {
        Capability::StorageRead => capabilities.storage_read = granted,
        Capability::StorageWrite => capabilities.storage_write = granted,
        Capability::StorageDelete => capabilities.storage_delete = granted,
        Capability::Send | Capability::Request | Capability::Broadcast => {
            unreachable!("{} is not a storage capability", capability.name())
        }
    }
}

/// The target patterns of a messaging capability.
fn patterns(capabilities: &mut Capabilities, capability: Capability) -> &mut Vec<String> {
    match capability {
        Capability::Send => &mut capabilities.send,
        Capability::Request => &mut capabilities.request,
        Capability::Broadcast => &mut capabilities.broadcast,
        Capability::StorageRead | Capability::StorageWrite | Capability::StorageDelete => {
            unreachable!("{} takes no target patterns", capability.name())
        }
    }
}
