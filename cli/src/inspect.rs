//! `airssys inspect`: what a component imports and exports, whether the
//! reference host provides each import (judged as `--component` judges it),
//! and its metadata when it loads.

use std::process::ExitCode;

use airssys_component_types::{Contract, ImportChecker, check_exports, reference_component};
use airssys_contract::EXPORTED_INSTANCE;
use airssys_host::{HostConfig, LoadOptions, Runtime};
use wasmtime::component::types::ComponentItem;

use crate::args::InspectArgs;
use crate::output::{health, id, line, metadata_lines, trap_lines};

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
        .compile(reference_component())
        .map_err(|e| format!("the reference component: {e}"))?;
    line(&format!("{EXPORTED_INSTANCE}:"));
    let mut wrong = 0;
    for export in check_exports(engine, &component, &reference) {
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
            line(&format!(
                "verdict: the reference host loads it (as {}, nothing granted)",
                id(&probe_id)
            ));
            // Asked anew, as `airssys run`'s `metadata` and `health` lines
            // ask: the registry keeps only the name and version.
            let mut failed = 0;
            match runtime.metadata(&probe_id) {
                Ok(metadata) => {
                    line("metadata:");
                    for field in metadata_lines(&metadata) {
                        line(&format!("  {field}"));
                    }
                }
                Err(call) => {
                    failed += 1;
                    line("metadata: the call did not complete:");
                    for row in trap_lines(&call.to_string()) {
                        line(&format!("  {row}"));
                    }
                }
            }
            match runtime.health(&probe_id) {
                Ok(status) => line(&format!("health: {}", health(status))),
                Err(call) => {
                    failed += 1;
                    line("health: the call did not complete:");
                    for row in trap_lines(&call.to_string()) {
                        line(&format!("  {row}"));
                    }
                }
            }
            Ok(if missing + wrong + failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Err(error) => {
            line(&format!(
                "verdict: the reference host cannot load it: {}",
                trap_lines(&error.to_string()).join("\n  ")
            ));
            Ok(ExitCode::from(1))
        }
    }
}
