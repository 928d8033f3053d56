//! `register_host_functions` on an embedder's own `Linker<T>`, without `Runtime`.

use std::sync::Arc;
use std::time::Duration;

use airssys_host::bindings::RuntimeHost;
use airssys_host::runtime::engine::engine_config;
use airssys_host::{
    AirssysCtx, AirssysHost, AirssysView, Capabilities, ComponentMessage, HostConfig, Runtime,
    register_host_functions,
};
use airssys_probe_protocol::{self as probe, Call, Returned};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::harness::{STORAGE_PROBE, id};

struct EmbedderState {
    airssys: AirssysCtx,
    wasi: WasiCtx,
    table: ResourceTable,
}

impl AirssysView for EmbedderState {
    fn airssys(&mut self) -> &mut AirssysCtx {
        &mut self.airssys
    }
}

impl WasiView for EmbedderState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

#[test]
fn registration_on_an_embedders_own_linker_serves_storage() {
    let engine = Engine::default();
    let mut linker = Linker::<EmbedderState>::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
    register_host_functions(&mut linker).unwrap();

    let host = Arc::new(AirssysHost::new(HostConfig::default()).unwrap());
    let state = EmbedderState {
        airssys: AirssysCtx::new(
            host,
            id("embedder/storage/1"),
            Capabilities::storage(),
            Duration::from_secs(5),
        )
        .unwrap(),
        wasi: WasiCtx::builder().build(),
        table: ResourceTable::new(),
    };
    let mut store = Store::new(&engine, state);
    let component = Component::from_file(&engine, STORAGE_PROBE).unwrap();
    let guest = RuntimeHost::instantiate(&mut store, &component, &linker).unwrap();
    let lifecycle = guest.airssys_core_component_lifecycle();

    let mut call = |call: Call| {
        let message = ComponentMessage::new(id("embedder/driver/1"), probe::encode_call(&call))
            .with_content_type(probe::CALL_CONTENT_TYPE);
        let reply = lifecycle
            .call_handle_message(&mut store, &message)
            .unwrap()
            .unwrap()
            .unwrap();
        probe::decode_reply(&reply).unwrap().unwrap()
    };
    call(Call::set("k", b"v"));
    assert_eq!(call(Call::get("k")), Returned::Value(Some(b"v".to_vec())));
}

/// Whether `linker` already defines `instance`.`name`: a linker refuses to
/// define a name twice, whatever its type.
fn defines(linker: &Linker<EmbedderState>, instance: &str, name: &str) -> bool {
    let mut probe = linker.clone();
    let mut instance = probe.instance(instance).unwrap();
    instance.func_new(name, |_, _, _, _| Ok(())).is_err()
}

#[test]
fn registration_uses_the_fully_qualified_instance_names() {
    let engine = Engine::default();
    let mut linker = Linker::<EmbedderState>::new(&engine);
    register_host_functions(&mut linker).unwrap();
    for (instance, name) in [
        ("airssys:core/storage@1.0.0", "list-keys"),
        ("airssys:core/host-messaging@1.0.0", "cancel-request"),
        ("airssys:core/host-services@1.0.0", "get-component-metadata"),
    ] {
        assert!(defines(&linker, instance, name), "{instance} {name}");
    }
    assert!(
        !defines(&linker, "host-messaging", "send"),
        "bare instance name"
    );
    assert!(
        !defines(&linker, "airssys:core/storage@1.0.0", "list_keys"),
        "snake_case"
    );
}

#[test]
fn a_context_for_an_id_whose_parts_would_share_a_namespace_is_refused() {
    let host = Arc::new(AirssysHost::new(HostConfig::default()).unwrap());
    let new = |namespace: &str, name: &str| {
        AirssysCtx::new(
            host.clone(),
            airssys_host::ComponentId::new(namespace, name, "1"),
            Capabilities::storage(),
            Duration::from_secs(5),
        )
    };
    // `a/b` + `c` and `a` + `b/c` would both store under `a/b/c/1`.
    let refused = new("a/b", "c").err().expect("a `/` inside a part");
    assert!(
        refused.to_string().contains("namespace contains `/`"),
        "{refused}"
    );
    assert!(new("a", "b/c").is_err());
    assert!(new("a", "b").is_ok());
}

#[test]
fn an_engine_without_epoch_interruption_is_refused() {
    let host = AirssysHost::new(HostConfig::default()).unwrap();
    let refused = Runtime::builder(host)
        .engine(Engine::default())
        .build()
        .err()
        .expect("no budget could end a loop on it");
    assert!(
        refused.to_string().contains("epoch interruption off"),
        "{refused}"
    );
}

#[test]
fn an_engine_metering_fuel_the_host_does_not_expect_is_refused() {
    let host = AirssysHost::new(HostConfig::default()).unwrap();
    let mut settings = engine_config(&HostConfig::default());
    settings.consume_fuel(true);
    let refused = Runtime::builder(host)
        .engine(Engine::new(&settings).unwrap())
        .build()
        .err()
        .expect("its calls would run out of fuel at once");
    assert!(
        refused.to_string().contains("consume_fuel true"),
        "{refused}"
    );
}

#[test]
fn an_engine_built_from_engine_config_is_taken() {
    let config = HostConfig::default();
    let engine = Engine::new(&engine_config(&config)).unwrap();
    let host = AirssysHost::new(config).unwrap();
    assert!(Runtime::builder(host).engine(engine).build().is_ok());
}
