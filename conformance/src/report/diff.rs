//! `airssys-conformance diff OLD.json NEW.json`: what changed between two
//! runs' `conformance.json`, the same host's over time or two hosts' on the
//! same contract. Trials that went from pass to fail and back, that became
//! judged or unjudged, the notes that came or went (a name now found only
//! by semver matching passes either way), and what differs in the
//! provenance and the seed; as Markdown, for a pull-request comment. A
//! failure and an expected failure are the same state here: the host fails
//! the clause either way.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;

use crate::trials::Outcome;

/// The parts of a `conformance.json` a comparison reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Judged {
    host: String,
    /// Compared field by field, whatever fields a suite version writes.
    provenance: BTreeMap<String, serde_json::Value>,
    /// Compared too: another seed can change what a property trial finds.
    #[serde(default)]
    seed: Option<u64>,
    trials: Vec<JudgedTrial>,
    /// What the run said under its matrix: no WASI, names found only by
    /// semver matching, … (absent from reports of older suites).
    #[serde(default)]
    notes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct JudgedTrial {
    name: String,
    #[serde(flatten)]
    outcome: Outcome,
}

impl Judged {
    /// Reads a `conformance.json` that `--report` wrote.
    pub fn read(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| {
            format!(
                "{} is not a conformance report ({e}); `--report DIR` writes one as DIR/conformance.json",
                path.display()
            )
        })
    }
}

/// A trial's state, as a comparison sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Pass,
    /// Failed, expected or not: the host does not do what the clause says.
    Fail,
    /// Ignored: the run could not judge it.
    Unjudged,
    /// Not in the report: left out by a filter, or not in that suite version.
    Absent,
}

impl State {
    fn of(outcome: Option<&Outcome>) -> Self {
        match outcome {
            Some(Outcome::Passed) => State::Pass,
            Some(Outcome::Failed(_) | Outcome::Expected(_)) => State::Fail,
            Some(Outcome::Ignored(_)) => State::Unjudged,
            None => State::Absent,
        }
    }

    fn judged(self) -> bool {
        matches!(self, State::Pass | State::Fail)
    }

    fn words(self) -> &'static str {
        match self {
            State::Pass => "✓ pass",
            State::Fail => "✗ fail",
            State::Unjudged => "○ not judged",
            State::Absent => "absent",
        }
    }
}

/// One trial whose state changed, with what the newer run said of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The trial's name.
    pub trial: String,
    before: State,
    after: State,
    /// The newer run's message: the failure, or why it was not judged.
    said: Option<String>,
}

impl Change {
    /// The first line of what the newer run said that is not the clause's
    /// own text (a behaviour verdict opens with `CLAUSE: the clause`),
    /// shortened to a line's length.
    fn gist(&self) -> Option<String> {
        const LONGEST: usize = 160;
        let said = self.said.as_deref()?;
        let clause = self.trial.rsplit("::").next().unwrap_or_default();
        let mut lines = said.lines().map(str::trim).filter(|line| !line.is_empty());
        let first = lines.next()?;
        let line = match first.starts_with(&format!("{clause}: ")) {
            true => lines.next().unwrap_or(first),
            false => first,
        };
        Some(match line.char_indices().nth(LONGEST) {
            Some((cut, _)) => format!("{}…", &line[..cut]),
            None => line.to_owned(),
        })
    }
}

/// What changed from one report to another.
#[derive(Debug, Clone)]
pub struct Diff {
    hosts: (String, String),
    /// Provenance fields that differ: name, old, new.
    provenance: Vec<(String, String, String)>,
    /// The contracts judged, old and new, when they differ (package or WIT
    /// digest), each as `` `airssys:core@1.0.0` (wit sha256 0123456789ab…) ``.
    pub contracts: Option<(String, String)>,
    /// Passed, now failing; and judged for the first time, failing.
    pub regressed: Vec<Change>,
    /// Failing, now passing.
    pub fixed: Vec<Change>,
    /// Not judged or absent before, passing now.
    pub newly_judged: Vec<Change>,
    /// Judged before, not judged or absent now.
    pub newly_unjudged: Vec<Change>,
    /// Notes only the newer run has (a name now found by semver matching
    /// alone, say), then those only the older one had: a change no
    /// verdict shows.
    pub notes: (Vec<String>, Vec<String>),
}

impl Diff {
    /// What changed from `old` to `new`, in `new`'s trial order, then the
    /// trials only `old` has.
    pub fn between(old: &Judged, new: &Judged) -> Self {
        let before: BTreeMap<&str, &Outcome> = old
            .trials
            .iter()
            .map(|t| (t.name.as_str(), &t.outcome))
            .collect();
        let after: BTreeMap<&str, &Outcome> = new
            .trials
            .iter()
            .map(|t| (t.name.as_str(), &t.outcome))
            .collect();
        let names = new
            .trials
            .iter()
            .chain(&old.trials)
            .map(|t| t.name.as_str());
        let mut seen = std::collections::BTreeSet::new();
        let mut diff = Diff {
            hosts: (old.host.clone(), new.host.clone()),
            provenance: provenance_changes(old, new),
            contracts: contracts(old, new),
            regressed: Vec::new(),
            fixed: Vec::new(),
            newly_judged: Vec::new(),
            newly_unjudged: Vec::new(),
            notes: (
                only_in(&new.notes, &old.notes),
                only_in(&old.notes, &new.notes),
            ),
        };
        for name in names.filter(|name| seen.insert(*name)) {
            let now = after.get(name).copied();
            let change = Change {
                trial: name.to_owned(),
                before: State::of(before.get(name).copied()),
                after: State::of(now),
                said: now.and_then(message).map(str::to_owned),
            };
            let list = match (change.before, change.after) {
                (State::Pass, State::Fail) => &mut diff.regressed,
                (State::Fail, State::Pass) => &mut diff.fixed,
                (before, State::Fail) if !before.judged() => &mut diff.regressed,
                (before, State::Pass) if !before.judged() => &mut diff.newly_judged,
                (before, after) if before.judged() && !after.judged() => &mut diff.newly_unjudged,
                _ => continue,
            };
            list.push(change);
        }
        diff
    }

    /// Whether a trial that passed, or was not judged, fails now.
    pub fn has_regressions(&self) -> bool {
        !self.regressed.is_empty()
    }

    /// The comparison as Markdown.
    pub fn to_markdown(&self) -> String {
        let (old, new) = &self.hosts;
        let mut text = match old == new {
            true => format!("# Conformance of {old}: what changed\n\n"),
            false => format!("# Conformance: {old} → {new}\n\n"),
        };
        writeln!(
            text,
            "{} regressed · {} fixed · {} newly judged · {} newly unjudged",
            self.regressed.len(),
            self.fixed.len(),
            self.newly_judged.len(),
            self.newly_unjudged.len()
        )
        .unwrap();
        if let Some((old, new)) = &self.contracts {
            write!(
                text,
                "\nThe two runs judged different contracts: {old} and {new}. A trial only one \
                 of them has may show below as newly judged, regressed or newly unjudged for \
                 that reason alone.\n"
            )
            .unwrap();
        }
        if !self.provenance.is_empty() {
            text.push_str("\n## Provenance\n\n| | old | new |\n|---|---|---|\n");
            for (field, old, new) in &self.provenance {
                writeln!(text, "| {field} | {} | {} |", cell(old), cell(new)).unwrap();
            }
        }
        let sections = [
            (
                "Regressed: failing now, passing or not judged before",
                &self.regressed,
            ),
            ("Fixed: passing now, failing before", &self.fixed),
            ("Newly judged", &self.newly_judged),
            ("Newly unjudged", &self.newly_unjudged),
        ];
        for (heading, changes) in sections {
            if changes.is_empty() {
                continue;
            }
            write!(text, "\n## {heading} ({})\n\n", changes.len()).unwrap();
            for change in changes {
                write!(
                    text,
                    "- `{}`: {} → {}",
                    change.trial,
                    change.before.words(),
                    change.after.words()
                )
                .unwrap();
                if let Some(said) = change.gist() {
                    write!(text, ": {said}").unwrap();
                }
                text.push('\n');
            }
        }
        let (added, gone) = &self.notes;
        for (heading, notes) in [("Notes added", added), ("Notes gone", gone)] {
            if !notes.is_empty() {
                write!(text, "\n## {heading} ({})\n\n", notes.len()).unwrap();
                for note in notes {
                    writeln!(text, "- {note}").unwrap();
                }
            }
        }
        if self.regressed.len()
            + self.fixed.len()
            + self.newly_judged.len()
            + self.newly_unjudged.len()
            == 0
        {
            text.push_str("\nNo trial changed its verdict.\n");
        }
        text
    }
}

/// The notes of `these` that `those` does not have, in order.
fn only_in(these: &[String], those: &[String]) -> Vec<String> {
    these
        .iter()
        .filter(|note| !those.contains(note))
        .cloned()
        .collect()
}

fn message(outcome: &Outcome) -> Option<&str> {
    match outcome {
        Outcome::Passed => None,
        Outcome::Failed(text) | Outcome::Ignored(text) | Outcome::Expected(text) => Some(text),
    }
}

/// The host's name and every provenance field whose value differs.
fn provenance_changes(old: &Judged, new: &Judged) -> Vec<(String, String, String)> {
    let shown = |value: Option<&serde_json::Value>| match value {
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => "—".to_owned(),
    };
    let mut changes = Vec::new();
    if old.host != new.host {
        changes.push(("host".to_owned(), old.host.clone(), new.host.clone()));
    }
    if old.seed != new.seed {
        let seed = |seed: Option<u64>| seed.map_or_else(|| "—".to_owned(), |s| s.to_string());
        changes.push(("seed".to_owned(), seed(old.seed), seed(new.seed)));
    }
    let fields: std::collections::BTreeSet<&String> =
        old.provenance.keys().chain(new.provenance.keys()).collect();
    for field in fields {
        let (before, after) = (old.provenance.get(field), new.provenance.get(field));
        if before != after {
            changes.push((field.clone(), shown(before), shown(after)));
        }
    }
    changes
}

/// The two reports' contracts when they are not the same WIT: another
/// package version, another digest (an edited WIT) or other features
/// enabled. Where the WIT was read from is shown, not compared: the same
/// files judged from two checkouts are the same contract.
fn contracts(old: &Judged, new: &Judged) -> Option<(String, String)> {
    const FIELDS: [&str; 3] = ["contract", "wit_digest", "wit_features"];
    let field = |report: &Judged, name: &str| report.provenance.get(name).cloned();
    let same = FIELDS
        .iter()
        .all(|name| field(old, name) == field(new, name));
    if same {
        return None;
    }
    let shown = |report: &Judged| {
        let text = |name: &str| match field(report, name) {
            Some(serde_json::Value::String(text)) => text,
            Some(other) => other.to_string(),
            None => "?".to_owned(),
        };
        let digest = text("wit_digest");
        let short = digest.get(..12).unwrap_or(&digest);
        let mut shown = format!("`{}` (wit sha256 {short}…", text("contract"));
        if let Some(serde_json::Value::String(dir)) = field(report, "wit_dir") {
            shown += &format!(", read from {dir}");
        }
        if let Some(serde_json::Value::Array(features)) = field(report, "wit_features") {
            let features: Vec<String> = features
                .iter()
                .map(|f| f.as_str().unwrap_or_default().to_owned())
                .collect();
            shown += &format!(", features {}", features.join(","));
        }
        shown + ")"
    };
    Some((shown(old), shown(new)))
}

/// A value in a Markdown table cell.
fn cell(text: &str) -> String {
    format!("`{}`", text.replace('|', "\\|").replace('`', "'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report of `host` whose trials ended as `outcomes` say.
    fn judged(host: &str, wasmtime: &str, outcomes: &[(&str, &str)]) -> Judged {
        let trials: Vec<serde_json::Value> = outcomes
            .iter()
            .map(|(name, outcome)| match *outcome {
                "passed" => serde_json::json!({"name": name, "outcome": "passed"}),
                other => serde_json::json!({"name": name, "outcome": other, "message": format!("{name}: the clause\n  {name} {other}")}),
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "host": host,
            "provenance": {"contract": "airssys:core@1.0.0", "wasmtime": wasmtime},
            "seed": 1,
            "trials": trials,
        }))
        .unwrap()
    }

    fn names(changes: &[Change]) -> Vec<&str> {
        changes.iter().map(|c| c.trial.as_str()).collect()
    }

    #[test]
    fn each_change_of_state_lands_in_its_own_list() {
        let old = judged(
            "h",
            "48.0.0",
            &[
                ("a", "passed"),
                ("b", "failed"),
                ("c", "ignored"),
                ("d", "passed"),
                ("e", "expected"),
                ("f", "passed"),
                ("g", "ignored"),
                ("gone", "passed"),
            ],
        );
        let new = judged(
            "h",
            "48.0.0",
            &[
                ("a", "failed"),
                ("b", "passed"),
                ("c", "passed"),
                ("d", "ignored"),
                ("e", "failed"),
                ("f", "passed"),
                ("g", "failed"),
                ("new", "passed"),
            ],
        );
        let diff = Diff::between(&old, &new);
        assert_eq!(names(&diff.regressed), ["a", "g"]);
        assert_eq!(names(&diff.fixed), ["b"]);
        assert_eq!(names(&diff.newly_judged), ["c", "new"]);
        assert_eq!(names(&diff.newly_unjudged), ["d", "gone"]);
        assert!(diff.has_regressions());
        assert!(diff.provenance.is_empty());
        let text = diff.to_markdown();
        assert!(
            text.starts_with("# Conformance of h: what changed"),
            "{text}"
        );
        // The clause's own line is left out for the verdict under it.
        assert!(
            text.contains("- `a`: ✓ pass → ✗ fail: a failed\n"),
            "{text}"
        );
        assert!(text.contains("- `gone`: ✓ pass → absent\n"), "{text}");
    }

    /// A name found by semver matching passes either way: only its note
    /// tells, and the comparison lists it.
    #[test]
    fn notes_that_come_and_go_are_listed() {
        let mut old = judged("h", "48.0.0", &[("storage::get::name", "passed")]);
        let mut new = old.clone();
        old.notes = vec!["no WASI".into()];
        new.notes = vec![
            "no WASI".into(),
            "`get` of `airssys:core/storage@1.0.0`: registered at `@1.1.0`; …".into(),
        ];
        let diff = Diff::between(&old, &new);
        assert!(!diff.has_regressions());
        assert_eq!(diff.notes.0.len(), 1);
        assert!(diff.notes.1.is_empty());
        let text = diff.to_markdown();
        assert!(
            text.contains("## Notes added (1)\n\n- `get` of `airssys:core/storage@1.0.0`"),
            "{text}"
        );
        let back = Diff::between(&new, &old).to_markdown();
        assert!(back.contains("## Notes gone (1)"), "{back}");
    }

    #[test]
    fn provenance_differences_are_listed_and_are_no_regression() {
        let old = judged("one", "48.0.0", &[("a", "passed")]);
        let mut new = judged("two", "49.0.0", &[("a", "passed")]);
        new.seed = Some(2);
        let diff = Diff::between(&old, &new);
        assert!(!diff.has_regressions());
        assert_eq!(
            diff.provenance,
            [
                ("host".to_owned(), "one".to_owned(), "two".to_owned()),
                ("seed".to_owned(), "1".to_owned(), "2".to_owned()),
                (
                    "wasmtime".to_owned(),
                    "48.0.0".to_owned(),
                    "49.0.0".to_owned()
                ),
            ]
        );
        let text = diff.to_markdown();
        assert!(
            text.contains("| wasmtime | `48.0.0` | `49.0.0` |"),
            "{text}"
        );
        assert!(text.contains("No trial changed its verdict."), "{text}");
    }

    #[test]
    fn reports_of_different_contracts_say_so() {
        let old = judged("h", "48.0.0", &[("storage::get::name", "passed")]);
        let same = Diff::between(&old, &old);
        assert_eq!(same.contracts, None);
        assert!(!same.to_markdown().contains("different contracts"));
        let mut new = judged(
            "h",
            "48.0.0",
            &[
                ("storage::get::name", "passed"),
                ("storage::get-many::name", "failed"),
            ],
        );
        new.provenance
            .insert("contract".into(), "airssys:core@1.1.0".into());
        new.provenance
            .insert("wit_digest".into(), "0123456789abcdef".into());
        new.provenance
            .insert("wit_dir".into(), "/w/next/wit".into());
        let diff = Diff::between(&old, &new);
        let text = diff.to_markdown();
        assert!(
            text.contains(
                "The two runs judged different contracts: `airssys:core@1.0.0` (wit sha256 ?…) and \
                 `airssys:core@1.1.0` (wit sha256 0123456789ab…, read from /w/next/wit)."
            ),
            "{text}"
        );
        assert!(text.contains("| contract | `airssys:core@1.0.0` | `airssys:core@1.1.0` |"));
        assert_eq!(names(&diff.regressed), ["storage::get-many::name"]);
    }

    #[test]
    fn the_same_wit_read_from_another_directory_is_the_same_contract() {
        let mut old = judged("h", "48.0.0", &[("storage::get::name", "passed")]);
        for (field, value) in [
            ("contract", "airssys:core@1.1.0"),
            ("wit_digest", "0123456789abcdef"),
            ("wit_dir", "/home/a/kit/fixtures/contract-1.1.0/wit"),
        ] {
            old.provenance.insert(field.into(), value.into());
        }
        let mut new = old.clone();
        new.provenance.insert(
            "wit_dir".into(),
            "/builds/b/kit/fixtures/contract-1.1.0/wit".into(),
        );
        let diff = Diff::between(&old, &new);
        assert_eq!(diff.contracts, None);
        assert!(!diff.to_markdown().contains("different contracts"));
        // The directory is still a provenance change, listed as such.
        assert!(diff.to_markdown().contains("| wit_dir |"));
    }

    #[test]
    fn a_file_that_is_not_a_report_says_what_writes_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        std::fs::write(&path, "{\"matrix\": []}").unwrap();
        let error = Judged::read(&path).unwrap_err();
        assert!(error.contains("is not a conformance report"), "{error}");
        assert!(error.contains("--report DIR"), "{error}");
        let missing = Judged::read(&dir.path().join("none.json")).unwrap_err();
        assert!(missing.starts_with("cannot read"), "{missing}");
    }
}
