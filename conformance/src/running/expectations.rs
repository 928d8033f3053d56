//! A host's known failures (`--expect FILE`): an expected failure is
//! reported as such and does not fail the run; a listed trial that passes
//! does ("remove it from the file"); an entry that names no trial is an error.
//!
//! ```toml
//! [expected-failures]
//! "storage::get::behaviour::STO-2" = "empty values read as none; fixed in 2.4"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::trials::Outcome;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct File {
    #[serde(default)]
    expected_failures: BTreeMap<String, String>,
}

#[derive(Debug)]
pub struct Expectations {
    path: PathBuf,
    /// Trial name → why it fails.
    failures: BTreeMap<String, String>,
}

impl Expectations {
    /// Reads `path`; every entry must name one of `trials`.
    pub fn read(path: &Path, trials: &[String]) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the expectations file {}: {e}", path.display()))?;
        let file: File = toml::from_str(&text).map_err(|e| {
            format!(
                "{} is not an expectations file: {e}\nIt reads:\n[expected-failures]\n\"storage::get::behaviour::STO-2\" = \"why it fails\"",
                path.display()
            )
        })?;
        let unknown: Vec<&String> = file
            .expected_failures
            .keys()
            .filter(|name| !trials.contains(name))
            .collect();
        if !unknown.is_empty() {
            return Err(format!(
                "{} lists trials the suite does not have: {}. Trial names are listed by `--list`",
                path.display(),
                unknown
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        Ok(Self {
            path: path.to_owned(),
            failures: file.expected_failures,
        })
    }

    /// The outcome as the run counts it.
    pub fn judge(&self, trial: &str, outcome: Outcome) -> Outcome {
        let Some(reason) = self.failures.get(trial) else {
            return outcome;
        };
        match outcome {
            Outcome::Failed(message) => Outcome::Expected(format!("{reason}\n  {message}")),
            Outcome::Passed => Outcome::Failed(format!(
                "unexpected pass: {} lists it as an expected failure ({reason}); remove it from the file",
                self.path.display()
            )),
            // A listed failure must be seen failing, or the file proves nothing.
            Outcome::Ignored(why) => Outcome::Failed(format!(
                "not judged, where {} lists it as an expected failure ({reason}): {why}",
                self.path.display()
            )),
            expected @ Outcome::Expected(_) => expected,
        }
    }

    /// Writes every failed trial of `results` to `path`, with what happened
    /// as the reason.
    pub fn bless<'a>(
        path: &Path,
        results: impl IntoIterator<Item = (&'a str, &'a Outcome)>,
    ) -> Result<usize, String> {
        let mut file = File::default();
        for (name, outcome) in results {
            let message = match outcome {
                Outcome::Failed(message) => message,
                Outcome::Expected(message) => message,
                Outcome::Passed | Outcome::Ignored(_) => continue,
            };
            // A behaviour failure's first line is the clause; the second says what happened.
            let mut lines = message.lines();
            let first = lines.next().unwrap_or_default();
            let reason = lines.next().map_or(first, str::trim).to_owned();
            file.expected_failures.insert(name.to_owned(), reason);
        }
        let count = file.expected_failures.len();
        let text = format!(
            "# Known failures of this host, written by `--bless` with what happened as each reason:\n\
             # replace them with why. Expected failures do not fail the run; unexpected passes do.\n{}",
            toml::to_string(&file).map_err(|e| e.to_string())?
        );
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trials() -> Vec<String> {
        vec![
            "storage::get::name".into(),
            "storage::get::behaviour::STO-2".into(),
        ]
    }

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("expected.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn expected_failures_pass_and_unexpected_passes_fail() {
        let (_dir, path) =
            write("[expected-failures]\n\"storage::get::behaviour::STO-2\" = \"known\"\n");
        let expectations = Expectations::read(&path, &trials()).unwrap();
        let failed = Outcome::Failed("empty value".into());
        assert_eq!(
            expectations.judge("storage::get::behaviour::STO-2", failed.clone()),
            Outcome::Expected("known\n  empty value".into())
        );
        let Outcome::Failed(message) =
            expectations.judge("storage::get::behaviour::STO-2", Outcome::Passed)
        else {
            panic!("an unexpected pass must fail");
        };
        assert!(message.contains("remove it from the file"), "{message}");
        assert_eq!(
            expectations.judge("storage::get::name", failed.clone()),
            failed
        );
    }

    #[test]
    fn an_entry_naming_no_trial_is_an_error() {
        let (_dir, path) = write("[expected-failures]\n\"storage::gett::name\" = \"typo\"\n");
        let error = Expectations::read(&path, &trials()).unwrap_err();
        assert!(error.contains("`storage::gett::name`"), "{error}");
    }

    #[test]
    fn bless_writes_what_read_takes_back() {
        let (_dir, path) = write("");
        let failed = Outcome::Failed("STO-2: empty values\n  detail".into());
        let count = Expectations::bless(
            &path,
            [
                ("storage::get::behaviour::STO-2", &failed),
                ("storage::get::name", &Outcome::Passed),
            ],
        )
        .unwrap();
        assert_eq!(count, 1);
        let expectations = Expectations::read(&path, &trials()).unwrap();
        assert_eq!(
            expectations.failures["storage::get::behaviour::STO-2"],
            "detail"
        );
    }
}
