//! The import side of the contract: every import of a component must be one
//! a host provides, an interface of the contract the suite judges with, at a
//! version a host of that contract links to it (exactly, or by semver as
//! wasmtime does: [`crate::tracks`]), or WASI 0.2 as the reference host links
//! it; and a contract function must be one the contract has, imported with
//! its type.

use std::collections::HashMap;
use std::sync::LazyLock;

use wasmtime::Engine;
use wasmtime::component::Component;
use wasmtime::component::types::{ComponentFunc, ComponentItem};

use airssys_contract::WIT_FILES;

use crate::contract::{Contract, HostFunction, Shape};
use crate::exports::{same, signature};
use crate::tracks::{Link, NoTrack, Unlinked, link, precedes, track};

/// Who provides an import a host links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// An interface of this contract, at its version.
    Contract,
    /// WASI 0.2, which the reference host links for every component.
    Wasi,
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Provider::Contract => "the contract",
            Provider::Wasi => "WASI 0.2",
        })
    }
}

/// How a host of the contract links an import of one of its interfaces.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Linked {
    /// By its exact name: the import's version is the contract's.
    Exactly,
    /// By semver: the import's version is another on the contract's track.
    /// A wasmtime host that serves only the contract's version links it so
    /// (one that also serves the import's version links that exactly); a
    /// runtime that matches names exactly (jco without a version map) does
    /// not link it at all.
    BySemver {
        /// The import's version, e.g. `1.1.0`.
        imported: String,
        /// The contract's, e.g. `1.0.0`.
        served: String,
        /// Their track, e.g. `1`.
        track: String,
    },
}

impl std::fmt::Display for Linked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Linked::Exactly => f.write_str("by its exact name"),
            Linked::BySemver {
                imported,
                served,
                track,
            } => write!(
                f,
                "by semver: imported at {imported}, the contract's {served} on the same track \
                 {track}; a host that serves only {served} links it by semver; a runtime that \
                 matches exact names (jco without a version map) would not"
            ),
        }
    }
}

/// The contract this suite was built with, read once.
static BUNDLED: LazyLock<Contract> = LazyLock::new(Contract::bundled);

/// Whether a host of the built-in contract provides the import `name`
/// (e.g. `airssys:core/storage@1.0.0`): [`provided_by`] that contract.
pub fn provided(name: &str) -> Result<Provider, String> {
    provided_by(&BUNDLED, name)
}

/// Whether a host of `contract` provides the import `name` (e.g.
/// `airssys:core/storage@1.0.0`), and if not, what a host would need for it.
/// An interface of the contract is provided at the contract's version and
/// at any other on its semver track ([`linked_by`] says which).
pub fn provided_by(contract: &Contract, name: &str) -> Result<Provider, String> {
    let (path, version) = name.split_once('@').unwrap_or((name, ""));
    let shown = |version: &str| {
        if version.is_empty() {
            "none".to_owned()
        } else {
            version.to_owned()
        }
    };
    let (package, served) = package_parts(contract);
    if let Some(interface) = path.strip_prefix(&format!("{package}/")) {
        if !declares(contract, interface) {
            return Err(format!(
                "the contract has no interface `{interface}`; a host would need it registered \
                 besides the contract"
            ));
        }
        let wrong = format!(
            "this is version {} of `{interface}`; hosts provide {served}",
            shown(version)
        );
        return match link(version, served) {
            Link::Exact | Link::SameTrack(_) => Ok(Provider::Contract),
            Link::None(Unlinked::OtherTrack(imported, track)) => Err(format!(
                "{wrong}, on another semver track ({imported}, not {track}): wasmtime links an \
                 import only to a version of the same major (of the same minor for 0.x), so a \
                 host of {served} cannot link it: build against a WIT of the contract on track \
                 {track}"
            )),
            Link::None(Unlinked::Imported(NoTrack::Unversioned)) => Err(format!(
                "{wrong}: {}, so a host of {served} cannot link it: build against the \
                 contract's WIT, whose package names its version",
                NoTrack::Unversioned
            )),
            Link::None(Unlinked::Imported(why)) => Err(format!(
                "{wrong}: {why}, so a host of {served} cannot link it: build against a \
                 released WIT of the contract on track {}",
                track(served).unwrap_or_else(|_| served.to_owned())
            )),
            Link::None(Unlinked::Served(why)) => Err(format!(
                "{wrong}: {served} is on no semver track ({why}), so only an import of \
                 exactly {served} links: build against this contract's WIT"
            )),
        };
    }
    if path.starts_with("wasi:") && version.starts_with("0.2.") {
        return Ok(Provider::Wasi);
    }
    if path.starts_with("wasi:") {
        return Err(format!(
            "hosts link WASI 0.2; this is version {}",
            shown(version)
        ));
    }
    Err(
        "neither the contract nor WASI 0.2: a host would need it registered besides the \
         contract"
            .into(),
    )
}

/// The interface an instance name names: `storage` for
/// `airssys:core/storage@1.1.0` (and for `storage`).
pub fn interface_of(instance: &str) -> &str {
    let path = instance.split_once('@').map_or(instance, |(path, _)| path);
    path.split_once('/')
        .map_or(path, |(_, interface)| interface)
}

/// How a host of `contract` links the import `name`, when it is one of the
/// contract's interfaces that such a host links at all.
pub fn linked_by(contract: &Contract, name: &str) -> Option<Linked> {
    let (path, version) = name.split_once('@').unwrap_or((name, ""));
    let (package, served) = package_parts(contract);
    let interface = path.strip_prefix(&format!("{package}/"))?;
    if !declares(contract, interface) {
        return None;
    }
    match link(version, served) {
        Link::Exact => Some(Linked::Exactly),
        Link::SameTrack(track) => Some(Linked::BySemver {
            imported: version.to_owned(),
            served: served.to_owned(),
            track,
        }),
        Link::None(_) => None,
    }
}

/// The contract's package and version, e.g. (`airssys:core`, `1.0.0`).
fn package_parts(contract: &Contract) -> (&str, &str) {
    contract
        .package()
        .split_once('@')
        .unwrap_or((contract.package(), ""))
}

/// Whether the contract has the interface `interface`. One with functions
/// shows in them; one of types alone (`types`, `errors`) is looked for in
/// the built-in WIT, which every minor version of the contract keeps.
fn declares(contract: &Contract, interface: &str) -> bool {
    let declaration = format!("interface {interface} {{");
    contract
        .functions()
        .iter()
        .any(|f| f.interface == interface)
        || WIT_FILES.iter().any(|(_, wit)| wit.contains(&declaration))
}

/// `a`, `a` and `b`, `a`, `b` and `c`: names in backticks, as a sentence lists them.
fn listed(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// What a component imports from one of the contract's interfaces, as
/// [`ImportChecker`] reads it.
struct FromInstance {
    /// Functions the contract does not have.
    lacking: Vec<String>,
    /// Functions the contract has from a later version than the import's
    /// (their `@since`), each with that version.
    added_later: Vec<(String, String)>,
    /// Whether the functions the contract has are imported with its types.
    types: Result<(), String>,
}

/// Why an import of `instance` that takes `added_later` (each function
/// with the version of its `@since`, all later than the import's version)
/// links only where the host lacks the import's version, and what to do.
fn added_later_message(instance: &str, added_later: &[(String, String)]) -> String {
    let imported = instance.split_once('@').map_or("", |(_, v)| v);
    let latest = added_later
        .iter()
        .map(|(_, since)| since.as_str())
        .reduce(|a, b| if precedes(a, b) == Some(true) { b } else { a })
        .unwrap_or_default();
    let each: Vec<String> = added_later
        .iter()
        .map(|(name, since)| format!("`{name}` was added in {since}"))
        .collect();
    let names: Vec<String> = added_later.iter().map(|(name, _)| name.clone()).collect();
    let it = if added_later.len() == 1 { "it" } else { "them" };
    // A later version on the import's track links it by semver, where the
    // host lacks the exact name; on no track, only the exact name would.
    let later = match track(latest) {
        Ok(track) => format!("{latest} or a later {track}.x"),
        Err(_) => latest.to_owned(),
    };
    format!(
        "{}; an import of {it} at `@{imported}` links only on a host that serves {later} and \
         not {imported} exactly (wasmtime links the exact name first, and `@{imported}` has no \
         {}): import {it} at `@{latest}`",
        each.join(", "),
        listed(&names).replace(" and ", " or "),
    )
}

/// The verdict on one import of a component.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportVerdict {
    /// The imported instance, e.g. `airssys:core/storage@1.0.0`.
    pub name: String,
    /// Who provides it, or what a host would need for it: also an error
    /// when it imports a function the contract does not have.
    pub provided: Result<Provider, String>,
    /// Imported with the types hosts give? `None` when it is not provided
    /// at all; for an interface of the contract, the types of the functions
    /// the contract has.
    pub types: Option<Result<(), String>>,
    /// How a host of the contract links it, for an interface of the
    /// contract that one links.
    pub linked: Option<Linked>,
}

/// Judges components' imports against the contract. The contract's type of
/// each function is read once per checker, from a component that imports
/// it exactly as the WIT declares it.
pub struct ImportChecker<'a> {
    engine: &'a Engine,
    contract: &'a Contract,
    expected: HashMap<(String, String), ComponentFunc>,
}

impl<'a> ImportChecker<'a> {
    /// A checker for components compiled with `engine`.
    pub fn new(engine: &'a Engine, contract: &'a Contract) -> Self {
        Self {
            engine,
            contract,
            expected: HashMap::new(),
        }
    }

    /// One verdict per import of `component`, in import order. WASI
    /// imports are judged by `links`: the reference host's linker's answer
    /// for the whole component, which names the first import it cannot give.
    pub fn check(
        &mut self,
        component: &Component,
        links: &Result<(), String>,
    ) -> Vec<ImportVerdict> {
        let ty = component.component_type();
        ty.imports(self.engine)
            .map(|(name, _)| {
                let mut provided = provided_by(self.contract, name);
                let types = match provided {
                    Ok(Provider::Wasi) => Some(match links {
                        Err(why) if why.contains(name) => {
                            Err(format!("the reference host's WASI cannot give it: {why}"))
                        }
                        Ok(()) | Err(_) => Ok(()),
                    }),
                    Ok(Provider::Contract) => {
                        let imported = self.contract_types(component, name);
                        let mut why = Vec::new();
                        if !imported.lacking.is_empty() {
                            why.push(self.lack_message(name, &imported.lacking));
                        }
                        if !imported.added_later.is_empty() {
                            why.push(added_later_message(name, &imported.added_later));
                        }
                        if !why.is_empty() {
                            provided = Err(why.join("; "));
                        }
                        Some(imported.types)
                    }
                    Err(_) => None,
                };
                ImportVerdict {
                    name: name.to_owned(),
                    provided,
                    types,
                    linked: linked_by(self.contract, name),
                }
            })
            .collect()
    }

    /// Why a component that imports the functions `lacking` from
    /// `instance`, which the contract does not have, cannot count on a host
    /// of the contract, and what to do.
    fn lack_message(&self, instance: &str, lacking: &[String]) -> String {
        let package = self.contract.package();
        let (_, served) = package_parts(self.contract);
        let imported = instance.split_once('@').map_or("", |(_, v)| v);
        let next = if imported == served {
            "don't import it: a host of the contract need not provide it".to_owned()
        } else {
            format!("judge it with `--wit` of {imported}, or don't import it")
        };
        let interface = interface_of(instance);
        let gated: Vec<String> = self
            .contract
            .gated()
            .iter()
            .filter(|g| g.interface == interface && lacking.contains(&g.name))
            .map(|g| {
                format!(
                    "`{}` is behind `@unstable(feature = {})`",
                    g.name, g.feature
                )
            })
            .collect();
        let gated = match gated.as_slice() {
            [] => String::new(),
            _ => format!(
                "; {}, not enabled: judge it with `--wit-features` naming the feature, if you \
                 mean to rely on an unstable function",
                gated.join(", ")
            ),
        };
        format!(
            "imports {} from `{instance}`, which `{package}` does not have: a host of {served} \
             cannot link this component ({next}){gated}",
            listed(lacking)
        )
    }

    /// What `component` imports from the contract's interface `instance`:
    /// the functions the contract does not have, those it has only from a
    /// later version than the import's, and whether the others are imported
    /// with the contract's types.
    fn contract_types(&mut self, component: &Component, instance: &str) -> FromInstance {
        let mut imported_functions = FromInstance {
            lacking: Vec::new(),
            added_later: Vec::new(),
            types: Ok(()),
        };
        let ty = component.component_type();
        let Some(ComponentItem::ComponentInstance(imported)) =
            ty.get_import(self.engine, instance).map(|item| item.ty)
        else {
            imported_functions.types =
                Err(format!("`{instance}` is imported, but not as an instance"));
            return imported_functions;
        };
        let interface = interface_of(instance);
        let version = instance.split_once('@').map_or("", |(_, v)| v);
        let mut wrong = Vec::new();
        for (name, item) in imported.exports(self.engine) {
            let ComponentItem::ComponentFunc(found) = item.ty else {
                continue;
            };
            let Some(function) = self.contract.function(interface, name) else {
                imported_functions.lacking.push(name.to_owned());
                continue;
            };
            // Wasmtime links an exact name first: a host that serves the
            // import's version exactly links that instance, which has no
            // function added after it.
            if let Some(since) = &function.since
                && precedes(version, since) == Some(true)
            {
                imported_functions
                    .added_later
                    .push((name.to_owned(), since.clone()));
            }
            let expected = match self.expected_type(function, instance) {
                Ok(expected) => expected,
                Err(why) => {
                    imported_functions.types = Err(why);
                    return imported_functions;
                }
            };
            if !same(&found, expected) {
                wrong.push(format!(
                    "`{name}`: expected `{name}: {}`, found `{name}: {}`",
                    signature(expected),
                    signature(&found)
                ));
            }
        }
        if !wrong.is_empty() {
            imported_functions.types = Err(format!(
                "no host can give these imports of `{instance}`: {}",
                wrong.join("; ")
            ));
        }
        imported_functions
    }

    /// The contract's type of `function`, compiled once per checker.
    fn expected_type(
        &mut self,
        function: &HostFunction,
        instance: &str,
    ) -> Result<&ComponentFunc, String> {
        let key = (instance.to_owned(), function.name.clone());
        if !self.expected.contains_key(&key) {
            let func = probed_type(self.engine, self.contract, function, instance)?;
            self.expected.insert(key.clone(), func);
        }
        Ok(&self.expected[&key])
    }
}

/// The type of `function` in a component that imports it, and nothing
/// else, exactly as the WIT declares it.
fn probed_type(
    engine: &Engine,
    contract: &Contract,
    function: &HostFunction,
    instance: &str,
) -> Result<ComponentFunc, String> {
    let wat = contract.probe_component(function, Some(instance), &function.name, Shape::Exact);
    let bytes = wat::parse_str(&wat).map_err(|e| format!("the suite's probe is invalid: {e}"))?;
    let probe = Component::new(engine, bytes)
        .map_err(|e| format!("the suite's probe does not compile: {e:#}"))?;
    let ty = probe.component_type();
    let Some(ComponentItem::ComponentInstance(probed)) =
        ty.get_import(engine, instance).map(|item| item.ty)
    else {
        unreachable!("the probe imports `{instance}` as an instance");
    };
    probed
        .exports(engine)
        .find_map(|(_, item)| match item.ty {
            ComponentItem::ComponentFunc(func) => Some(func),
            _ => None,
        })
        .ok_or_else(|| {
            format!(
                "the suite's probe of `{}` imports no function",
                function.name
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contracts_interfaces_at_its_version_and_wasi_are_provided() {
        assert_eq!(
            provided("airssys:core/storage@1.0.0"),
            Ok(Provider::Contract)
        );
        assert_eq!(provided("airssys:core/types@1.0.0"), Ok(Provider::Contract));
        assert_eq!(provided("wasi:io/poll@0.2.6"), Ok(Provider::Wasi));
        assert_eq!(Provider::Contract.to_string(), "the contract");
        assert_eq!(Provider::Wasi.to_string(), "WASI 0.2");
        assert_eq!(
            linked_by(&BUNDLED, "airssys:core/storage@1.0.0"),
            Some(Linked::Exactly)
        );
    }

    #[test]
    fn an_instance_name_names_its_interface_with_or_without_package_and_version() {
        assert_eq!(interface_of("airssys:core/storage@1.1.0"), "storage");
        assert_eq!(interface_of("airssys:core/host-services"), "host-services");
        assert_eq!(interface_of("storage@1.0.0"), "storage");
        assert_eq!(interface_of("storage"), "storage");
    }

    #[test]
    fn another_version_on_the_contracts_track_is_linked_by_semver() {
        for version in ["1.1.0", "1.0.1", "1.7.3+build"] {
            let name = format!("airssys:core/storage@{version}");
            assert_eq!(provided(&name), Ok(Provider::Contract), "{name}");
            let linked = linked_by(&BUNDLED, &name).unwrap();
            assert_eq!(
                linked,
                Linked::BySemver {
                    imported: version.into(),
                    served: "1.0.0".into(),
                    track: "1".into()
                }
            );
            assert_eq!(
                linked.to_string(),
                format!(
                    "by semver: imported at {version}, the contract's 1.0.0 on the same track \
                     1; a host that serves only 1.0.0 links it by semver; a runtime that \
                     matches exact names (jco without a version map) would not"
                )
            );
        }
    }

    #[test]
    fn anything_else_says_what_a_host_would_need() {
        let why = |name| provided(name).unwrap_err();
        let old = why("airssys:core/storage@0.9.0");
        assert!(
            old.starts_with("this is version 0.9.0 of `storage`; hosts provide 1.0.0")
                && old.contains("another semver track (0.9, not 1)"),
            "{old}"
        );
        let next_major = why("airssys:core/storage@2.0.0");
        assert!(
            next_major.contains("another semver track (2, not 1)")
                && next_major.contains("a host of 1.0.0 cannot link it"),
            "{next_major}"
        );
        let unversioned = why("airssys:core/storage");
        assert!(
            unversioned.contains("version none")
                && unversioned.contains("an unversioned name matches only itself"),
            "{unversioned}"
        );
        let pre = why("airssys:core/storage@1.1.0-rc.1");
        assert!(pre.contains("a pre-release matches only itself"), "{pre}");
        assert!(why("airssys:core/storage@0.0.1").contains("a 0.0.x version matches only itself"));
        assert!(why("airssys:core/teleport@1.0.0").contains("no interface `teleport`"));
        assert!(why("wasi:http/types@0.3.0").contains("WASI 0.2"));
        assert!(why("storage").contains("neither"));
        for name in [
            "airssys:core/storage@2.0.0",
            "airssys:core/storage",
            "storage",
        ] {
            assert_eq!(linked_by(&BUNDLED, name), None, "{name}");
        }
    }

    /// `get` and `get-many` from `storage@1.1.0`, as a 1.1 component imports them.
    const GET_MANY: &str = r#"(component
  (import "airssys:core/storage@1.1.0" (instance
    (type $def-storage-error (variant (case "not-found" string) (case "already-exists" string)
      (case "quota-exceeded") (case "invalid-key" string) (case "io-error" string)))
    (export "storage-error" (type $storage-error (eq $def-storage-error)))
    (export "get" (func (param "key" string)
      (result (result (option (list u8)) (error $storage-error)))))
    (export "get-many" (func (param "keys" (list string))
      (result (result (list (option (list u8))) (error $storage-error)))))
  ))
)"#;

    fn verdicts(wat: &str) -> Vec<ImportVerdict> {
        verdicts_with(&BUNDLED, wat)
    }

    fn verdicts_with(contract: &Contract, wat: &str) -> Vec<ImportVerdict> {
        let engine = Engine::default();
        let component = Component::new(&engine, wat).unwrap();
        ImportChecker::new(&engine, contract).check(&component, &Ok(()))
    }

    /// The 1.1.0 draft of the contract (fixtures/contract-1.1.0), whose
    /// `get-many` is `@since(version = 1.1.0)`.
    fn draft() -> Contract {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/contract-1.1.0/wit");
        Contract::load(&dir).unwrap()
    }

    #[test]
    fn a_function_imported_at_a_version_before_its_since_is_not_provided() {
        let draft = draft();
        let at_1_0 = GET_MANY.replacen("storage@1.1.0", "storage@1.0.0", 1);
        let [verdict] = verdicts_with(&draft, &at_1_0).try_into().unwrap();
        assert_eq!(
            verdict.provided,
            Err(
                "`get-many` was added in 1.1.0; an import of it at `@1.0.0` links only on a \
                 host that serves 1.1.0 or a later 1.x and not 1.0.0 exactly (wasmtime links \
                 the exact name first, and `@1.0.0` has no `get-many`): import it at `@1.1.0`"
                    .into()
            )
        );
        // Its types are the draft's: only the version it is imported at is wrong.
        assert_eq!(verdict.types, Some(Ok(())));
        // At 1.1.0, or later on the track, it is provided.
        for version in ["1.1.0", "1.2.0"] {
            let at = GET_MANY.replacen("storage@1.1.0", &format!("storage@{version}"), 1);
            let [verdict] = verdicts_with(&draft, &at).try_into().unwrap();
            assert_eq!(verdict.provided, Ok(Provider::Contract), "{version}");
        }
    }

    #[test]
    fn functions_added_in_several_versions_are_each_named_and_the_latest_asked_for() {
        let message = added_later_message(
            "airssys:core/storage@1.0.0",
            &[
                ("get-many".into(), "1.2.0".into()),
                ("compare-and-swap".into(), "1.1.0".into()),
            ],
        );
        assert_eq!(
            message,
            "`get-many` was added in 1.2.0, `compare-and-swap` was added in 1.1.0; an import \
             of them at `@1.0.0` links only on a host that serves 1.2.0 or a later 1.x and not \
             1.0.0 exactly (wasmtime links the exact name first, and `@1.0.0` has no \
             `get-many` or `compare-and-swap`): import them at `@1.2.0`"
        );
    }

    #[test]
    fn a_function_the_contract_lacks_is_named_and_the_others_are_judged() {
        let [verdict] = verdicts(GET_MANY).try_into().unwrap();
        assert_eq!(
            verdict.provided,
            Err(
                "imports `get-many` from `airssys:core/storage@1.1.0`, which \
                 `airssys:core@1.0.0` does not have: a host of 1.0.0 cannot link this \
                 component (judge it with `--wit` of 1.1.0, or don't import it)"
                    .into()
            )
        );
        // `get` is 1.0.0's, with 1.0.0's type.
        assert_eq!(verdict.types, Some(Ok(())));
        assert!(matches!(verdict.linked, Some(Linked::BySemver { .. })));
        // The same import without `get-many` is all 1.0.0 has: linked by semver.
        let without = GET_MANY.replacen("(export \"get-many\"", "(export \"get-many-not\"", 1);
        let [verdict] = verdicts(&without).try_into().unwrap();
        assert!(
            verdict
                .provided
                .unwrap_err()
                .starts_with("imports `get-many-not` from")
        );
        let only_get = GET_MANY
            .split("    (export \"get-many\"")
            .next()
            .unwrap()
            .to_owned()
            + "))\n)";
        let [verdict] = verdicts(&only_get).try_into().unwrap();
        assert_eq!(verdict.provided, Ok(Provider::Contract));
        assert_eq!(verdict.types, Some(Ok(())));
    }

    #[test]
    fn names_are_listed_as_a_sentence_lists_them() {
        let names = |list: &[&str]| listed(&list.iter().map(|n| n.to_string()).collect::<Vec<_>>());
        assert_eq!(names(&["a"]), "`a`");
        assert_eq!(names(&["a", "b"]), "`a` and `b`");
        assert_eq!(names(&["a", "b", "c"]), "`a`, `b` and `c`");
    }
}
