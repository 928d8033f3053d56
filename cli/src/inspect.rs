//! `airssys inspect`: what a component imports and exports, whether the
//! reference host provides each import (judged as `--component` judges it),
//! and its metadata when it loads.

use std::process::ExitCode;
use std::sync::Arc;

use airssys_component_types::{
    Contract, ImportChecker, Linked, check_exports, reference_component,
};
use airssys_contract::EXPORTED_INSTANCE;
use airssys_host::{AirssysHost, HostConfig, LoadOptions, Runtime};
use wasmtime::component::types::ComponentItem;

use crate::args::InspectArgs;
use crate::output::{HeldLogs, Style, health, id, line, metadata_lines, trap_lines};

/// Log records kept from one call of the component: enough for a panic's
/// record and what led to it; the rest are counted, not held.
const LOG_BACKLOG: usize = 64;

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
    // What the component logs while it is loaded and asked (a panic's
    // text, from the SDK's hook) prints before the outcome it explains.
    let logs = Arc::new(HeldLogs::new(LOG_BACKLOG));
    let style = Style::for_stdout();
    let host = AirssysHost::new(HostConfig::default())
        .map_err(|e| e.to_string())?
        .with_log_sink(logs.clone());
    let runtime = Runtime::with_host(host).map_err(|e| e.to_string())?;
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
        // Another version on the contract's track: said, since a host that
        // serves only the contract's version links it by semver, and a
        // runtime that matches exact names does not link it at all.
        let how = match &import.linked {
            Some(linked @ Linked::BySemver { .. }) => format!(", {linked}"),
            Some(_) | None => String::new(),
        };
        match (import.provided, import.types) {
            (Ok(by), Some(Ok(())) | None) => {
                line(&format!("  {kind} {name}: provided by {by}{how}"))
            }
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
    let loaded = runtime.load(probe_id.clone(), &component, LoadOptions::default());
    logs.print(style);
    if let Err(error) = loaded {
        line(&format!(
            "verdict: the reference host cannot load it: {}",
            trap_lines(&error.to_string()).join("\n  ")
        ));
        return Ok(ExitCode::from(1));
    }
    // Asked anew, as `airssys run`'s `metadata` and `health` lines ask:
    // the registry keeps only the name and version.
    let mut failed = Vec::new();
    let metadata = runtime.metadata(&probe_id);
    logs.print(style);
    match metadata {
        Ok(metadata) => {
            line("metadata:");
            for field in metadata_lines(&metadata) {
                line(&format!("  {field}"));
            }
        }
        Err(call) => {
            failed.push("metadata");
            line("metadata: the call did not complete:");
            for row in trap_lines(&call.to_string()) {
                line(&format!("  {row}"));
            }
        }
    }
    let status = runtime.health(&probe_id);
    logs.print(style);
    match status {
        Ok(status) => line(&format!("health: {}", health(status))),
        Err(call) => {
            failed.push("health");
            line("health: the call did not complete:");
            for row in trap_lines(&call.to_string()) {
                line(&format!("  {row}"));
            }
        }
    }
    let loads = format!(
        "the reference host loads it (as {}, nothing granted)",
        id(&probe_id)
    );
    if failed.is_empty() {
        line(&format!("verdict: {loads}"));
    } else {
        line(&format!(
            "verdict: {loads}, but its {} did not complete",
            failed.join(" and ")
        ));
    }
    Ok(if missing + wrong + failed.len() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
