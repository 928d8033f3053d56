//! Values in failure messages as the WIT writes them: `some(x)`, `none`,
//! `list<u8>` bytes, records as `namespace/name/instance`, never Rust's
//! `Some(…)`, `None` or a struct's Debug. [`expect_eq!`] is `assert_eq!`
//! worded for a host implementer in any language.

use std::cmp::Ordering;

use airssys_probe_protocol::{Received, Returned, Through, WitError, wit_bytes};

use crate::wire::ComponentId;

/// A value as a failure message shows it, in WIT terms.
pub(crate) trait Wit {
    fn wit(&self) -> String;
}

/// `assert_eq!(got, expected, what…)` in WIT words: "what: expected E, got G".
macro_rules! expect_eq {
    // A `match`, as `assert_eq!` has, so that temporaries live to the end.
    ($got:expr, $expected:expr, $($what:tt)+) => {
        match (&$got, &$expected) {
            (got, expected) => {
                if got != expected {
                    panic!(
                        "{}: expected {}, got {}",
                        format_args!($($what)+),
                        $crate::host_suite::clauses::wit_text::Wit::wit(expected),
                        $crate::host_suite::clauses::wit_text::Wit::wit(got)
                    );
                }
            }
        }
    };
}
pub(crate) use expect_eq;

impl<T: Wit + ?Sized> Wit for &T {
    fn wit(&self) -> String {
        (**self).wit()
    }
}

macro_rules! shown_as_written {
    ($($t:ty),*) => {$(
        impl Wit for $t {
            fn wit(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
shown_as_written!(
    bool,
    u8,
    u32,
    u64,
    usize,
    i64,
    ComponentId,
    Returned,
    WitError
);

impl Wit for char {
    fn wit(&self) -> String {
        format!("{self:?}")
    }
}

impl Wit for str {
    fn wit(&self) -> String {
        format!("{self:?}")
    }
}

impl Wit for String {
    fn wit(&self) -> String {
        self.as_str().wit()
    }
}

impl<T: Wit> Wit for Option<T> {
    fn wit(&self) -> String {
        match self {
            Some(value) => format!("some({})", value.wit()),
            None => "none".into(),
        }
    }
}

impl<T: Wit> Wit for [T] {
    fn wit(&self) -> String {
        let items: Vec<String> = self.iter().map(Wit::wit).collect();
        format!("[{}]", items.join(", "))
    }
}

impl<T: Wit, const N: usize> Wit for [T; N] {
    fn wit(&self) -> String {
        self.as_slice().wit()
    }
}

/// How a number compares with another, as a change reads.
impl Wit for Ordering {
    fn wit(&self) -> String {
        match self {
            Ordering::Less => "lower",
            Ordering::Equal => "unchanged",
            Ordering::Greater => "higher",
        }
        .into()
    }
}

/// The export a message came through.
impl Wit for Through {
    fn wit(&self) -> String {
        match self {
            Through::HandleMessage => "handle-message",
            Through::HandleCallback => "handle-callback",
        }
        .into()
    }
}

/// A message as the probe received it: the `component-message` record.
impl Wit for Received {
    fn wit(&self) -> String {
        format!(
            "{{through {}, sender: {}, payload: {}, correlation-id: {}, reply-to: {}, \
             content-type: {}}}",
            self.through.wit(),
            self.sender,
            wit_bytes(&self.payload),
            self.correlation_id.wit(),
            self.reply_to.wit(),
            self.content_type.wit()
        )
    }
}

impl<T: Wit> Wit for Vec<T> {
    fn wit(&self) -> String {
        self.as_slice().wit()
    }
}

/// A `list<u8>` (a payload, a value), shown as the WIT writes bytes:
/// `list<u8> of 3 bytes: "bob"`, cut when long.
#[derive(PartialEq, Eq)]
pub(crate) struct Bytes<'a>(pub &'a [u8]);

impl Wit for Bytes<'_> {
    fn wit(&self) -> String {
        wit_bytes(self.0)
    }
}

impl<A: Wit, B: Wit> Wit for (A, B) {
    fn wit(&self) -> String {
        format!("({}, {})", self.0.wit(), self.1.wit())
    }
}

impl<A: Wit, B: Wit, C: Wit> Wit for (A, B, C) {
    fn wit(&self) -> String {
        format!("({}, {}, {})", self.0.wit(), self.1.wit(), self.2.wit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_wit() {
        assert_eq!(Some(3u64).wit(), "some(3)");
        assert_eq!(None::<u64>.wit(), "none");
        assert_eq!(vec![("a".to_string(), 1u64)].wit(), "[(\"a\", 1)]");
        let id = ComponentId::new("n", "a", "1");
        assert_eq!(id.wit(), id.to_string());
        assert!(!id.wit().contains("namespace:"));
    }

    #[test]
    #[should_panic(expected = "key-count: expected 2, got 1")]
    fn expect_eq_says_what_was_expected_and_got() {
        expect_eq!(1u64, 2u64, "key-count");
    }
}
