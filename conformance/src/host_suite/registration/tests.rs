//! The name and signature verdicts on hosts made up for them, and on real
//! wasmtime linkers.

use airssys_conformance_adapter::{CheckRefusal, Unsatisfied};

use super::refusals::Found;
use super::*;

struct Registered(Vec<&'static str>);

impl Instantiates for Registered {
    fn instantiates(&mut self, wat: &str) -> Result<(), Refusal> {
        if self.0.iter().any(|import| wat.contains(import)) {
            Ok(())
        } else {
            Err(Refusal::Host(
                "function implementation is missing".to_owned().into(),
            ))
        }
    }
}

#[test]
fn a_bare_instance_name_is_named_as_the_mistake() {
    let contract = Contract::bundled();
    let mut host = Registered(vec!["(import \"storage\""]);
    let verdicts = judge(&contract, &mut host);
    let get = contract
        .functions()
        .iter()
        .position(|f| f.name == "get")
        .unwrap();
    let Placement::Wrong { at, mistake } = &verdicts[get].placement else {
        panic!("{:?}", verdicts[get]);
    };
    assert_eq!(at.instance.as_deref(), Some("storage"));
    assert!(mistake.contains("bare name `storage`"), "{mistake}");
    let send = contract
        .functions()
        .iter()
        .position(|f| f.name == "send")
        .unwrap();
    assert!(matches!(
        verdicts[send].placement,
        Placement::Missing { .. }
    ));
}

/// A wasmtime linker, asked as an adapter's `check` would, and its `check`
/// with exact names as the suite's in-process adapter answers it.
struct OnLinker(wasmtime::component::Linker<()>);

impl Instantiates for OnLinker {
    fn instantiates(&mut self, wat: &str) -> Result<(), Refusal> {
        let component = wasmtime::component::Component::new(self.0.engine(), wat)
            .map_err(|e| Refusal::Adapter(format!("{e:#}")))?;
        self.0
            .instantiate_pre(&component)
            .map(drop)
            .map_err(|e| Refusal::Host(format!("{e:#}").into()))
    }

    fn instantiates_exactly(&mut self, wat: &str) -> Result<(), Refusal> {
        let component = wasmtime::component::Component::new(self.0.engine(), wat)
            .map_err(|e| Refusal::Adapter(format!("{e:#}")))?;
        crate::connection::in_process::exact_names::check_exact(&self.0, &component)
            .map_err(Refusal::Host)
    }
}

/// `get` alone, registered in `instance` (with `func_new`: any type).
fn get_in(instance: &str) -> OnLinker {
    let engine = wasmtime::Engine::default();
    let mut linker = wasmtime::component::Linker::new(&engine);
    linker
        .instance(instance)
        .unwrap()
        .func_new("get", |_, _, _, _| Ok(()))
        .unwrap();
    OnLinker(linker)
}

fn position(contract: &Contract, name: &str) -> usize {
    contract
        .functions()
        .iter()
        .position(|f| f.name == name)
        .unwrap()
}

/// The name verdict says how the name was found: exactly (no note), or
/// only on its semver track (a pass, and a note naming the version).
#[test]
fn a_name_found_by_semver_passes_with_a_note_and_an_exact_one_without() {
    let contract = Contract::bundled();
    let get = position(&contract, "get");
    let verdicts = judge(&contract, &mut get_in("airssys:core/storage@1.0.0"));
    assert_eq!(
        verdicts[get].placement,
        Placement::Right(NameMatch::Exactly)
    );
    assert_eq!(notes(&contract, &verdicts), Vec::<String>::new());

    let verdicts = judge(&contract, &mut get_in("airssys:core/storage@1.1.0"));
    assert_eq!(
        verdicts[get].placement,
        Placement::Right(NameMatch::BySemver {
            registered: Some("airssys:core/storage@1.1.0".into())
        })
    );
    assert!(verdicts[get].name(&contract.functions()[get]).is_ok());
    let notes = notes(&contract, &verdicts);
    assert_eq!(
        notes,
        [
            "`get` of `airssys:core/storage@1.0.0`: registered at `@1.1.0`; wasmtime links \
          `@1.0.0` guests to it by semver; a runtime without semver matching would not \
          (for those, serve `airssys:core/storage@1.0.0` under exactly that name too, with \
          every function it has)."
        ]
    );
}

/// A version past those the adapter looks through is "another `1.x`
/// version"; a connection that cannot tell says so once, and why.
#[test]
fn an_unknown_version_and_an_unseen_match_are_said_as_such() {
    let contract = Contract::bundled();
    let get = position(&contract, "get");
    let verdicts = judge(&contract, &mut get_in("airssys:core/storage@1.32.0"));
    let note = verdicts[get].name_note(&contract.functions()[get]);
    assert_eq!(
        note.as_deref(),
        Some(
            "registered at another `1.x` version; wasmtime links `@1.0.0` guests to it by \
             semver; a runtime without semver matching would not"
        )
    );

    struct Unseen(OnLinker);
    impl Instantiates for Unseen {
        fn instantiates(&mut self, wat: &str) -> Result<(), Refusal> {
            self.0.instantiates(wat)
        }
    }
    let verdicts = judge(&contract, &mut Unseen(get_in("airssys:core/storage@1.0.0")));
    assert!(matches!(
        &verdicts[get].placement,
        Placement::Right(NameMatch::Unseen(why)) if why.contains("no `check` with exact names")
    ));
    let notes = notes(&contract, &verdicts);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].starts_with("Whether any function is registered under exactly the name")
            && notes[0].contains("cannot be seen: the host's connection has no `check`"),
        "{}",
        notes[0]
    );
}

#[test]
fn a_function_at_the_root_is_found_there_whatever_its_types() {
    let engine = wasmtime::Engine::default();
    let mut linker = wasmtime::component::Linker::new(&engine);
    linker.root().func_new("send", |_, _, _, _| Ok(())).unwrap();
    let contract = Contract::bundled();
    let verdicts = judge(&contract, &mut OnLinker(linker));
    let send = contract
        .functions()
        .iter()
        .position(|f| f.name == "send")
        .unwrap();
    let Placement::Wrong { at, mistake } = &verdicts[send].placement else {
        panic!("{:?}", verdicts[send]);
    };
    assert_eq!(at.instance, None);
    assert!(mistake.contains("at the linker's root"), "{mistake}");
    let get = contract
        .functions()
        .iter()
        .position(|f| f.name == "get")
        .unwrap();
    let Placement::Missing { host_says } = &verdicts[get].placement else {
        panic!("{:?}", verdicts[get]);
    };
    assert!(
        host_says.contains("implementation is missing"),
        "{host_says}"
    );
}

/// Protocol 1.1: a host whose words are not wasmtime's is judged by the
/// imports its refusal names, and with neither, left unjudged.
#[test]
fn the_imports_a_refusal_names_decide_where_its_words_cannot() {
    struct Naming {
        other_type: Vec<String>,
        missing: Vec<String>,
    }
    impl Instantiates for Naming {
        fn instantiates(&mut self, _: &str) -> Result<(), Refusal> {
            let mut refusal = CheckRefusal::msg("nicht gefunden");
            refusal.unsatisfied.missing = self.missing.clone();
            refusal.unsatisfied.other_type = self.other_type.clone();
            Err(Refusal::Host(refusal))
        }
    }
    let contract = Contract::bundled();
    let full_name = |f: &HostFunction| Unsatisfied::full_name(Some(&f.instance), &f.name);
    let (get, others): (Vec<_>, Vec<_>) =
        contract.functions().iter().partition(|f| f.name == "get");
    let mut host = Naming {
        other_type: get.iter().map(|f| full_name(f)).collect(),
        missing: others.iter().map(|f| full_name(f)).collect(),
    };
    let verdicts = judge(&contract, &mut host);
    for (function, verdict) in contract.functions().iter().zip(&verdicts) {
        if function.name == "get" {
            assert!(
                matches!(verdict.placement, Placement::Right(_)),
                "{verdict:?}"
            );
            let signature = verdict.signature.as_ref().unwrap_err();
            assert!(signature.contains("type mismatch for `get`"), "{signature}");
            assert!(signature.contains("nicht gefunden"), "{signature}");
        } else {
            assert!(
                matches!(&verdict.placement, Placement::Missing { host_says } if host_says == "nicht gefunden"),
                "{}: {verdict:?}",
                function.name
            );
        }
    }
    // Lists that name only another import say nothing of this one, even
    // where the words would read as "missing".
    let elsewhere = CheckRefusal::msg("function implementation is missing")
        .with_missing("airssys:core/storage@1.0.0#usage");
    let get = Location {
        instance: Some("airssys:core/storage@1.0.0".into()),
        name: "get".into(),
    };
    assert_eq!(Found::of(&elsewhere, &get), Found::Unknown);
    host.missing.clear();
    host.other_type.clear();
    let verdicts = judge(&contract, &mut host);
    assert!(
        verdicts.iter().all(
            |v| matches!(&v.placement, Placement::Unjudged(why) if why.contains("`unsatisfied`"))
        ),
        "{verdicts:?}"
    );
}

#[test]
fn an_adapter_failure_leaves_the_function_unjudged() {
    struct Crashing;
    impl Instantiates for Crashing {
        fn instantiates(&mut self, _: &str) -> Result<(), Refusal> {
            Err(Refusal::Adapter("the adapter exited".into()))
        }
    }
    let contract = Contract::bundled();
    let verdicts = judge(&contract, &mut Crashing);
    assert!(verdicts.iter().all(|v| v.placement
        == Placement::Unjudged("the adapter exited".into())
        && v.signature.is_err()));
}

/// A host made for the built-in 1.0.0, judged with a 2.0.0 WIT: its
/// functions are on another semver track, not missing.
#[test]
fn a_1_x_host_judged_with_a_2_0_0_wit_is_on_another_track() {
    let next_major: Vec<(&str, String)> = airssys_contract::WIT_FILES
        .iter()
        .map(|(name, text)| (*name, text.replace("@1.0.0", "@2.0.0")))
        .collect();
    let files: Vec<(&str, &str)> = next_major
        .iter()
        .map(|(name, text)| (*name, text.as_str()))
        .collect();
    let contract = Contract::from_files(&files).unwrap();
    assert_eq!(contract.package(), "airssys:core@2.0.0");
    let get = position(&contract, "get");
    let verdicts = judge(&contract, &mut get_in("airssys:core/storage@1.0.0"));
    let Placement::Wrong { at, mistake } = &verdicts[get].placement else {
        panic!("{:?}", verdicts[get]);
    };
    assert_eq!(at.instance.as_deref(), Some("airssys:core/storage@1.0.0"));
    assert!(
        mistake.contains("on another semver track (`1.x` where the contract's version 2.0.0"),
        "{mistake}"
    );
}
