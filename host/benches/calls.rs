//! What the reference host's work costs: loading a component, calling into
//! it, a storage import made from inside it, and a message routed between
//! two components. Guests are the release builds of `guests/`, so the
//! numbers are the host's, plus the probe's JSON decoding of its instructions.

use std::time::Duration;

use airssys_host::{Capabilities, ComponentId, ComponentMessage, HostConfig, LoadOptions, Runtime};
use airssys_probe_protocol::{self as probe, Call, HostMessagingCall, StorageCall};
use divan::Bencher;
use wasmtime::component::Component;

fn main() {
    divan::main();
}

fn runtime() -> Runtime {
    Runtime::new(HostConfig::default()).expect("the default host config is valid")
}

fn compiled(runtime: &Runtime, path: &str) -> Component {
    runtime
        .compile_file(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn load(runtime: &Runtime, component: &Component, name: &str) -> ComponentId {
    let id = ComponentId::new("bench", name, "0");
    let grant = LoadOptions::granting(Capabilities::all());
    runtime
        .load(id.clone(), component, grant)
        .unwrap_or_else(|e| panic!("loading {id}: {e}"));
    id
}

fn probe_call(call: &Call) -> ComponentMessage {
    ComponentMessage::new(
        ComponentId::new("bench", "driver", "0"),
        probe::encode_call(call),
    )
    .with_content_type(probe::CALL_CONTENT_TYPE)
}

fn invoke(runtime: &Runtime, target: &ComponentId, message: &ComponentMessage) {
    let reply = runtime.invoke(target, message).expect("the probe runs");
    assert!(matches!(reply, Ok(Some(_))), "{reply:?}");
}

/// Instantiate, read metadata, initialize; then shut down and unload.
#[divan::bench]
fn load_and_unload_a_component(bencher: Bencher) {
    let runtime = runtime();
    let component = compiled(&runtime, airssys_guests::STORAGE_PROBE);
    bencher.bench_local(|| {
        let id = load(&runtime, &component, "loaded");
        runtime.unload(&id).expect("unloads");
    });
}

/// A `handle-message` call whose probe makes no import call.
#[divan::bench]
fn call_into_a_component(bencher: Bencher) {
    let runtime = runtime();
    let component = compiled(&runtime, airssys_guests::MESSAGING_PROBE);
    let id = load(&runtime, &component, "callee");
    let message = probe_call(&Call::HostMessaging(HostMessagingCall::SelfId));
    bencher.bench_local(|| invoke(&runtime, &id, &message));
}

/// A storage `get` of a 1 KiB value, made from inside a component.
#[divan::bench]
fn storage_get_from_a_component(bencher: Bencher) {
    let runtime = runtime();
    let component = compiled(&runtime, airssys_guests::STORAGE_PROBE);
    let id = load(&runtime, &component, "storer");
    let set = Call::Storage(StorageCall::Set {
        key: "k".into(),
        value: vec![7; 1024],
    });
    invoke(&runtime, &id, &probe_call(&set));
    let get = probe_call(&Call::get("k"));
    bencher.bench_local(|| invoke(&runtime, &id, &get));
}

/// One `send` from a component and its delivery to another component.
#[divan::bench]
fn message_between_two_components(bencher: Bencher) {
    let runtime = runtime();
    let component = compiled(&runtime, airssys_guests::MESSAGING_PROBE);
    let sender = load(&runtime, &component, "sender");
    let target = load(&runtime, &component, "target");
    let send = probe_call(&Call::HostMessaging(HostMessagingCall::Send {
        target: target.clone().into(),
        payload: b"hello".to_vec(),
    }));
    bencher.bench_local(|| {
        invoke(&runtime, &sender, &send);
        let report = runtime.run_until_idle(Duration::from_secs(5));
        assert_eq!(report.delivered, 1, "{report:?}");
    });
}
