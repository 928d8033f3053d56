//! What a run concluded: per trial, and as the conformance matrix (one row
//! per function: name / signature / behaviour), in Markdown, JSON, JUnit
//! XML, a page to look at in a browser, and a badge; and what changed
//! between two runs ([`diff`]).

mod badge;
pub(crate) mod diff;
mod html;
mod junit;
mod markdown;
#[cfg(test)]
pub(crate) mod sample;
mod timings;

use std::path::Path;
use std::time::Duration;

use airssys_conformance_adapter::{About, PROTOCOL_VERSION};

use crate::contract::Contract;
use crate::trials::{Aspect, Outcome};

/// What was judged, by what: every report carries it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Provenance {
    /// The contract's package and version, e.g. `airssys:core@1.0.0`.
    pub contract: String,
    /// SHA-256 of the contract's WIT files, their names and contents in order.
    pub wit_digest: String,
    /// The directory the contract's WIT was read from (`--wit`); `None` for
    /// the suite's own `wit/`, built in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wit_dir: Option<String>,
    /// The `@unstable` features of the WIT that were enabled (`--wit-features`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub wit_features: Vec<String>,
    /// This suite's version.
    pub suite_version: String,
    /// The adapter protocol version spoken.
    pub protocol: u32,
    /// How the suite reached the host, e.g. "adapter `cargo run -q -p my-adapter`".
    pub reached_through: String,
    /// The adapter's name, from its `hello`.
    pub adapter: String,
    /// The adapter's version, from its `hello`.
    pub adapter_version: String,
    /// The host's wasmtime version, from the adapter's `hello`.
    pub wasmtime: String,
}

impl Provenance {
    /// What a run with `contract` against the adapter that said `about` records.
    pub fn new(contract: &Contract, about: &About, reached_through: &str) -> Self {
        Self {
            contract: contract.package().to_owned(),
            wit_digest: contract.digest().to_owned(),
            wit_dir: contract.origin().map(|dir| dir.display().to_string()),
            wit_features: contract.features().to_vec(),
            suite_version: env!("CARGO_PKG_VERSION").into(),
            protocol: PROTOCOL_VERSION,
            reached_through: reached_through.into(),
            adapter: about.adapter.clone(),
            adapter_version: about.version.clone(),
            wasmtime: about.wasmtime.clone(),
        }
    }

    /// Which contract: the package, the digest of its WIT and, when it is
    /// not the suite's own, where it was read from and the features enabled.
    pub fn contract_line(&self) -> String {
        let mut line = format!("{} (wit sha256 {}", self.contract, self.wit_digest);
        if let Some(dir) = &self.wit_dir {
            line += &format!(", read from {dir}");
        }
        if !self.wit_features.is_empty() {
            line += &format!(", features {}", self.wit_features.join(","));
        }
        line + ")"
    }

    fn lines(&self) -> Vec<(&'static str, String)> {
        vec![
            ("contract", self.contract_line()),
            (
                "suite",
                format!(
                    "airssys-conformance {}, adapter protocol {}",
                    self.suite_version, self.protocol
                ),
            ),
            (
                "adapter",
                format!(
                    "{} {} ({})",
                    self.adapter, self.adapter_version, self.reached_through
                ),
            ),
            ("wasmtime", self.wasmtime.clone()),
        ]
    }
}

/// One trial and how it ended.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrialResult {
    /// e.g. `storage::get::behaviour::STO-1`
    pub name: String,
    /// `interface::function`
    pub function: String,
    /// What of the function it judged.
    pub aspect: Aspect,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// How long judging it took, host calls and the suite's own work.
    #[serde(rename = "seconds", serialize_with = "as_seconds")]
    pub took: Duration,
    /// For a failure of a run from the command line: the command that runs
    /// this trial again, alone, against the same host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat: Option<String>,
}

impl TrialResult {
    /// A failure's `message`, then the command that repeats it, if known:
    /// what the console and JUnit show of a failure.
    pub fn failure_text(&self, message: &str) -> String {
        repeatable(message, self.repeat.as_deref())
    }

    /// The clause a behaviour trial judges.
    pub fn clause(&self) -> Option<&str> {
        match &self.aspect {
            Aspect::Behaviour(clause) => clause.as_deref(),
            Aspect::Name | Aspect::Signature => None,
        }
    }
}

/// A run's outcome: every trial, with what was judged and how.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// The host's name.
    pub host: String,
    /// Which contract, suite, adapter and wasmtime.
    pub provenance: Provenance,
    /// The seed of the property-based parts of the trials (`--seed`).
    pub seed: u64,
    /// In plan order; trials a filter left out are absent.
    pub trials: Vec<TrialResult>,
    /// The matrix's rows, in order: the contract's functions for a host, or
    /// each component's exports and imports for components.
    #[serde(skip)]
    pub rows: Vec<String>,
    /// What holds for the whole host and leaves trials unjudged (no WASI,
    /// say), said once under the matrix.
    pub notes: Vec<String>,
}

/// One function's row of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[allow(missing_docs)] // The fields are the matrix's columns.
pub struct Row {
    pub function: String,
    pub name: Cell,
    pub signature: Cell,
    pub behaviour_passed: usize,
    pub behaviour_failed: usize,
    pub behaviour_ignored: usize,
    pub behaviour_expected: usize,
}

impl Row {
    /// The behaviour cell's words: "3 of 4 passed, 1 expected failures, 2
    /// ignored", the first part passed through `failing` when a trial
    /// failed; "—" when the row has no behaviour to judge (a component's
    /// import).
    pub(crate) fn behaviour_text(&self, failing: impl Fn(String) -> String) -> String {
        let run = self.behaviour_passed + self.behaviour_failed;
        if run + self.behaviour_ignored + self.behaviour_expected == 0 {
            return "—".to_owned();
        }
        let mut text = format!("{} of {run} passed", self.behaviour_passed);
        if self.behaviour_failed > 0 {
            text = failing(text);
        }
        if self.behaviour_expected > 0 {
            text += &format!(", {} expected failures", self.behaviour_expected);
        }
        if self.behaviour_ignored > 0 {
            text += &format!(", {} ignored", self.behaviour_ignored);
        }
        text
    }

    /// The behaviour cell's state: failed if any trial failed, then
    /// expected, passed, ignored; not run when the row has none.
    pub(crate) fn behaviour_cell(&self) -> Cell {
        let counts = [
            (self.behaviour_failed, Cell::Fail),
            (self.behaviour_expected, Cell::Expected),
            (self.behaviour_passed, Cell::Pass),
            (self.behaviour_ignored, Cell::Ignored),
        ];
        counts
            .into_iter()
            .find(|(count, _)| *count > 0)
            .map_or(Cell::NotRun, |(_, cell)| cell)
    }
}

/// How many trials ended how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Not judged (ignored).
    pub ignored: usize,
    /// Failed, as the expectations file says.
    pub expected: usize,
}

impl Tally {
    /// Trials in all.
    pub fn total(&self) -> usize {
        self.passed + self.failed + self.ignored + self.expected
    }

    /// `86/88`.
    pub fn fraction(&self) -> String {
        format!("{}/{}", self.passed, self.total())
    }

    /// `86 of 88 trials passed · 2 failed · 0 not judged · 0 expected failures`.
    pub fn sentence(&self) -> String {
        format!(
            "{} of {} trials passed · {} failed · {} not judged · {} expected failures",
            self.passed,
            self.total(),
            self.failed,
            self.ignored,
            self.expected
        )
    }
}

/// A name or signature cell of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cell {
    /// Passed.
    Pass,
    /// Failed.
    Fail,
    /// Ignored, with a reason in the trial.
    Ignored,
    /// Failed, as the host's expectations file says.
    Expected,
    /// Left out by a filter.
    NotRun,
}

impl Cell {
    fn of(outcome: Option<&Outcome>) -> Self {
        match outcome {
            Some(Outcome::Passed) => Cell::Pass,
            Some(Outcome::Failed(_)) => Cell::Fail,
            Some(Outcome::Ignored(_)) => Cell::Ignored,
            Some(Outcome::Expected(_)) => Cell::Expected,
            None => Cell::NotRun,
        }
    }

    fn text(self) -> &'static str {
        match self {
            Cell::Pass => "pass",
            Cell::Fail => "**FAIL**",
            Cell::Ignored => "ignored",
            Cell::Expected => "expected failure",
            Cell::NotRun => "not run",
        }
    }
}

impl Report {
    /// What was judged, by what, and with which seed: a report's heading.
    fn run_lines(&self) -> Vec<(&'static str, String)> {
        let mut lines = self.provenance.lines();
        lines.push(("seed", self.seed.to_string()));
        lines
    }

    /// How many trials ended how.
    pub fn tally(&self) -> Tally {
        let count = |cell: Cell| {
            self.trials
                .iter()
                .filter(|t| Cell::of(Some(&t.outcome)) == cell)
                .count()
        };
        Tally {
            passed: count(Cell::Pass),
            failed: count(Cell::Fail),
            ignored: count(Cell::Ignored),
            expected: count(Cell::Expected),
        }
    }

    /// Whether the run judged every row's name and signature: no filter
    /// left a row's trials out, and the run had trials at all.
    pub fn is_whole(&self) -> bool {
        !self.trials.is_empty()
            && self
                .matrix()
                .iter()
                .all(|row| row.name != Cell::NotRun && row.signature != Cell::NotRun)
    }

    /// The failed trials; expected failures are not among them.
    pub fn failures(&self) -> impl Iterator<Item = &TrialResult> {
        self.trials
            .iter()
            .filter(|t| matches!(t.outcome, Outcome::Failed(_)))
    }

    /// Names of the failed trials, in plan order.
    pub fn failed_names(&self) -> Vec<&str> {
        self.failures().map(|t| t.name.as_str()).collect()
    }

    /// One row per function (or, for components, per export and import):
    /// name, signature, behaviour counts.
    pub fn matrix(&self) -> Vec<Row> {
        self.rows
            .iter()
            .map(|path| {
                let mine: Vec<&TrialResult> =
                    self.trials.iter().filter(|t| &t.function == path).collect();
                let aspect = |wanted: Aspect| {
                    Cell::of(mine.iter().find(|t| t.aspect == wanted).map(|t| &t.outcome))
                };
                let behaviour = |cell: Cell| {
                    mine.iter()
                        .filter(|t| matches!(t.aspect, Aspect::Behaviour(_)))
                        .filter(|t| Cell::of(Some(&t.outcome)) == cell)
                        .count()
                };
                Row {
                    function: path.clone(),
                    name: aspect(Aspect::Name),
                    signature: aspect(Aspect::Signature),
                    behaviour_passed: behaviour(Cell::Pass),
                    behaviour_failed: behaviour(Cell::Fail),
                    behaviour_ignored: behaviour(Cell::Ignored),
                    behaviour_expected: behaviour(Cell::Expected),
                }
            })
            .collect()
    }

    /// The report as `conformance.json` holds it.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "contract": self.provenance.contract,
            "host": self.host,
            "provenance": self.provenance,
            "seed": self.seed,
            "matrix": self.matrix(),
            "notes": self.notes,
            "trials": self.trials,
        })
    }

    /// The files [`Report::write`] writes, in the order it writes them.
    pub const FILES: [&str; 5] = [
        "conformance.md",
        "conformance.json",
        "junit.xml",
        "conformance.html",
        "badge.svg",
    ];

    /// Writes [`Report::FILES`] into `dir`.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let json = serde_json::to_string_pretty(&self.to_json())?;
        let contents = [
            self.to_markdown(),
            json,
            self.to_junit(),
            self.to_html(),
            self.badge(),
        ];
        for (file, text) in Self::FILES.into_iter().zip(contents) {
            std::fs::write(dir.join(file), text)?;
        }
        Ok(())
    }
}

fn as_seconds<S: serde::Serializer>(took: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(took.as_secs_f64())
}

/// A failure's `message`, then `command`, which repeats it, if known.
pub(crate) fn repeatable(message: &str, command: Option<&str>) -> String {
    match command {
        Some(command) => format!("{message}\n\nrepeat it alone:\n    {command}"),
        None => message.to_owned(),
    }
}

/// `text` with the characters XML and HTML give a meaning escaped.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::sample;

    #[test]
    fn a_contract_read_with_wit_is_named_with_its_directory_and_features_in_every_format() {
        let mut report = sample::report();
        let built_in = report.provenance.contract_line();
        assert_eq!(built_in, "airssys:core@1.0.0 (wit sha256 d5c5)");
        let json = report.to_json();
        assert!(json["provenance"].get("wit_dir").is_none(), "{json}");
        assert!(json["provenance"].get("wit_features").is_none(), "{json}");

        report.provenance.contract = "airssys:core@1.1.0".into();
        report.provenance.wit_dir = Some("/w/next/wit".into());
        report.provenance.wit_features = vec!["compare-and-swap".into()];
        let line = "airssys:core@1.1.0 (wit sha256 d5c5, read from /w/next/wit, features \
                    compare-and-swap)";
        assert_eq!(report.provenance.contract_line(), line);
        let json = report.to_json();
        assert_eq!(json["provenance"]["wit_dir"], "/w/next/wit");
        assert_eq!(json["provenance"]["wit_features"][0], "compare-and-swap");
        assert!(
            report
                .to_markdown()
                .contains(&format!("- contract: {line}"))
        );
        assert!(
            report
                .to_markdown()
                .starts_with("# airssys:core@1.1.0 conformance: my <host>")
        );
        assert!(report.to_junit().contains(&format!("value=\"{line}\"")));
        assert!(report.to_html().contains(&format!("<dd>{line}</dd>")));
        assert!(report.badge().contains(line));
        assert_eq!(report.badge_texts().0, "airssys:core 1.1");
    }
}
