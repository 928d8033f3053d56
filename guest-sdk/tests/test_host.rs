//! The SDK's API over the in-memory host: the wrappers pass values through
//! faithfully, and the test host follows the contract's clauses where it
//! stands in for a real host.

use std::time::{Duration, UNIX_EPOCH};

use airssys_guest::logging::Level;
use airssys_guest::testing::{Grants, TestHost};
use airssys_guest::{
    Component, ComponentError, ComponentId, Error, Message, MessagingError, StorageError,
    messaging, services, storage,
};

fn peer() -> ComponentId {
    ComponentId::new("acme", "peer", "0")
}

/// Records every callback in storage, under `callback/<correlation-id>`.
struct Recorder;

impl Component for Recorder {
    fn handle_message(_message: Message) -> Result<Option<Vec<u8>>, Error> {
        Ok(None)
    }

    fn handle_callback(message: Message) -> Result<(), Error> {
        let id = message.correlation_id.clone().unwrap_or_default();
        let what = if message.is_timeout() {
            b"timeout".to_vec()
        } else {
            message.payload
        };
        storage::set(format!("callback/{id}"), what)?;
        Ok(())
    }
}

#[test]
fn storage_round_trips_bytes_and_keeps_empty_values_distinct_from_absent() {
    let _host = TestHost::new();
    storage::set("k", [0u8, 255, 7]).unwrap();
    storage::set("empty", b"").unwrap();

    assert_eq!(storage::get("k").unwrap(), Some(vec![0, 255, 7]));
    assert_eq!(storage::get("empty").unwrap(), Some(vec![]));
    assert_eq!(storage::get("never").unwrap(), None);
    assert!(storage::exists("empty").unwrap());
    storage::delete("k").unwrap();
    storage::delete("k").unwrap();
    assert!(!storage::exists("k").unwrap());
}

#[test]
fn storage_lists_sorted_keys_and_counts_usage() {
    let _host = TestHost::new();
    for key in ["b", "a/2", "a/1"] {
        storage::set(key, "xy").unwrap();
    }

    assert_eq!(storage::keys().unwrap(), ["a/1", "a/2", "b"]);
    assert_eq!(storage::keys_with_prefix("a/").unwrap(), ["a/1", "a/2"]);
    let usage = storage::usage().unwrap();
    assert_eq!((usage.key_count, usage.used_bytes), (3, 3 + 2 + 2 + 3 * 2));
}

#[test]
fn storage_refuses_bad_keys_and_quota_overruns_with_reasons_and_changes_nothing() {
    let host = TestHost::new();
    host.set_quota(10);
    storage::set("k", "12345").unwrap();

    let empty = storage::set("", "v").unwrap_err();
    assert_eq!(empty, StorageError::InvalidKey("the key is empty".into()));
    assert_eq!(empty.to_string(), "storage: invalid key: the key is empty");
    let long = storage::get("x".repeat(1025)).unwrap_err();
    assert!(
        long.to_string().contains("1025 bytes; the limit is 1024"),
        "{long}"
    );
    assert_eq!(
        storage::set("k", "1234567890"),
        Err(StorageError::QuotaExceeded)
    );
    assert_eq!(host.storage()["k"], b"12345");
}

#[test]
fn requests_get_scripted_replies_at_the_callback_with_their_correlation_id() {
    let host = TestHost::new();
    host.answer(&peer(), |payload| Some([b"re:", payload].concat()));

    let pending = messaging::request(&peer(), "ping", Duration::from_secs(1)).unwrap();
    assert_eq!(host.deliver_callbacks::<Recorder>().unwrap(), 1);

    let key = format!("callback/{}", pending.correlation_id());
    assert_eq!(host.storage()[&key], b"re:ping");
    assert_eq!(
        host.sent()[0].correlation_id.as_deref(),
        Some(pending.correlation_id())
    );
}

#[test]
fn unanswered_requests_time_out_only_after_their_deadline() {
    let host = TestHost::new();
    host.load(&peer());
    let pending = messaging::request(&peer(), "ping", Duration::from_millis(500)).unwrap();

    host.advance(Duration::from_millis(499));
    assert_eq!(host.deliver_callbacks::<Recorder>().unwrap(), 0);
    host.advance(Duration::from_millis(1));
    assert_eq!(host.deliver_callbacks::<Recorder>().unwrap(), 1);

    let key = format!("callback/{}", pending.correlation_id());
    assert_eq!(host.storage()[&key], b"timeout");
    let id = pending.correlation_id().to_owned();
    assert_eq!(
        pending.cancel(),
        Err(MessagingError::CorrelationTimeout(id))
    );
}

#[test]
fn a_cancelled_request_gets_no_callback_and_cannot_be_cancelled_twice() {
    let host = TestHost::new();
    host.answer(&peer(), |_| Some(b"late".to_vec()));
    let pending = messaging::request(&peer(), "ping", Duration::from_secs(1)).unwrap();
    let id = pending.correlation_id().to_owned();

    pending.cancel().unwrap();
    assert_eq!(host.deliver_callbacks::<Recorder>().unwrap(), 0);
    let again = messaging::cancel_request(&id).unwrap_err();
    assert_eq!(
        again,
        MessagingError::InvalidMessage(format!("request `{id}` was already cancelled"))
    );
}

#[test]
fn cancel_request_says_answered_and_unknown_as_the_reference_host_does() {
    let host = TestHost::new();
    host.answer(&peer(), |_| Some(b"pong".to_vec()));
    let id = messaging::request(&peer(), "ping", Duration::from_secs(1))
        .unwrap()
        .correlation_id()
        .to_owned();
    host.deliver_callbacks::<Recorder>().unwrap();
    assert_eq!(
        messaging::cancel_request(&id),
        Err(MessagingError::InvalidMessage(format!(
            "request `{id}` was already answered"
        )))
    );
    assert_eq!(
        messaging::cancel_request("nope"),
        Err(MessagingError::InvalidMessage(
            "no pending request `nope` of the caller".into()
        ))
    );
}

#[test]
fn a_call_without_its_grant_is_refused_first_and_recorded() {
    let host = TestHost::new();
    host.load(&peer());
    host.grant(Grants::nothing().storage_read().send_to("acme/*/*"));

    // The grant is checked before the key: an empty key is refused for the grant.
    assert_eq!(
        storage::set("", "v"),
        Err(StorageError::Io(
            "capability denied: storage write is not granted".into()
        ))
    );
    assert_eq!(storage::get("k"), Ok(None));
    messaging::send(&peer(), "hi").unwrap();
    let other = ComponentId::new("other", "peer", "0");
    assert_eq!(
        messaging::request(&other, "hi", Duration::ZERO).map(|p| p.correlation_id().to_owned()),
        Err(MessagingError::DeliveryFailed(
            "capability denied: messaging request to other/peer/0 is not granted".into()
        ))
    );
    assert_eq!(
        messaging::broadcast(&[peer()], "hi"),
        Err(MessagingError::DeliveryFailed(
            "capability denied: messaging broadcast to acme/peer/0 is not granted".into()
        ))
    );
    assert_eq!(host.denials().len(), 3);
    assert_eq!(host.sent().len(), 1);
}

#[test]
fn a_target_with_1024_untaken_messages_is_full_until_they_are_taken() {
    let host = TestHost::new();
    host.load(&peer());
    for _ in 0..1024 {
        messaging::send(&peer(), "x").unwrap();
    }
    assert_eq!(
        messaging::send(&peer(), "x"),
        Err(MessagingError::QueueFull)
    );
    assert_eq!(
        messaging::broadcast(&[peer()], "x"),
        Err(MessagingError::QueueFull)
    );
    assert_eq!(host.take_sent().len(), 1024);
    messaging::send(&peer(), "x").unwrap();
}

#[test]
fn request_checks_its_timeout_before_the_payload_as_the_reference_host_does() {
    let host = TestHost::new();
    host.load(&peer());
    let huge = vec![0; 1024 * 1024 + 1];
    assert_eq!(
        messaging::request(&peer(), huge.clone(), Duration::ZERO)
            .map(|p| p.correlation_id().to_owned()),
        Err(MessagingError::InvalidMessage(
            "timeout-ms is 0; a request needs at least 1 ms to be answered".into()
        ))
    );
    assert_eq!(
        messaging::request(&peer(), huge, Duration::from_secs(1))
            .map(|p| p.correlation_id().to_owned()),
        Err(MessagingError::InvalidMessage(
            "payload is 1048577 bytes; the limit is 1048576 bytes".into()
        ))
    );
    let day = Duration::from_secs(24 * 3600);
    assert!(matches!(
        messaging::request(&peer(), "hi", day),
        Err(MessagingError::InvalidMessage(why)) if why.contains("the longest a request may wait is 3600000 ms")
    ));
}

#[test]
fn messaging_refuses_unloaded_targets_zero_timeouts_and_oversized_payloads() {
    let host = TestHost::new();
    let nobody = ComponentId::new("acme", "nobody", "0");
    assert_eq!(
        messaging::send(&nobody, "hi"),
        Err(MessagingError::TargetNotFound(nobody.clone()))
    );
    host.load(&peer());
    assert!(matches!(
        messaging::request(&peer(), "hi", Duration::ZERO),
        Err(MessagingError::InvalidMessage(_))
    ));
    assert!(matches!(
        messaging::send(&peer(), vec![0; 1024 * 1024 + 1]),
        Err(MessagingError::InvalidMessage(_))
    ));
    assert_eq!(
        messaging::broadcast(&[peer(), nobody.clone()], "hi"),
        Err(MessagingError::TargetNotFound(nobody))
    );
    assert!(host.sent().is_empty(), "nothing is sent when a call fails");
}

#[test]
fn broadcast_sends_once_to_each_distinct_target() {
    let host = TestHost::new();
    let other = ComponentId::new("acme", "other", "0");
    host.load(&peer()).load(&other);

    messaging::broadcast(&[peer(), other.clone(), peer()], "hi").unwrap();

    let targets: Vec<ComponentId> = host.sent().into_iter().map(|s| s.target).collect();
    assert_eq!(targets, [peer(), other]);
}

#[test]
fn self_id_and_registry_come_from_the_test_host() {
    let me = ComponentId::new("acme", "me", "7");
    let host = TestHost::with_self_id(me.clone());
    host.load(&peer());

    assert_eq!(messaging::self_id(), me);
    assert_eq!(services::components(), [me, peer()]);
    assert_eq!(services::component_info(&peer()).unwrap().health, "healthy");
    let missing = ComponentId::new("acme", "gone", "0");
    assert!(matches!(
        services::component_info(&missing),
        Err(ComponentError::InvalidState(_))
    ));
}

#[test]
fn the_clock_is_controlled_and_sleep_moves_it_instead_of_blocking() {
    let host = TestHost::new();
    let start = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
    host.set_time(start);

    services::sleep(Duration::from_secs(3600));

    assert_eq!(services::now(), start + Duration::from_secs(3600));
    assert_eq!(services::unix_millis(), 1_700_003_600_123);
}

#[test]
fn log_macros_send_level_message_and_context_in_order() {
    let host = TestHost::new();
    let attempt = 2;
    airssys_guest::info!("plain {}", 1);
    airssys_guest::warn!({ "key" => "visits", "attempt" => attempt }, "retry {attempt}");

    let logs = host.logs();
    assert_eq!(logs.len(), 2);
    assert_eq!(
        (logs[0].level, logs[0].message.as_str()),
        (Level::Info, "plain 1")
    );
    assert!(logs[0].context.is_empty());
    assert_eq!(logs[1].level, Level::Warn);
    assert_eq!(
        logs[1].context,
        [
            ("key".into(), "visits".into()),
            ("attempt".into(), "2".into())
        ]
    );
}

/// Sleeps a test delivers to the component.
struct Sleeper;

impl Component for Sleeper {
    fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error> {
        let millis: u64 = message.text()?.parse().map_err(Error::payload)?;
        services::sleep(Duration::from_millis(millis));
        Ok(None)
    }
}

#[test]
fn a_sleep_within_the_budget_moves_the_test_clock() {
    let host = TestHost::new();
    let before = host.now();
    host.deliver::<Sleeper>(&peer(), "4000").unwrap();
    host.deliver::<Sleeper>(&peer(), "4000").unwrap();
    assert_eq!(
        host.now(),
        before + Duration::from_secs(8),
        "the budget is per call"
    );
}

/// SVC-4.1: on a host the call would trap; here it panics.
#[test]
#[should_panic(expected = "sleep-millis(6000) exceeds the remaining execution budget of 5000 ms")]
fn a_sleep_past_the_budget_panics_as_a_host_traps() {
    let host = TestHost::new();
    let _ = host.deliver::<Sleeper>(&peer(), "6000");
}

/// SVC-1.1, as the reference host cuts: the message at 16 KiB, the context
/// at 4 KiB of keys and values, each cut marked.
#[test]
fn log_records_are_cut_as_a_host_cuts_them() {
    let host = TestHost::new();
    let long = "m".repeat(20 * 1024);
    let context: Vec<(String, String)> = (0..5).map(|n| (n.to_string(), "v".repeat(980))).collect();
    airssys_guest::logging::log_with(Level::Info, &long, &context);
    let logs = host.logs();
    assert!(
        logs[0]
            .message
            .ends_with("… [cut: 20480 bytes, first 16384 kept]"),
        "{}",
        &logs[0].message[16 * 1024..]
    );
    assert_eq!(logs[0].context[..4], context[..4]);
    assert_eq!(
        logs[0].context[4],
        ("…".into(), "1 of 5 context pairs dropped".into())
    );
}

#[cfg(feature = "log")]
#[test]
fn the_log_crate_writes_through_the_host_with_its_target() {
    let host = TestHost::new();
    airssys_guest::logger::init();
    airssys_guest::logger::init();

    log::error!(target: "ledger", "disk {}", "full");

    let logs = host.logs();
    assert_eq!(
        (logs[0].level, logs[0].message.as_str()),
        (Level::Error, "disk full")
    );
    assert_eq!(logs[0].context, [("target".into(), "ledger".into())]);
}

#[cfg(feature = "json")]
#[test]
fn json_values_round_trip_and_bad_json_names_the_key() {
    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Visit {
        page: String,
        count: u32,
    }
    let _host = TestHost::new();
    let visit = Visit {
        page: "/".into(),
        count: 3,
    };

    storage::set_json("visit", &visit).unwrap();
    storage::set("broken", "{").unwrap();

    assert_eq!(storage::get_json::<Visit>("visit").unwrap(), Some(visit));
    let error = storage::get_json::<Visit>("broken").unwrap_err();
    assert!(matches!(error, Error::Payload(_)), "{error:?}");
    assert!(error.to_string().contains("under `broken`"), "{error}");
}

#[test]
fn each_test_thread_has_its_own_host() {
    let _host = TestHost::new();
    storage::set("mine", "1").unwrap();
    let elsewhere = std::thread::spawn(|| storage::get("mine").unwrap())
        .join()
        .unwrap();
    assert_eq!(elsewhere, None);
    assert!(storage::exists("mine").unwrap());
}
