//! What the conformance suite cannot show of STO-1..10: the reference
//! host's own settings (a smaller quota) and id rendering (HOST-1). The
//! clauses themselves are checked by the suite (`cargo conformance storage`);
//! STO-11 is in `persistence`.

use airssys_host::HostConfig;
use airssys_probe_protocol::{Call, Returned, StorageCall};

use crate::harness::{Harness, STORAGE_PROBE};

/// (used bytes, quota bytes, key count)
fn usage(host: &Harness, probe: &airssys_host::ComponentId) -> (u64, u64, u64) {
    match host.ok(probe, Call::Storage(StorageCall::Usage)) {
        Returned::Usage {
            used_bytes,
            quota_bytes,
            key_count,
        } => (used_bytes, quota_bytes, key_count),
        other => panic!("usage returned {other:?}"),
    }
}

fn small_quota(quota: u64) -> Harness {
    Harness::with_config(HostConfig::default_with(|config| {
        config.storage_quota_bytes = quota
    }))
}

#[test]
fn sto_1_values_up_to_what_the_quota_leaves_round_trip() {
    let quota = 64 * 1024;
    let host = small_quota(quota);
    let probe = host.load(STORAGE_PROBE, "test/storage/1");
    let largest: Vec<u8> = (0..quota - 3).map(|i| (i * 7 % 251) as u8).collect();
    host.ok(&probe, Call::set("big", &largest));
    assert_eq!(
        host.ok(&probe, Call::get("big")),
        Returned::Value(Some(largest))
    );
    assert_eq!(usage(&host, &probe).0, quota);
}

#[test]
fn sto_9_set_over_quota_fails_and_keeps_the_old_value() {
    let host = small_quota(100);
    let probe = host.load(STORAGE_PROBE, "test/storage/1");
    host.ok(&probe, Call::set("k", &[1; 50]));
    host.err(&probe, Call::set("k", &[2; 100]), "quota-exceeded");
    host.err(&probe, Call::set("other", &[3; 60]), "quota-exceeded");
    assert_eq!(
        host.ok(&probe, Call::get("k")),
        Returned::Value(Some(vec![1; 50]))
    );
    assert_eq!(host.ok(&probe, Call::get("other")), Returned::Value(None));
    assert_eq!(usage(&host, &probe), (51, 100, 1));
    host.ok(&probe, Call::set("k", &[4; 99]));
    assert_eq!(usage(&host, &probe).0, 100);
}

#[test]
fn sto_10_ids_that_render_alike_stay_apart() {
    // The namespace is the rendered id; ids cannot contain `/`, so these differ.
    let host = Harness::new();
    let one = host.load(STORAGE_PROBE, "ab/c/1");
    let two = host.load(STORAGE_PROBE, "a/bc/1");
    host.ok(&one, Call::set("k", b"one"));
    assert_eq!(host.ok(&two, Call::get("k")), Returned::Value(None));
}

#[test]
fn sto_9_1_the_key_count_is_bounded_too() {
    let host = Harness::with_config(HostConfig::default_with(|config| config.max_keys = 2));
    let probe = host.load(STORAGE_PROBE, "test/storage/1");
    host.ok(&probe, Call::set("a", b""));
    host.ok(&probe, Call::set("b", b""));
    host.err(&probe, Call::set("c", b""), "quota-exceeded");
    host.ok(&probe, Call::set("a", b"replacing is not a new key"));
    host.ok(&probe, Call::delete("b"));
    host.ok(&probe, Call::set("c", b""));
    assert_eq!(usage(&host, &probe).2, 2);
}
