//! `airssys inspect`: what a component imports and exports, whether the
//! reference host provides each import, and its metadata when it loads.

use std::process::ExitCode;

use airssys_conformance::guest;
use airssys_host::{HostConfig, LoadOptions, Runtime};
use wasmtime::component::types::ComponentItem;

use crate::args::InspectArgs;
use crate::output::{id, line, shown};

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
        match guest::provided(name) {
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
        match export.overall() {
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
