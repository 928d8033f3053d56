//! The component's own key/value namespace (`airssys:core/storage`).
//!
//! ```no_run
//! use airssys_guest::storage;
//!
//! # fn main() -> Result<(), airssys_guest::Error> {
//! storage::set("greeting", "hello")?;
//! assert_eq!(storage::get("greeting")?.as_deref(), Some(&b"hello"[..]));
//! for key in storage::keys_with_prefix("greet")? {
//!     storage::delete(key)?;
//! }
//! // Numbers, text and `bool` as readable text; counters in one call.
//! storage::set_as("limit", &100u32)?;
//! let limit: u32 = storage::get_as("limit")?.unwrap_or(10);
//! let seen = storage::increment("seen", 1)?;
//! # Ok(())
//! # }
//! ```
//!
//! Keys starting with `airssys-guest/` are the SDK's: it keeps what
//! [`PendingRequest::remember`](crate::messaging::PendingRequest::remember)
//! is given there. They count towards the quota like any other key.

use crate::imports::storage as host;
use crate::{Error, StorageError};

/// Bytes used, quota and key count of the component's namespace (STO-7).
pub use crate::bindings::airssys::core::storage::StorageUsage as Usage;

impl Usage {
    /// How much of the quota is used, from 0.0 to 1.0; 1.0 for a zero quota.
    /// For [`Component::health`](crate::Component::health), e.g. degraded past 0.9.
    pub fn used_fraction(&self) -> f64 {
        if self.quota_bytes == 0 {
            return 1.0;
        }
        self.used_bytes as f64 / self.quota_bytes as f64
    }
}

/// The value under `key`, or `None` if there is none (STO-1, STO-2).
pub fn get(key: impl AsRef<str>) -> Result<Option<Vec<u8>>, StorageError> {
    Ok(host::get(key.as_ref())?)
}

/// Stores `value` under `key`, replacing any old value (STO-1, STO-3, STO-9).
pub fn set(key: impl AsRef<str>, value: impl AsRef<[u8]>) -> Result<(), StorageError> {
    Ok(host::set(key.as_ref(), value.as_ref())?)
}

/// Removes `key`; removing an absent key is not an error (STO-4).
pub fn delete(key: impl AsRef<str>) -> Result<(), StorageError> {
    Ok(host::delete(key.as_ref())?)
}

/// Whether `key` holds a value (STO-5).
pub fn exists(key: impl AsRef<str>) -> Result<bool, StorageError> {
    Ok(host::exists(key.as_ref())?)
}

/// Every key of the component, sorted by bytes (STO-6).
pub fn keys() -> Result<Vec<String>, StorageError> {
    Ok(host::list_keys(None)?)
}

/// The keys that start with `prefix`, sorted by bytes (STO-6).
pub fn keys_with_prefix(prefix: impl AsRef<str>) -> Result<Vec<String>, StorageError> {
    Ok(host::list_keys(Some(prefix.as_ref()))?)
}

/// How much of the quota the component uses (STO-7).
pub fn usage() -> Result<Usage, StorageError> {
    Ok(host::usage()?)
}

/// The JSON value under `key`, decoded as `T`.
#[cfg(feature = "json")]
pub fn get_json<T: serde::de::DeserializeOwned>(
    key: impl AsRef<str>,
) -> Result<Option<T>, crate::Error> {
    let key = key.as_ref();
    match get(key)? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            crate::Error::payload(format!(
                "the value under `{key}` is not the expected JSON: {e}"
            ))
        }),
    }
}

/// Stores `value` as JSON under `key`.
#[cfg(feature = "json")]
pub fn set_json<T: serde::Serialize + ?Sized>(
    key: impl AsRef<str>,
    value: &T,
) -> Result<(), crate::Error> {
    set(key, serde_json::to_vec(value)?)?;
    Ok(())
}

/// A value kept under a key as readable text or as bytes, for [`get_as`]
/// and [`set_as`]: numbers and `bool` as their text (`42`, `-1.5`, `true`),
/// `String` as UTF-8, `Vec<u8>` as it is. Other components' replies and a
/// person reading the storage see the same text.
pub trait Value: Sized {
    /// The bytes stored for the value.
    fn to_bytes(&self) -> Vec<u8>;

    /// The value the stored bytes hold; the error says what they are not,
    /// e.g. "not a u32".
    fn from_bytes(bytes: Vec<u8>) -> Result<Self, String>;
}

impl Value for Vec<u8> {
    fn to_bytes(&self) -> Vec<u8> {
        self.clone()
    }

    fn from_bytes(bytes: Vec<u8>) -> Result<Self, String> {
        Ok(bytes)
    }
}

impl Value for String {
    fn to_bytes(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }

    fn from_bytes(bytes: Vec<u8>) -> Result<Self, String> {
        String::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {}", e.utf8_error()))
    }
}

/// Numbers and `bool` as the text `Display` writes and `str::parse` reads.
macro_rules! value_as_text {
    ($($type:ty),+) => {$(
        impl Value for $type {
            fn to_bytes(&self) -> Vec<u8> {
                self.to_string().into_bytes()
            }

            fn from_bytes(bytes: Vec<u8>) -> Result<Self, String> {
                std::str::from_utf8(&bytes)
                    .ok()
                    .and_then(|text| text.parse().ok())
                    .ok_or_else(|| format!("not a {} as text", stringify!($type)))
            }
        }
    )+};
}

value_as_text!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64, bool
);

/// The value under `key` as a `T`, or `None` if there is none. Stored bytes
/// that are not a `T` are an [`Error::Payload`] naming the key.
///
/// ```
/// use airssys_guest::{Error, storage};
/// # let _host = airssys_guest::testing::TestHost::new();
///
/// storage::set("retries", "three")?;
/// match storage::get_as::<u8>("retries") {
///     Ok(retries) => println!("{retries:?}"),
///     // "payload: the value under `retries` is `three`, not a u8 as text"
///     Err(Error::Payload(reason)) => println!("fix the stored value: {reason}"),
///     Err(other) => return Err(other),
/// }
/// # Ok::<(), Error>(())
/// ```
pub fn get_as<T: Value>(key: impl AsRef<str>) -> Result<Option<T>, Error> {
    let key = key.as_ref();
    let Some(bytes) = get(key)? else {
        return Ok(None);
    };
    let shown = excerpt(&bytes);
    T::from_bytes(bytes)
        .map(Some)
        .map_err(|what| Error::payload(format!("the value under `{key}` is {shown}, {what}")))
}

/// Stores `value` under `key` as [`Value`] writes it.
pub fn set_as<T: Value>(key: impl AsRef<str>, value: &T) -> Result<(), StorageError> {
    set(key, value.to_bytes())
}

/// Adds `by` to the integer under `key` (none counts as 0), stores the sum
/// as text and returns it: the call `wasi:keyvalue/atomics.increment` makes
/// atomic in the host.
///
/// Here it is a read and a write, atomic only on a host that runs one call
/// of a component id at a time and gives each id its own storage, as the
/// reference host does (STO-10): then nothing else reads or writes this
/// storage in between. On a host that runs one id's calls concurrently, two
/// increments may both read the same count. When the write fails (the quota, STO-9), the
/// old value stays. A value that is not an integer, or a sum that does not
/// fit an `i64`, is an error and changes nothing.
///
/// ```
/// use airssys_guest::storage;
/// # let _host = airssys_guest::testing::TestHost::new();
///
/// assert_eq!(storage::increment("visits", 1)?, 1);
/// assert_eq!(storage::increment("visits", 41)?, 42);
/// assert_eq!(storage::get("visits")?.as_deref(), Some(&b"42"[..]));
/// # Ok::<(), airssys_guest::Error>(())
/// ```
pub fn increment(key: impl AsRef<str>, by: i64) -> Result<i64, Error> {
    let key = key.as_ref();
    let old = get_as::<i64>(key)?.unwrap_or(0);
    let new = old.checked_add(by).ok_or_else(|| {
        Error::msg(format!(
            "storage: `{key}` holds {old}; adding {by} does not fit an i64, so it is unchanged"
        ))
    })?;
    set_as(key, &new)?;
    Ok(new)
}

/// Stored bytes, quoted for an error message: at most 64 bytes of them,
/// escaped, as the start of a value may be anything.
fn excerpt(bytes: &[u8]) -> String {
    const SHOWN: usize = 64;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(SHOWN)]);
    let more = if bytes.len() > SHOWN { "…" } else { "" };
    format!("`{}{more}`", text.escape_debug())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::testing::TestHost;

    #[test]
    fn values_that_are_not_the_type_name_the_key_and_what_is_there() {
        let _host = TestHost::new();
        set("retries", "three").unwrap();
        let error = get_as::<u8>("retries").unwrap_err();
        assert_eq!(
            error.to_string(),
            "payload: the value under `retries` is `three`, not a u8 as text"
        );
        set("bytes", [0xff, b'\n']).unwrap();
        let error = get_as::<String>("bytes").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("is `\u{fffd}\\n`, not UTF-8 text"),
            "{error}"
        );
        assert_eq!(get_as::<u8>("absent").unwrap(), None);
    }

    #[test]
    fn increment_refuses_what_is_not_an_integer_and_an_overflow_and_changes_nothing() {
        let _host = TestHost::new();
        set("name", "ada").unwrap();
        assert!(matches!(increment("name", 1), Err(Error::Payload(_))));
        set_as("big", &i64::MAX).unwrap();
        let error = increment("big", 1).unwrap_err();
        assert!(error.to_string().contains("does not fit an i64"), "{error}");
        assert_eq!(get_as::<i64>("big").unwrap(), Some(i64::MAX));
        assert_eq!(get("name").unwrap().as_deref(), Some(&b"ada"[..]));
    }

    #[test]
    fn increment_past_the_quota_keeps_the_old_value() {
        let host = TestHost::new();
        increment("n", 9).unwrap();
        host.set_quota(2);
        let error = increment("n", 1).unwrap_err();
        assert!(
            matches!(error, Error::Storage(StorageError::QuotaExceeded)),
            "{error}"
        );
        assert_eq!(get_as::<i64>("n").unwrap(), Some(9));
    }

    #[test]
    fn used_fraction_is_used_over_quota() {
        let usage = |used_bytes, quota_bytes| Usage {
            used_bytes,
            quota_bytes,
            key_count: 1,
        };
        assert_eq!(usage(5, 10).used_fraction(), 0.5);
        assert_eq!(usage(0, 0).used_fraction(), 1.0);
    }

    proptest! {
        /// However increments to several keys interleave, each key ends at
        /// the sum of what was added to it, and each step returns the sum so far.
        #[test]
        fn increment_never_loses_a_count(steps in proptest::collection::vec((0..3usize, -1000..1000i64), 0..64)) {
            let _host = TestHost::new();
            let mut expected: BTreeMap<String, i64> = BTreeMap::new();
            for (key, by) in steps {
                let key = format!("counter/{key}");
                let sum = expected.entry(key.clone()).or_default();
                *sum += by;
                prop_assert_eq!(increment(&key, by).unwrap(), *sum);
            }
            for (key, sum) in expected {
                prop_assert_eq!(get_as::<i64>(&key).unwrap(), Some(sum));
            }
        }

        #[test]
        fn typed_values_round_trip(a in any::<u64>(), b in any::<i32>(), c in any::<bool>(), d in ".*", e in any::<f64>().prop_filter("NaN is not equal to itself", |f| !f.is_nan())) {
            let _host = TestHost::new();
            set_as("a", &a).unwrap();
            set_as("b", &b).unwrap();
            set_as("c", &c).unwrap();
            set_as("d", &d.clone()).unwrap();
            set_as("e", &e).unwrap();
            prop_assert_eq!(get_as::<u64>("a").unwrap(), Some(a));
            prop_assert_eq!(get_as::<i32>("b").unwrap(), Some(b));
            prop_assert_eq!(get_as::<bool>("c").unwrap(), Some(c));
            prop_assert_eq!(get_as::<String>("d").unwrap(), Some(d));
            prop_assert_eq!(get_as::<f64>("e").unwrap(), Some(e));
        }
    }
}
