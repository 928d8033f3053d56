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

#[test]
fn sto_1_set_then_get_returns_the_bytes() {
    let host = Harness::new();
    let probe = host.load(STORAGE_PROBE, "test/storage/1");
    let value: Vec<u8> = (0..=255).collect();
    host.ok(&probe, set("bytes", &value));
    assert_eq!(host.ok(&probe, get("bytes")), Returned::Value(Some(value)));
}
