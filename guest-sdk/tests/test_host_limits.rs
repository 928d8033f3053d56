//! Every bound the test host keeps, at the reference host's defaults: a
//! component under test that pushes against one meets it here as it would
//! on a host (RES-1), and the test host's own records stay bounded too.

use std::time::Duration;

use airssys_guest::testing::{Grants, TestHost};
use airssys_guest::{ComponentId, MessagingError, StorageError, messaging, storage};

fn peer() -> ComponentId {
    ComponentId::new("acme", "peer", "0")
}

fn request(timeout: Duration) -> String {
    messaging::request(&peer(), "ping", timeout)
        .unwrap()
        .correlation_id()
        .to_owned()
}

/// STO-9.1: the key count is bounded as the reference host bounds it, at 65,536.
#[test]
fn a_new_key_past_the_key_limit_is_quota_exceeded_and_an_old_one_can_change() {
    let host = TestHost::new();
    for n in 0..65_536 {
        storage::set(format!("{n}"), "").unwrap();
    }
    assert_eq!(
        storage::set("one more", ""),
        Err(StorageError::QuotaExceeded)
    );
    storage::set("7", "changed").unwrap();
    storage::delete("8").unwrap();
    storage::set("one more", "").unwrap();
    assert_eq!(storage::usage().unwrap().key_count, 65_536);

    host.set_max_keys(65_537);
    storage::set("and another", "").unwrap();
}

/// MSG-7.1: 4096 settled requests are remembered per caller; older ones
/// are unknown, as on the reference host.
#[test]
fn cancel_request_remembers_the_newest_4096_settled_requests() {
    let host = TestHost::new();
    host.load(&peer());
    let ids: Vec<String> = (0..4097)
        .map(|_| {
            let id = request(Duration::from_secs(1));
            messaging::cancel_request(&id).unwrap();
            // A cancelled request is still delivered (MSG-7.2): the queue empties.
            host.take_sent();
            id
        })
        .collect();
    assert!(matches!(
        messaging::cancel_request(&ids[0]),
        Err(MessagingError::InvalidMessage(why)) if why.starts_with("no pending request")
    ));
    assert!(matches!(
        messaging::cancel_request(&ids[1]),
        Err(MessagingError::InvalidMessage(why)) if why.contains("already cancelled")
    ));
}

/// SEC-1.3: a refusal's reason is kept to 512 bytes, cut at a character and
/// marked, as the reference host's audit log keeps it; the caller is told
/// the whole reason.
#[test]
fn a_recorded_refusal_keeps_at_most_512_bytes_of_reason() {
    let host = TestHost::new();
    host.grant(Grants::nothing());
    let long = ComponentId::new("acme", "é".repeat(400), "0");
    let told = messaging::send(&long, "x").unwrap_err().to_string();
    assert!(told.len() > 800, "{told}");
    let kept = &host.denials()[0];
    assert!(kept.len() <= 512 && kept.ends_with('…'), "{kept}");
    assert!(told.contains(&kept[..kept.len() - '…'.len_utf8()]));
}

/// MSG-9.3: 64 MiB undelivered to one target at most, counted in payload bytes.
#[test]
fn a_target_holding_64_mib_undelivered_is_full() {
    let host = TestHost::new();
    host.load(&peer());
    let mebibyte = vec![0; 1024 * 1024];
    for _ in 0..64 {
        messaging::send(&peer(), mebibyte.clone()).unwrap();
    }
    assert_eq!(
        messaging::send(&peer(), "x"),
        Err(MessagingError::QueueFull)
    );
    host.take_sent();
    messaging::send(&peer(), "x").unwrap();
}

/// MSG-5.3: 1024 pending requests per caller; another caller has its own.
#[test]
fn a_caller_with_1024_pending_requests_gets_queue_full() {
    let host = TestHost::new();
    // A script that never answers: its requests were delivered, so the
    // target's queue stays empty and only the pending count grows.
    host.answer(&peer(), |_| None);
    for _ in 0..1024 {
        request(Duration::from_secs(1));
    }
    assert_eq!(
        messaging::request(&peer(), "one more", Duration::from_secs(1))
            .map(|p| p.correlation_id().to_owned()),
        Err(MessagingError::QueueFull)
    );
    host.advance(Duration::from_secs(1));
    host.deliver_callbacks::<Quiet>().unwrap();
    request(Duration::from_secs(1));
}

/// Ignores everything.
struct Quiet;

impl airssys_guest::Component for Quiet {
    fn handle_message(
        _message: airssys_guest::Message,
    ) -> Result<Option<Vec<u8>>, airssys_guest::Error> {
        Ok(None)
    }
}

/// SEC-1.3: the newest 4096 refusals are kept.
#[test]
fn the_newest_4096_refusals_are_kept() {
    let host = TestHost::new();
    host.grant(Grants::nothing());
    let _ = storage::get("the first refusal, a read");
    for n in 0..4096 {
        let _ = storage::set(format!("{n}"), "");
    }
    let denials = host.denials();
    assert_eq!(denials.len(), 4096);
    assert!(
        denials.iter().all(|d| d.contains("storage write")),
        "the oldest, the read, went"
    );
}

/// The newest 1024 log records, as the reference host's `LogBuffer` keeps them.
#[test]
fn the_newest_1024_log_records_are_kept() {
    let host = TestHost::new();
    for n in 0..1025 {
        airssys_guest::info!("{n}");
    }
    let logs = host.logs();
    assert_eq!(logs.len(), 1024);
    assert_eq!(logs[0].message, "1");
}

/// What was sent and delivered stays on record, up to 65,536 records.
#[test]
fn the_record_of_sent_messages_is_bounded() {
    let host = TestHost::new();
    host.load_component::<Quiet>(&peer());
    for n in 0..65_537u32 {
        messaging::send(&peer(), n.to_be_bytes()).unwrap();
        if n % 1000 == 999 {
            host.dispatch();
        }
    }
    let sent = host.sent();
    assert_eq!(sent.len(), 65_536);
    assert_eq!(sent[0].payload, 1u32.to_be_bytes(), "the oldest went");
}
