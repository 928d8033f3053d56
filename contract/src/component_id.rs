//! A component id as text, `namespace/name/instance`: the one rule every
//! crate of the kit renders and reads it by (HOST-1). Each crate has its own
//! generated `component-id` record; they all go through these functions.

use std::fmt;

/// Why a part of an id is not one a host assigns (HOST-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartProblem {
    /// The part is empty.
    Empty,
    /// It contains `/`, which separates the parts.
    Slash,
    /// It contains a control character.
    Control,
}

impl fmt::Display for PartProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PartProblem::Empty => "is empty",
            PartProblem::Slash => "contains `/`, which separates the parts",
            PartProblem::Control => "contains a control character",
        })
    }
}

/// The names of the three parts, in order.
pub const PARTS: [&str; 3] = ["namespace", "name", "instance"];

/// Whether `value` may be a part of an id a host assigns (HOST-1).
pub fn check_part(value: &str) -> Result<(), PartProblem> {
    if value.is_empty() {
        Err(PartProblem::Empty)
    } else if value.contains('/') {
        Err(PartProblem::Slash)
    } else if value.chars().any(char::is_control) {
        Err(PartProblem::Control)
    } else {
        Ok(())
    }
}

/// The text form of an id: its parts joined by `/`. Unambiguous for ids
/// whose parts pass [`check_part`].
pub fn render(namespace: &str, name: &str, instance: &str) -> String {
    format!("{namespace}/{name}/{instance}")
}

/// Why a text is not an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseIdError {
    /// The text, as given.
    pub text: String,
    /// What is wrong with it.
    pub problem: String,
}

impl fmt::Display for ParseIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a component id: {}; write namespace/name/instance, e.g. local/counter/1",
            self.text, self.problem
        )
    }
}

impl std::error::Error for ParseIdError {}

/// Reads `namespace/name/instance`: three parts, each one a host may
/// assign (HOST-1).
pub fn parse(text: &str) -> Result<[&str; 3], ParseIdError> {
    let refuse = |problem: String| ParseIdError {
        text: text.to_owned(),
        problem,
    };
    let parts: Vec<&str> = text.split('/').collect();
    let [namespace, name, instance] = parts[..] else {
        return Err(refuse(match parts.len() {
            1 => "it has no `/`".into(),
            n => format!("it has {n} `/`-separated parts, not 3"),
        }));
    };
    for (part, value) in PARTS.into_iter().zip([namespace, name, instance]) {
        check_part(value).map_err(|problem| refuse(format!("its {part} {problem}")))?;
    }
    Ok([namespace, name, instance])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn what_hosts_refuse_does_not_parse() {
        for bad in ["", "a/b", "a/b/c/d", "a//c", "/b/c", "a/b/", "a/b\u{7}/c"] {
            let error = parse(bad).unwrap_err();
            assert!(
                error.to_string().contains("namespace/name/instance"),
                "{error}"
            );
        }
        assert_eq!(
            parse("a//c").unwrap_err().problem,
            "its name is empty",
            "the error names the part"
        );
    }

    proptest! {
        #[test]
        fn render_then_parse_is_the_identity(
            parts in proptest::array::uniform3("[^/\\p{Cc}]{1,12}")
        ) {
            let [namespace, name, instance] = &parts;
            let text = render(namespace, name, instance);
            prop_assert_eq!(parse(&text).unwrap(), [namespace.as_str(), name.as_str(), instance.as_str()]);
        }

        #[test]
        fn a_text_parses_exactly_when_its_parts_pass_the_host_check(text in "[a/\\x07]{0,8}") {
            let parts: Vec<&str> = text.split('/').collect();
            let assignable = parts.len() == 3 && parts.iter().all(|p| check_part(p).is_ok());
            prop_assert_eq!(parse(&text).is_ok(), assignable);
        }
    }
}
