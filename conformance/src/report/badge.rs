//! The report as a badge (`badge.svg`): the contract and passed-of-total,
//! coloured by the worst outcome, with the provenance in its title (shown
//! on hover, read by screen readers).

use super::{Report, escape};

/// Colours of the value half: all passed, some failed, neither.
const GREEN: &str = "#2e7d32";
const RED: &str = "#c62828";
const AMBER: &str = "#9a6700";

/// Width of a text in Verdana at 11 px, near enough for a badge: about 7 px
/// a character, plus padding.
fn width(text: &str) -> usize {
    text.chars().count() * 7 + 12
}

impl Report {
    /// The badge's two texts: `airssys:core 1.0` and `86/88`.
    pub fn badge_texts(&self) -> (String, String) {
        let contract = &self.provenance.contract;
        let (name, version) = contract.split_once('@').unwrap_or((contract, ""));
        let major_minor: Vec<&str> = version.split('.').take(2).collect();
        let label = format!("{name} {}", major_minor.join("."));
        (label.trim_end().to_owned(), self.tally().fraction())
    }

    /// The report as `badge.svg` holds it.
    pub fn badge(&self) -> String {
        let (label, value) = self.badge_texts();
        let tally = self.tally();
        // Green claims the whole contract: a filtered or empty run is not that.
        let every_trial_passed = tally.passed == tally.total() && self.is_whole();
        let colour = match (tally.failed, every_trial_passed) {
            (0, true) => GREEN,
            (0, false) => AMBER,
            _ => RED,
        };
        let lines: Vec<String> = self
            .run_lines()
            .into_iter()
            .map(|(what, line)| format!("{what}: {line}"))
            .collect();
        let title = format!(
            "{} conformance of {}: {}\n{}",
            self.provenance.contract,
            self.host,
            tally.sentence(),
            lines.join("\n")
        );
        let (left, right) = (width(&label), width(&value));
        let total = left + right;
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{total}\" height=\"20\" role=\"img\" aria-label=\"{}: {}\">\n\
             <title>{}</title>\n\
             <rect width=\"{left}\" height=\"20\" fill=\"#555\"/>\n\
             <rect x=\"{left}\" width=\"{right}\" height=\"20\" fill=\"{colour}\"/>\n\
             <g fill=\"#fff\" text-anchor=\"middle\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\">\n\
             <text x=\"{}\" y=\"14\">{}</text>\n\
             <text x=\"{}\" y=\"14\">{}</text>\n\
             </g>\n</svg>\n",
            escape(&label),
            escape(&value),
            escape(&title),
            left / 2,
            escape(&label),
            left + right / 2,
            escape(&value),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::report::sample;
    use crate::trials::Outcome;

    #[test]
    fn the_badge_names_the_contract_and_counts_and_colours_by_the_worst() {
        let mut report = sample::report();
        assert_eq!(
            report.badge_texts(),
            ("airssys:core 1.0".to_owned(), "3/6".to_owned())
        );
        let badge = report.badge();
        assert!(badge.contains(super::RED), "{badge}");
        assert!(badge.contains("<title>airssys:core@1.0.0 conformance of my &lt;host&gt;"));
        assert!(badge.contains("seed: 7"), "{badge}");

        report
            .trials
            .retain(|t| !matches!(t.outcome, Outcome::Failed(_)));
        assert!(report.badge().contains(super::AMBER));
        report.trials.retain(|t| t.outcome == Outcome::Passed);
        // storage::set's trials are gone, as a filter would leave them out.
        assert!(report.badge().contains(super::AMBER));
        report.rows.retain(|row| row == "storage::get");
        assert!(report.badge().contains(super::GREEN));
        assert!(report.badge().contains(">3/3</text>"));
        report.trials.clear();
        assert!(
            report.badge().contains(super::AMBER),
            "an empty run is no pass"
        );
    }
}
