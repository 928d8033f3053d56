//! Loads probe guests into a reference host and asks them to make calls.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use airssys_host::bindings::airssys::core::errors::WasmError;
use airssys_host::runtime::CallError;
use airssys_host::{
    AirssysHost, Capabilities, ComponentId, ComponentMessage, HostConfig, LoadOptions, LogBuffer,
    Runtime,
};
use airssys_probe_protocol::{self as probe, Call, ProbeCall, Received, Reply, Returned, Through};
use wasmtime::component::Component;

pub use airssys_guests::{
    FAULT_PROBE, MESSAGING_PROBE, REENTRY_PROBE, SERVICES_PROBE, STORAGE_PROBE, WASI_PROBE,
};

pub struct Harness {
    pub runtime: Runtime,
    pub logs: Arc<LogBuffer>,
}

/// `"ns/name/instance"` as an id.
pub fn id(path: &str) -> ComponentId {
    let parts: Vec<&str> = path.split('/').collect();
    ComponentId::new(parts[0], parts[1], parts[2])
}

/// Long enough for any dispatch a test starts to settle.
pub const SETTLE: Duration = Duration::from_secs(5);

/// Asks a messaging probe to `send`.
pub fn send(target: &ComponentId, payload: &[u8]) -> Call {
    Call::send(&probe_id(target), payload)
}

/// Asks a messaging probe to `request`.
pub fn request(target: &ComponentId, payload: &[u8], timeout_ms: u64) -> Call {
    Call::request(&probe_id(target), payload, timeout_ms)
}

/// What a messaging probe received at `handle-callback`.
pub fn callbacks(inbox: &[Received]) -> Vec<&Received> {
    inbox
        .iter()
        .filter(|r| r.through == Through::HandleCallback)
        .collect()
}

pub fn probe_id(id: &ComponentId) -> probe::ComponentId {
    id.clone().into()
}

/// Serialized components by (guest path, engine compatibility hash).
type Precompiled = HashMap<(String, u64), Vec<u8>>;

/// Compiled components, kept serialized per engine configuration so each
/// guest is compiled once per test binary rather than once per test.
fn compiled(runtime: &Runtime, path: &str) -> Component {
    static CACHE: OnceLock<Mutex<Precompiled>> = OnceLock::new();
    let engine = runtime.engine();
    let compatibility = {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        hasher.finish()
    };
    let key = (path.to_owned(), compatibility);
    let mut cache = CACHE.get_or_init(Mutex::default).lock().unwrap();
    let bytes = cache.entry(key).or_insert_with(|| {
        let wasm = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        engine.precompile_component(&wasm).expect("guest compiles")
    });
    // SAFETY: the bytes were produced by `precompile_component` in this
    // process for an engine with the same compatibility hash.
    unsafe { Component::deserialize(engine, bytes) }.expect("precompiled guest loads")
}

impl Harness {
    pub fn new() -> Self {
        Self::with_config(HostConfig::default())
    }

    pub fn with_config(config: HostConfig) -> Self {
        Self::with_setup(config, |host| host)
    }

    /// A host on `config`, given to `setup` (an audit sink, say) before it runs.
    pub fn with_setup(config: HostConfig, setup: impl FnOnce(AirssysHost) -> AirssysHost) -> Self {
        let logs = Arc::new(LogBuffer::default());
        let host =
            setup(AirssysHost::new(config).expect("valid host config")).with_log_sink(logs.clone());
        Self {
            runtime: Runtime::with_host(host).expect("runtime starts"),
            logs,
        }
    }

    /// Loads `guest` as `id` with every capability.
    pub fn load(&self, guest: &str, id: &str) -> ComponentId {
        self.load_with(guest, id, LoadOptions::granting(Capabilities::all()))
    }

    pub fn load_with(&self, guest: &str, id: &str, options: LoadOptions) -> ComponentId {
        self.try_load(guest, id, options)
            .unwrap_or_else(|e| panic!("loading {id}: {e}"))
    }

    pub fn try_load(
        &self,
        guest: &str,
        id: &str,
        options: LoadOptions,
    ) -> Result<ComponentId, airssys_host::runtime::LoadError> {
        let component_id = self::id(id);
        let component = compiled(&self.runtime, guest);
        self.runtime
            .load(component_id.clone(), &component, options)
            .map(|_| component_id)
    }

    /// Delivers `call` to `target` and returns the raw outcome, traps included.
    pub fn invoke(
        &self,
        target: &ComponentId,
        call: &Call,
    ) -> Result<Result<Option<Vec<u8>>, WasmError>, CallError> {
        let message = ComponentMessage::new(id("airssys-test/harness/0"), probe::encode_call(call))
            .with_content_type(probe::CALL_CONTENT_TYPE);
        self.runtime.invoke(target, &message)
    }

    /// Asks the probe `target` to make `call`, and returns what it saw.
    pub fn call(&self, target: &ComponentId, call: Call) -> Reply {
        let returned = self
            .invoke(target, &call)
            .unwrap_or_else(|e| panic!("{call:?} on {target}: {e}"))
            .unwrap_or_else(|e| panic!("{call:?} on {target} returned err: {e:?}"))
            .unwrap_or_else(|| panic!("{call:?} on {target}: the probe returned no reply"));
        probe::decode_reply(&returned).unwrap()
    }

    /// `call`, which must return `ok`.
    pub fn ok(&self, target: &ComponentId, call: Call) -> Returned {
        let shown = format!("{call:?}");
        self.call(target, call)
            .unwrap_or_else(|e| panic!("{shown} on {target}: expected ok, got err {e:?}"))
    }

    /// `call`, which must fail with the error case `case`; returns its detail.
    pub fn err(&self, target: &ComponentId, call: Call, case: &str) -> Option<String> {
        let shown = format!("{call:?}");
        match self.call(target, call) {
            Err(error) if error.case == case => error.detail,
            other => panic!("{shown} on {target}: expected err({case}), got {other:?}"),
        }
    }

    /// What the messaging probe `target` has received so far.
    pub fn inbox(&self, target: &ComponentId) -> Vec<Received> {
        match self.ok(target, Call::Probe(ProbeCall::Inbox)) {
            Returned::Inbox(received) => received,
            other => panic!("inbox of {target}: {other:?}"),
        }
    }

    /// Delivers until nothing is queued or pending, at most for `limit`.
    pub fn settle(&self, limit: Duration) -> airssys_host::runtime::DispatchReport {
        self.runtime.run_until_idle(limit)
    }
}
