//! Clause summaries from `docs/spec.md`, for failure messages.

use std::collections::HashMap;

/// What [`Spec::summary`] shows of a clause the spec does not have.
pub(crate) const NOT_IN_SPEC: &str = "not in this suite's spec";

pub(crate) struct Spec {
    summaries: HashMap<String, String>,
}

impl Spec {
    /// The clauses of `docs/spec.md`, embedded.
    pub fn bundled() -> Self {
        Self::parse(include_str!("../../../docs/spec.md"))
    }

    /// Reads list items of the form `- **ID** text`, text possibly over several lines.
    fn parse(markdown: &str) -> Self {
        let mut summaries = HashMap::new();
        let mut current: Option<(String, String)> = None;
        for line in markdown.lines() {
            let item = line.trim_start().strip_prefix("- **");
            if let Some(item) = item.and_then(|rest| rest.split_once("** ")) {
                summaries.extend(current.take());
                current = Some((item.0.to_owned(), item.1.trim().to_owned()));
            } else if let Some((_, text)) = current.as_mut() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('-') || line.starts_with('#') {
                    summaries.extend(current.take());
                } else {
                    text.push(' ');
                    text.push_str(line);
                }
            }
        }
        summaries.extend(current);
        Self { summaries }
    }

    /// The clause's text, if `docs/spec.md` has it.
    pub fn get(&self, clause: &str) -> Option<&str> {
        self.summaries.get(clause).map(String::as_str)
    }

    /// The clause's text; for a clause of a newer WIT than the suite's
    /// (`--wit`), which its spec does not have, words that say so.
    pub fn summary(&self, clause: &str) -> &str {
        self.get(clause).unwrap_or(NOT_IN_SPEC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_multiline_items_and_sub_items() {
        let spec =
            Spec::parse("- **STO-2** `get` of a key\n  never set is none.\n  - **STO-2.1** more\n");
        assert_eq!(spec.summary("STO-2"), "`get` of a key never set is none.");
        assert_eq!(spec.summary("STO-2.1"), "more");
    }

    #[test]
    fn a_clause_of_a_newer_wit_is_shown_as_not_in_the_spec() {
        let spec = Spec::bundled();
        assert_eq!(spec.get("STO-12"), None);
        assert_eq!(spec.summary("STO-12"), "not in this suite's spec");
    }

    #[test]
    fn every_clause_the_wit_names_is_in_the_spec() {
        let spec = Spec::bundled();
        let imported = airssys_contract::HostFn::ALL
            .into_iter()
            .map(|f| (f.to_string(), f.clauses()));
        let exported = airssys_contract::GuestFn::ALL
            .into_iter()
            .map(|f| (f.to_string(), f.clauses()));
        for (function, clauses) in imported.chain(exported) {
            assert!(!clauses.is_empty(), "`{function}` names no clause");
            for clause in clauses {
                assert!(
                    spec.get(clause).is_some(),
                    "`{function}` names {clause}, which docs/spec.md does not define"
                );
            }
        }
    }
}
