//! SEC-1: deny by default; a refused call fails with the function's own error.

use airssys_probe_protocol::Call;

use super::messaging::{broadcast, request, send};
use super::storage::{get, set};
use super::{ClauseCheck, Needs, Probe, Session};
use crate::contract::HostFunction;
use crate::host::Grant;

pub(super) const CHECKS: &[ClauseCheck] = &[ClauseCheck {
    clause: "SEC-1",
    needs: Needs::RuntimeFor("host-messaging"),
    uses: &[],
    run: sec_1,
}];

fn sec_1(session: &mut Session, function: &HostFunction) {
    let (probe, call, case) = match function.interface.as_str() {
        "storage" => {
            let probe = session.load_with(Probe::Storage, "denied/1", Grant::Nothing);
            let call = match function.name.as_str() {
                "get" => get("k"),
                "set" => set("k", b"v"),
                "delete" => Call::Delete { key: "k".into() },
                "exists" => Call::Exists { key: "k".into() },
                "list-keys" => Call::ListKeys { prefix: None },
                _ => Call::Usage,
            };
            (probe, call, "io-error")
        }
        _ => {
            let target = session.load(Probe::Messaging, "target/1");
            let probe = session.load_with(Probe::Messaging, "denied/1", Grant::Nothing);
            let call = match function.name.as_str() {
                "request" => request(&target, b"x", 1000),
                "broadcast" => broadcast(&[&target], b"x"),
                _ => send(&target, b"x"),
            };
            (probe, call, "delivery-failed")
        }
    };
    let detail = session.err(&probe, call, case).unwrap_or_default();
    assert!(
        detail.contains("capability denied"),
        "the reason must say \"capability denied\", it says {detail:?}"
    );
}
