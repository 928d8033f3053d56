//! Why an operation failed, as an adapter tells the suite: the host's words,
//! and what the protocol can say beyond words.

use std::fmt;

use crate::protocol::Unsatisfied;

/// Why the host refused an operation: what the suite puts into its verdict.
///
/// Every [`Adapter`](crate::Adapter) and [`Runtime`](crate::Runtime) method
/// fails with it, and `?` lifts the errors an adapter meets into it: `String`
/// and `&str` (the host's words as they are), [`std::io::Error`],
/// [`serde_json::Error`], and, with the default feature `anyhow`,
/// `anyhow::Error` (wasmtime's `Error` up to wasmtime 4x is anyhow's, so
/// `Component::from_file(..)?` works as it is there). Any other error:
/// `.map_err(AdapterError::chain)?`, which keeps its causes (wasmtime 48's
/// own `wasmtime::Error`), or [`AdapterError::msg`] for its top line alone.
///
/// Why not `impl<E: Display> From<E>`: it would overlap with the standard
/// `impl<T> From<T> for T` as soon as this type is `Display` itself, and it
/// must be, to be an error embedders can `?` in turn. anyhow's way out
/// (lifting every `std::error::Error`, and not being one itself) would leave
/// out wasmtime's errors, which are not `std::error::Error`, and this crate
/// cannot name `wasmtime::Error` without depending on one wasmtime major.
///
/// Beyond the words, an error may name the imports the host could not
/// satisfy ([`with_unsatisfied`](Self::with_unsatisfied)): on `check`, those
/// it does not provide or provides with another type (protocol 1.1); on
/// `invoke`, the import whose answer had another type (protocol 1.2,
/// [`Unsatisfied::other_type`]). An operation the adapter does not offer is
/// [`AdapterError::unsupported`], which [`serve`](crate::serve) answers as
/// the protocol's `unsupported`, not as a refusal.
///
/// An export that returned `err` did not fail in this sense: the component
/// answered, and [`Runtime::invoke`](crate::Runtime::invoke) returns that
/// answer as `Ok(Err(error))` ([`Handled`](crate::Handled), protocol 1.3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AdapterError {
    /// The host's own words.
    pub reason: String,
    /// The imports the host could not satisfy, by full name; empty when the
    /// adapter cannot name them.
    pub unsatisfied: Unsatisfied,
    /// The operation is not offered at all (answered `unsupported`).
    unsupported: bool,
}

/// The name `check`'s refusal went by before every operation failed with an
/// [`AdapterError`]; the same type.
pub type CheckRefusal = AdapterError;

impl AdapterError {
    /// An error in `reason`'s words, e.g.
    /// `AdapterError::msg(format_args!("{id} is not loaded"))`.
    pub fn msg(reason: impl fmt::Display) -> Self {
        Self {
            reason: reason.to_string(),
            ..Self::default()
        }
    }

    /// An error in `error`'s words with its whole chain of causes (`{:#}`),
    /// e.g. `linker.instantiate_pre(&c).map_err(AdapterError::chain)?`:
    /// wasmtime's outermost context alone rarely says which import failed.
    pub fn chain(error: impl fmt::Display) -> Self {
        Self::msg(format_args!("{error:#}"))
    }

    /// The error of an operation this adapter does not implement, e.g.
    /// `Err(AdapterError::unsupported("settle"))` from a [`Runtime`](crate::Runtime)
    /// that cannot deliver. [`serve`](crate::serve) answers it `unsupported`.
    pub fn unsupported(op: &str) -> Self {
        Self {
            reason: format!(
                "this adapter does not implement `{op}`; an adapter that does declares it in \
                 `hello`'s `supports`"
            ),
            unsatisfied: Unsatisfied::default(),
            unsupported: true,
        }
    }

    /// This error, naming the imports the host could not satisfy.
    pub fn with_unsatisfied(mut self, unsatisfied: Unsatisfied) -> Self {
        self.unsatisfied = unsatisfied;
        self
    }

    /// This error, naming `import` (its full name, [`Unsatisfied::full_name`])
    /// as one whose answer the runtime could not give the component as the
    /// import's type: protocol 1.2's refused `invoke`.
    pub fn with_other_type(mut self, import: impl Into<String>) -> Self {
        self.unsatisfied.other_type.push(import.into());
        self
    }

    /// This error, naming `import` as one the host does not provide at all.
    pub fn with_missing(mut self, import: impl Into<String>) -> Self {
        self.unsatisfied.missing.push(import.into());
        self
    }

    /// This error, naming `import` as one the host provides only under
    /// another version of its semver track, the instance name `registered`
    /// if known: a refused `check` with exact names (protocol 1.4).
    pub fn with_by_semver(mut self, import: impl Into<String>, registered: Option<String>) -> Self {
        self.unsatisfied = self.unsatisfied.with_by_semver(import, registered);
        self
    }

    /// Whether it says the operation is not offered ([`Self::unsupported`]).
    pub fn is_unsupported(&self) -> bool {
        self.unsupported
    }
}

impl fmt::Display for AdapterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for AdapterError {}

impl From<String> for AdapterError {
    fn from(reason: String) -> Self {
        Self::msg(reason)
    }
}

impl From<&str> for AdapterError {
    fn from(reason: &str) -> Self {
        Self::msg(reason)
    }
}

impl From<std::io::Error> for AdapterError {
    fn from(error: std::io::Error) -> Self {
        Self::msg(error)
    }
}

impl From<serde_json::Error> for AdapterError {
    fn from(error: serde_json::Error) -> Self {
        Self::msg(error)
    }
}

/// wasmtime 24's errors (and anything with `.context(…)`): the whole chain,
/// as [`AdapterError::chain`].
#[cfg(feature = "anyhow")]
impl From<anyhow::Error> for AdapterError {
    fn from(error: anyhow::Error) -> Self {
        Self::chain(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<u32, AdapterError> {
        text.parse::<u32>().map_err(AdapterError::msg)
    }

    fn read(path: &str) -> Result<String, AdapterError> {
        Ok(std::fs::read_to_string(path)?)
    }

    #[test]
    fn question_mark_lifts_the_errors_an_adapter_meets() {
        assert_eq!(parse("7"), Ok(7));
        assert_eq!(
            parse("x").unwrap_err().to_string(),
            "invalid digit found in string"
        );
        let missing = read("/nonexistent/airssys-adapter-test").unwrap_err();
        assert!(missing.reason.contains("No such file"), "{missing}");
        assert!(!missing.is_unsupported());
        let words: AdapterError = "no".into();
        assert_eq!(words, AdapterError::msg("no"));
    }

    #[cfg(feature = "anyhow")]
    #[test]
    fn anyhow_errors_keep_their_whole_chain() {
        use anyhow::Context as _;
        fn instantiate() -> Result<(), AdapterError> {
            Err(anyhow::anyhow!("import `get` has the wrong type"))
                .context("cannot instantiate")?;
            Ok(())
        }
        assert_eq!(
            instantiate().unwrap_err().reason,
            "cannot instantiate: import `get` has the wrong type"
        );
    }

    #[test]
    fn names_ride_along_with_the_words() {
        let error = AdapterError::msg("get answered a string")
            .with_other_type("airssys:core/storage@1.0.0#get")
            .with_missing("self-id");
        assert_eq!(
            error.unsatisfied.other_type,
            ["airssys:core/storage@1.0.0#get"]
        );
        assert_eq!(error.unsatisfied.missing, ["self-id"]);
        assert!(AdapterError::unsupported("settle").is_unsupported());
        assert!(
            AdapterError::unsupported("settle")
                .reason
                .contains("`settle`")
        );
    }
}
