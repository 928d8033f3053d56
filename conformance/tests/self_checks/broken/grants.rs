//! Hosts that grant more than they are asked to: the reference host with
//! its grant mapping (SEC-1.1) replaced. Each must fail the grant trials of
//! exactly the functions it over-grants for, and nothing else.

use std::sync::Mutex;

use airssys_conformance::{Capabilities, ComponentId, Grant};
use airssys_host::TargetPattern;
use airssys_reference_adapter::{Grants, reference_grants};

pub struct OverGrant {
    pub what: &'static str,
    /// A name for its snapshot.
    pub name: &'static str,
    pub grants: Grants,
    /// The trials that must fail; no other trial may.
    pub fails: &'static [&'static str],
}

/// The trials of each messaging capability's own target patterns.
const MESSAGING_PATTERN_TRIALS: &[&str] = &[
    "host-messaging::send::behaviour::SEC-1.1",
    "host-messaging::request::behaviour::SEC-1.1",
    "host-messaging::broadcast::behaviour::SEC-1.1",
];

/// Every trial of a grant to message targets.
const MESSAGING_GRANT_TRIALS: &[&str] = &[
    "host-messaging::send::behaviour::SEC-1.1",
    "host-messaging::request::behaviour::SEC-1.1",
    "host-messaging::broadcast::behaviour::SEC-1.1",
    "host-messaging::broadcast::behaviour::SEC-1.2",
];

pub const OVER_GRANTS: &[OverGrant] = &[
    OverGrant {
        what: "any storage capability allows every storage call",
        name: "any-storage-grant-is-all",
        grants: any_storage_grant_is_all,
        fails: &[
            "storage::get::behaviour::SEC-1.1",
            "storage::set::behaviour::SEC-1.1",
            "storage::delete::behaviour::SEC-1.1",
            "storage::exists::behaviour::SEC-1.1",
            "storage::list-keys::behaviour::SEC-1.1",
            "storage::usage::behaviour::SEC-1.1",
        ],
    },
    OverGrant {
        what: "every target pattern matches every id",
        name: "patterns-match-everything",
        grants: patterns_match_everything,
        fails: MESSAGING_GRANT_TRIALS,
    },
    OverGrant {
        what: "a pattern matches every id in its namespace",
        name: "namespace-decides",
        grants: namespace_decides,
        fails: MESSAGING_GRANT_TRIALS,
    },
    OverGrant {
        what: "send, request and broadcast share their patterns",
        name: "messaging-grants-pooled",
        grants: messaging_grants_pooled,
        fails: MESSAGING_PATTERN_TRIALS,
    },
    OverGrant {
        what: "a pattern's part matches every part it begins: acme/*/pre allows acme/kv/prefix",
        name: "parts-match-by-prefix",
        grants: parts_match_by_prefix,
        fails: MESSAGING_PATTERN_TRIALS,
    },
    OverGrant {
        what: "a pattern's part matches every part that begins it: acme/*/pre allows acme/kv/pr",
        name: "parts-match-their-prefixes",
        grants: parts_match_their_prefixes,
        fails: MESSAGING_PATTERN_TRIALS,
    },
];

/// A partial grant changed by `change`; the others as the reference has them.
fn changed(grant: Grant, change: impl FnOnce(&mut Capabilities)) -> airssys_host::Capabilities {
    match grant {
        Grant::Only(mut only) => {
            change(&mut only);
            reference_grants(Grant::Only(only))
        }
        whole => reference_grants(whole),
    }
}

fn any_storage_grant_is_all(_: &ComponentId, grant: Grant) -> airssys_host::Capabilities {
    changed(grant, |c| {
        let any = c.storage_read || c.storage_write || c.storage_delete;
        (c.storage_read, c.storage_write, c.storage_delete) = (any, any, any);
    })
}

fn each_pattern(c: &mut Capabilities, rewrite: fn(&str) -> String) {
    for patterns in [&mut c.send, &mut c.request, &mut c.broadcast] {
        for pattern in patterns.iter_mut() {
            *pattern = rewrite(pattern);
        }
    }
}

fn patterns_match_everything(_: &ComponentId, grant: Grant) -> airssys_host::Capabilities {
    changed(grant, |c| each_pattern(c, |_| "*/*/*".into()))
}

fn namespace_decides(_: &ComponentId, grant: Grant) -> airssys_host::Capabilities {
    changed(grant, |c| {
        each_pattern(c, |pattern| {
            let namespace = pattern.split('/').next().unwrap_or("*");
            format!("{namespace}/*/*")
        })
    })
}

fn messaging_grants_pooled(_: &ComponentId, grant: Grant) -> airssys_host::Capabilities {
    changed(grant, |c| {
        let pooled: Vec<String> = [&c.send, &c.request, &c.broadcast]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        (c.send, c.request, c.broadcast) = (pooled.clone(), pooled.clone(), pooled);
    })
}

fn parts_match_by_prefix(id: &ComponentId, grant: Grant) -> airssys_host::Capabilities {
    by_prefix(id, grant, |part, literal| part.starts_with(literal))
}

fn parts_match_their_prefixes(id: &ComponentId, grant: Grant) -> airssys_host::Capabilities {
    by_prefix(id, grant, |part, literal| literal.starts_with(part))
}

/// Every id a prefix-matching host has loaded, in every run of it.
static LOADED: Mutex<Vec<ComponentId>> = Mutex::new(Vec::new());

/// A host that matches a pattern's literal part to an id's part when
/// `fits(part, literal)`, not only when they are equal. The reference host
/// matches parts whole, so each pattern is given together with the ids
/// loaded so far that it fits: for those the host answers as one matching
/// by prefix does. SEC-1.1 loads its targets before the component that
/// messages them; a target loaded later would not be fitted, so this host
/// can only pass a trial a real prefix matcher passes, never fail one it
/// would not.
fn by_prefix(
    id: &ComponentId,
    grant: Grant,
    fits: fn(&str, &str) -> bool,
) -> airssys_host::Capabilities {
    let mut loaded = LOADED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    loaded.push(id.clone());
    let partial = matches!(grant, Grant::Only(_));
    let mut capabilities = reference_grants(grant);
    if !partial {
        return capabilities;
    }
    let part = |pattern: &str, part: &str| pattern == "*" || fits(part, pattern);
    for patterns in [
        &mut capabilities.send,
        &mut capabilities.request,
        &mut capabilities.broadcast,
    ] {
        let fitted: Vec<TargetPattern> = loaded
            .iter()
            .filter(|id| {
                patterns.iter().any(|p| {
                    part(&p.namespace, &id.namespace)
                        && part(&p.name, &id.name)
                        && part(&p.instance, &id.instance)
                })
            })
            .map(|id| TargetPattern {
                namespace: id.namespace.clone(),
                name: id.name.clone(),
                instance: id.instance.clone(),
            })
            .collect();
        patterns.extend(fitted);
    }
    capabilities
}
