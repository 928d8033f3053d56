//! Hosts that grant more than they are asked to: the reference host with
//! its grant mapping (SEC-1.1) replaced. Each must fail the grant trials of
//! exactly the functions it over-grants for, and nothing else.

use airssys_conformance::{Capabilities, Grant};
use airssys_reference_adapter::{Grants, reference_grants};

pub struct OverGrant {
    pub what: &'static str,
    /// A name for its snapshot.
    pub name: &'static str,
    pub grants: Grants,
    /// The trials that must fail; no other trial may.
    pub fails: &'static [&'static str],
}

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
        fails: &[
            "host-messaging::send::behaviour::SEC-1.1",
            "host-messaging::request::behaviour::SEC-1.1",
            "host-messaging::broadcast::behaviour::SEC-1.1",
        ],
    },
];

/// A partial grant changed by `change`; the others as the reference has them.
fn changed(grant: Grant, change: fn(&mut Capabilities)) -> airssys_host::Capabilities {
    match grant {
        Grant::Only(mut only) => {
            change(&mut only);
            reference_grants(Grant::Only(only))
        }
        whole @ (Grant::Everything | Grant::Nothing) => reference_grants(whole),
    }
}

fn any_storage_grant_is_all(grant: Grant) -> airssys_host::Capabilities {
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

fn patterns_match_everything(grant: Grant) -> airssys_host::Capabilities {
    changed(grant, |c| each_pattern(c, |_| "*/*/*".into()))
}

fn namespace_decides(grant: Grant) -> airssys_host::Capabilities {
    changed(grant, |c| {
        each_pattern(c, |pattern| {
            let namespace = pattern.split('/').next().unwrap_or("*");
            format!("{namespace}/*/*")
        })
    })
}

fn messaging_grants_pooled(grant: Grant) -> airssys_host::Capabilities {
    changed(grant, |c| {
        let pooled: Vec<String> = [&c.send, &c.request, &c.broadcast]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        (c.send, c.request, c.broadcast) = (pooled.clone(), pooled.clone(), pooled);
    })
}
