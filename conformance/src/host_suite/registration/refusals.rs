//! Reading a host's refusal: what it says was at the place a probe asked
//! about ([`Found`]), and whether a refused call says an answer had another
//! type ([`mistyped_answer`]). Hosts word this differently; the phrases are
//! those of wasmtime's linker across majors, and the imports a refusal
//! names (adapter protocol 1.1, 1.2) come first.

use airssys_conformance_adapter::{CheckRefusal, Unsatisfied};

use super::Location;
use crate::text::gist;

/// What a host's refusal says was at the probed place. Hosts word this
/// differently; the phrases are those of wasmtime's linker across majors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    Nothing,
    OtherType,
    Unknown,
}

impl Found {
    /// What `refusal` says was at `at`: as its `unsatisfied` lists name the
    /// import, or else as its words read. Lists that name other imports only
    /// say nothing of this one (the words are about those too).
    pub(crate) fn of(refusal: &CheckRefusal, at: &Location) -> Found {
        let import = Unsatisfied::full_name(at.instance.as_deref(), &at.name);
        let names = |list: &[String]| list.contains(&import);
        if names(&refusal.unsatisfied.missing) {
            Found::Nothing
        } else if names(&refusal.unsatisfied.other_type) {
            Found::OtherType
        } else if refusal.unsatisfied.is_empty() {
            Found::in_refusal(&refusal.reason)
        } else {
            Found::Unknown
        }
    }

    /// What a host's words say, as wasmtime's linker words them.
    pub(crate) fn in_refusal(text: &str) -> Found {
        const NOTHING: &[&str] = &[
            "implementation is missing",
            "found nothing",
            "not defined",
            "unknown import",
        ];
        const OTHER: &[&str] = &["mismatch", "expected func", "expected function"];
        let text = text.to_ascii_lowercase();
        if NOTHING.iter().any(|phrase| text.contains(phrase)) {
            Found::Nothing
        } else if OTHER.iter().any(|phrase| text.contains(phrase)) {
            Found::OtherType
        } else {
            Found::Unknown
        }
    }
}

/// Whether a refused call says that the answer of the import at `at` was
/// of another type than the component imports it with, and in which words:
/// as the refusal's `unsatisfied.other_type` names it (adapter protocol 1.2),
/// or else as wasmtime's words for a `func_new` answer it cannot lower.
/// The probe making the call calls no import but `at` (it imports its whole
/// interface), and the suite's samples first make a call that calls none
/// on the same probe, so the words are about `at`'s answer.
pub(crate) fn mistyped_answer(refusal: &CheckRefusal, at: &Location) -> Option<String> {
    let import = Unsatisfied::full_name(at.instance.as_deref(), &at.name);
    if refusal.unsatisfied.other_type.contains(&import) {
        return Some(format!("the host says: {}", gist(&refusal.reason)));
    }
    if !refusal.unsatisfied.is_empty() {
        return None;
    }
    /// wasmtime's words (`component::Val::lower`) for a dynamic answer
    /// that does not fit the import's type.
    const PHRASES: &[&str] = &[
        "type mismatch: expected ",
        "payload provided to `",
        "payload expected to `",
        "did not expect a payload for case `",
        "expected a payload for case `",
        "unknown variant case: `",
        "enum variant name `",
        "unknown flag: `",
        "expected field `",
    ];
    // Records and tuples of another size: "expected 3 fields, got 2".
    let counted = |line: &str| {
        line.match_indices("expected ")
            .map(|(at, _)| at)
            .find(|&at| {
                let rest =
                    line[at + "expected ".len()..].trim_start_matches(|c: char| c.is_ascii_digit());
                rest.starts_with(" fields, got ") || rest.starts_with(" types, got ")
            })
    };
    let line = refusal.reason.lines().find_map(|line| {
        let at = PHRASES
            .iter()
            .filter_map(|p| line.find(p))
            .chain(counted(line))
            .min()?;
        Some(&line[at..])
    })?;
    // "type mismatch: expected list, found string": the runtime's
    // names of the two kinds of value.
    if let Some((expected, found)) = line
        .strip_prefix("type mismatch: expected ")
        .and_then(|rest| rest.split_once(", found "))
    {
        return Some(format!(
            "where that type has a `{expected}`, the answer has a `{}` (the runtime's words: \
             {line})",
            found.trim()
        ));
    }
    Some(format!("the runtime's words: {line}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wasmtime_refusals_are_read_across_majors() {
        // wasmtime 48
        let missing = "component imports instance `airssys:core/storage@1.0.0`, but a matching \
                       implementation was not found in the linker: instance export `get` has \
                       the wrong type: function implementation is missing";
        let mismatch = "component imports instance `airssys:core/storage@1.0.0`, but a matching \
                        implementation was not found in the linker: instance export \
                        `list-keys` has the wrong type: type mismatch with parameters";
        assert_eq!(Found::in_refusal(missing), Found::Nothing);
        assert_eq!(Found::in_refusal(mismatch), Found::OtherType);
        assert_eq!(Found::in_refusal("out of memory"), Found::Unknown);
    }

    /// wasmtime's words for each kind of `func_new` answer it cannot lower
    /// read as a mistyped answer; other traps, and names of another
    /// import, do not.
    #[test]
    fn answers_of_another_type_are_read_from_names_or_wasmtime_words() {
        let get = Location {
            instance: Some("airssys:core/storage@1.0.0".into()),
            name: "get".into(),
        };
        let trapped = |cause: &str| -> CheckRefusal {
            format!(
                "component `n/a/1` trapped in handle-message: {cause}\nerror while executing at \
                 wasm backtrace:\n    0: 0x1a - probe.wasm!f"
            )
            .into()
        };
        for cause in [
            "type mismatch: expected list, found string",
            "expected field `used-bytes`, got `used`",
            "expected 3 fields, got 2",
            "payload provided to `ok` but not expected",
            "unknown variant case: `gone`",
        ] {
            let words = mistyped_answer(&trapped(cause), &get);
            assert!(
                words.as_deref().is_some_and(|w| w.contains(cause)),
                "{cause}: {words:?}"
            );
        }
        let typed = mistyped_answer(&trapped("type mismatch: expected list, found string"), &get);
        assert!(typed.unwrap().contains("the answer has a `string`"));
        assert_eq!(
            mistyped_answer(&trapped("unreachable executed"), &get),
            None
        );
        let named =
            |other_type: &str| CheckRefusal::msg("answered a string").with_other_type(other_type);
        assert!(mistyped_answer(&named("airssys:core/storage@1.0.0#get"), &get).is_some());
        // Another import's name says nothing of this one, whatever the words.
        let mut elsewhere = named("airssys:core/storage@1.0.0#set");
        elsewhere.reason = "type mismatch: expected list, found string".into();
        assert_eq!(mistyped_answer(&elsewhere, &get), None);
    }
}
