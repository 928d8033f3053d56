//! SEC-1: deny by default; a refused call fails with the function's own error.

use airssys_contract::{ByInterface, HostFn, HostMessagingFn, Interface, StorageFn};
use airssys_probe_protocol::Call;

use super::messaging::{broadcast, request, send};
use super::storage::{get, set};
use super::{ClauseCheck, Judge, Needs, Probe, Session, no_part};
use crate::wire::Grant;

pub(super) const CHECKS: &[ClauseCheck] = &[ClauseCheck {
    clause: "SEC-1",
    needs: Needs::RuntimeFor(Interface::HostMessaging),
    uses: &[],
    judge: Judge::Any(sec_1),
}];

fn sec_1(session: &mut Session, function: HostFn) {
    let (probe, call, case) = match function.by_interface() {
        ByInterface::Storage(f) => {
            let probe = session.load_with(Probe::Storage, "denied/1", Grant::Nothing);
            let call = match f {
                StorageFn::Get => get("k"),
                StorageFn::Set => set("k", b"v"),
                StorageFn::Delete => Call::Delete { key: "k".into() },
                StorageFn::Exists => Call::Exists { key: "k".into() },
                StorageFn::ListKeys => Call::ListKeys { prefix: None },
                StorageFn::Usage => Call::Usage,
            };
            (probe, call, "io-error")
        }
        ByInterface::HostMessaging(f) => {
            let target = session.load(Probe::Messaging, "target/1");
            let probe = session.load_with(Probe::Messaging, "denied/1", Grant::Nothing);
            let call = match f {
                HostMessagingFn::Send => send(&target, b"x"),
                HostMessagingFn::Request => request(&target, b"x", 1000),
                HostMessagingFn::Broadcast => broadcast(&[&target], b"x"),
                HostMessagingFn::CancelRequest | HostMessagingFn::SelfId => no_part("SEC-1", f),
            };
            (probe, call, "delivery-failed")
        }
        ByInterface::HostServices(_) => no_part("SEC-1", function),
    };
    let detail = session.err(&probe, call, case).unwrap_or_default();
    assert!(
        detail.contains("capability denied"),
        "the reason must say \"capability denied\", it says {detail:?}"
    );
}
