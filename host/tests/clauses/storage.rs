//! STO-1..10 through the storage probe (STO-11 is in `persistence`).

use airssys_host::HostConfig;
use airssys_probe_protocol::{Call, Returned};

use crate::harness::{Harness, STORAGE_PROBE};

fn set(key: &str, value: &[u8]) -> Call {
    Call::Set {
        key: key.into(),
        value: value.to_vec(),
    }
}

fn get(key: &str) -> Call {
    Call::Get { key: key.into() }
}

fn delete(key: &str) -> Call {
    Call::Delete { key: key.into() }
}

fn exists(key: &str) -> Call {
    Call::Exists { key: key.into() }
}

fn list(prefix: Option<&str>) -> Call {
    Call::ListKeys {
        prefix: prefix.map(Into::into),
    }
}

/// (used bytes, quota bytes, key count)
fn usage(host: &Harness, probe: &airssys_host::ComponentId) -> (u64, u64, u64) {
    match host.ok(probe, Call::Usage) {
        Returned::Usage {
            used_bytes,
            quota_bytes,
            key_count,
        } => (used_bytes, quota_bytes, key_count),
        other => panic!("usage returned {other:?}"),
    }
}

fn small_quota(quota: u64) -> Harness {
    Harness::with_config(HostConfig {
        storage_quota_bytes: quota,
        ..HostConfig::default()
    })
}

#[test]
fn sto_1_set_then_get_returns_every_byte_value() {
    let host = Harness::new();
    let probe = host.load(STORAGE_PROBE, "test/storage/1");
    let value: Vec<u8> = (0..=255).collect();
    host.ok(&probe, set("bytes", &value));
    assert_eq!(host.ok(&probe, get("bytes")), Returned::Value(Some(value)));
}

#[test]
fn sto_1_values_up_to_what_the_quota_leaves_round_trip() {
    let quota = 64 * 1024;
    let host = small_quota(quota);
    let probe = host.load(STORAGE_PROBE, "test/storage/1");
    let largest: Vec<u8> = (0..quota - 3).map(|i| (i * 7 % 251) as u8).collect();
    host.ok(&probe, set("big", &largest));
    assert_eq!(host.ok(&probe, get("big")), Returned::Value(Some(largest)));
    assert_eq!(usage(&host, &probe).0, quota);
}

#[test]
fn sto_2_unset_key_is_none_and_empty_value_is_some_empty() {
    let host = Harness::new();
    let probe = host.load(STORAGE_PROBE, "test/storage/1");
    assert_eq!(host.ok(&probe, get("never-set")), Returned::Value(None));
    host.ok(&probe, set("empty", b""));
    assert_eq!(host.ok(&probe, get("empty")), Returned::Value(Some(vec![])));
}

#[test]
fn sto_3_set_replaces_and_keeps_key_count() {
    let host = Harness::new();
    let probe = host.load(STORAGE_PROBE, "test/storage/1");
    host.ok(&probe, set("k", b"first"));
    host.ok(&probe, set("k", b"second, longer"));
    assert_eq!(
        host.ok(&probe, get("k")),
        Returned::Value(Some(b"second, longer".to_vec()))
    );
    let (used, _, count) = usage(&host, &probe);
    assert_eq!((used, count), (1 + 14, 1));
}

#[test]
fn sto_4_delete_removes_and_absent_delete_is_ok() {
    let host = Harness::new();
    let probe = host.load(STORAGE_PROBE, "test/storage/1");
    host.ok(&probe, set("k", b"v"));
    assert_eq!(host.ok(&probe, delete("k")), Returned::Unit);
    assert_eq!(host.ok(&probe, get("k")), Returned::Value(None));
    assert_eq!(host.ok(&probe, exists("k")), Returned::Bool(false));
    assert_eq!(host.ok(&probe, delete("k")), Returned::Unit);
    assert_eq!(host.ok(&probe, delete("never-set")), Returned::Unit);
}

#[test]
fn sto_5_exists_agrees_with_get() {
    let host = Harness::new();
    let probe = host.load(STORAGE_PROBE, "test/storage/1");
    host.ok(&probe, set("present", b"x"));
    host.ok(&probe, set("empty", b""));
    for key in ["present", "empty", "absent"] {
        let is_some = host.ok(&probe, get(key)) != Returned::Value(None);
        assert_eq!(
            host.ok(&probe, exists(key)),
            Returned::Bool(is_some),
            "{key}"
        );
    }
}

#[test]
fn sto_6_list_keys_sorted_by_bytes_and_filtered_by_prefix() {
    let host = Harness::new();
    let probe = host.load(STORAGE_PROBE, "test/storage/1");
    for key in ["b", "a/2", "é", "a/1", "B", "a", "a/1"] {
        host.ok(&probe, set(key, b"v"));
    }
    let all = ["B", "a", "a/1", "a/2", "b", "é"]
        .map(String::from)
        .to_vec();
    assert_eq!(host.ok(&probe, list(None)), Returned::Keys(all));
    let under_a = ["a/1", "a/2"].map(String::from).to_vec();
    assert_eq!(host.ok(&probe, list(Some("a/"))), Returned::Keys(under_a));
    assert_eq!(host.ok(&probe, list(Some("zzz"))), Returned::Keys(vec![]));
}

#[test]
fn sto_7_usage_follows_every_set_and_delete() {
    let host = small_quota(5000);
    let probe = host.load(STORAGE_PROBE, "test/storage/1");
    assert_eq!(usage(&host, &probe), (0, 5000, 0));
    host.ok(&probe, set("alpha", &[0; 10]));
    assert_eq!(usage(&host, &probe), (5 + 10, 5000, 1));
    host.ok(&probe, set("be", &[0; 3]));
    assert_eq!(usage(&host, &probe), (15 + 2 + 3, 5000, 2));
    host.ok(&probe, set("alpha", &[0; 1]));
    assert_eq!(usage(&host, &probe), (6 + 5, 5000, 2));
    host.ok(&probe, delete("be"));
    assert_eq!(usage(&host, &probe), (6, 5000, 1));
}

#[test]
fn sto_8_empty_or_over_long_keys_are_invalid_and_change_nothing() {
    let host = Harness::with_config(HostConfig {
        max_key_bytes: 16,
        ..HostConfig::default()
    });
    let probe = host.load(STORAGE_PROBE, "test/storage/1");
    host.ok(&probe, set("kept", b"v"));
    let before = usage(&host, &probe);
    let long = "k".repeat(17);
    for key in ["", long.as_str()] {
        for call in [set(key, b"x"), get(key), delete(key), exists(key)] {
            let detail = host.err(&probe, call, "invalid-key").unwrap_or_default();
            assert!(!detail.is_empty(), "invalid-key carries a reason");
        }
    }
    assert!(
        host.err(&probe, set(&long, b"x"), "invalid-key")
            .unwrap()
            .contains("17 bytes; the limit is 16")
    );
    host.ok(&probe, set(&"k".repeat(16), b"fits"));
    assert_eq!(usage(&host, &probe).2, before.2 + 1);
    assert_eq!(
        host.ok(&probe, list(None)),
        Returned::Keys(vec!["kept".into(), "k".repeat(16)])
    );
}

#[test]
fn sto_8_default_key_limit_is_1024_bytes() {
    let host = Harness::new();
    let probe = host.load(STORAGE_PROBE, "test/storage/1");
    host.ok(&probe, set(&"k".repeat(1024), b"v"));
    host.err(&probe, set(&"k".repeat(1025), b"v"), "invalid-key");
}

#[test]
fn sto_9_set_over_quota_fails_and_keeps_the_old_value() {
    let host = small_quota(100);
    let probe = host.load(STORAGE_PROBE, "test/storage/1");
    host.ok(&probe, set("k", &[1; 50]));
    host.err(&probe, set("k", &[2; 100]), "quota-exceeded");
    host.err(&probe, set("other", &[3; 60]), "quota-exceeded");
    assert_eq!(
        host.ok(&probe, get("k")),
        Returned::Value(Some(vec![1; 50]))
    );
    assert_eq!(host.ok(&probe, get("other")), Returned::Value(None));
    assert_eq!(usage(&host, &probe), (51, 100, 1));
    host.ok(&probe, set("k", &[4; 99]));
    assert_eq!(usage(&host, &probe).0, 100);
}

#[test]
fn sto_10_components_never_see_each_others_keys() {
    let host = Harness::new();
    let alice = host.load(STORAGE_PROBE, "test/storage/alice");
    let bob = host.load(STORAGE_PROBE, "test/storage/bob");
    host.ok(&alice, set("shared-name", b"alice's"));
    host.ok(&alice, set("alice-only", b"a"));
    host.ok(&bob, set("shared-name", b"bob's"));

    assert_eq!(
        host.ok(&alice, get("shared-name")),
        Returned::Value(Some(b"alice's".to_vec()))
    );
    assert_eq!(host.ok(&bob, get("alice-only")), Returned::Value(None));
    assert_eq!(host.ok(&bob, exists("alice-only")), Returned::Bool(false));
    assert_eq!(
        host.ok(&bob, list(None)),
        Returned::Keys(vec!["shared-name".into()])
    );
    assert_eq!(usage(&host, &bob).2, 1);
    host.ok(&bob, delete("alice-only"));
    host.ok(&bob, delete("shared-name"));
    assert_eq!(
        host.ok(&alice, get("alice-only")),
        Returned::Value(Some(b"a".to_vec()))
    );
    assert_eq!(
        host.ok(&alice, get("shared-name")),
        Returned::Value(Some(b"alice's".to_vec()))
    );
    assert_eq!(usage(&host, &alice).2, 2);
}

#[test]
fn sto_10_ids_that_render_alike_stay_apart() {
    // The namespace is the rendered id; ids cannot contain `/`, so these differ.
    let host = Harness::new();
    let one = host.load(STORAGE_PROBE, "ab/c/1");
    let two = host.load(STORAGE_PROBE, "a/bc/1");
    host.ok(&one, set("k", b"one"));
    assert_eq!(host.ok(&two, get("k")), Returned::Value(None));
}
