//! Which versions of an interface a host links an import to, as wasmtime's
//! `Linker` decides it: the exact name first, then any version on the same
//! semver track. A track is the major version (`1` for `1.4.2`), or the
//! minor for 0.x (`0.2` for `0.2.6`); pre-releases, `0.0.x` versions,
//! unversioned names and versions that are not semver are on no track and
//! match only themselves (wasmtime-environ's `alternate_lookup_key`).

use semver::Version;

/// Why a version is on no semver track, so that it matches only itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoTrack {
    /// The name carries no `@version`.
    Unversioned,
    /// The version does not parse as semver.
    NotSemver,
    /// A pre-release, e.g. `1.1.0-rc.1`.
    PreRelease,
    /// `0.0.x`: no number before the patch that a release keeps.
    ZeroZero,
}

impl std::fmt::Display for NoTrack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NoTrack::Unversioned => "an unversioned name matches only itself",
            NoTrack::NotSemver => "a version that is not semver matches only itself",
            NoTrack::PreRelease => "a pre-release matches only itself",
            NoTrack::ZeroZero => "a 0.0.x version matches only itself",
        })
    }
}

/// The semver track of `version` (empty: unversioned): `1` for `1.4.2`,
/// `0.2` for `0.2.6`, or why it has none.
pub fn track(version: &str) -> Result<String, NoTrack> {
    if version.is_empty() {
        return Err(NoTrack::Unversioned);
    }
    let parsed = Version::parse(version).map_err(|_| NoTrack::NotSemver)?;
    if !parsed.pre.is_empty() {
        Err(NoTrack::PreRelease)
    } else if parsed.major != 0 {
        Ok(parsed.major.to_string())
    } else if parsed.minor != 0 {
        Ok(format!("0.{}", parsed.minor))
    } else {
        Err(NoTrack::ZeroZero)
    }
}

/// How a host that registers an interface at `served` links an import of
/// it at `imported`, if it does.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Link {
    /// The same name, version and all.
    Exact,
    /// Another version on the same track: wasmtime links it, a runtime
    /// that matches names exactly (jco without a version map) does not.
    SameTrack(String),
    /// Not at all: the tracks differ, or one of the versions has none.
    None(Unlinked),
}

/// Why an import is not linked to a host's version.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unlinked {
    /// The import's version is on no track, and not the host's.
    Imported(NoTrack),
    /// The host's version is on no track, and not the import's.
    Served(NoTrack),
    /// Both are on tracks, not the same: (imported, served).
    OtherTrack(String, String),
}

/// How wasmtime links an import at `imported` to a registration at `served`.
pub fn link(imported: &str, served: &str) -> Link {
    if imported == served {
        return Link::Exact;
    }
    match (track(imported), track(served)) {
        (Err(why), _) => Link::None(Unlinked::Imported(why)),
        (_, Err(why)) => Link::None(Unlinked::Served(why)),
        (Ok(a), Ok(b)) if a == b => Link::SameTrack(a),
        (Ok(a), Ok(b)) => Link::None(Unlinked::OtherTrack(a, b)),
    }
}

/// Whether the semver version `earlier` comes before `later`; `None` when
/// either is not semver.
pub fn precedes(earlier: &str, later: &str) -> Option<bool> {
    Some(Version::parse(earlier).ok()? < Version::parse(later).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn tracks_are_the_major_or_the_minor_of_0_x() {
        assert_eq!(track("1.0.0"), Ok("1".into()));
        assert_eq!(track("1.1.0"), Ok("1".into()));
        assert_eq!(track("2.3.4+build.5"), Ok("2".into()));
        assert_eq!(track("0.2.6"), Ok("0.2".into()));
        assert_eq!(track("0.0.1"), Err(NoTrack::ZeroZero));
        assert_eq!(track("1.1.0-rc.1"), Err(NoTrack::PreRelease));
        assert_eq!(track(""), Err(NoTrack::Unversioned));
        assert_eq!(track("1.0"), Err(NoTrack::NotSemver));
        assert_eq!(track("01.0.0"), Err(NoTrack::NotSemver));
    }

    #[test]
    fn links_say_how() {
        assert_eq!(link("1.0.0", "1.0.0"), Link::Exact);
        assert_eq!(link("1.1.0", "1.0.0"), Link::SameTrack("1".into()));
        assert_eq!(link("1.0.0", "1.1.0"), Link::SameTrack("1".into()));
        assert_eq!(
            link("2.0.0", "1.0.0"),
            Link::None(Unlinked::OtherTrack("2".into(), "1".into()))
        );
        assert_eq!(
            link("", "1.0.0"),
            Link::None(Unlinked::Imported(NoTrack::Unversioned))
        );
        assert_eq!(link("", ""), Link::Exact);
        assert_eq!(
            link("1.0.0", "1.1.0-rc.1"),
            Link::None(Unlinked::Served(NoTrack::PreRelease))
        );
        assert_eq!(link("1.1.0-rc.1", "1.1.0-rc.1"), Link::Exact);
        assert_eq!(
            link("0.1.0", "0.2.0"),
            Link::None(Unlinked::OtherTrack("0.1".into(), "0.2".into()))
        );
        assert_eq!(
            link("0.0.1", "0.0.2"),
            Link::None(Unlinked::Imported(NoTrack::ZeroZero))
        );
    }

    #[test]
    fn versions_are_ordered_as_semver_orders_them() {
        assert_eq!(precedes("1.0.0", "1.1.0"), Some(true));
        assert_eq!(precedes("1.10.0", "1.9.0"), Some(false));
        assert_eq!(precedes("1.1.0-rc.1", "1.1.0"), Some(true));
        assert_eq!(precedes("1.1.0", "1.1.0"), Some(false));
        assert_eq!(precedes("1.1", "1.2.0"), None);
    }

    /// A version as a component's or a host's name may carry it: releases,
    /// pre-releases and build metadata, numbers small enough to collide.
    fn version() -> impl Strategy<Value = String> {
        (
            0u64..3,
            0u64..3,
            0u64..3,
            prop::option::of("rc\\.[0-9]"),
            prop::option::of("b[0-9]"),
        )
            .prop_map(|(major, minor, patch, pre, build)| {
                let mut text = format!("{major}.{minor}.{patch}");
                if let Some(pre) = pre {
                    text.push('-');
                    text.push_str(&pre);
                }
                if let Some(build) = build {
                    text.push('+');
                    text.push_str(&build);
                }
                text
            })
    }

    /// The rule as the brief states it, written apart from `track`: the
    /// same major (the same minor for 0.x), never a pre-release or 0.0.x.
    fn same_track_by_the_rule(a: &Version, b: &Version) -> bool {
        let releases = a.pre.is_empty() && b.pre.is_empty();
        let zero_zero = |v: &Version| v.major == 0 && v.minor == 0;
        releases
            && !zero_zero(a)
            && !zero_zero(b)
            && a.major == b.major
            && (a.major != 0 || a.minor == b.minor)
    }

    proptest! {
        #[test]
        fn linking_agrees_with_the_rule(imported in version(), served in version()) {
            let (a, b) = (Version::parse(&imported).unwrap(), Version::parse(&served).unwrap());
            let linked = !matches!(link(&imported, &served), Link::None(_));
            prop_assert_eq!(linked, imported == served || same_track_by_the_rule(&a, &b));
            // Linking is symmetric: either side may be the newer one.
            prop_assert_eq!(linked, !matches!(link(&served, &imported), Link::None(_)));
        }

        #[test]
        fn a_version_on_a_track_links_every_release_of_that_track(
            major in 1u64..50, a in (0u64..50, 0u64..50), b in (0u64..50, 0u64..50),
        ) {
            let (imported, served) =
                (format!("{major}.{}.{}", a.0, a.1), format!("{major}.{}.{}", b.0, b.1));
            let expected = if imported == served {
                Link::Exact
            } else {
                Link::SameTrack(major.to_string())
            };
            prop_assert_eq!(link(&imported, &served), expected);
        }
    }
}
