//! One behaviour defect per function: the reference registration with that
//! one function defined again, wrongly, on top (`allow_shadowing`).

use airssys_host::bindings::airssys::core::errors::StorageError;
use airssys_host::bindings::airssys::core::host_messaging::Host as _;
use airssys_host::bindings::airssys::core::host_services::Host as Services;
use airssys_host::bindings::airssys::core::storage::Host as Storage;
use airssys_host::bindings::airssys::core::types::{ComponentId, LogLevel, Timestamp};
use airssys_host::runtime::ComponentState;
use airssys_host::{AirssysCtx, AirssysView, register_host_functions};
use wasmtime::StoreContextMut;
use wasmtime::component::{Linker, LinkerInstance};

use airssys_conformance::contract::HostFn;
use airssys_reference_adapter::Registration;

type Store<'a> = StoreContextMut<'a, ComponentState>;

pub struct Defect {
    pub function: HostFn,
    /// The mistake in a few words, unique among `function`'s defects: its
    /// snapshot is `defect-<function>-<name>`, so adding a defect anywhere
    /// in the list renames no other's.
    pub name: &'static str,
    pub what: &'static str,
    pub registration: Registration,
    /// The clauses whose trials of `function` must fail; no other trial may.
    pub fails: &'static [&'static str],
}

impl Defect {
    /// The trials this defect must fail, and no others, sorted.
    pub fn failing_trials(&self) -> Vec<String> {
        super::sorted(
            self.fails
                .iter()
                .map(|clause| format!("{}::behaviour::{clause}", self.function)),
        )
    }
}

/// The defect of `function` (`storage::get`), if it has one.
pub fn of(function: &str) -> Option<&'static Defect> {
    DEFECTS.iter().find(|d| d.function.path() == function)
}

pub const DEFECTS: &[Defect] = &[
    Defect {
        function: HostFn::Get,
        name: "empty-value-is-none",
        what: "an empty value reads as none",
        registration: get_loses_empty_values,
        fails: &["STO-1", "STO-2", "STO-5"],
    },
    Defect {
        function: HostFn::Set,
        name: "quota-as-io-error",
        what: "a set over the quota fails with io-error",
        registration: set_misreports_the_quota,
        fails: &["STO-9"],
    },
    Defect {
        function: HostFn::Delete,
        name: "absent-key-not-found",
        what: "deleting an absent key fails with not-found",
        registration: delete_refuses_absent_keys,
        // It asks `exists` first: granted read but not delete, it answers
        // not-found instead of refusing.
        fails: &["STO-4", "STO-10", "SEC-1.1"],
    },
    Defect {
        function: HostFn::Exists,
        name: "empty-value-does-not-exist",
        what: "a key with an empty value does not exist",
        registration: exists_ignores_empty_values,
        fails: &["STO-4", "STO-5"],
    },
    Defect {
        function: HostFn::ListKeys,
        name: "reverse-order",
        what: "keys come in reverse order",
        registration: list_keys_reversed,
        fails: &["STO-6"],
    },
    Defect {
        function: HostFn::Usage,
        name: "key-bytes-left-out",
        what: "used-bytes leaves out the key bytes",
        registration: usage_without_keys,
        fails: &["STO-3", "STO-7", "STO-10"],
    },
    Defect {
        function: HostFn::Send,
        name: "drops-last-byte",
        what: "the payload's last byte is dropped",
        registration: send_drops_a_byte,
        fails: &["MSG-2", "MSG-3", "MSG-4", "MSG-9"],
    },
    Defect {
        function: HostFn::Request,
        name: "zero-timeout-as-1-ms",
        what: "timeout-ms 0 is taken as 1 ms",
        registration: request_accepts_zero_timeout,
        fails: &["MSG-6"],
    },
    Defect {
        function: HostFn::Request,
        name: "respells-correlation-id",
        what: "the caller gets its own spelling of the correlation id (`req-N`)",
        registration: request_respells_the_id,
        // Not cancel-request's MSG-7: the id its caller has is the one the
        // target was never handed, which is request's fault.
        fails: &["MSG-5", "MSG-6", "MSG-9"],
    },
    Defect {
        function: HostFn::CancelRequest,
        name: "cancels-nothing",
        what: "answers ok and cancels nothing",
        registration: cancel_request_does_nothing,
        fails: &["MSG-7"],
    },
    Defect {
        function: HostFn::Broadcast,
        name: "one-send-per-target",
        what: "one send per listed target, duplicates and all",
        registration: broadcast_by_sends,
        // Each send needs the send grant: a broadcast grant alone allows nothing.
        fails: &["MSG-4", "MSG-8", "SEC-1.1", "SEC-1.2"],
    },
    Defect {
        function: HostFn::SelfId,
        name: "empty-instance",
        what: "the instance part is left empty",
        registration: self_id_without_instance,
        fails: &["MSG-1"],
    },
    Defect {
        function: HostFn::Log,
        name: "drops-context",
        what: "the context pairs are dropped",
        registration: log_drops_context,
        fails: &["SVC-1"],
    },
    Defect {
        function: HostFn::CurrentTime,
        name: "thirty-seconds-slow",
        what: "thirty seconds slow",
        registration: current_time_slow,
        fails: &["SVC-2"],
    },
    Defect {
        function: HostFn::CurrentTimeMillis,
        name: "seconds-not-milliseconds",
        what: "seconds, not milliseconds",
        registration: current_time_millis_in_seconds,
        fails: &["SVC-3"],
    },
    Defect {
        function: HostFn::SleepMillis,
        name: "returns-at-once",
        what: "returns at once",
        registration: sleep_millis_returns_at_once,
        fails: &["SVC-4"],
    },
    Defect {
        function: HostFn::ListComponents,
        name: "caller-left-out",
        what: "the caller is left out",
        registration: list_components_without_caller,
        fails: &["SVC-5"],
    },
    Defect {
        function: HostFn::GetComponentMetadata,
        name: "always-healthy",
        what: "health is always healthy",
        registration: metadata_always_healthy,
        fails: &["SVC-6"],
    },
    // Mistakes of independent hosts that earlier checks let through.
    Defect {
        function: HostFn::Delete,
        name: "takes-longer-keys",
        what: "deleting a key also deletes the keys it is a prefix of",
        registration: delete_takes_longer_keys,
        // `delete("")` takes every key before it refuses the empty key.
        fails: &["STO-4", "STO-8"],
    },
    Defect {
        function: HostFn::ListKeys,
        name: "prefix-matches-anywhere",
        what: "a prefix matches anywhere in the key",
        registration: list_keys_matches_anywhere,
        fails: &["STO-6"],
    },
    Defect {
        function: HostFn::GetComponentMetadata,
        name: "answers-about-another",
        what: "answers about the first other component listed, under the asked id",
        registration: metadata_of_the_first_other,
        fails: &["SVC-6"],
    },
    // Defects that once also failed another function's trials: a read that
    // `set` was judged through, a write that set the scene of reads, a
    // usage that `set`'s quota trial believed.
    Defect {
        function: HostFn::Get,
        name: "cuts-values-over-32-kib",
        what: "values over 32 KiB come back cut to 32 KiB",
        registration: get_cuts_long_values,
        fails: &["STO-1"],
    },
    Defect {
        function: HostFn::Set,
        name: "refuses-the-longest-key",
        what: "a key of exactly the key limit is refused as invalid",
        registration: set_refuses_the_longest_key,
        fails: &["STO-1", "STO-8"],
    },
    Defect {
        function: HostFn::Usage,
        name: "half-the-quota",
        what: "quota-bytes is half the quota set enforces",
        registration: usage_halves_the_quota,
        fails: &["STO-7"],
    },
    // Storage stubbed on one side: what a restart shows must not be blamed
    // on the other (STO-11 is judged by triangulation).
    Defect {
        function: HostFn::Set,
        name: "stores-nothing",
        what: "read-only storage: set answers ok and stores nothing",
        registration: set_stores_nothing,
        // Not STO-11: before the restart every read says nothing was
        // stored, so the restart is not judged (STO-1 says why).
        fails: &[
            "STO-1", "STO-3", "STO-7", "STO-8", "STO-9", "SEC-1", "SEC-1.1",
        ],
    },
    Defect {
        function: HostFn::Get,
        name: "finds-nothing",
        what: "write-only storage: get answers none for every key",
        registration: get_finds_nothing,
        // Its own STO-11 (the other reads show the writes kept), and not
        // set's or delete's: the reads disagree, so those are not judged.
        fails: &[
            "STO-1", "STO-2", "STO-5", "STO-8", "STO-10", "STO-11", "SEC-1", "SEC-1.1",
        ],
    },
    Defect {
        function: HostFn::Usage,
        name: "deleted-bytes-stay-counted",
        what: "a deleted value's bytes stay counted in used-bytes",
        registration: deleted_bytes_stay_counted,
        // Said in usage's STO-7 ("usage or delete"). Delete's STO-7 sees
        // used-bytes go down after it, as due (by the value's bytes less),
        // so it passes: only the amount is wrong, which usage's trial sees.
        fails: &["STO-7"],
    },
];

const STORAGE: &str = "airssys:core/storage@1.0.0";
const MESSAGING: &str = "airssys:core/host-messaging@1.0.0";
const SERVICES: &str = "airssys:core/host-services@1.0.0";

/// The reference registration, then `redefine` on `instance` over it.
fn reference_but(
    linker: &mut Linker<ComponentState>,
    instance: &str,
    redefine: impl FnOnce(&mut LinkerInstance<'_, ComponentState>) -> wasmtime::Result<()>,
) -> wasmtime::Result<()> {
    register_host_functions(linker)?;
    linker.allow_shadowing(true);
    redefine(&mut linker.instance(instance)?)?;
    linker.allow_shadowing(false);
    Ok(())
}

fn ctx<'a>(store: &'a mut Store<'_>) -> &'a mut AirssysCtx {
    store.data_mut().airssys()
}

fn get_loses_empty_values(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, STORAGE, |i| {
        i.func_wrap("get", |mut s: Store, (key,): (String,)| {
            let got = ctx(&mut s).get(key);
            Ok((got.map(|value| value.filter(|v| !v.is_empty())),))
        })
    })
}

fn set_misreports_the_quota(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, STORAGE, |i| {
        i.func_wrap("set", |mut s: Store, (key, value): (String, Vec<u8>)| {
            Ok((match ctx(&mut s).set(key, value) {
                Err(StorageError::QuotaExceeded) => Err(StorageError::IoError("disk full".into())),
                other => other,
            },))
        })
    })
}

fn delete_refuses_absent_keys(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, STORAGE, |i| {
        i.func_wrap("delete", |mut s: Store, (key,): (String,)| {
            let host = ctx(&mut s);
            Ok((match host.exists(key.clone()) {
                Ok(false) => Err(StorageError::NotFound(key)),
                _ => host.delete(key),
            },))
        })
    })
}

fn exists_ignores_empty_values(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, STORAGE, |i| {
        i.func_wrap("exists", |mut s: Store, (key,): (String,)| {
            let host = ctx(&mut s);
            Ok((match host.exists(key.clone()) {
                Ok(true) if host.get(key) == Ok(Some(Vec::new())) => Ok(false),
                other => other,
            },))
        })
    })
}

fn list_keys_reversed(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, STORAGE, |i| {
        i.func_wrap("list-keys", |mut s: Store, (prefix,): (Option<String>,)| {
            let listed = ctx(&mut s).list_keys(prefix);
            Ok((listed.map(|keys| keys.into_iter().rev().collect::<Vec<_>>()),))
        })
    })
}

fn usage_without_keys(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, STORAGE, |i| {
        i.func_wrap("usage", |mut s: Store, (): ()| {
            let host = ctx(&mut s);
            let key_bytes: u64 = host
                .list_keys(None)
                .unwrap_or_default()
                .iter()
                .map(|k| k.len() as u64)
                .sum();
            Ok((Storage::usage(host).map(|mut usage| {
                usage.used_bytes -= key_bytes;
                usage
            }),))
        })
    })
}

fn send_drops_a_byte(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, MESSAGING, |i| {
        i.func_wrap(
            "send",
            |mut s: Store, (target, mut payload): (ComponentId, Vec<u8>)| {
                payload.pop();
                Ok((ctx(&mut s).send(target, payload),))
            },
        )
    })
}

fn request_accepts_zero_timeout(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, MESSAGING, |i| {
        i.func_wrap(
            "request",
            |mut s: Store, (target, payload, timeout): (ComponentId, Vec<u8>, u64)| {
                Ok((ctx(&mut s).request(target, payload, timeout.max(1)),))
            },
        )
    })
}

fn set_stores_nothing(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, STORAGE, |i| {
        i.func_wrap("set", |_: Store, (_key, _value): (String, Vec<u8>)| {
            Ok((Ok::<(), StorageError>(()),))
        })
    })
}

fn get_finds_nothing(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, STORAGE, |i| {
        i.func_wrap("get", |_: Store, (_key,): (String,)| {
            Ok((Ok::<Option<Vec<u8>>, StorageError>(None),))
        })
    })
}

/// `delete` and `usage` keep an account of their own beside the storage's:
/// a deleted value's bytes are never taken off it. Per component.
fn deleted_bytes_stay_counted(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    type Kept = Arc<Mutex<HashMap<String, u64>>>;
    let kept: Kept = Arc::default();
    let by_delete = kept.clone();
    reference_but(linker, STORAGE, move |i| {
        i.func_wrap("delete", move |mut s: Store, (key,): (String,)| {
            let owner = ctx(&mut s).self_id().to_string();
            let value = ctx(&mut s)
                .get(key.clone())
                .ok()
                .flatten()
                .unwrap_or_default();
            let deleted = ctx(&mut s).delete(key);
            if deleted.is_ok() && !value.is_empty() {
                *by_delete.lock().unwrap().entry(owner).or_default() += value.len() as u64;
            }
            Ok((deleted,))
        })?;
        i.func_wrap("usage", move |mut s: Store, (): ()| {
            let owner = ctx(&mut s).self_id().to_string();
            let extra = kept
                .lock()
                .unwrap()
                .get(&owner)
                .copied()
                .unwrap_or_default();
            Ok((ctx(&mut s).usage().map(|mut usage| {
                usage.used_bytes += extra;
                usage
            }),))
        })
    })
}

fn request_respells_the_id(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, MESSAGING, |i| {
        i.func_wrap(
            "request",
            |mut s: Store, (target, payload, timeout): (ComponentId, Vec<u8>, u64)| {
                let asked = ctx(&mut s).request(target, payload, timeout);
                Ok((asked.map(|id| format!("req-{}", id.rsplit('-').next().unwrap_or(&id))),))
            },
        )
    })
}

fn cancel_request_does_nothing(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, MESSAGING, |i| {
        i.func_wrap("cancel-request", |_: Store, (_id,): (String,)| {
            Ok((Ok::<
                (),
                airssys_host::bindings::airssys::core::errors::MessagingError,
            >(()),))
        })
    })
}

fn broadcast_by_sends(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, MESSAGING, |i| {
        i.func_wrap(
            "broadcast",
            |mut s: Store, (targets, payload): (Vec<ComponentId>, Vec<u8>)| {
                let host = ctx(&mut s);
                let sent = targets
                    .into_iter()
                    .try_for_each(|target| host.send(target, payload.clone()));
                Ok((sent,))
            },
        )
    })
}

fn self_id_without_instance(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, MESSAGING, |i| {
        i.func_wrap("self-id", |mut s: Store, (): ()| {
            let mut id = ctx(&mut s).self_id();
            id.instance.clear();
            Ok((id,))
        })
    })
}

fn log_drops_context(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, SERVICES, |i| {
        type LogArgs = (LogLevel, String, Option<Vec<(String, String)>>);
        i.func_wrap("log", |mut s: Store, (level, message, _): LogArgs| {
            ctx(&mut s).log(level, message, None);
            Ok(())
        })
    })
}

fn current_time_slow(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, SERVICES, |i| {
        i.func_wrap("current-time", |mut s: Store, (): ()| {
            let now = ctx(&mut s).current_time();
            Ok((Timestamp {
                seconds: now.seconds - 30,
                ..now
            },))
        })
    })
}

fn current_time_millis_in_seconds(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, SERVICES, |i| {
        i.func_wrap("current-time-millis", |mut s: Store, (): ()| {
            Ok((ctx(&mut s).current_time_millis() / 1000,))
        })
    })
}

fn sleep_millis_returns_at_once(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, SERVICES, |i| {
        i.func_wrap("sleep-millis", |_: Store, (_ms,): (u64,)| Ok(()))
    })
}

fn list_components_without_caller(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, SERVICES, |i| {
        i.func_wrap("list-components", |mut s: Store, (): ()| {
            let host = ctx(&mut s);
            let caller = host.id().clone();
            let mut listed = host.list_components();
            listed.retain(|id| *id != caller);
            Ok((listed,))
        })
    })
}

fn metadata_always_healthy(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, SERVICES, |i| {
        i.func_wrap(
            "get-component-metadata",
            |mut s: Store, (id,): (ComponentId,)| {
                let info = Services::get_component_metadata(ctx(&mut s), id);
                Ok((info.map(|mut info| {
                    info.health = "healthy".into();
                    info
                }),))
            },
        )
    })
}

fn delete_takes_longer_keys(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, STORAGE, |i| {
        i.func_wrap("delete", |mut s: Store, (key,): (String,)| {
            let ctx = ctx(&mut s);
            for longer in Storage::list_keys(ctx, Some(key.clone())).unwrap_or_default() {
                let _ = Storage::delete(ctx, longer);
            }
            Ok((Storage::delete(ctx, key),))
        })
    })
}

fn list_keys_matches_anywhere(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, STORAGE, |i| {
        i.func_wrap("list-keys", |mut s: Store, (prefix,): (Option<String>,)| {
            let keys = Storage::list_keys(ctx(&mut s), None).map(|keys| {
                keys.into_iter()
                    .filter(|key| prefix.as_deref().is_none_or(|p| key.contains(p)))
                    .collect::<Vec<_>>()
            });
            Ok((keys,))
        })
    })
}

fn metadata_of_the_first_other(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, SERVICES, |i| {
        i.func_wrap(
            "get-component-metadata",
            |mut s: Store, (id,): (ComponentId,)| {
                let ctx = ctx(&mut s);
                if let Err(error) = Services::get_component_metadata(ctx, id.clone()) {
                    return Ok((Err(error),));
                }
                let caller = ctx.self_id();
                let other = Services::list_components(ctx)
                    .into_iter()
                    .find(|other| other.namespace == id.namespace && *other != caller);
                let info = Services::get_component_metadata(ctx, other.unwrap_or(id.clone()));
                Ok((info.map(|mut info| {
                    info.id = id;
                    info
                }),))
            },
        )
    })
}

fn get_cuts_long_values(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, STORAGE, |i| {
        i.func_wrap("get", |mut s: Store, (key,): (String,)| {
            let got = ctx(&mut s).get(key);
            Ok((got.map(|value| {
                value.map(|mut v| {
                    v.truncate(32 * 1024);
                    v
                })
            }),))
        })
    })
}

fn set_refuses_the_longest_key(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, STORAGE, |i| {
        i.func_wrap("set", |mut s: Store, (key, value): (String, Vec<u8>)| {
            if key.len() == airssys_contract::limits::KEY_BYTES {
                return Ok((Err(StorageError::InvalidKey("too long".into())),));
            }
            Ok((ctx(&mut s).set(key, value),))
        })
    })
}

fn usage_halves_the_quota(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, STORAGE, |i| {
        i.func_wrap("usage", |mut s: Store, (): ()| {
            Ok((Storage::usage(ctx(&mut s)).map(|mut usage| {
                usage.quota_bytes /= 2;
                usage
            }),))
        })
    })
}

/// Not a defect of the table: `sleep-millis` never returns, as a deadlocked
/// host call does. Its trial must time out and every other trial be judged.
pub fn sleep_millis_never_returns(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    reference_but(linker, SERVICES, |i| {
        i.func_wrap(
            "sleep-millis",
            |_: Store, (_ms,): (u64,)| -> wasmtime::Result<()> {
                loop {
                    std::thread::sleep(std::time::Duration::from_secs(3600));
                }
            },
        )
    })
}
