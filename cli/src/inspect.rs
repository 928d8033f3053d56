//! `airssys inspect`: what a component imports and exports, whether the
//! reference host provides each import (judged as `--component` judges it),
//! and its metadata when it loads.

use std::process::ExitCode;

use airssys_conformance::Contract;
use airssys_conformance::guest::{self, ImportChecker};
use airssys_contract::EXPORTED_INSTANCE;
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
    let contract = Contract::bundled();
    let links = runtime.links(&component);
    for import in ImportChecker::new(engine, &contract).check(&component, &links) {
        let name = &import.name;
        let kind = ty
            .get_import(engine, name)
            .map_or("import", |item| kind(&item.ty));
        match (import.provided, import.types) {
            (Ok(by), Some(Ok(())) | None) => line(&format!("  {kind} {name}: provided by {by}")),
            (Ok(by), Some(Err(why))) => {
                missing += 1;
                line(&format!(
                    "  {kind} {name}: WRONG TYPE (provided by {by}): {why}"
                ));
            }
            (Err(why), _) => {
                missing += 1;
                line(&format!("  {kind} {name}: NOT PROVIDED: {why}"));
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
    line(&format!("{EXPORTED_INSTANCE}:"));
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
