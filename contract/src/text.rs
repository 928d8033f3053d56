//! Text a guest chose (names in its name section, import names, log
//! messages, trap messages that quote them), made safe to show on a terminal
//! or in a report.
//!
//! A guest can put any character into such text. An escape sequence in it
//! could clear a terminal, hide a line or colour a forged verdict; a carriage
//! return could overwrite the line it is on; a bidirectional override could
//! make it read differently from what it is. Every place that shows text a
//! guest or a host under test may have chosen passes it through
//! [`printable`] first. Line feeds stay, for multi-line messages such as a
//! trap's backtrace: a guest can still start a line of its own there, but it
//! cannot erase, recolour or reorder what is around it. Single-line fields
//! (log messages, ids) are quoted and escaped whole by their printers.

use std::borrow::Cow;
use std::fmt::Write;

/// `text` with every character that controls a terminal instead of being
/// shown written as `\u{…}`: control characters except line feed and tab,
/// and the Unicode bidirectional controls. Line breaks stay, so that
/// multi-line messages (a trap's backtrace) still read as lines.
///
/// It is idempotent: text that went through it once comes back unchanged,
/// so each place that shows text may apply it without knowing whether an
/// earlier one did.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(controls) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if controls(c) {
            let _ = write!(shown, "\\u{{{:x}}}", u32::from(c));
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

fn controls(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn terminal_controls_are_written_out_and_lines_stay() {
        assert_eq!(
            printable("a\u{1b}[2Jb\rc\u{7}\nd\te\u{202e}f\u{85}"),
            "a\\u{1b}[2Jb\\u{d}c\\u{7}\nd\te\\u{202e}f\\u{85}"
        );
    }

    #[test]
    fn plain_text_is_not_copied() {
        assert!(matches!(
            printable("wasm backtrace:\n  0: 0x2a - spin"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    proptest::proptest! {
        #[test]
        fn printable_text_has_no_controls_and_is_a_fixed_point(text in ".*") {
            let once = printable(&text).into_owned();
            proptest::prop_assert!(!once.chars().any(super::controls));
            proptest::prop_assert_eq!(printable(&once), once.as_str());
        }
    }
}
