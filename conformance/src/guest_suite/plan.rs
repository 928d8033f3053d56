//! The guest plan: whether a built component meets the contract.
//! For each component file, one row per export of [`GuestFn::ALL`] (a name
//! trial, a signature trial and one behaviour trial per GST clause its WIT
//! doc names) and one row per import (a name trial: does a host provide it;
//! a signature trial: with the contract's types). Behaviour runs the
//! component on the reference host, or on any host through its adapter
//! (`--adapter`); names and types are read from the component's own type and
//! told in WIT, and on an adapter's host an import's name trial is that
//! host's `check`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use airssys_conformance_adapter::About;

use airssys_component_types::{
    ExportVerdict, ImportChecker, ImportVerdict, Linked, Provider, check_exports,
    reference_component,
};
use airssys_contract::GuestFn;
use wasmtime::component::Component;

use super::behaviour::{self, Place};
use super::lack_probes::LackProbes;
use super::on_adapter::OnAdapter;
#[cfg(feature = "reference-host")]
use super::on_reference_host::Reference;
#[cfg(not(feature = "reference-host"))]
use super::without_reference_host::Reference;
use crate::connection::Pool;
use crate::contract::Contract;
use crate::trials::{Aspect, Outcome};

/// What to do when a component has nowhere to run: a suite built without
/// the reference host judges components only on an adapter's host.
pub(crate) const NEEDS_ADAPTER: &str = "this airssys-conformance was built without the reference \
     host (feature `reference-host`), so `--component` needs a host to run components on: add \
     `--adapter COMMAND` (e.g. `--adapter 'cargo run -p airssys-reference-adapter'`), or build \
     the suite with its default features";

/// One trial of the guest plan.
#[derive(Debug, Clone)]
pub(crate) struct GuestTrial {
    /// e.g. `counter::handle-message::behaviour::GST-2`
    pub name: String,
    /// The matrix row, e.g. `counter::handle-message`.
    pub row: String,
    pub aspect: Aspect,
    judgement: Judgement,
}

#[derive(Debug, Clone)]
enum Judgement {
    /// Read from the component's type when the plan was made.
    Read(Outcome),
    /// Runs the component: the index of the component, the function, its clause.
    Run(usize, GuestFn, &'static str),
}

impl GuestTrial {
    /// Why it is not run, if it is not.
    pub fn ignored(&self) -> Option<&str> {
        match &self.judgement {
            Judgement::Read(Outcome::Ignored(why)) => Some(why),
            Judgement::Read(_) | Judgement::Run(..) => None,
        }
    }
}

/// The components under judgement and their trials.
pub(crate) struct GuestPlan {
    subjects: Vec<Box<dyn Place + Send>>,
    /// Every trial, component by component, in row order.
    pub trials: Vec<GuestTrial>,
    /// The matrix's rows, in order.
    pub rows: Vec<String>,
    /// How reports name what was judged, e.g. `components counter.wasm`.
    pub subject: String,
    /// What holds for a whole component, said once under the matrix: the
    /// imports it has outside the contract.
    pub notes: Vec<String>,
}

impl GuestPlan {
    /// Reads and compiles every file, and judges their names and types;
    /// their behaviour runs on the reference host, or on the host behind
    /// `adapter` (its pool, and what its `hello` said). Fails, saying which
    /// file and why, when one is not a component.
    pub fn new(
        contract: &Contract,
        files: &[PathBuf],
        adapter: Option<(Arc<Pool>, About)>,
    ) -> Result<Self, String> {
        let reference_host = Reference::start(adapter.is_some())?;
        let engine = reference_host.engine().clone();
        let reference = Component::new(&engine, reference_component())
            .map_err(|e| format!("the suite's reference component does not compile: {e:#}"))?;
        let mut plan = Self {
            subjects: Vec::new(),
            trials: Vec::new(),
            rows: Vec::new(),
            subject: format!(
                "components {}",
                files
                    .iter()
                    .map(|f| f.file_name().unwrap_or_default().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            notes: Vec::new(),
        };
        let mut imports = ImportChecker::new(&engine, contract);
        let probes = Arc::new(LackProbes::default());
        let mut labels: Vec<String> = Vec::new();
        for file in files {
            let component = compile(&engine, file)?;
            let label = label(file, &labels);
            labels.push(label.clone());
            let index = plan.subjects.len();
            plan.exports(
                index,
                &label,
                check_exports(&engine, &component, &reference),
            );
            let on_adapter = adapter.as_ref().map(|(pool, about)| {
                let witness = reference_host.place(&component);
                OnAdapter::new(
                    pool.clone(),
                    about.clone(),
                    file.clone(),
                    witness,
                    probes.clone(),
                )
            });
            // Without the reference host no linker here reads WASI's types:
            // they are the adapter's host's to judge, through its `check`.
            let links = reference_host.links(&component);
            let mut outside = Vec::new();
            let mut by_semver = Vec::new();
            for import in imports.check(&component, links.as_ref().unwrap_or(&Ok(()))) {
                if matches!(import.provided, Ok(Provider::Wasi)) {
                    outside.push(import.name.clone());
                }
                // Said only where it links: a failing import's verdict says
                // what stops it.
                if let (
                    Some(Linked::BySemver {
                        imported, track, ..
                    }),
                    Ok(_),
                ) = (&import.linked, &import.provided)
                {
                    by_semver.push(format!(
                        "`{}` (at {imported}, on track {track})",
                        import.name
                    ));
                }
                let row = format!("{label}::import::{}", import.name);
                let signature = import.types.clone().map_or_else(
                    || {
                        Outcome::Ignored(format!(
                            "`{}` is not provided, so it has no type to check (see its name trial)",
                            import.name
                        ))
                    },
                    verdict,
                );
                let signature = match (&import.provided, &links) {
                    (Ok(Provider::Wasi), None) => Outcome::Ignored(format!(
                        "`{}` is WASI, whose types this suite reads with the reference host's \
                         linker, left out of this build (feature `reference-host`); its name \
                         trial is the host's `check`",
                        import.name
                    )),
                    _ => signature,
                };
                // On an adapter's host, that host's `check` says what it
                // provides; the types are the component's, judged against
                // the contract, unless the host names one as mistyped.
                let (name, signature) = match &on_adapter {
                    None => (verdict(import.provided.clone().map(drop)), signature),
                    Some(host) => (
                        on_host(contract, host, &import),
                        host.mistyped(&import.name)
                            .map_or(signature, Outcome::Failed),
                    ),
                };
                plan.push(&row, Aspect::Name, Judgement::Read(name));
                plan.push(&row, Aspect::Signature, Judgement::Read(signature));
            }
            plan.notes.extend(outside_the_contract(&label, &outside));
            plan.notes
                .extend(linked_by_semver(&label, contract.package(), &by_semver));
            plan.subjects.push(match on_adapter {
                Some(host) => Box::new(host),
                None => Box::new(
                    reference_host
                        .place(&component)
                        .ok_or_else(|| NEEDS_ADAPTER.to_owned())?,
                ),
            });
        }
        Ok(plan)
    }

    fn exports(&mut self, index: usize, label: &str, verdicts: Vec<ExportVerdict>) {
        for export in verdicts {
            let function = export.function;
            let row = format!("{label}::{}", function.name());
            let not_exported = || {
                format!(
                    "`{}` is not exported, so it has no type to check (see its name trial)",
                    function.name()
                )
            };
            let signature = export
                .signature
                .map_or_else(|| Outcome::Ignored(not_exported()), verdict);
            self.push(&row, Aspect::Name, Judgement::Read(verdict(export.name)));
            self.push(&row, Aspect::Signature, Judgement::Read(signature));
            for clause in function.clauses() {
                self.push(
                    &row,
                    Aspect::Behaviour(Some(clause.to_string())),
                    Judgement::Run(index, function, clause),
                );
            }
        }
    }

    fn push(&mut self, row: &str, aspect: Aspect, judgement: Judgement) {
        if self.rows.last().map(String::as_str) != Some(row) {
            self.rows.push(row.to_owned());
        }
        self.trials.push(GuestTrial {
            name: aspect.trial_name(row),
            row: row.to_owned(),
            aspect,
            judgement,
        });
    }

    /// Runs trial `index` within `limit`; `seed` drives generated inputs.
    pub fn run(&self, index: usize, seed: u64, limit: Duration) -> Outcome {
        match &self.trials[index].judgement {
            Judgement::Read(outcome) => outcome.clone(),
            Judgement::Run(subject, function, clause) => behaviour::judge(
                self.subjects[*subject].as_ref(),
                *function,
                clause,
                seed,
                limit,
            ),
        }
    }
}

/// The name verdict of `import` on the host behind an adapter. An import
/// of the contract's package that the contract does not provide (another
/// track, a function it lacks) is the component's failure whatever the
/// host says; one the contract provides and the host lacks is the host's
/// lack, named, never the component's failure; anything else (WASI, other
/// packages) is provided or not as the host's `check` says.
fn on_host(contract: &Contract, host: &OnAdapter, import: &ImportVerdict) -> Outcome {
    let package = contract
        .package()
        .split_once('@')
        .map_or(contract.package(), |(package, _)| package);
    let of_the_package = import.name.starts_with(&format!("{package}/"));
    match &import.provided {
        Err(why) if of_the_package => Outcome::Failed(why.clone()),
        Ok(Provider::Contract) => host.provides_the_contracts(contract, &import.name),
        Ok(Provider::Wasi) | Err(_) => host.provides(&import.name),
    }
}

/// What a component's imports linked by semver (each shown with its
/// version and track) mean for the hosts it runs on. A wasmtime host that
/// also serves an import's own version links that one exactly, so the note
/// speaks of a host that serves only the contract's version.
fn linked_by_semver(label: &str, package: &str, shown: &[String]) -> Option<String> {
    (!shown.is_empty()).then(|| {
        let it = if shown.len() == 1 { "it" } else { "them" };
        format!(
            "`{label}` imports {} at a version other than `{package}`'s, on its semver track: \
             a host that serves only `{package}` links {it} by semver; a runtime that matches \
             exact names (jco without a version map) would not.",
            shown.join(", "),
        )
    })
}

/// What a component's WASI imports mean for the hosts it can run on.
fn outside_the_contract(label: &str, wasi: &[String]) -> Option<String> {
    let shown: Vec<&str> = wasi.iter().take(3).map(String::as_str).collect();
    let more = match wasi.len().saturating_sub(shown.len()) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    (!wasi.is_empty()).then(|| {
        format!(
            "`{label}` imports {} WASI 0.2 interface{} outside the contract ({}{more}): it needs \
             a host that adds WASI 0.2, and does not load on a host that provides the contract \
             alone. Written with the SDK and built for wasm32-unknown-unknown, then made a \
             component with `airssys componentize`, it imports the contract alone.",
            wasi.len(),
            if wasi.len() == 1 { "" } else { "s" },
            shown.join(", ")
        )
    })
}

fn verdict(result: Result<(), String>) -> Outcome {
    match result {
        Ok(()) => Outcome::Passed,
        Err(why) => Outcome::Failed(why),
    }
}

/// How trials name a component: its file's stem, made unique.
fn label(file: &Path, taken: &[String]) -> String {
    let stem = file
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let mut label = stem.clone();
    let mut n = 1;
    while taken.contains(&label) {
        n += 1;
        label = format!("{stem}-{n}");
    }
    label
}

/// Reads and compiles `file`, saying what to do when it is not a component.
fn compile(engine: &wasmtime::Engine, file: &Path) -> Result<Component, String> {
    let shown = file.display();
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {shown}: {e}"))?;
    // A core module's version field is 1; a component's is 0x0d, layer 1.
    if bytes.starts_with(b"\0asm\x01\0\0\0") {
        return Err(format!(
            "{shown} is a core WebAssembly module, not a component: build it with \
             `cargo build --target wasm32-wasip2` (or `cargo component build`)"
        ));
    }
    Component::new(engine, &bytes).map_err(|e| format!("{shown} is not a valid component: {e:#}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_trials_that_cannot_judge_are_ignored_and_they_say_why() {
        let lifecycle = include_str!("../../tests/guests/lifecycle.wat");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("no-health.wat");
        let edited = lifecycle.replacen("    (export \"health\" (func $health))\n", "", 1);
        std::fs::write(&file, edited).unwrap();
        let plan = GuestPlan::new(&Contract::bundled(), &[file], None).unwrap();
        let ignored = |name: &str| {
            let trial = plan.trials.iter().find(|t| t.name == name).unwrap();
            trial.ignored().map(str::to_owned)
        };
        assert_eq!(ignored("no-health::health::name"), None);
        assert_eq!(ignored("no-health::health::behaviour::GST-5"), None);
        let why = ignored("no-health::health::signature").unwrap();
        assert!(why.contains("`health` is not exported"), "{why}");
    }

    #[test]
    fn imports_outside_the_contract_are_said_once_per_component() {
        let lifecycle = include_str!("../../tests/guests/lifecycle.wat");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("with-clock.wat");
        std::fs::write(&file, lifecycle).unwrap();
        let probe = PathBuf::from(airssys_guests::STORAGE_PROBE);
        let plan = GuestPlan::new(&Contract::bundled(), &[file, probe], None).unwrap();
        assert_eq!(plan.notes.len(), 1, "{:?}", plan.notes);
        assert!(
            plan.notes[0].starts_with("`with-clock` imports 1 WASI 0.2 interface outside")
                && plan.notes[0].contains("wasi:clocks/"),
            "{}",
            plan.notes[0]
        );
    }

    #[test]
    fn labels_are_file_stems_made_unique() {
        let a = label(Path::new("x/counter.wasm"), &[]);
        let b = label(Path::new("y/counter.wasm"), std::slice::from_ref(&a));
        assert_eq!((a.as_str(), b.as_str()), ("counter", "counter-2"));
    }
}
