//! The import side of the contract: every import of a component must be one
//! a host provides, an interface of this contract at its version, or WASI
//! 0.2 as the reference host links it, and a contract function must be
//! imported with the contract's type.

use wasmtime::Engine;
use wasmtime::component::Component;
use wasmtime::component::types::ComponentItem;

use airssys_contract::{WIT_FILES, package_parts};

use super::exports::{same, signature};
use crate::contract::{Contract, Shape};

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

/// Whether a host of the contract provides the import `name` (e.g.
/// `airssys:core/storage@1.0.0`), and if not, what a host would need for it.
pub fn provided(name: &str) -> Result<Provider, String> {
    let (path, version) = name.split_once('@').unwrap_or((name, ""));
    let shown = |version: &str| {
        if version.is_empty() {
            "none".to_owned()
        } else {
            version.to_owned()
        }
    };
    let (package, contract_version) = package_parts();
    if let Some(interface) = path.strip_prefix(&format!("{package}/")) {
        let declaration = format!("interface {interface} {{");
        let known = WIT_FILES.iter().any(|(_, wit)| wit.contains(&declaration));
        return match (known, version == contract_version) {
            (true, true) => Ok(Provider::Contract),
            (true, false) => Err(format!(
                "this is version {} of `{interface}`; hosts provide {contract_version}: build \
                 against this contract's WIT",
                shown(version)
            )),
            (false, _) => Err(format!(
                "the contract has no interface `{interface}`; a host would need it registered \
                 besides the contract"
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

/// Whether every function `component` imports from the contract's
/// interface `instance` is one the contract has, with its type. WASI
/// imports are judged by `links`: the reference host's linker's answer
/// for the whole component, which names the first import it cannot give.
pub fn check_import_types(
    engine: &Engine,
    contract: &Contract,
    component: &Component,
    instance: &str,
    provider: Provider,
    links: &Result<(), String>,
) -> Result<(), String> {
    match provider {
        Provider::Wasi => match links {
            Err(why) if why.contains(instance) => {
                Err(format!("the reference host's WASI cannot give it: {why}"))
            }
            Ok(()) | Err(_) => Ok(()),
        },
        Provider::Contract => contract_types(engine, contract, component, instance),
    }
}

fn contract_types(
    engine: &Engine,
    contract: &Contract,
    component: &Component,
    instance: &str,
) -> Result<(), String> {
    let ty = component.component_type();
    let Some(ComponentItem::ComponentInstance(imported)) =
        ty.get_import(engine, instance).map(|item| item.ty)
    else {
        return Err(format!("`{instance}` is imported, but not as an instance"));
    };
    let interface = instance
        .split_once('/')
        .map_or(instance, |(_, rest)| rest)
        .split('@')
        .next()
        .unwrap_or_default();
    let mut wrong = Vec::new();
    for (name, item) in imported.exports(engine) {
        let ComponentItem::ComponentFunc(found) = item.ty else {
            continue;
        };
        let Some(function) = contract.function(interface, name) else {
            wrong.push(format!(
                "`{name}`: the contract's `{interface}` has no such function"
            ));
            continue;
        };
        let expected = expected_type(engine, contract, function, instance)?;
        if !same(&found, &expected) {
            wrong.push(format!(
                "`{name}`: expected `{name}: {}`, found `{name}: {}`",
                signature(&expected),
                signature(&found)
            ));
        }
    }
    match wrong.as_slice() {
        [] => Ok(()),
        _ => Err(format!(
            "no host can give these imports of `{instance}`: {}",
            wrong.join("; ")
        )),
    }
}

/// The contract's type of `function`, read from a component that imports it
/// exactly as the WIT declares it.
fn expected_type(
    engine: &Engine,
    contract: &Contract,
    function: &crate::contract::HostFunction,
    instance: &str,
) -> Result<wasmtime::component::types::ComponentFunc, String> {
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
    }

    #[test]
    fn anything_else_says_what_a_host_would_need() {
        let why = |name| provided(name).unwrap_err();
        assert!(why("airssys:core/storage@0.9.0").contains("version 0.9.0 of `storage`"));
        assert!(why("airssys:core/storage").contains("version none"));
        assert!(why("airssys:core/teleport@1.0.0").contains("no interface `teleport`"));
        assert!(why("wasi:http/types@0.3.0").contains("WASI 0.2"));
        assert!(why("storage").contains("neither"));
    }
}
