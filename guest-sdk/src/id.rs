//! Component ids: what the host calls a loaded component.

use std::fmt;
use std::str::FromStr;

pub use crate::bindings::airssys::core::types::ComponentId;

impl ComponentId {
    /// An id from its three parts, e.g. `ComponentId::new("acme", "counter", "0")`.
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
}

/// `namespace/name/instance`, the form hosts use in logs and storage (STO-10.1).
impl fmt::Display for ComponentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.namespace, self.name, self.instance)
    }
}

/// Why a string is not a `namespace/name/instance` id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseIdError(String);

impl fmt::Display for ParseIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a component id; write it as `namespace/name/instance` with three \
             non-empty parts and no control characters",
            self.0
        )
    }
}

impl std::error::Error for ParseIdError {}

/// Reads `namespace/name/instance` by the rule hosts assign ids by (HOST-1):
/// three parts, none empty, none with a control character. Components do
/// not link the contract crate, so the rule is written here again; a test
/// holds it to `airssys_contract::component_id::parse`.
impl FromStr for ComponentId {
    type Err = ParseIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = text.split('/').collect();
        let assignable = |part: &&str| !part.is_empty() && !part.chars().any(char::is_control);
        match parts.as_slice() {
            [namespace, name, instance] if parts.iter().all(assignable) => {
                Ok(ComponentId::new(*namespace, *name, *instance))
            }
            _ => Err(ParseIdError(text.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_round_trip() {
        let id = ComponentId::new("acme", "counter", "0");
        assert_eq!(id.to_string(), "acme/counter/0");
        assert_eq!("acme/counter/0".parse::<ComponentId>(), Ok(id));
    }

    proptest::proptest! {
        /// The SDK reads ids exactly as the contract's rule does.
        #[test]
        fn parsing_agrees_with_the_contract(text in "[ab/\\x07]{0,8}") {
            proptest::prop_assert_eq!(
                text.parse::<ComponentId>().is_ok(),
                airssys_contract::component_id::parse(&text).is_ok()
            );
        }
    }

    #[test]
    fn parse_refuses_wrong_shapes_and_says_the_form() {
        for bad in ["", "a/b", "a/b/c/d", "a//c", "a/\u{1b}/c"] {
            let error = bad.parse::<ComponentId>().unwrap_err();
            assert!(
                error.to_string().contains("namespace/name/instance"),
                "{error}"
            );
        }
    }
}
