//! STO-11: with the redb backend, acknowledged writes survive a restart and a
//! kill, and no value is ever half-written.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use airssys_host::{HostConfig, StorageConfig};
use airssys_probe_protocol::{Call, Returned, StorageCall};

use crate::harness::{Harness, STORAGE_PROBE, id};

fn persistent(path: &Path) -> Harness {
    Harness::with_config(HostConfig::default_with(|config| {
        config.storage = StorageConfig::Redb(path.to_owned())
    }))
}

#[test]
fn sto_11_acknowledged_writes_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("storage.redb");
    {
        let host = persistent(&db);
        let probe = host.load(STORAGE_PROBE, "test/storage/1");
        for (key, value) in [
            ("kept", &b"value"[..]),
            ("replaced", b"old"),
            ("deleted", b"x"),
        ] {
            host.ok(
                &probe,
                Call::Storage(StorageCall::Set {
                    key: key.into(),
                    value: value.to_vec(),
                }),
            );
        }
        host.ok(&probe, Call::set("replaced", b"new"));
        host.ok(
            &probe,
            Call::Storage(StorageCall::Delete {
                key: "deleted".into(),
            }),
        );
    }
    let host = persistent(&db);
    let probe = host.load(STORAGE_PROBE, "test/storage/1");
    let get = |key: &str| host.ok(&probe, Call::Storage(StorageCall::Get { key: key.into() }));
    assert_eq!(get("kept"), Returned::Value(Some(b"value".to_vec())));
    assert_eq!(get("replaced"), Returned::Value(Some(b"new".to_vec())));
    assert_eq!(get("deleted"), Returned::Value(None));
    assert_eq!(
        host.ok(&probe, Call::Storage(StorageCall::Usage)),
        Returned::Usage {
            used_bytes: (4 + 5) + (8 + 3),
            quota_bytes: HostConfig::default().storage_quota_bytes,
            key_count: 2
        }
    );
}

const CHILD_DB: &str = "AIRSSYS_STO11_CHILD_DB";
const CHILD_FIRST: &str = "AIRSSYS_STO11_CHILD_FIRST";
/// How many times the writer is killed; `AIRSSYS_KILL_ROUNDS` overrides it.
const KILL_ROUNDS: u64 = 25;
const KEYS: u64 = 16;
const TEST: &str =
    "persistence::sto_11_a_killed_writer_loses_no_acknowledged_write_and_tears_no_value";

/// Write number `n`: its number, repeated, over a length that varies with `n`.
fn value_of(n: u64) -> Vec<u8> {
    let len = 32 * 1024 + (n % 7) as usize * 1000;
    n.to_le_bytes().iter().copied().cycle().take(len).collect()
}

fn key_of(n: u64) -> String {
    format!("key-{}", n % KEYS)
}

/// In the child: writes forever from write number `first`, printing
/// `acked N` after each `ok`.
fn write_until_killed(db: &Path, first: u64) -> ! {
    let host = persistent(db);
    let probe = host.load(STORAGE_PROBE, "test/storage/1");
    let mut stdout = std::io::stdout();
    for n in first.. {
        host.ok(
            &probe,
            Call::Storage(StorageCall::Set {
                key: key_of(n),
                value: value_of(n),
            }),
        );
        writeln!(stdout, "acked {n}").unwrap();
        stdout.flush().unwrap();
    }
    unreachable!()
}

/// Runs a writer from write `first` on `db` and kills it once it has
/// acknowledged `acks` writes, somewhere inside the next one. Returns the
/// last write it acknowledged.
fn kill_a_writer(db: &Path, first: u64, acks: u64) -> u64 {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([TEST, "--exact", "--nocapture"])
        .env(CHILD_DB, db)
        .env(CHILD_FIRST, first.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut last_acked = None;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        if let Some(n) = line.unwrap().strip_prefix("acked ") {
            let n: u64 = n.parse().unwrap();
            last_acked = Some(n);
            if n + 1 >= first + acks {
                break;
            }
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    last_acked.expect("the writer acknowledged writes")
}

/// After a kill: every slot holds a whole value of its own, at least as new
/// as the last write acknowledged for it, and the usage adds up.
fn check_after_kill(db: &Path, last_acked: u64, round: u64) {
    let host = persistent(db);
    let probe = host.load(STORAGE_PROBE, "test/storage/1");
    let mut expected_used = 0;
    for slot in 0..KEYS {
        let key = key_of(slot);
        let Returned::Value(Some(value)) =
            host.ok(&probe, Call::Storage(StorageCall::Get { key: key.clone() }))
        else {
            panic!("round {round}: {key} lost: every key was written before the first kill");
        };
        let n = u64::from_le_bytes(value[..8].try_into().unwrap());
        assert_eq!(
            n % KEYS,
            slot,
            "round {round}: {key} holds another key's write"
        );
        assert_eq!(
            value,
            value_of(n),
            "round {round}: {key} holds a torn value"
        );
        let newest_acked_here = last_acked - (last_acked + KEYS - slot) % KEYS;
        assert!(
            n >= newest_acked_here,
            "round {round}: {key}: write {newest_acked_here} was acknowledged, found {n}"
        );
        expected_used += (key.len() + value.len()) as u64;
    }
    let Returned::Usage {
        used_bytes,
        key_count,
        ..
    } = host.ok(&probe, Call::Storage(StorageCall::Usage))
    else {
        panic!("usage")
    };
    assert_eq!(
        (used_bytes, key_count),
        (expected_used, KEYS),
        "round {round}: usage after the kill"
    );
    assert_eq!(host.runtime.ids(), vec![id("test/storage/1")]);
}

/// The writer is killed `KILL_ROUNDS` times on one database, each time a
/// different number of writes in, and each new writer goes on from the
/// last acknowledged write.
#[test]
fn sto_11_a_killed_writer_loses_no_acknowledged_write_and_tears_no_value() {
    if let Some(db) = std::env::var_os(CHILD_DB) {
        let first = std::env::var(CHILD_FIRST).unwrap().parse().unwrap();
        write_until_killed(Path::new(&db), first);
    }
    let rounds = std::env::var("AIRSSYS_KILL_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(KILL_ROUNDS);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("storage.redb");
    let mut first = 0;
    for round in 0..rounds {
        // The first writer fills every slot; later ones stop at varied points.
        let acks = if round == 0 {
            3 * KEYS + 5
        } else {
            1 + (round * 7) % (2 * KEYS)
        };
        let last_acked = kill_a_writer(&db, first, acks);
        check_after_kill(&db, last_acked, round);
        first = last_acked + 1;
    }
}
