//! The import side of the contract: every import of a component must be one
//! a host provides, an interface of this contract at its version, or WASI
//! 0.2 as the reference host links it, and a contract function must be
//! imported with the contract's type.

use std::collections::HashMap;

use wasmtime::Engine;
use wasmtime::component::Component;
use wasmtime::component::types::{ComponentFunc, ComponentItem};

use airssys_contract::{WIT_FILES, package_parts};

use crate::contract::{Contract, HostFunction, Shape};
use crate::exports::{same, signature};

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

/// The verdict on one import of a component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportVerdict {
    /// The imported instance, e.g. `airssys:core/storage@1.0.0`.
    pub name: String,
    /// Who provides it, or what a host would need for it.
    pub provided: Result<Provider, String>,
    /// Imported with the types hosts give? `None` when it is not provided.
    pub types: Option<Result<(), String>>,
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
                let provided = provided(name);
                let types = match provided {
                    Ok(Provider::Wasi) => Some(match links {
                        Err(why) if why.contains(name) => {
                            Err(format!("the reference host's WASI cannot give it: {why}"))
                        }
                        Ok(()) | Err(_) => Ok(()),
                    }),
                    Ok(Provider::Contract) => Some(self.contract_types(component, name)),
                    Err(_) => None,
                };
                ImportVerdict {
                    name: name.to_owned(),
                    provided,
                    types,
                }
            })
            .collect()
    }

    /// Whether every function `component` imports from the contract's
    /// interface `instance` is one the contract has, with its type.
    fn contract_types(&mut self, component: &Component, instance: &str) -> Result<(), String> {
        let ty = component.component_type();
        let Some(ComponentItem::ComponentInstance(imported)) =
            ty.get_import(self.engine, instance).map(|item| item.ty)
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
        for (name, item) in imported.exports(self.engine) {
            let ComponentItem::ComponentFunc(found) = item.ty else {
                continue;
            };
            let Some(function) = self.contract.function(interface, name) else {
                wrong.push(format!(
                    "`{name}`: the contract's `{interface}` has no such function"
                ));
                continue;
            };
            let expected = self.expected_type(function, instance)?;
            if !same(&found, expected) {
                wrong.push(format!(
                    "`{name}`: expected `{name}: {}`, found `{name}: {}`",
                    signature(expected),
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
