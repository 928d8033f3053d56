//! The report as one page to look at (`conformance.html`): the matrix, each
//! cell linking to its trials, and each failure with its clause, verdict,
//! seed and the command that repeats it.
//!
//! One self-contained file: no scripts, fonts or anything else fetched, so it
//! opens from a CI artifact as it is. Every state is a symbol and a word as
//! well as a colour, and the page fits a phone's width.

use std::fmt::Write as _;

use super::{Cell, Report, TrialResult, escape};
use crate::contract::spec::Spec;
use crate::trials::Outcome;

/// The page's look: light and dark, narrow and wide.
const STYLE: &str = "\
*{box-sizing:border-box}
:root{color-scheme:light dark;--pass:#dff3e4;--fail:#fbe0dd;--unjudged:#ececec;--expected:#fbefd5;--line:#c8c8c8}
@media (prefers-color-scheme:dark){:root{--pass:#173d22;--fail:#4d1b17;--unjudged:#333;--expected:#4a3a12;--line:#555}}
body{font-family:system-ui,sans-serif;line-height:1.45;margin:0 auto;padding:1rem;max-width:70rem}
h1{font-size:1.4rem;margin:.2rem 0 .6rem}h2{font-size:1.15rem;margin-top:2rem}h3{font-size:1rem;margin:1.2rem 0 .3rem}
code,pre{font-family:ui-monospace,monospace;font-size:.9em}
pre{white-space:pre-wrap;overflow-wrap:anywhere;padding:.5rem;border:1px solid var(--line);border-radius:4px;margin:.3rem 0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;min-width:100%}
th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
td{white-space:nowrap}
td a,li a{color:inherit}
.pass{background:var(--pass)}.fail{background:var(--fail)}.unjudged{background:var(--unjudged)}.expected{background:var(--expected)}
.summary{font-size:1.05rem;font-weight:600}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:.5rem 0}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
ul.trials{list-style:none;padding:0;margin:0}ul.trials>li{border:1px solid var(--line);border-radius:4px;padding:.3rem .5rem;margin:.25rem 0;overflow-wrap:anywhere}
li p{margin:.2rem 0}
@media (max-width:40rem){body{padding:.5rem}th,td{padding:.2rem .3rem}}
.label{font-weight:600}";

/// A state's symbol and word, and the class that colours it.
fn looks(cell: Cell) -> (&'static str, &'static str) {
    match cell {
        Cell::Pass => ("✓ pass", "pass"),
        Cell::Fail => ("✗ FAIL", "fail"),
        Cell::Ignored => ("○ not judged", "unjudged"),
        Cell::Expected => ("◇ expected failure", "expected"),
        Cell::NotRun => ("– not run", "unjudged"),
    }
}

/// The `id` of a trial's entry, and of a function's list of trials. An id
/// may not hold spaces (a component's file name can), so every character
/// but letters, digits and `:._-` is percent-encoded: the same text works
/// as the `id` and after the `#` of a link.
fn trial_anchor(name: &str) -> String {
    format!("trial-{}", encoded(name))
}

fn function_anchor(function: &str) -> String {
    format!("function-{}", encoded(function))
}

fn encoded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || ":._-".contains(c) {
            out.push(c);
        } else {
            let mut bytes = [0; 4];
            for byte in c.encode_utf8(&mut bytes).bytes() {
                write!(out, "%{byte:02X}").unwrap();
            }
        }
    }
    out
}

/// Spec text with its `code` spans kept.
fn prose(text: &str) -> String {
    escape(text)
        .split('`')
        .enumerate()
        .map(|(at, part)| match at % 2 {
            1 => format!("<code>{part}</code>"),
            _ => part.to_owned(),
        })
        .collect()
}

impl Report {
    /// The report as `conformance.html` holds it.
    pub fn to_html(&self) -> String {
        let spec = Spec::bundled();
        let title = format!("{} conformance: {}", self.provenance.contract, self.host);
        let mut page = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n",
            escape(&format!("{title} ({})", self.tally().fraction())),
            escape(&title)
        );
        writeln!(
            page,
            "<p class=\"summary\">{}</p>\n<dl>",
            escape(&self.tally().sentence())
        )
        .unwrap();
        for (what, line) in self.run_lines() {
            writeln!(page, "<dt>{what}</dt><dd>{}</dd>", escape(&line)).unwrap();
        }
        page.push_str("</dl>\n</header>\n<main>\n");
        self.matrix_html(&mut page);
        self.failures_html(&mut page);
        self.trials_html(&mut page, &spec);
        page.push_str("</main>\n</body>\n</html>\n");
        page
    }

    fn matrix_html(&self, page: &mut String) {
        page.push_str(
            "<h2>Matrix</h2>\n<p>✓ pass · ✗ fail · ○ not judged · ◇ expected failure · – not run</p>\n\
             <div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">function</th>\
             <th scope=\"col\">name</th><th scope=\"col\">signature</th><th scope=\"col\">behaviour</th></tr></thead>\n<tbody>\n",
        );
        for row in self.matrix() {
            let trial = |suffix: &str| trial_anchor(&format!("{}::{suffix}", row.function));
            let cell = |cell: Cell, anchor: String| {
                let (shown, class) = looks(cell);
                match cell {
                    Cell::NotRun => format!("<td class=\"{class}\">{shown}</td>"),
                    _ => format!(
                        "<td class=\"{class}\"><a href=\"#{}\">{shown}</a></td>",
                        escape(&anchor)
                    ),
                }
            };
            // A row a filter left without trials has no list to link to.
            let listed = self.trials.iter().any(|t| t.function == row.function);
            let linked = |text: String, anchor: String| match listed {
                true => format!("<a href=\"#{}\">{text}</a>", escape(&anchor)),
                false => text,
            };
            let behaviour = row.behaviour_cell();
            let (shown, class) = looks(behaviour);
            let counts = row.behaviour_text(|failing| failing);
            let symbol = shown.split(' ').next().unwrap_or_default();
            let list = function_anchor(&row.function);
            writeln!(
                page,
                "<tr><th scope=\"row\">{}</th>{}{}<td class=\"{class}\">{}</td></tr>",
                linked(
                    format!("<code>{}</code>", escape(&row.function)),
                    list.clone()
                ),
                cell(row.name, trial("name")),
                cell(row.signature, trial("signature")),
                linked(format!("{symbol} {}", escape(&counts)), list),
            )
            .unwrap();
        }
        page.push_str("</tbody>\n</table></div>\n");
        for note in &self.notes {
            writeln!(page, "<p>{}</p>", prose(note)).unwrap();
        }
    }

    fn failures_html(&self, page: &mut String) {
        let failures: Vec<&TrialResult> = self.failures().collect();
        if failures.is_empty() {
            return;
        }
        writeln!(
            page,
            "<h2 id=\"failures\">Failures ({})</h2>\n<ul>",
            failures.len()
        )
        .unwrap();
        for trial in failures {
            writeln!(
                page,
                "<li><a href=\"#{}\"><code>{}</code></a></li>",
                escape(&trial_anchor(&trial.name)),
                escape(&trial.name)
            )
            .unwrap();
        }
        page.push_str("</ul>\n");
    }

    fn trials_html(&self, page: &mut String, spec: &Spec) {
        page.push_str("<h2>Trials</h2>\n");
        for function in &self.rows {
            let trials: Vec<&TrialResult> = self
                .trials
                .iter()
                .filter(|t| &t.function == function)
                .collect();
            if trials.is_empty() {
                continue;
            }
            writeln!(
                page,
                "<section id=\"{}\">\n<h3><code>{}</code></h3>\n<ul class=\"trials\">",
                escape(&function_anchor(function)),
                escape(function)
            )
            .unwrap();
            for trial in trials {
                self.trial_html(page, trial, spec);
            }
            page.push_str("</ul>\n</section>\n");
        }
    }

    fn trial_html(&self, page: &mut String, trial: &TrialResult, spec: &Spec) {
        let (shown, class) = looks(Cell::of(Some(&trial.outcome)));
        writeln!(
            page,
            "<li id=\"{}\" class=\"{class}\"><span class=\"label\">{shown}</span> <code>{}</code> <small>{:.3} s</small>",
            escape(&trial_anchor(&trial.name)),
            escape(&trial.name),
            trial.took.as_secs_f64()
        )
        .unwrap();
        if let Some(clause) = trial.clause() {
            writeln!(
                page,
                "<p><b>{}</b> {}</p>",
                escape(clause),
                prose(spec.summary(clause))
            )
            .unwrap();
        }
        match &trial.outcome {
            Outcome::Passed => {}
            Outcome::Failed(message) => {
                // A verdict opens with its clause's text, shown just above.
                // Its lines under the clause are indented by two spaces.
                let verdict = match trial.clause().and_then(|clause| {
                    message.strip_prefix(&format!("{clause}: {}\n", spec.summary(clause)))
                }) {
                    Some(details) => details
                        .lines()
                        .map(|line| line.strip_prefix("  ").unwrap_or(line))
                        .collect::<Vec<_>>()
                        .join("\n"),
                    None => message.clone(),
                };
                writeln!(
                    page,
                    "<p class=\"label\">Verdict</p><pre>{}</pre>",
                    escape(&verdict)
                )
                .unwrap();
                writeln!(page, "<p>Seed: <code>{}</code></p>", self.seed).unwrap();
                if let Some(command) = &trial.repeat {
                    writeln!(
                        page,
                        "<p class=\"label\">Repeat it alone</p><pre class=\"repeat\"><code>{}</code></pre>",
                        escape(command)
                    )
                    .unwrap();
                }
            }
            Outcome::Ignored(reason) => {
                writeln!(page, "<p>Not judged: {}</p>", prose(reason)).unwrap()
            }
            Outcome::Expected(message) => writeln!(
                page,
                "<p class=\"label\">Expected failure</p><pre>{}</pre>",
                escape(message)
            )
            .unwrap(),
        }
        page.push_str("</li>\n");
    }
}

#[cfg(test)]
mod tests {
    use crate::report::sample;

    #[test]
    fn the_page_is_self_contained_and_escapes_what_hosts_say() {
        let page = sample::report().to_html();
        for fetched in [
            "<script", "<link", "src=", "url(", "@import", "http:", "https:",
        ] {
            assert!(!page.contains(fetched), "the page fetches: {fetched}");
        }
        assert!(page.contains("my &lt;host&gt;"));
        assert!(page.contains("&lt;where&gt; [] was stored &amp; read"));
        insta::assert_snapshot!(page);
    }

    #[test]
    fn ids_hold_no_spaces_and_links_find_them() {
        let mut report = sample::report();
        for trial in &mut report.trials {
            trial.name = trial.name.replace("storage::get", "my guest::get");
            trial.function = trial.function.replace("storage::get", "my guest::get");
        }
        report.rows[0] = "my guest::get".into();
        let page = report.to_html();
        assert!(
            page.contains("id=\"trial-my%20guest::get::name\""),
            "{page}"
        );
        assert!(
            page.contains("href=\"#trial-my%20guest::get::name\""),
            "{page}"
        );
        assert!(!page.contains("id=\"trial-my guest"), "{page}");
    }

    #[test]
    fn a_row_without_trials_links_nowhere() {
        let mut report = sample::report();
        report.trials.retain(|t| t.function == "storage::get");
        let page = report.to_html();
        assert!(!page.contains("href=\"#function-storage::set\""), "{page}");
        assert!(page.contains("href=\"#function-storage::get\""), "{page}");
    }

    #[test]
    fn a_verdict_does_not_repeat_the_clause_shown_above_it() {
        let page = sample::report().to_html();
        assert_eq!(page.matches("an empty value is").count(), 1, "{page}");
    }
}
