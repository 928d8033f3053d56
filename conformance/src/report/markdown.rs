//! The report in Markdown: the matrix, the provenance and every failure,
//! for `conformance.md`, snapshots and pull-request comments.

use std::fmt::Write as _;

use super::{Report, TrialResult};
use crate::trials::Outcome;

impl Report {
    /// The matrix as a Markdown table, under a heading naming the host.
    pub fn matrix_markdown(&self) -> String {
        let mut text = format!(
            "# {} conformance: {}\n\n| function | name | signature | behaviour |\n|---|---|---|---|\n",
            self.provenance.contract, self.host
        );
        for row in self.matrix() {
            let behaviour = row.behaviour_text(|failing| format!("**{failing}**"));
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
        for (what, line) in self.run_lines() {
            writeln!(text, "- {what}: {line}").unwrap();
        }
        let failures: Vec<&TrialResult> = self.failures().collect();
        if !failures.is_empty() {
            text.push_str("\n## Failures\n");
            for trial in failures {
                if let Outcome::Failed(message) = &trial.outcome {
                    // Longer than any run of backticks in what the host said.
                    let fence = "`".repeat(longest_backtick_run(message).max(2) + 1);
                    write!(
                        text,
                        "\n### `{}`\n\n{fence}text\n{message}\n{fence}\n",
                        trial.name
                    )
                    .unwrap();
                }
                if let Some(command) = &trial.repeat {
                    write!(text, "\nRepeat it alone:\n\n```sh\n{command}\n```\n").unwrap();
                }
            }
        }
        text
    }
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}
