//! What a run concluded: per trial, and as the conformance matrix (one row
//! per function: name / signature / behaviour), in Markdown, JSON and JUnit XML.

use std::fmt::Write as _;
use std::path::Path;

use airssys_conformance_adapter::{About, PROTOCOL_VERSION};

use crate::contract::Contract;
use crate::trials::{Aspect, Outcome};

/// What was judged, by what: every report carries it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Provenance {
    /// `airssys:core@1.0.0`
    pub contract: String,
    /// SHA-256 of the contract's WIT files, their names and contents in order.
    pub wit_digest: String,
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
            suite_version: env!("CARGO_PKG_VERSION").into(),
            protocol: PROTOCOL_VERSION,
            reached_through: reached_through.into(),
            adapter: about.adapter.clone(),
            adapter_version: about.version.clone(),
            wasmtime: about.wasmtime.clone(),
        }
    }

    fn lines(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "contract",
                format!("{} (wit sha256 {})", self.contract, self.wit_digest),
            ),
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
}

/// A run's outcome: every trial, with what was judged and how.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// The host's name.
    pub host: String,
    /// Which contract, suite, adapter and wasmtime.
    pub provenance: Provenance,
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

    /// The matrix as a Markdown table, under a heading naming the host.
    pub fn matrix_markdown(&self) -> String {
        let mut text = format!(
            "# airssys:core@1.0.0 conformance: {}\n\n| function | name | signature | behaviour |\n|---|---|---|---|\n",
            self.host
        );
        for row in self.matrix() {
            let run = row.behaviour_passed + row.behaviour_failed;
            let judged = run + row.behaviour_ignored + row.behaviour_expected;
            // An import of a component has no behaviour of its own to judge.
            let mut behaviour = match judged {
                0 => "—".to_owned(),
                _ => format!("{} of {run} passed", row.behaviour_passed),
            };
            if row.behaviour_failed > 0 {
                behaviour = format!("**{behaviour}**");
            }
            if row.behaviour_expected > 0 {
                write!(behaviour, ", {} expected failures", row.behaviour_expected).unwrap();
            }
            if row.behaviour_ignored > 0 {
                write!(behaviour, ", {} ignored", row.behaviour_ignored).unwrap();
            }
            writeln!(
                text,
                "| `{}` | {} | {} | {behaviour} |",
                row.function,
                row.name.text(),
                row.signature.text()
            )
            .unwrap();
        }
        for note in &self.notes {
            write!(text, "\n{note}\n").unwrap();
        }
        text
    }

    /// The matrix, then each failure's first line: what a reviewer of a
    /// snapshot needs, without values (times, ids) that change from run to run.
    pub fn review(&self) -> String {
        let mut text = self.matrix_markdown();
        for trial in self.failures() {
            if let Outcome::Failed(message) = &trial.outcome {
                let first = message.lines().next().unwrap_or_default();
                write!(text, "\n- `{}`: {first}", trial.name).unwrap();
            }
        }
        text
    }

    /// The provenance, the matrix, then every failure with its whole message.
    pub fn to_markdown(&self) -> String {
        let mut text = self.matrix_markdown();
        text.push('\n');
        for (what, line) in self.provenance.lines() {
            writeln!(text, "- {what}: {line}").unwrap();
        }
        let failures: Vec<&TrialResult> = self.failures().collect();
        if !failures.is_empty() {
            text.push_str("\n## Failures\n");
            for trial in failures {
                if let Outcome::Failed(message) = &trial.outcome {
                    write!(text, "\n### `{}`\n\n```text\n{message}\n```\n", trial.name).unwrap();
                }
            }
        }
        text
    }

    /// The report as `conformance.json` holds it.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "contract": self.provenance.contract,
            "host": self.host,
            "provenance": self.provenance,
            "matrix": self.matrix(),
            "notes": self.notes,
            "trials": self.trials,
        })
    }

    /// The report as JUnit XML, for CI systems that show test results.
    pub fn to_junit(&self) -> String {
        let failures = self.failures().count();
        let skipped = self
            .trials
            .iter()
            .filter(|t| matches!(t.outcome, Outcome::Ignored(_)))
            .count();
        let mut xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"{} conformance: {}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">\n    <properties>\n",
            escape(&self.provenance.contract),
            escape(&self.host),
            self.trials.len()
        );
        for (what, line) in self.provenance.lines() {
            writeln!(
                xml,
                "      <property name=\"{what}\" value=\"{}\"/>",
                escape(&line)
            )
            .unwrap();
        }
        xml.push_str("    </properties>\n");
        for trial in &self.trials {
            let case = format!(
                "    <testcase classname=\"{}\" name=\"{}\"",
                escape(&trial.function),
                escape(&trial.name)
            );
            match &trial.outcome {
                Outcome::Passed => writeln!(xml, "{case}/>").unwrap(),
                Outcome::Expected(message) => writeln!(
                    xml,
                    "{case}>\n      <system-out>expected failure: {}</system-out>\n    </testcase>",
                    escape(message)
                )
                .unwrap(),
                Outcome::Failed(message) => writeln!(
                    xml,
                    "{case}>\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                    escape(message.lines().next().unwrap_or_default()),
                    escape(message)
                )
                .unwrap(),
                Outcome::Ignored(reason) => writeln!(
                    xml,
                    "{case}>\n      <skipped message=\"{}\"/>\n    </testcase>",
                    escape(reason)
                )
                .unwrap(),
            }
        }
        xml.push_str("  </testsuite>\n</testsuites>\n");
        xml
    }

    /// Writes `conformance.md`, `conformance.json` and `junit.xml` into `dir`.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("conformance.md"), self.to_markdown())?;
        let json = serde_json::to_string_pretty(&self.to_json())?;
        std::fs::write(dir.join("conformance.json"), json)?;
        std::fs::write(dir.join("junit.xml"), self.to_junit())
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
