//! `check` with exact names (adapter protocol 1.4) on a wasmtime linker:
//! whether every import of a component is registered under exactly its
//! name, or only found by semver matching, and under which version.
//!
//! wasmtime offers no lookup by exact name, so this observes one on a clone
//! of the linker, with shadowing off: `Linker::instance(name)` re-opens the
//! instance only if exactly `name` is defined (`into_instance` looks it up
//! with `raw_get_mut`, no semver), and creates an empty one otherwise; then
//! defining the function there fails ("defined twice") if and only if it
//! was already registered there. The tests hold this to real linkers.

use airssys_conformance_adapter::{AdapterError, Unsatisfied};
use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Linker};

use super::linker_refusal;
use crate::connection::semver;

/// `Ok` if `component` instantiates on `linker` with every import found
/// under exactly its name; the plain refusal if it does not instantiate at
/// all; otherwise a refusal naming, in `by_semver`, each function found only
/// on its semver track, with the instance name it is registered under when
/// it is near the import's version ([`semver::neighbours`]).
pub(crate) fn check_exact<T: 'static>(
    linker: &Linker<T>,
    component: &Component,
) -> Result<(), AdapterError> {
    linker
        .instantiate_pre(component)
        .map(drop)
        .map_err(|e| linker_refusal::read(&e))?;
    let engine = linker.engine();
    let mut by_semver = Vec::new();
    for (instance, import) in component.component_type().imports(engine) {
        // Only an interface with a version on a track can be found by
        // semver; any other name was found exactly, or not at all.
        let ComponentItem::ComponentInstance(ty) = import.ty else {
            continue;
        };
        if semver::track_of(instance).is_err() {
            continue;
        }
        for (function, item) in ty.exports(engine) {
            if !matches!(item.ty, ComponentItem::ComponentFunc(_)) {
                continue;
            }
            if registered_at(linker, &[instance.to_owned()], function).is_some() {
                continue;
            }
            let registered = registered_at(linker, &semver::neighbours(instance), function);
            by_semver.push((Unsatisfied::full_name(Some(instance), function), registered));
        }
    }
    if by_semver.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = by_semver
        .iter()
        .map(|(import, registered)| match registered {
            Some(at) => format!("`{import}` (registered in `{at}`)"),
            None => format!("`{import}`"),
        })
        .collect();
    let refusal = AdapterError::msg(format_args!(
        "linked only by semver matching, not under exactly the name imported: {}",
        names.join(", ")
    ));
    Err(by_semver
        .into_iter()
        .fold(refusal, |refusal, (import, registered)| {
            refusal.with_by_semver(import, registered)
        }))
}

/// The first of `instances` in which `function` is registered under exactly
/// that instance name, on `linker` as the host registered it.
fn registered_at<T: 'static>(
    linker: &Linker<T>,
    instances: &[String],
    function: &str,
) -> Option<String> {
    // One clone for every candidate: an instance this creates is one that
    // was not defined, and it changes no other name's exact lookup.
    let mut probe = linker.clone();
    probe.allow_shadowing(false);
    instances
        .iter()
        .find(|instance| {
            // An item of another kind under that name: not an instance
            // with the function in it.
            let Ok(mut opened) = probe.instance(instance) else {
                return false;
            };
            opened
                .func_new(function, |_, _, _, _| Ok(()))
                .is_err_and(|e| format!("{e:#}").contains("defined twice"))
        })
        .cloned()
}

#[cfg(test)]
mod tests {
    use wasmtime::Engine;

    use super::*;

    fn get_at(linker: &mut Linker<()>, instance: &str) {
        linker
            .instance(instance)
            .unwrap()
            .func_wrap("get", |_, (): ()| Ok(()))
            .unwrap();
    }

    fn importing_get(version: &str) -> String {
        format!(
            r#"(component (import "airssys:core/storage@{version}" (instance (export "get" (func)))))"#
        )
    }

    fn check(linker: &Linker<()>, version: &str) -> Result<(), AdapterError> {
        let component = Component::new(linker.engine(), importing_get(version)).unwrap();
        check_exact(linker, &component)
    }

    /// The observation the module rests on, on a real linker: `instance`
    /// re-opens only an exact name, and defining again fails only there.
    #[test]
    fn a_linker_reopens_only_an_instance_of_exactly_that_name() {
        let mut linker = Linker::<()>::new(&Engine::default());
        get_at(&mut linker, "airssys:core/storage@1.1.0");
        let exact = ["airssys:core/storage@1.1.0".to_owned()];
        let semver_only = ["airssys:core/storage@1.0.0".to_owned()];
        assert_eq!(
            registered_at(&linker, &exact, "get").as_deref(),
            Some("airssys:core/storage@1.1.0")
        );
        assert_eq!(registered_at(&linker, &semver_only, "get"), None);
        assert_eq!(registered_at(&linker, &exact, "set"), None);
        // A host that left shadowing on is observed alike.
        linker.allow_shadowing(true);
        assert!(registered_at(&linker, &exact, "get").is_some());
        // The linker itself is untouched: the @1.0.0 import still links.
        assert!(check(&linker, "1.0.0").is_err());
        let component = Component::new(linker.engine(), importing_get("1.0.0")).unwrap();
        assert!(linker.instantiate_pre(&component).is_ok());
    }

    #[test]
    fn an_exact_registration_passes_and_a_semver_one_names_its_version() {
        let mut linker = Linker::<()>::new(&Engine::default());
        get_at(&mut linker, "airssys:core/storage@1.0.0");
        assert_eq!(check(&linker, "1.0.0"), Ok(()));

        for registered in ["1.0.1", "1.1.0"] {
            let mut linker = Linker::<()>::new(&Engine::default());
            get_at(&mut linker, &format!("airssys:core/storage@{registered}"));
            let refusal = check(&linker, "1.0.0").unwrap_err();
            assert_eq!(refusal.unsatisfied.by_semver.len(), 1, "{refusal:?}");
            let found = &refusal.unsatisfied.by_semver[0];
            assert_eq!(found.import, "airssys:core/storage@1.0.0#get");
            assert_eq!(
                found.registered.as_deref(),
                Some(format!("airssys:core/storage@{registered}").as_str())
            );
            assert!(
                refusal.reason.contains("only by semver"),
                "{}",
                refusal.reason
            );
        }
    }

    /// Two versions of one track: each import finds its exact one; a
    /// version past nine is named; one past the ones searched
    /// ([`semver::NEIGHBOURS_UP_TO`]) is named as unknown.
    #[test]
    fn two_versions_of_a_track_and_a_far_one() {
        let mut linker = Linker::<()>::new(&Engine::default());
        get_at(&mut linker, "airssys:core/storage@1.0.0");
        get_at(&mut linker, "airssys:core/storage@1.1.0");
        assert_eq!(check(&linker, "1.0.0"), Ok(()));
        assert_eq!(check(&linker, "1.1.0"), Ok(()));
        let mut near = Linker::<()>::new(&Engine::default());
        get_at(&mut near, "airssys:core/storage@1.12.0");
        let refusal = check(&near, "1.0.0").unwrap_err();
        assert_eq!(
            refusal.unsatisfied.by_semver[0].registered.as_deref(),
            Some("airssys:core/storage@1.12.0")
        );
        let mut far = Linker::<()>::new(&Engine::default());
        get_at(&mut far, "airssys:core/storage@1.32.0");
        let refusal = check(&far, "1.0.0").unwrap_err();
        assert_eq!(refusal.unsatisfied.by_semver[0].registered, None);
    }

    /// What does not link at all is refused as a plain `check` refuses it.
    #[test]
    fn another_major_is_a_plain_refusal() {
        let mut linker = Linker::<()>::new(&Engine::default());
        get_at(&mut linker, "airssys:core/storage@2.0.0");
        let refusal = check(&linker, "1.0.0").unwrap_err();
        assert!(refusal.unsatisfied.by_semver.is_empty());
        assert_eq!(
            refusal.unsatisfied.missing,
            ["airssys:core/storage@1.0.0#get"]
        );
    }
}
