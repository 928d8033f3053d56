//! A component id, and its text `namespace/name/instance`: the one type and
//! the one rule every crate of the kit renders and reads ids by (HOST-1).
//! The adapter protocol, the probe protocol, the suite and the SDK (whose
//! WIT bindings map the `component-id` record to it) use [`ComponentId`]
//! itself; the host's wasmtime bindings have a generated record of their
//! own, which converts to and from it and renders and checks itself by the
//! functions here, and `airssys` reads ids as [`ComponentId`] before it
//! hands them to the host.

use std::fmt;
use std::str::FromStr;

/// A component id: the WIT record `component-id` as plain Rust.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ComponentId {
    /// e.g. `acme`
    pub namespace: String,
    /// e.g. `counter`
    pub name: String,
    /// e.g. `0`
    pub instance: String,
}

impl ComponentId {
    /// An id from its three parts, e.g. `ComponentId::new("acme", "counter", "0")`.
    /// Any parts: ids that components merely name need not be ones a host
    /// would assign; [`check`](Self::check) says whether it would.
    pub fn new(
        namespace: impl Into<String>,
        name: impl Into<String>,
        instance: impl Into<String>,
    ) -> Self {
        ComponentId {
            namespace: namespace.into(),
            name: name.into(),
            instance: instance.into(),
        }
    }

    /// Whether a host may assign this id (HOST-1): the first part that may
    /// not be one, by its name in [`PARTS`], and why.
    pub fn check(&self) -> Result<(), (&'static str, PartProblem)> {
        check_parts([&self.namespace, &self.name, &self.instance])
    }
}

/// `namespace/name/instance`, as [`render`] writes it.
impl fmt::Display for ComponentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render(&self.namespace, &self.name, &self.instance))
    }
}

/// Reads `namespace/name/instance` as [`parse`] does: only ids a host may
/// assign.
impl FromStr for ComponentId {
    type Err = ParseIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let [namespace, name, instance] = parse(text)?;
        Ok(ComponentId::new(namespace, name, instance))
    }
}

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

/// Whether a host may assign an id of these parts, in the order of
/// [`PARTS`]: the first that may not be one, by its name, and why.
pub fn check_parts(values: [&str; 3]) -> Result<(), (&'static str, PartProblem)> {
    for (part, value) in PARTS.into_iter().zip(values) {
        check_part(value).map_err(|problem| (part, problem))?;
    }
    Ok(())
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

    #[test]
    fn check_names_the_first_part_a_host_would_refuse() {
        assert_eq!(ComponentId::new("a", "b", "c").check(), Ok(()));
        assert_eq!(
            ComponentId::new("a", "", "c/d").check(),
            Err(("name", PartProblem::Empty))
        );
        assert_eq!(
            ComponentId::new("a", "b", "c/d").check(),
            Err(("instance", PartProblem::Slash))
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
            let id = ComponentId::new(namespace, name, instance);
            prop_assert_eq!(id.to_string().parse::<ComponentId>(), Ok(id));
        }

        #[test]
        fn a_text_parses_exactly_when_its_parts_pass_the_host_check(text in "[a/\\x07]{0,8}") {
            let parts: Vec<&str> = text.split('/').collect();
            let assignable = parts.len() == 3 && parts.iter().all(|p| check_part(p).is_ok());
            prop_assert_eq!(parse(&text).is_ok(), assignable);
            prop_assert_eq!(text.parse::<ComponentId>().is_ok(), assignable);
            if let Ok(id) = text.parse::<ComponentId>() {
                prop_assert_eq!(id.check(), Ok(()));
            }
        }
    }
}
