//! The measured rows: each is the reference host's cost beside its floor's.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use airssys_contract::HostFn;
use airssys_host::bindings::RuntimeHostPre;
use airssys_host::runtime::{ComponentState, engine};
use airssys_host::storage::backend::StorageBackend;
use airssys_host::storage::redb::RedbBackend;
use airssys_host::{
    AirssysCtx, AirssysHost, Capabilities, ComponentId, ComponentMessage, HostConfig, LoadOptions,
    RateLimits, Runtime, StorageConfig, register_host_functions,
};
use redb::{Database, ReadableDatabase, TableDefinition};
use wasmtime::component::{Component, InstancePre, Linker};
use wasmtime::{Engine, Store};

use crate::floor;

/// How much to measure.
pub struct Plan {
    /// Samples per side; the median is shown.
    pub samples: usize,
    /// Calls per sample, over which one sample's time is divided.
    pub calls: u32,
}

/// One line of a table.
pub struct Row {
    pub what: String,
    pub reference: Duration,
    pub floor: Duration,
}

impl Row {
    pub fn ratio(&self) -> f64 {
        self.reference.as_secs_f64() / self.floor.as_secs_f64().max(1e-12)
    }
}

/// The host functions the guest's calls land in.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Reference,
    Floor,
}

/// A runtime with the bench guest loaded twice: the caller, and the target
/// its messages go to.
struct Bench {
    runtime: Runtime,
    caller: ComponentId,
}

fn config(storage: StorageConfig) -> HostConfig {
    HostConfig::default_with(|config| {
        config.storage = storage;
        // The loops make thousands of calls a second on purpose (RES-2).
        config.rate_limits = RateLimits {
            messages_per_second: u32::MAX,
            storage_writes_per_second: u32::MAX,
        };
    })
}

fn shared_engine() -> Engine {
    engine::new_engine(&config(StorageConfig::InMemory)).expect("the engine starts")
}

fn bench_guest(engine: &Engine) -> Component {
    let path = airssys_guests::BENCH_GUEST;
    Component::from_file(engine, path).unwrap_or_else(|e| panic!("{path}: {e:#}"))
}

impl Bench {
    fn new(side: Side, storage: StorageConfig, engine: &Engine, component: &Component) -> Self {
        let host = AirssysHost::new(config(storage)).expect("the bench config is valid");
        let builder = Runtime::builder(host).engine(engine.clone());
        let builder = match side {
            Side::Reference => builder,
            Side::Floor => builder.registration(floor::register),
        };
        let runtime = builder.build().expect("the runtime starts");
        let load = |name: &str| {
            let id = ComponentId::new("bench", name, "0");
            runtime
                .load(
                    id.clone(),
                    component,
                    LoadOptions::granting(Capabilities::all()),
                )
                .unwrap_or_else(|e| panic!("loading {id}: {e}"));
            id
        };
        let caller = load("caller");
        load("target");
        Self { runtime, caller }
    }

    fn in_memory(side: Side, engine: &Engine, component: &Component) -> Self {
        Self::new(side, StorageConfig::InMemory, engine, component)
    }

    fn invoke(&self, payload: &str) -> Option<Vec<u8>> {
        let message =
            ComponentMessage::new(ComponentId::new("bench", "driver", "0"), payload.into());
        match self.runtime.invoke(&self.caller, &message) {
            Ok(Ok(reply)) => reply,
            other => panic!("`{payload}`: {other:?}"),
        }
    }

    /// Delivers what earlier samples queued, and stores the 1 KiB value
    /// the storage calls read: nothing of it is timed.
    fn prepare(&self) {
        self.runtime.run_until_idle(Duration::from_secs(30));
        self.invoke("storage::set 1");
    }

    /// One sample: the time of `calls` calls of `function`, per call.
    fn per_call(&self, function: HostFn, calls: u32) -> Duration {
        self.prepare();
        let payload = format!("{} {calls}", function.path());
        let started = Instant::now();
        let reply = self.invoke(&payload);
        let elapsed = started.elapsed();
        assert_eq!(reply, Some(calls.to_le_bytes().to_vec()));
        elapsed / calls
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Samples both sides in turn and keeps each side's median.
fn compare(
    what: String,
    plan: &Plan,
    mut reference: impl FnMut() -> Duration,
    mut floor: impl FnMut() -> Duration,
) -> Row {
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..plan.samples {
        ours.push(reference());
        theirs.push(floor());
    }
    Row {
        what,
        reference: median(ours),
        floor: median(theirs),
    }
}

/// The 17 functions (those whose path contains one of `filters`, if any),
/// in WIT order, on the memory backend.
pub fn functions(plan: &Plan, filters: &[String]) -> Vec<Row> {
    let engine = shared_engine();
    let component = bench_guest(&engine);
    let reference = Bench::in_memory(Side::Reference, &engine, &component);
    let floor = Bench::in_memory(Side::Floor, &engine, &component);
    HostFn::ALL
        .into_iter()
        .filter(|function| {
            filters.is_empty() || filters.iter().any(|f| function.path().contains(f.as_str()))
        })
        .map(|function| {
            compare(
                function.path().to_owned(),
                plan,
                || reference.per_call(function, plan.calls),
                || floor.per_call(function, plan.calls),
            )
        })
        .collect()
}

/// Load, handle-message, and the redb backend.
pub fn others(plan: &Plan) -> Vec<Row> {
    let engine = shared_engine();
    let component = bench_guest(&engine);
    let bare = Bare::new(&engine, &component);
    let mut rows = vec![load(plan, &engine, &component, &bare)];
    rows.extend(handle_message(plan, &engine, &component, &bare));
    rows.extend(redb(plan, &engine, &component));
    rows.push(memory_backend(plan));
    rows
}

/// The memory backend's `contains` alone (a namespace lookup and two locks
/// around the map) against the same lookup in a bare `BTreeMap`: the part
/// of a storage call's cost over its floor that is the backend's.
fn memory_backend(plan: &Plan) -> Row {
    use airssys_host::storage::memory::MemoryBackend;
    let backend = MemoryBackend::new();
    let quota = airssys_host::storage::backend::Quota {
        bytes: u64::MAX,
        keys: u64::MAX,
    };
    backend
        .set("bench/caller/0", "k", &[7; 1024], quota)
        .unwrap();
    let map: std::collections::BTreeMap<String, Vec<u8>> =
        [("k".to_owned(), vec![7; 1024])].into_iter().collect();
    let calls = plan.calls;
    compare(
        "`MemoryBackend::contains` vs a bare `BTreeMap` lookup".into(),
        plan,
        || {
            let started = Instant::now();
            for _ in 0..calls {
                std::hint::black_box(
                    backend
                        .contains(std::hint::black_box("bench/caller/0"), "k")
                        .unwrap(),
                );
            }
            started.elapsed() / calls
        },
        || {
            let started = Instant::now();
            for _ in 0..calls {
                std::hint::black_box(map.contains_key(std::hint::black_box("k")));
            }
            started.elapsed() / calls
        },
    )
}

/// What one read of the wall clock costs here: `current-time` and
/// `current-time-millis` make one, their floors none.
pub fn clock_read(plan: &Plan) -> Duration {
    let calls = plan.calls;
    let mut times = Vec::new();
    for _ in 0..plan.samples {
        let started = Instant::now();
        for _ in 0..calls {
            std::hint::black_box(std::time::SystemTime::now());
        }
        times.push(started.elapsed() / calls);
    }
    median(times)
}

/// `Runtime::load` (instantiate, metadata, registry, initialize) against
/// instantiating the same component from an `InstancePre` into a new store.
fn load(plan: &Plan, engine: &Engine, component: &Component, bare: &Bare) -> Row {
    let runtime = Runtime::builder(AirssysHost::new(config(StorageConfig::InMemory)).unwrap())
        .engine(engine.clone())
        .build()
        .unwrap();
    let id = ComponentId::new("bench", "loaded", "0");
    let loads = (plan.calls / 50).max(1);
    compare(
        "`Runtime::load` vs `InstancePre::instantiate`".into(),
        plan,
        || {
            let mut total = Duration::ZERO;
            for _ in 0..loads {
                let started = Instant::now();
                runtime
                    .load(
                        id.clone(),
                        component,
                        LoadOptions::granting(Capabilities::all()),
                    )
                    .expect("loads");
                total += started.elapsed();
                runtime.unload(&id).expect("unloads");
            }
            total / loads
        },
        || {
            let started = Instant::now();
            for _ in 0..loads {
                let mut store = bare.store();
                std::hint::black_box(bare.pre.instantiate(&mut store).expect("instantiates"));
            }
            started.elapsed() / loads
        },
    )
}

/// An empty `handle-message` through `Runtime::invoke`, against a typed
/// call of `health` on a bare instance (no runtime around it), and against
/// `handle-message` on the bare instance.
fn handle_message(plan: &Plan, engine: &Engine, component: &Component, bare: &Bare) -> Vec<Row> {
    let bench = Bench::in_memory(Side::Reference, engine, component);
    let message = ComponentMessage::new(ComponentId::new("bench", "driver", "0"), Vec::new());
    let mut store = bare.store();
    let exports = RuntimeHostPre::new(bare.pre.clone())
        .expect("the bench guest has the contract's exports")
        .instantiate(&mut store)
        .expect("instantiates");
    let lifecycle = exports.airssys_core_component_lifecycle();
    let store = std::cell::RefCell::new(store);
    let calls = plan.calls;
    let through_runtime = || {
        let started = Instant::now();
        for _ in 0..calls {
            let reply = bench.runtime.invoke(&bench.caller, &message);
            assert!(matches!(reply, Ok(Ok(None))), "{reply:?}");
        }
        started.elapsed() / calls
    };
    let health = || {
        let mut store = store.borrow_mut();
        let started = Instant::now();
        for _ in 0..calls {
            std::hint::black_box(lifecycle.call_health(&mut *store).expect("answers"));
        }
        started.elapsed() / calls
    };
    let bare_message = || {
        let mut store = store.borrow_mut();
        let started = Instant::now();
        for _ in 0..calls {
            let reply = lifecycle.call_handle_message(&mut *store, &message);
            assert!(matches!(reply, Ok(Ok(None))), "{reply:?}");
        }
        started.elapsed() / calls
    };
    vec![
        compare(
            "`handle-message` (empty) vs a typed call of `health`".into(),
            plan,
            through_runtime,
            health,
        ),
        compare(
            "`handle-message` (empty) vs the same call on a bare instance".into(),
            plan,
            through_runtime,
            bare_message,
        ),
    ]
}

/// The bench guest instantiated without a runtime: the reference host's
/// functions and WASI on a linker of its own.
struct Bare {
    engine: Engine,
    pre: InstancePre<ComponentState>,
    host: Arc<AirssysHost>,
}

impl Bare {
    fn new(engine: &Engine, component: &Component) -> Self {
        let mut linker = Linker::new(engine);
        airssys_host::runtime::wasi::add_to_linker(&mut linker).expect("WASI links");
        register_host_functions(&mut linker).expect("the host functions link");
        let pre = linker.instantiate_pre(component).expect("the guest links");
        let host = AirssysHost::new(config(StorageConfig::InMemory)).expect("the host starts");
        Self {
            engine: engine.clone(),
            pre,
            host: Arc::new(host),
        }
    }

    fn store(&self) -> Store<ComponentState> {
        let id = ComponentId::new("bench", "bare", "0");
        let ctx = AirssysCtx::new(
            self.host.clone(),
            id,
            Capabilities::all(),
            Duration::from_secs(5),
        )
        .expect("a valid id");
        let mut store = Store::new(&self.engine, ComponentState::new(ctx));
        // Epoch interruption is on in the host's engine; a bare store never
        // gets interrupted.
        store.set_epoch_deadline(u64::MAX / 2);
        store
    }
}

const RAW: TableDefinition<&str, &[u8]> = TableDefinition::new("raw");

/// `get` and `set` of 1 KiB: through the host from the guest, and through
/// `RedbBackend` directly, each against raw redb on a file of its own.
fn redb(plan: &Plan, engine: &Engine, component: &Component) -> Vec<Row> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let bench = Bench::new(
        Side::Reference,
        StorageConfig::Redb(dir.path().join("host.redb")),
        engine,
        component,
    );
    let backend = RedbBackend::open(&dir.path().join("backend.redb")).expect("opens");
    let quota = airssys_host::storage::backend::Quota {
        bytes: u64::MAX,
        keys: u64::MAX,
    };
    backend
        .set("bench/caller/0", "k", &[7; 1024], quota)
        .expect("stores");
    let raw = raw_redb(&dir.path().join("raw.redb"));
    let calls = plan.calls;
    let raw_get = || {
        let started = Instant::now();
        for _ in 0..calls {
            let read = raw.begin_read().unwrap();
            let table = read.open_table(RAW).unwrap();
            std::hint::black_box(table.get("k").unwrap().map(|v| v.value().to_vec()));
        }
        started.elapsed() / calls
    };
    // Writes commit one by one, durably, as the host's do (STO-11).
    let writes = (calls / 10).max(1);
    let raw_set = || {
        let started = Instant::now();
        for _ in 0..writes {
            raw_set_once(&raw);
        }
        started.elapsed() / writes
    };
    vec![
        compare(
            "redb `get` 1 KiB from the guest vs raw redb".into(),
            plan,
            || bench.per_call(HostFn::Get, calls),
            raw_get,
        ),
        compare(
            "redb `get` 1 KiB, `RedbBackend::get` vs raw redb".into(),
            plan,
            || {
                let started = Instant::now();
                for _ in 0..calls {
                    std::hint::black_box(backend.get("bench/caller/0", "k").unwrap());
                }
                started.elapsed() / calls
            },
            raw_get,
        ),
        compare(
            "redb `set` 1 KiB from the guest vs raw redb".into(),
            plan,
            || bench.per_call(HostFn::Set, writes),
            raw_set,
        ),
    ]
}

fn raw_redb(path: &Path) -> Database {
    let db = Database::create(path).expect("creates");
    raw_set_once(&db);
    db
}

/// One durable write of the 1 KiB value, in a transaction of its own.
fn raw_set_once(db: &Database) {
    let write = db.begin_write().unwrap();
    write
        .open_table(RAW)
        .unwrap()
        .insert("k", [7u8; 1024].as_slice())
        .unwrap();
    write.commit().unwrap();
}

/// `send` and its delivery, per second: the guest sends `calls` messages to
/// the target, then the dispatcher delivers them.
pub fn messaging_rate(plan: &Plan) -> f64 {
    let engine = shared_engine();
    let component = bench_guest(&engine);
    let bench = Bench::in_memory(Side::Reference, &engine, &component);
    let calls = plan.calls;
    let payload = format!("{} {calls}", HostFn::Send.path());
    let mut times = Vec::new();
    for _ in 0..plan.samples {
        bench.prepare();
        let started = Instant::now();
        bench.invoke(&payload);
        let report = bench.runtime.run_until_idle(Duration::from_secs(30));
        times.push(started.elapsed());
        assert_eq!(report.delivered, calls as usize, "{report:?}");
    }
    f64::from(calls) / median(times).as_secs_f64()
}
