//! Errors with messages meant for people, convertible from the contract's
//! WIT error variants and usable with `?`.

use std::fmt;

use crate::ComponentId;
use crate::bindings::airssys::core::errors as wit;

/// Why a storage call failed (the contract's `storage-error`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StorageError {
    /// No value under the key in the text. In the contract's variant, but
    /// a missing key is `Ok(None)` (STO-2), so the reference host never returns it.
    NotFound(String),
    /// The key in the text already exists. In the contract's variant, but
    /// `set` replaces (STO-3), so the reference host never returns it.
    AlreadyExists(String),
    /// The set would take the component over its storage quota (STO-9).
    QuotaExceeded,
    /// The key is empty or too long; the text says which (STO-8).
    InvalidKey(String),
    /// The host could not do it, e.g. the component lacks the capability (SEC-1).
    Io(String),
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageError::NotFound(key) => write!(f, "storage: no value under `{key}`"),
            StorageError::AlreadyExists(key) => write!(f, "storage: `{key}` already exists"),
            StorageError::QuotaExceeded => f.write_str(
                "storage: quota exceeded; delete keys or ask the host for a larger quota",
            ),
            StorageError::InvalidKey(reason) => write!(f, "storage: invalid key: {reason}"),
            StorageError::Io(reason) => write!(f, "storage: {reason}"),
        }
    }
}

impl std::error::Error for StorageError {}

impl From<wit::StorageError> for StorageError {
    fn from(error: wit::StorageError) -> Self {
        match error {
            wit::StorageError::NotFound(s) => StorageError::NotFound(s),
            wit::StorageError::AlreadyExists(s) => StorageError::AlreadyExists(s),
            wit::StorageError::QuotaExceeded => StorageError::QuotaExceeded,
            wit::StorageError::InvalidKey(s) => StorageError::InvalidKey(s),
            wit::StorageError::IoError(s) => StorageError::Io(s),
        }
    }
}

/// Why a messaging call failed (the contract's `messaging-error`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessagingError {
    /// The host refused to deliver, e.g. the component lacks the capability (SEC-1).
    DeliveryFailed(String),
    /// The request already timed out (MSG-7).
    CorrelationTimeout(String),
    /// The payload is too large, the timeout is zero, or the request id is
    /// unknown; the text says which (MSG-6, MSG-7, MSG-9).
    InvalidMessage(String),
    /// The target has too many undelivered messages (MSG-9).
    QueueFull,
    /// No component with this id is loaded (MSG-4).
    TargetNotFound(ComponentId),
}

impl fmt::Display for MessagingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessagingError::DeliveryFailed(reason) => {
                write!(f, "messaging: delivery failed: {reason}")
            }
            MessagingError::CorrelationTimeout(id) => {
                write!(f, "messaging: request `{id}` already timed out")
            }
            MessagingError::InvalidMessage(reason) => {
                write!(f, "messaging: invalid message: {reason}")
            }
            MessagingError::QueueFull => f.write_str(
                "messaging: the target's queue is full; try again after it has caught up",
            ),
            MessagingError::TargetNotFound(id) => {
                write!(f, "messaging: no component `{id}` is loaded")
            }
        }
    }
}

impl std::error::Error for MessagingError {}

impl From<wit::MessagingError> for MessagingError {
    fn from(error: wit::MessagingError) -> Self {
        match error {
            wit::MessagingError::DeliveryFailed(s) => MessagingError::DeliveryFailed(s),
            wit::MessagingError::CorrelationTimeout(id) => MessagingError::CorrelationTimeout(id),
            wit::MessagingError::InvalidMessage(s) => MessagingError::InvalidMessage(s),
            wit::MessagingError::QueueFull => MessagingError::QueueFull,
            wit::MessagingError::TargetNotFound(id) => MessagingError::TargetNotFound(id),
        }
    }
}

/// A component-level failure (the contract's `component-error`), e.g. from
/// [`services::component_info`](crate::services::component_info).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ComponentError {
    /// `initialize` failed, for the reason in the text; the SDK reports any
    /// other error from [`Component::initialize`](crate::Component::initialize) this way.
    InitializationFailed(String),
    /// `initialize` was called on a component that is already initialized.
    AlreadyInitialized,
    /// A call came before the component was initialized.
    NotInitialized,
    /// `shutdown` failed, for the reason in the text; the SDK reports any
    /// other error from [`Component::shutdown`](crate::Component::shutdown) this way.
    ShutdownFailed(String),
    /// E.g. the asked-about component is not loaded (SVC-6).
    InvalidState(String),
}

impl fmt::Display for ComponentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ComponentError::InitializationFailed(reason) => {
                write!(f, "component: initialization failed: {reason}")
            }
            ComponentError::AlreadyInitialized => f.write_str("component: already initialized"),
            ComponentError::NotInitialized => f.write_str("component: not initialized"),
            ComponentError::ShutdownFailed(reason) => {
                write!(f, "component: shutdown failed: {reason}")
            }
            ComponentError::InvalidState(reason) => write!(f, "component: {reason}"),
        }
    }
}

impl std::error::Error for ComponentError {}

impl From<wit::ComponentError> for ComponentError {
    fn from(error: wit::ComponentError) -> Self {
        match error {
            wit::ComponentError::InitializationFailed(s) => ComponentError::InitializationFailed(s),
            wit::ComponentError::AlreadyInitialized => ComponentError::AlreadyInitialized,
            wit::ComponentError::NotInitialized => ComponentError::NotInitialized,
            wit::ComponentError::ShutdownFailed(s) => ComponentError::ShutdownFailed(s),
            wit::ComponentError::InvalidState(s) => ComponentError::InvalidState(s),
        }
    }
}

impl From<ComponentError> for wit::ComponentError {
    fn from(error: ComponentError) -> Self {
        match error {
            ComponentError::InitializationFailed(s) => wit::ComponentError::InitializationFailed(s),
            ComponentError::AlreadyInitialized => wit::ComponentError::AlreadyInitialized,
            ComponentError::NotInitialized => wit::ComponentError::NotInitialized,
            ComponentError::ShutdownFailed(s) => wit::ComponentError::ShutdownFailed(s),
            ComponentError::InvalidState(s) => wit::ComponentError::InvalidState(s),
        }
    }
}

/// Anything a component's handler can fail with; every SDK error converts
/// into it, so handlers use `?` throughout.
///
/// Besides the SDK's own errors, `?` lifts the ones a handler commonly meets
/// while reading a payload or a stored value: [`std::str::Utf8Error`],
/// [`std::string::FromUtf8Error`], the `parse` errors of integers, floats
/// and `bool`, [`ParseIdError`](crate::ParseIdError), `serde_json::Error`
/// (feature `json`) and `anyhow::Error` (feature `anyhow`), so that any error
/// with `.context("…")?` works too. The raw bindings' error variants convert
/// as well, for code that mixes [`bindings`](crate::bindings) in.
///
/// ```
/// use airssys_guest::{Error, Message, storage};
///
/// fn limit(message: &Message) -> Result<u32, Error> {
///     // Utf8Error, then ParseIntError: both become `Error::Payload`.
///     Ok(message.text()?.trim().parse()?)
/// }
///
/// # let _host = airssys_guest::testing::TestHost::new();
/// # let sender = airssys_guest::ComponentId::new("acme", "client", "0");
/// let error = limit(&Message::new(sender, "ten")).unwrap_err();
/// assert_eq!(error.to_string(), "payload: not a number: invalid digit found in string");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A call into [`storage`](crate::storage) failed.
    Storage(StorageError),
    /// A call into [`messaging`](crate::messaging) failed.
    Messaging(MessagingError),
    /// A component-level failure; returned from `initialize` or `shutdown`,
    /// it reaches the host as this variant, unchanged.
    Component(ComponentError),
    /// A payload or stored value that does not decode as expected.
    Payload(String),
    /// Anything else, in the author's words: [`Error::msg`].
    Other(String),
    /// An `anyhow::Error`, kept whole (`downcast_ref` still works): its
    /// `Display` is the chain of contexts and causes, `outer: inner`, as the
    /// host is told it.
    #[cfg(feature = "anyhow")]
    Anyhow(anyhow::Error),
}

impl Error {
    /// An error with the author's own message.
    pub fn msg(message: impl fmt::Display) -> Self {
        Error::Other(message.to_string())
    }

    /// A payload that is not what the handler expects.
    pub fn payload(reason: impl fmt::Display) -> Self {
        Error::Payload(reason.to_string())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Storage(e) => e.fmt(f),
            Error::Messaging(e) => e.fmt(f),
            Error::Component(e) => e.fmt(f),
            Error::Payload(reason) => write!(f, "payload: {reason}"),
            Error::Other(message) => f.write_str(message),
            #[cfg(feature = "anyhow")]
            Error::Anyhow(error) => write_chain(f, error),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Storage(e) => Some(e),
            Error::Messaging(e) => Some(e),
            Error::Component(e) => Some(e),
            Error::Payload(_) | Error::Other(_) => None,
            // The causes are in the `Display` already; not repeated here.
            #[cfg(feature = "anyhow")]
            Error::Anyhow(_) => None,
        }
    }
}

impl From<StorageError> for Error {
    fn from(error: StorageError) -> Self {
        Error::Storage(error)
    }
}

impl From<MessagingError> for Error {
    fn from(error: MessagingError) -> Self {
        Error::Messaging(error)
    }
}

impl From<ComponentError> for Error {
    fn from(error: ComponentError) -> Self {
        Error::Component(error)
    }
}

#[cfg(feature = "json")]
impl From<serde_json::Error> for Error {
    fn from(error: serde_json::Error) -> Self {
        Error::Payload(format!("not the expected JSON: {error}"))
    }
}

impl From<std::str::Utf8Error> for Error {
    fn from(error: std::str::Utf8Error) -> Self {
        Error::Payload(format!("not UTF-8 text: {error}"))
    }
}

impl From<std::string::FromUtf8Error> for Error {
    fn from(error: std::string::FromUtf8Error) -> Self {
        Error::Payload(format!("not UTF-8 text: {}", error.utf8_error()))
    }
}

impl From<std::num::ParseIntError> for Error {
    fn from(error: std::num::ParseIntError) -> Self {
        Error::Payload(format!("not a number: {error}"))
    }
}

impl From<std::num::ParseFloatError> for Error {
    fn from(error: std::num::ParseFloatError) -> Self {
        Error::Payload(format!("not a number: {error}"))
    }
}

impl From<std::str::ParseBoolError> for Error {
    fn from(error: std::str::ParseBoolError) -> Self {
        Error::Payload(format!("not `true` or `false`: {error}"))
    }
}

impl From<crate::ParseIdError> for Error {
    fn from(error: crate::ParseIdError) -> Self {
        Error::Payload(error.to_string())
    }
}

impl From<wit::StorageError> for Error {
    fn from(error: wit::StorageError) -> Self {
        Error::Storage(error.into())
    }
}

impl From<wit::MessagingError> for Error {
    fn from(error: wit::MessagingError) -> Self {
        Error::Messaging(error.into())
    }
}

impl From<wit::ComponentError> for Error {
    fn from(error: wit::ComponentError) -> Self {
        Error::Component(error.into())
    }
}

#[cfg(feature = "anyhow")]
impl From<anyhow::Error> for Error {
    /// An SDK error that went through anyhow comes back as itself (a
    /// `ComponentError` from `initialize` still reaches the host unchanged);
    /// with a context added, or any other error, it is kept whole.
    fn from(error: anyhow::Error) -> Self {
        // `downcast` also finds an error under a context, and would drop the
        // context: only an `Error` at the top comes back as itself.
        let ours_at_the_top = error.chain().next().is_some_and(|top| top.is::<Error>());
        if !ours_at_the_top {
            return Error::Anyhow(error);
        }
        match error.downcast::<Error>() {
            Ok(error) => error,
            Err(error) => Error::Anyhow(error),
        }
    }
}

/// The chain of `error`, `outer: inner`, on one line: the host gets this
/// text alone. A cause that reads like the one before it is said once
/// (an SDK error's source reads like the error itself).
#[cfg(feature = "anyhow")]
fn write_chain(f: &mut fmt::Formatter<'_>, error: &anyhow::Error) -> fmt::Result {
    let mut previous: Option<String> = None;
    for cause in error.chain() {
        let text = cause.to_string();
        if previous.as_deref() == Some(text.as_str()) {
            continue;
        }
        if previous.is_some() {
            f.write_str(": ")?;
        }
        f.write_str(&text)?;
        previous = Some(text);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wit_variants_convert_and_read_as_sentences() {
        let error: StorageError = wit::StorageError::InvalidKey("the key is empty".into()).into();
        assert_eq!(error.to_string(), "storage: invalid key: the key is empty");
        let target = ComponentId::new("acme", "ledger", "0");
        let error: MessagingError = wit::MessagingError::TargetNotFound(target).into();
        assert_eq!(
            error.to_string(),
            "messaging: no component `acme/ledger/0` is loaded"
        );
    }

    #[test]
    fn question_mark_lifts_into_error_and_keeps_the_source() {
        fn fails() -> Result<(), Error> {
            Err(StorageError::QuotaExceeded)?
        }
        let error = fails().unwrap_err();
        assert!(matches!(error, Error::Storage(StorageError::QuotaExceeded)));
        let source = std::error::Error::source(&error).expect("a source");
        assert_eq!(source.to_string(), error.to_string());
    }

    #[test]
    fn common_errors_lift_with_question_mark_and_say_what_was_expected() {
        fn parse<T: std::str::FromStr>(bytes: &[u8]) -> Result<T, Error>
        where
            Error: From<T::Err>,
        {
            Ok(std::str::from_utf8(bytes)?.parse::<T>()?)
        }
        let said = |error: Error| (matches!(error, Error::Payload(_)), error.to_string());
        assert_eq!(
            said(parse::<u32>(b"ten").unwrap_err()),
            (
                true,
                "payload: not a number: invalid digit found in string".into()
            )
        );
        assert_eq!(
            said(parse::<f64>(b"x").unwrap_err()).1,
            "payload: not a number: invalid float literal"
        );
        assert!(
            said(parse::<bool>(b"yes").unwrap_err())
                .1
                .starts_with("payload: not `true` or `false`")
        );
        assert!(
            said(parse::<u32>(&[0xff]).unwrap_err())
                .1
                .starts_with("payload: not UTF-8 text")
        );
        let owned = || -> Result<String, Error> { Ok(String::from_utf8(vec![0xff])?) };
        assert!(
            said(owned().unwrap_err())
                .1
                .starts_with("payload: not UTF-8 text")
        );
        let id = || -> Result<ComponentId, Error> { Ok("acme/ledger".parse::<ComponentId>()?) };
        let (payload, text) = said(id().unwrap_err());
        assert!(
            payload && text.contains("namespace/name/instance"),
            "{text}"
        );
    }

    #[test]
    fn the_raw_bindings_errors_lift_into_their_variants() {
        let storage = || -> Result<(), Error> { Err(wit::StorageError::QuotaExceeded)? };
        assert!(matches!(
            storage(),
            Err(Error::Storage(StorageError::QuotaExceeded))
        ));
        let messaging = || -> Result<(), Error> { Err(wit::MessagingError::QueueFull)? };
        assert!(matches!(
            messaging(),
            Err(Error::Messaging(MessagingError::QueueFull))
        ));
        let component = || -> Result<(), Error> { Err(wit::ComponentError::NotInitialized)? };
        assert!(matches!(
            component(),
            Err(Error::Component(ComponentError::NotInitialized))
        ));
    }

    #[cfg(feature = "anyhow")]
    #[test]
    fn anyhow_errors_keep_their_contexts_and_sdk_errors_come_back_as_themselves() {
        use anyhow::Context;

        let read = || -> anyhow::Result<u32> {
            let text = std::str::from_utf8(b"ten")?;
            text.parse::<u32>().context("reading the limit")
        };
        let error = Error::from(read().unwrap_err());
        assert!(matches!(error, Error::Anyhow(_)));
        assert_eq!(
            error.to_string(),
            "reading the limit: invalid digit found in string"
        );

        let quota = || -> anyhow::Result<()> { Err(Error::from(StorageError::QuotaExceeded))? };
        let error = Error::from(quota().unwrap_err());
        assert!(
            matches!(error, Error::Storage(StorageError::QuotaExceeded)),
            "{error}"
        );

        let in_context = || -> anyhow::Result<()> {
            Err(Error::from(StorageError::QuotaExceeded)).context("saving the inbox")?
        };
        let error = Error::from(in_context().unwrap_err());
        assert_eq!(
            error.to_string(),
            "saving the inbox: storage: quota exceeded; delete keys or ask the host for a larger quota",
            "the context stays, and the storage error is said once"
        );
    }

    #[test]
    fn component_error_round_trips_through_wit() {
        let error = ComponentError::InvalidState("busy".into());
        let back = ComponentError::from(wit::ComponentError::from(error.clone()));
        assert_eq!(back, error);
    }
}
