//! The host serves `airssys:core@1.0.0` and the 1.1.0 draft
//! (`fixtures/contract-1.1.0`) side by side: 1.1.0's `get-many` (STO-12)
//! through a component's canonical ABI, each version's imports found by
//! their exact names, and a 1.0.0-only host refusing what 1.1.0 adds.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use airssys_host::bindings::airssys::core::errors::StorageError;
use airssys_host::bindings::airssys::core::storage::Host as _;
use airssys_host::security::Capability;
use airssys_host::{
    AirssysCtx, AirssysHost, AirssysView, Capabilities, ComponentId, ContractVersion, HostConfig,
    LoadOptions, Runtime, register_host_functions, register_host_functions_serving,
};
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

use crate::harness::{Harness, STORAGE_PROBE, id};
use airssys_probe_protocol::{Call, Returned};

struct Guest {
    airssys: AirssysCtx,
}

impl AirssysView for Guest {
    fn airssys(&mut self) -> &mut AirssysCtx {
        &mut self.airssys
    }
}

/// A component that imports `get-many` from `storage@1.1.0` and exports
/// it as its own `get-many`, lowered and lifted through its memory: what a
/// guest's call of it goes through.
const GET_MANY_WAT: &str = include_str!("get_many.wat");

type Answer = Result<Vec<Option<Vec<u8>>>, StorageError>;

/// One component instance of [`GET_MANY_WAT`] on a linker with every
/// version registered, as `id` with `capabilities`, on `host`.
struct GetMany {
    store: Store<Guest>,
    call: wasmtime::component::TypedFunc<(Vec<String>,), (Answer,)>,
}

impl GetMany {
    fn on(host: &Arc<AirssysHost>, id: &str, capabilities: Capabilities) -> Self {
        let engine = Engine::default();
        let mut linker = Linker::<Guest>::new(&engine);
        register_host_functions(&mut linker).unwrap();
        let component = Component::new(&engine, GET_MANY_WAT).expect("valid component");
        let airssys = AirssysCtx::new(
            host.clone(),
            self::id(id),
            capabilities,
            Duration::from_secs(5),
        )
        .unwrap();
        let mut store = Store::new(&engine, Guest { airssys });
        let instance = linker.instantiate(&mut store, &component).unwrap();
        let call = instance
            .get_typed_func::<(Vec<String>,), (Answer,)>(&mut store, "get-many")
            .unwrap();
        Self { store, call }
    }

    fn get_many(&mut self, keys: &[&str]) -> Answer {
        let keys = keys.iter().map(|key| key.to_string()).collect();
        self.call.call(&mut self.store, (keys,)).unwrap().0
    }

    /// `set` through 1.0.0's host function, as this component's own.
    fn set(&mut self, key: &str, value: &[u8]) {
        self.store
            .data_mut()
            .airssys
            .set(key.into(), value.to_vec())
            .unwrap();
    }
}

fn host(config: HostConfig) -> Arc<AirssysHost> {
    Arc::new(AirssysHost::new(config).unwrap())
}

#[test]
fn sto_12_get_many_answers_each_key_in_the_order_asked_none_for_an_absent_one() {
    let mut guest = GetMany::on(
        &host(HostConfig::default()),
        "t/many/1",
        Capabilities::storage(),
    );
    guest.set("a", b"1");
    guest.set("b", b"22");
    guest.set("empty", b"");
    assert_eq!(
        guest.get_many(&["b", "absent", "a", "b", "empty"]),
        Ok(vec![
            Some(b"22".to_vec()),
            None,
            Some(b"1".to_vec()),
            Some(b"22".to_vec()),
            Some(vec![]),
        ])
    );
    assert_eq!(guest.get_many(&[]), Ok(vec![]), "an empty list");
}

#[test]
fn sto_12_sto_8_one_invalid_key_fails_the_whole_call_with_invalid_key() {
    let config = HostConfig::default_with(|config| config.max_key_bytes = 4);
    let mut guest = GetMany::on(&host(config), "t/many/1", Capabilities::storage());
    guest.set("a", b"1");
    assert_eq!(
        guest.get_many(&["a", "", "a"]),
        Err(StorageError::InvalidKey("keys[1]: the key is empty".into()))
    );
    assert_eq!(
        guest.get_many(&["a", "toolong"]),
        Err(StorageError::InvalidKey(
            "keys[1]: the key is 7 bytes; the limit is 4 bytes".into()
        ))
    );
}

#[test]
fn sto_10_get_many_sees_only_the_callers_own_keys() {
    let host = host(HostConfig::default());
    let mut mine = GetMany::on(&host, "t/mine/1", Capabilities::storage());
    let mut theirs = GetMany::on(&host, "t/theirs/1", Capabilities::storage());
    theirs.set("k", b"theirs");
    assert_eq!(mine.get_many(&["k"]), Ok(vec![None]));
    mine.set("k", b"mine");
    assert_eq!(mine.get_many(&["k"]), Ok(vec![Some(b"mine".to_vec())]));
    assert_eq!(theirs.get_many(&["k"]), Ok(vec![Some(b"theirs".to_vec())]));
}

#[test]
fn sec_1_sec_1_1_get_many_needs_the_storage_read_grant() {
    let host = host(HostConfig::default());
    let mut refused = GetMany::on(&host, "t/none/1", Capabilities::default());
    assert_eq!(
        refused.get_many(&["k"]),
        Err(StorageError::IoError(Capability::StorageRead.denied(None)))
    );
    let read_only = Capabilities {
        storage_read: true,
        ..Capabilities::default()
    };
    let mut reader = GetMany::on(&host, "t/reader/1", read_only);
    assert_eq!(reader.get_many(&["k"]), Ok(vec![None]));
}

#[test]
fn res_1_get_many_asks_for_at_most_max_get_many_keys() {
    let config = HostConfig::default_with(|config| config.max_get_many_keys = 3);
    let mut guest = GetMany::on(&host(config), "t/many/1", Capabilities::storage());
    assert_eq!(guest.get_many(&["a", "b", "c"]), Ok(vec![None; 3]));
    match guest.get_many(&["a", "b", "c", "d"]) {
        Err(StorageError::IoError(reason)) => assert!(
            reason.contains("4 keys") && reason.contains("HostConfig::max_get_many_keys"),
            "{reason}"
        ),
        other => panic!("expected io-error naming the limit, got {other:?}"),
    }
}

#[test]
fn res_1_a_get_many_answer_over_the_quota_is_refused() {
    let config = HostConfig::default_with(|config| config.storage_quota_bytes = 100);
    let mut guest = GetMany::on(&host(config), "t/many/1", Capabilities::storage());
    guest.set("k", &[7; 90]);
    assert_eq!(guest.get_many(&["k"]), Ok(vec![Some(vec![7; 90])]));
    match guest.get_many(&["k", "k"]) {
        Err(StorageError::IoError(reason)) => assert!(
            reason.contains("180 bytes") && reason.contains("HostConfig::storage_quota_bytes"),
            "{reason}"
        ),
        other => panic!("expected io-error naming the quota, got {other:?}"),
    }
}

/// The draft's world, for components made from it.
fn draft_1_1(features: &[&str]) -> (wit_parser::Resolve, wit_parser::WorldId) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/contract-1.1.0/wit");
    let mut resolve = wit_parser::Resolve::default();
    resolve
        .features
        .extend(features.iter().map(|f| f.to_string()));
    let (package, _) = resolve.push_dir(&dir).expect("the 1.1.0 draft parses");
    let world = resolve
        .select_world(&[package], Some("runtime-host"))
        .unwrap();
    (resolve, world)
}

fn linker_serving(engine: &Engine, versions: &[ContractVersion]) -> Linker<Guest> {
    let mut linker = Linker::new(engine);
    register_host_functions_serving(&mut linker, versions).unwrap();
    linker
}

/// Whether `linker` holds `name` exactly, at its root (an interface) or in
/// the instance `interface` (a function): a linker refuses to define a
/// name twice, and that check ignores semver.
fn defines(linker: &Linker<Guest>, interface: &str, function: Option<&str>) -> bool {
    let mut probe = linker.clone();
    let defined_anew = match function {
        None => probe.root().func_new(interface, |_, _, _, _| Ok(())),
        Some(function) => match probe.instance(interface) {
            Ok(mut instance) => instance.func_new(function, |_, _, _, _| Ok(())),
            Err(error) => Err(error),
        },
    };
    defined_anew.is_err()
}

/// Every interface the draft's world imports, by its full name, with its
/// functions (`features` enabled): read from the WIT, not listed here.
fn imports_of_1_1(features: &[&str]) -> Vec<(String, Vec<String>)> {
    let (resolve, world) = draft_1_1(features);
    resolve.worlds[world]
        .imports
        .iter()
        .filter_map(|(key, item)| match (key, item) {
            (wit_parser::WorldKey::Interface(id), wit_parser::WorldItem::Interface { .. }) => {
                let functions = resolve.interfaces[*id].functions.keys().cloned().collect();
                Some((resolve.id_of(*id).unwrap(), functions))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn every_import_of_the_1_1_world_is_registered_under_its_exact_1_1_name() {
    let imports = imports_of_1_1(&[]);
    let names: Vec<&str> = imports.iter().map(|(name, _)| name.as_str()).collect();
    assert!(
        names.contains(&"airssys:core/types@1.1.0")
            && names.contains(&"airssys:core/storage@1.1.0"),
        "{names:?}"
    );
    let engine = Engine::default();
    for versions in [&[ContractVersion::V1_1_0][..], ContractVersion::ALL] {
        let linker = linker_serving(&engine, versions);
        for (interface, functions) in &imports {
            assert!(
                defines(&linker, interface, None),
                "{interface} ({versions:?})"
            );
            for function in functions {
                assert!(
                    defines(&linker, interface, Some(function)),
                    "{interface}.{function} ({versions:?})"
                );
            }
        }
    }
    let only_1_0 = linker_serving(&engine, &[ContractVersion::V1_0_0]);
    for (interface, _) in &imports {
        assert!(
            !defines(&only_1_0, interface, None),
            "{interface} on 1.0.0 only"
        );
    }
    assert!(defines(
        &only_1_0,
        "airssys:core/storage@1.0.0",
        Some("get")
    ));
    assert!(!defines(
        &only_1_0,
        "airssys:core/storage@1.0.0",
        Some("get-many")
    ));
}

#[test]
fn a_host_serving_1_0_only_refuses_a_1_1_component_naming_get_many() {
    let engine = Engine::default();
    let component = Component::new(&engine, GET_MANY_WAT).unwrap();
    let only_1_0 = linker_serving(&engine, &[ContractVersion::V1_0_0]);
    let refused = only_1_0
        .instantiate_pre(&component)
        .err()
        .expect("1.0.0 has no get-many");
    let refused = format!("{refused:#}");
    assert!(
        refused.contains("airssys:core/storage@1.1.0") && refused.contains("get-many"),
        "{refused}"
    );
    linker_serving(&engine, ContractVersion::ALL)
        .instantiate_pre(&component)
        .unwrap();
}

#[test]
fn compare_and_swap_behind_its_unstable_feature_is_not_served() {
    let imports = imports_of_1_1(&["compare-and-swap"]);
    let (storage, functions) = imports
        .iter()
        .find(|(name, _)| name == "airssys:core/storage@1.1.0")
        .unwrap();
    assert!(
        functions.iter().any(|f| f == "compare-and-swap"),
        "{functions:?}"
    );
    let linker = linker_serving(&Engine::default(), ContractVersion::ALL);
    assert!(defines(&linker, storage, Some("get-many")));
    assert!(!defines(&linker, storage, Some("compare-and-swap")));
}

#[test]
fn serving_no_version_is_refused() {
    let engine = Engine::default();
    let refused = register_host_functions_serving(&mut Linker::<Guest>::new(&engine), &[])
        .expect_err("nothing to serve");
    assert!(refused.to_string().contains("at least one"), "{refused}");
}

/// `lifecycle.wat` (a component with the contract's exports) exporting
/// them at `@1.1.0` and importing `storage@1.1.0`'s `get-many`, unused.
fn lifecycle_1_1() -> String {
    let lifecycle = include_str!("../../../conformance/tests/guests/lifecycle.wat");
    let import = r#"(component
  (import "airssys:core/storage@1.1.0" (instance
    (type $e' (variant
      (case "not-found" string) (case "already-exists" string) (case "quota-exceeded")
      (case "invalid-key" string) (case "io-error" string)))
    (export "storage-error" (type $e (eq $e')))
    (export "get-many" (func (param "keys" (list string))
      (result (result (list (option (list u8))) (error $e)))))))"#;
    let exported = lifecycle.replacen("(component", import, 1).replace(
        "airssys:core/component-lifecycle@1.0.0",
        "airssys:core/component-lifecycle@1.1.0",
    );
    assert_ne!(exported, lifecycle);
    exported
}

#[test]
fn a_1_1_component_loads_on_the_runtime_and_not_on_one_serving_1_0_only() {
    let wasm = wat::parse_str(lifecycle_1_1()).expect("valid WAT");
    let runtime = Runtime::new(HostConfig::default()).unwrap();
    let component = runtime.compile(&wasm).unwrap();
    let loaded = id("t/lifecycle/1");
    runtime
        .load(loaded.clone(), &component, LoadOptions::default())
        .unwrap_or_else(|e| panic!("its 1.1.0 exports are found: {e}"));
    assert_eq!(
        runtime.host().registry().get(&loaded).unwrap().name,
        "wat-good"
    );

    let host = AirssysHost::new(HostConfig::default()).unwrap();
    let not_updated = Runtime::builder(host)
        .serving(&[ContractVersion::V1_0_0])
        .build()
        .unwrap();
    let component = not_updated.compile(&wasm).unwrap();
    let refused = not_updated.links(&component).unwrap_err();
    assert!(refused.contains("get-many"), "{refused}");
    let refused = not_updated
        .load(loaded, &component, LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(refused.contains("get-many"), "{refused}");
}

#[test]
fn a_1_0_component_still_runs_on_the_host_serving_both() {
    let harness = Harness::new();
    let probe: ComponentId = harness.load(STORAGE_PROBE, "t/storage/1");
    harness.ok(&probe, Call::set("k", b"v"));
    assert_eq!(
        harness.ok(&probe, Call::get("k")),
        Returned::Value(Some(b"v".to_vec()))
    );
}
