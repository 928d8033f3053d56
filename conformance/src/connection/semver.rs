//! Which versions of an interface name wasmtime's linker takes for one
//! another, on interface names (`airssys:core/storage@1.0.0`): the track
//! rules of `airssys_component_types::tracks` (shared with the guest side),
//! and the versions near a name where an adapter looks for the one a host
//! registered. A test holds the rules to a real linker.
//!
//! wasmtime resolves an import by its exact name first, then by its track:
//! `x@1.0.0` and `x@1.4.2` are on track `x@1` (every `1.x`), `x@0.2.0` and
//! `x@0.2.7` on track `x@0.2`, in either direction. A pre-release
//! (`1.0.0-rc.1`), a `0.0.x` version and an unversioned name match only
//! themselves.

use airssys_component_types::tracks::{self, Link, NoTrack};

/// `name` split at its `@`: the unversioned name and the version's text.
pub(crate) fn split(name: &str) -> Option<(&str, &str)> {
    name.split_once('@')
}

/// The version of the interface name `name`, empty when it has none.
pub(crate) fn version_of(name: &str) -> &str {
    split(name).map_or("", |(_, version)| version)
}

/// The track of the interface name `name` (`1`, `0.2`), or why it has none.
pub(crate) fn track_of(name: &str) -> Result<String, NoTrack> {
    tracks::track(version_of(name))
}

/// A track in words: `1.x`, `0.2.x`.
pub(crate) fn track_words(track: &str) -> String {
    format!("{track}.x")
}

/// Whether wasmtime's linker links an import of `import` to a registration
/// of `registered` (both interface names): the same name, or the same
/// unversioned name on the same track.
pub(crate) fn links(import: &str, registered: &str) -> bool {
    let unversioned = |name| split(name).map_or(name, |(unversioned, _)| unversioned);
    import == registered
        || (unversioned(import) == unversioned(registered)
            && matches!(
                tracks::link(version_of(import), version_of(registered)),
                Link::Exact | Link::SameTrack(_)
            ))
}

/// How far [`neighbours`] looks on a track: minor and patch numbers up to
/// this one (`MAJOR.0.0` to `MAJOR.31.31`, `0.MINOR.0` to `0.MINOR.31`).
/// Each candidate is one lookup on a linker, no compilation; the bound keeps
/// the search finite, and a registration past it is still found by semver,
/// only not named.
pub(crate) const NEIGHBOURS_UP_TO: u64 = 31;

/// Other names on `name`'s track near it, latest first, where an adapter
/// looks for the one a host registered: every `MAJOR.0.0` to
/// `MAJOR.31.31` (`0.MINOR.0` to `0.MINOR.31`), see [`NEIGHBOURS_UP_TO`].
/// Latest first, because wasmtime links an import to the latest version of
/// its track that is registered.
pub(crate) fn neighbours(name: &str) -> Vec<String> {
    let (Some((unversioned, _)), Ok(track)) = (split(name), track_of(name)) else {
        return Vec::new();
    };
    let numbers = || (0..=NEIGHBOURS_UP_TO).rev();
    let versions: Vec<String> = match track.strip_prefix("0.") {
        Some(minor) => numbers()
            .map(|patch| format!("0.{minor}.{patch}"))
            .collect(),
        None => numbers()
            .flat_map(|minor| {
                let track = &track;
                numbers().map(move |patch| format!("{track}.{minor}.{patch}"))
            })
            .collect(),
    };
    versions
        .into_iter()
        .map(|version| format!("{unversioned}@{version}"))
        .filter(|candidate| candidate != name)
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use wasmtime::component::{Component, Linker};

    use super::*;

    #[test]
    fn tracks_and_neighbours_of_interface_names() {
        assert_eq!(track_of("a:b/c@1.4.0"), Ok("1".into()));
        assert_eq!(track_of("a:b/c@0.2.1"), Ok("0.2".into()));
        assert_eq!(track_of("a:b/c@0.0.1"), Err(NoTrack::ZeroZero));
        assert_eq!(track_of("a:b/c@1.0.0-rc.1"), Err(NoTrack::PreRelease));
        assert_eq!(track_of("a:b/c"), Err(NoTrack::Unversioned));
        assert_eq!(track_words("0.2"), "0.2.x");
        let near = neighbours("a:b/c@1.0.0");
        assert_eq!(near.first().map(String::as_str), Some("a:b/c@1.31.31"));
        for on_track in ["a:b/c@1.1.0", "a:b/c@1.12.0", "a:b/c@1.10.17"] {
            assert!(near.contains(&on_track.to_owned()), "{on_track}");
        }
        assert!(!near.contains(&"a:b/c@1.0.0".to_owned()));
        assert!(!near.contains(&"a:b/c@1.32.0".to_owned()));
        assert_eq!(near.len(), 32 * 32 - 1);
        assert_eq!(
            neighbours("a:b/c@0.2.3").first().map(String::as_str),
            Some("a:b/c@0.2.31")
        );
        assert_eq!(neighbours("a:b/c@0.2.3").len(), 31);
        assert!(neighbours("a:b/c@1.0.0-rc.1").is_empty());
        assert!(neighbours("a:b/c").is_empty());
    }

    /// Whether a real wasmtime linker with `get` registered under
    /// `registered` instantiates a component importing it from `import`.
    fn wasmtime_links(import: &str, registered: &str) -> bool {
        let engine = wasmtime::Engine::default();
        let mut linker = Linker::<()>::new(&engine);
        linker
            .instance(registered)
            .unwrap()
            .func_wrap("get", |_, (): ()| Ok(()))
            .unwrap();
        let wat = format!(r#"(component (import "{import}" (instance (export "get" (func)))))"#);
        let component = Component::new(&engine, wat).unwrap();
        linker.instantiate_pre(&component).is_ok()
    }

    fn interface_version() -> impl Strategy<Value = String> {
        let number = prop_oneof![Just(0u64), Just(1), Just(2), 3..12u64];
        let pre = prop_oneof![3 => Just(String::new()), 1 => Just("-rc.1".to_owned())];
        (number.clone(), number.clone(), number, pre)
            .prop_map(|(major, minor, patch, pre)| format!("{major}.{minor}.{patch}{pre}"))
    }

    fn interface_name() -> impl Strategy<Value = String> {
        prop_oneof![
            1 => Just("a:b/c".to_owned()),
            6 => interface_version().prop_map(|v| format!("a:b/c@{v}")),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// The rules say what wasmtime 48's linker does, pair by pair.
        #[test]
        fn the_rules_agree_with_wasmtimes_linker(
            import in interface_name(),
            registered in interface_name(),
        ) {
            prop_assert_eq!(links(&import, &registered), wasmtime_links(&import, &registered));
        }
    }

    #[test]
    fn the_rules_agree_with_wasmtime_on_the_cases_in_words() {
        for (import, registered, linked) in [
            ("a:b/c@1.0.0", "a:b/c@1.0.1", true),
            ("a:b/c@1.0.0", "a:b/c@1.1.0", true),
            ("a:b/c@1.1.0", "a:b/c@1.0.0", true),
            ("a:b/c@1.0.0", "a:b/c@2.0.0", false),
            ("a:b/c@1.0.0", "a:b/c", false),
            ("a:b/c@1.0.0", "a:b/c@1.0.0-rc.1", false),
            ("a:b/c@0.2.0", "a:b/c@0.2.5", true),
            ("a:b/c@0.2.0", "a:b/c@0.3.0", false),
            ("a:b/c@0.0.1", "a:b/c@0.0.2", false),
        ] {
            assert_eq!(
                links(import, registered),
                linked,
                "{import} to {registered}"
            );
            assert_eq!(
                wasmtime_links(import, registered),
                linked,
                "{import} to {registered}"
            );
        }
    }
}
