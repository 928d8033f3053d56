//! `airssys inspect`: what a component imports and exports, whether the
//! reference host provides each import, and its metadata when it loads.

use std::process::ExitCode;

use airssys_conformance::guest;
use airssys_contract::{WIT_FILES, package_parts};
use airssys_host::{HostConfig, LoadOptions, Runtime};
use wasmtime::component::types::ComponentItem;

use crate::args::InspectArgs;
use crate::output::{id, line, shown};

/// Whether the reference host provides an import, and if not, why.
fn provided(name: &str) -> Result<&'static str, String> {
    let (path, version) = name.split_once('@').unwrap_or((name, ""));
    let (package, contract_version) = package_parts();
    if let Some(interface) = path.strip_prefix(&format!("{package}/")) {
        let declaration = format!("interface {interface} {{");
        let known = WIT_FILES.iter().any(|(_, wit)| wit.contains(&declaration));
        return match (known, version == contract_version) {
            (true, true) => Ok("the contract"),
            (true, false) => Err(format!(
                "this is version {}, the host provides {contract_version}: build against this contract's WIT",
                if version.is_empty() { "none" } else { version }
            )),
            (false, _) => Err(format!("the contract has no interface `{interface}`")),
        };
    }
    if path.starts_with("wasi:") && version.starts_with("0.2.") {
        return Ok("WASI 0.2");
    }
    if path.starts_with("wasi:") {
        return Err(format!(
            "the host links WASI 0.2; this is version {}",
            if version.is_empty() { "none" } else { version }
        ));
    }
    Err("neither the contract nor WASI 0.2: no host of the contract provides it".into())
}

fn kind(item: &ComponentItem) -> &'static str {
    match item {
        ComponentItem::ComponentFunc(_) => "function",
        ComponentItem::CoreFunc(_) => "core function",
        ComponentItem::Module(_) => "module",
        ComponentItem::Component(_) => "component",
        ComponentItem::ComponentInstance(_) => "instance",
        ComponentItem::Type(_) => "type",
        ComponentItem::Resource(_) => "resource",
    }
}

pub fn inspect(args: InspectArgs) -> Result<ExitCode, String> {
    let file = &args.component;
    let runtime = Runtime::new(HostConfig::default()).map_err(|e| e.to_string())?;
    let component = runtime
        .compile_file(file)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let engine = runtime.engine();
    let ty = component.component_type();
    let mut missing = 0;
    line(&format!("{}", file.display()));
    line("imports:");
    for (name, item) in ty.imports(engine) {
        match provided(name) {
            Ok(by) => line(&format!("  {} {name}: provided by {by}", kind(&item.ty))),
            Err(why) => {
                missing += 1;
                line(&format!("  {} {name}: NOT PROVIDED: {why}", kind(&item.ty)));
            }
        }
    }
    line("exports:");
    for (name, item) in ty.exports(engine) {
        line(&format!("  {} {name}", kind(&item.ty)));
    }
    let reference = runtime
        .compile(guest::reference_component())
        .map_err(|e| format!("the reference component: {e}"))?;
    line(&format!("{}:", guest::lifecycle_instance()));
    let mut wrong = 0;
    for export in guest::check_exports(engine, &component, &reference) {
        match export.verdict {
            Ok(()) => line(&format!("  {}: as the contract says", export.function)),
            Err(why) => {
                wrong += 1;
                line(&format!("  {}: WRONG: {why}", export.function));
            }
        }
    }
    let probe_id = airssys_host::ComponentId::new("airssys", "inspect", "1");
    match runtime.load(probe_id.clone(), &component, LoadOptions::default()) {
        Ok(_) => {
            let registration = runtime.host().registry().get(&probe_id);
            let (name, version) = registration
                .map(|r| (r.name, r.version))
                .unwrap_or_default();
            line(&format!(
                "verdict: the reference host loads it (as {}, nothing granted): name {}, version {}",
                id(&probe_id),
                shown(&name),
                shown(&version)
            ));
            Ok(if missing + wrong == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Err(error) => {
            line(&format!(
                "verdict: the reference host cannot load it: {error}"
            ));
            Ok(ExitCode::from(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contracts_interfaces_at_its_version_are_provided() {
        assert_eq!(provided("airssys:core/storage@1.0.0"), Ok("the contract"));
        assert_eq!(provided("airssys:core/types@1.0.0"), Ok("the contract"));
        assert_eq!(provided("wasi:io/poll@0.2.6"), Ok("WASI 0.2"));
    }

    #[test]
    fn anything_else_says_why_not() {
        assert!(
            provided("airssys:core/storage@0.9.0")
                .unwrap_err()
                .contains("version 0.9.0")
        );
        assert!(
            provided("airssys:core/teleport@1.0.0")
                .unwrap_err()
                .contains("no interface")
        );
        assert!(
            provided("wasi:http/types@0.3.0")
                .unwrap_err()
                .contains("WASI 0.2")
        );
        assert!(provided("storage").unwrap_err().contains("neither"));
    }
}
