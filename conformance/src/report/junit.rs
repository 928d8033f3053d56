//! The report as JUnit XML, for CI systems that show test results.

use std::fmt::Write as _;

use super::{Report, escape};
use crate::trials::Outcome;

impl Report {
    /// The report as JUnit XML, for CI systems that show test results.
    pub fn to_junit(&self) -> String {
        let failures = self.failures().count();
        let skipped = self
            .trials
            .iter()
            .filter(|t| matches!(t.outcome, Outcome::Ignored(_)))
            .count();
        let mut xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"{} conformance: {}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{:.3}\">\n    <properties>\n",
            escape(&self.provenance.contract),
            escape(&self.host),
            self.trials.len(),
            self.trials
                .iter()
                .map(|t| t.took)
                .sum::<std::time::Duration>()
                .as_secs_f64()
        );
        for (what, line) in self.run_lines() {
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
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
                escape(&trial.function),
                escape(&trial.name),
                trial.took.as_secs_f64()
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
                    escape(&trial.failure_text(message))
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
}
