//! Which versions of an interface name wasmtime's linker takes for one
//! another: the rules of its semver matching, written out so that the
//! suite can say how a name was found and what a runtime without semver
//! matching would do. A test holds them to a real linker.
//!
//! wasmtime resolves an import by its exact name first, then by its track:
//! `x@1.0.0` and `x@1.4.2` are on track `x@1` (every `1.x`), `x@0.2.0` and
//! `x@0.2.7` on track `x@0.2`, in either direction. A pre-release
//! (`1.0.0-rc.1`), a `0.0.x` version and an unversioned name match only
//! themselves.

/// A version as interface names carry it: `MAJOR.MINOR.PATCH`, optionally
/// `-pre-release` and `+build`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    /// Whether it has a pre-release part (`-rc.1`).
    pub pre_release: bool,
}

impl Version {
    /// The version in `text`, if it is one (no leading zeros, as semver says).
    pub fn parse(text: &str) -> Option<Version> {
        let text = text
            .split_once('+')
            .map_or(text, |(version, _build)| version);
        let (core, pre) = match text.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (text, None),
        };
        if pre.is_some_and(|pre| pre.is_empty() || pre.split('.').any(str::is_empty)) {
            return None;
        }
        let mut numbers = core.split('.').map(|part| {
            let canonical = !part.is_empty()
                && part.bytes().all(|b| b.is_ascii_digit())
                && (part == "0" || !part.starts_with('0'));
            canonical.then(|| part.parse::<u64>().ok()).flatten()
        });
        let version = Version {
            major: numbers.next()??,
            minor: numbers.next()??,
            patch: numbers.next()??,
            pre_release: pre.is_some(),
        };
        numbers.next().is_none().then_some(version)
    }

    /// The versions wasmtime links to this one, besides itself: `None` for a
    /// pre-release or a `0.0.x` version, which match only themselves.
    pub fn track(self) -> Option<Track> {
        match self {
            Version {
                pre_release: true, ..
            } => None,
            Version {
                major: 0, minor: 0, ..
            } => None,
            Version {
                major: 0, minor, ..
            } => Some(Track::Minor(minor)),
            Version { major, .. } => Some(Track::Major(major)),
        }
    }
}

/// A set of versions wasmtime takes for one another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Track {
    /// Every `MAJOR.x.y` (major above 0).
    Major(u64),
    /// Every `0.MINOR.x` (minor above 0).
    Minor(u64),
}

impl Track {
    /// How the track is written in words: `1.x`, `0.2.x`.
    pub fn words(self) -> String {
        match self {
            Track::Major(major) => format!("{major}.x"),
            Track::Minor(minor) => format!("0.{minor}.x"),
        }
    }
}

/// `name` split at its `@`: the unversioned name and the version's text.
pub(crate) fn split(name: &str) -> Option<(&str, &str)> {
    name.split_once('@')
}

/// The track of the interface name `name` (`airssys:core/storage@1.0.0`):
/// `None` when it has no version, or one that matches only itself.
pub(crate) fn track_of(name: &str) -> Option<Track> {
    let (_, version) = split(name)?;
    Version::parse(version)?.track()
}

/// Whether wasmtime's linker links an import of `import` to a registration
/// of `registered` (both interface names): the same name, or the same
/// unversioned name on the same track.
pub(crate) fn links(import: &str, registered: &str) -> bool {
    if import == registered {
        return true;
    }
    match (split(import), split(registered)) {
        (Some((a, _)), Some((b, _))) if a == b => {
            track_of(import).is_some() && track_of(import) == track_of(registered)
        }
        _ => false,
    }
}

/// Other names on `name`'s track near it, latest first, where an adapter
/// looks for the one a host registered: every `MAJOR.0.0` to `MAJOR.9.9`
/// (`0.MINOR.0` to `0.MINOR.9`). Latest first, because wasmtime links an
/// import to the latest version of its track that is registered.
pub(crate) fn neighbours(name: &str) -> Vec<String> {
    let Some((unversioned, version)) = split(name) else {
        return Vec::new();
    };
    let own = Version::parse(version);
    let versions: Vec<(u64, u64, u64)> = match own.and_then(Version::track) {
        None => Vec::new(),
        Some(Track::Major(major)) => (0..=9u64)
            .rev()
            .flat_map(|minor| (0..=9u64).rev().map(move |patch| (major, minor, patch)))
            .collect(),
        Some(Track::Minor(minor)) => (0..=9u64).rev().map(|patch| (0, minor, patch)).collect(),
    };
    versions
        .into_iter()
        .map(|(major, minor, patch)| format!("{unversioned}@{major}.{minor}.{patch}"))
        .filter(|candidate| candidate != name)
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use wasmtime::component::{Component, Linker};

    use super::*;

    #[test]
    fn versions_read_as_semver_writes_them() {
        let v = |text| Version::parse(text);
        assert_eq!(
            v("1.2.3").map(|v| (v.major, v.minor, v.patch)),
            Some((1, 2, 3))
        );
        assert!(v("1.0.0-rc.1").is_some_and(|v| v.pre_release));
        assert!(v("1.0.0+build.5").is_some_and(|v| !v.pre_release));
        for bad in ["1.0", "1.0.0.0", "01.0.0", "1.0.0-", "1..0", "x.0.0", ""] {
            assert_eq!(v(bad), None, "{bad}");
        }
        assert_eq!(track_of("a:b/c@1.4.0"), Some(Track::Major(1)));
        assert_eq!(track_of("a:b/c@0.2.1"), Some(Track::Minor(2)));
        assert_eq!(track_of("a:b/c@0.0.1"), None);
        assert_eq!(track_of("a:b/c@1.0.0-rc.1"), None);
        assert_eq!(track_of("a:b/c"), None);
        let near = neighbours("a:b/c@1.0.0");
        assert_eq!(near.first().map(String::as_str), Some("a:b/c@1.9.9"));
        assert!(near.contains(&"a:b/c@1.1.0".to_owned()));
        assert!(!near.contains(&"a:b/c@1.0.0".to_owned()));
        assert_eq!(near.len(), 99);
        assert!(neighbours("a:b/c@1.0.0-rc.1").is_empty());
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
