//! Component ids: what the host calls a loaded component.
//!
//! The WIT record `component-id` is the contract crate's
//! [`ComponentId`](airssys_contract::ComponentId), the one id type of the
//! kit: `ComponentId::new("acme", "counter", "0")`, written and read as
//! `acme/counter/0` by the rule hosts assign ids by (HOST-1).

pub use airssys_contract::ComponentId;
pub use airssys_contract::component_id::ParseIdError;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_round_trip() {
        let id = ComponentId::new("acme", "counter", "0");
        assert_eq!(id.to_string(), "acme/counter/0");
        assert_eq!("acme/counter/0".parse::<ComponentId>(), Ok(id));
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
