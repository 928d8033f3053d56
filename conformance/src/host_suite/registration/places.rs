//! Where else a host might have put a function, most likely mistakes first,
//! each with the mistake in words and its fix. The versions among them are
//! those no semver matching links to the contract's: no version, a
//! pre-release, another track.

use super::Location;
use airssys_component_types::tracks::NoTrack;

use crate::connection::semver;
use crate::contract::HostFunction;

/// Pre-releases of the contract's version a host may register while the
/// contract is drafted: one is enough to tell the mistake, since a
/// pre-release name matches only itself.
const PRE_RELEASES: [&str; 1] = ["rc.1"];

/// Where else a host might have put `function`, most likely mistakes first.
pub(super) fn misplacements(function: &HostFunction) -> Vec<(Location, String)> {
    let interface = &function.interface;
    // `Contract` refuses an unversioned package, so every instance name
    // has a version; without one there are no other versions to try.
    let (unversioned, version) =
        semver::split(&function.instance).unwrap_or((&function.instance, ""));
    let kebab = function.name.clone();
    let snake = kebab.replace('-', "_");
    let qualified = function.instance.clone();
    let fix = format!("register it at `{qualified}`");
    let mut candidates: Vec<(Option<String>, String, String)> = Vec::new();
    if snake != kebab {
        candidates.push((
            Some(qualified.clone()),
            snake.clone(),
            format!(
                "snake_case function name: registered as `{snake}` in `{qualified}`; WIT \
                 names are kebab-case, register it as `{kebab}`"
            ),
        ));
    }
    for name in [&kebab, &snake] {
        candidates.push((
            Some(interface.clone()),
            name.clone(),
            format!(
                "instance registered under the bare name `{interface}` instead of \
                 `{qualified}` (the registration pattern with bare instance names): \
                 components import the fully qualified name, so use \
                 `linker.instance({qualified:?})`"
            ),
        ));
    }
    if !version.is_empty() {
        candidates.push((
            Some(unversioned.to_owned()),
            kebab.clone(),
            format!(
                "instance registered as `{unversioned}`, without a version: an unversioned \
                 name matches only itself, so wasmtime does not link components importing \
                 `{qualified}` to it; {fix}"
            ),
        ));
    }
    for other in other_versions(version, built_in_version()) {
        let versioned = format!("{unversioned}@{other}");
        candidates.push((
            Some(versioned.clone()),
            kebab.clone(),
            other_version_mistake(&versioned, &qualified, &fix),
        ));
    }
    for name in [&kebab, &snake] {
        candidates.push((
            None,
            name.clone(),
            format!(
                "registered as `{name}` at the linker's root; it belongs inside the \
                 instance `{qualified}`"
            ),
        ));
    }
    candidates.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    candidates
        .into_iter()
        .map(|(instance, name, mistake)| (Location { instance, name }, mistake))
        .collect()
}

/// The version of the contract this suite was built with: a host judged
/// with another version's WIT (`--wit`) most likely serves this one.
fn built_in_version() -> &'static str {
    airssys_contract::package_parts().1
}

/// Versions no semver matching links to `version`, that hosts register by
/// mistake: earlier `0.x` tracks, the previous (from `2.x` on) and the
/// next major, the version of the contract built in (`built_in`: a host
/// made for it, judged with a newer WIT), and pre-releases of `version`
/// itself. None for an unversioned name.
fn other_versions(version: &str, built_in: &str) -> Vec<String> {
    if version.is_empty() {
        return Vec::new();
    }
    let major = version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u64>().ok());
    // Before 1.0.0 come the `0.x` tracks, tried above one by one.
    let previous_major = major
        .filter(|major| *major >= 2)
        .map(|major| format!("{}.0.0", major - 1));
    let next_major = major.map(|major| format!("{}.0.0", major + 1));
    let tracks = ["0.1.0".to_owned(), "0.2.0".to_owned()]
        .into_iter()
        .chain(previous_major)
        .chain(next_major)
        .chain([built_in.to_owned()])
        .filter(|other| !semver::links(&format!("x@{version}"), &format!("x@{other}")));
    let core = version.split(['-', '+']).next().unwrap_or(version);
    let pre_releases = PRE_RELEASES.iter().map(|pre| format!("{core}-{pre}"));
    let mut versions: Vec<String> = Vec::new();
    for other in tracks.chain(pre_releases) {
        if other != version && !versions.contains(&other) {
            versions.push(other);
        }
    }
    versions
}

/// The mistake of registering the instance as `versioned` where components
/// import `qualified`, in semver's words.
fn other_version_mistake(versioned: &str, qualified: &str, fix: &str) -> String {
    let ours = semver::version_of(qualified);
    let track = |name: &str| match semver::track_of(name) {
        Ok(track) => format!("`{}`", semver::track_words(&track)),
        Err(_) => "none".to_owned(),
    };
    if semver::track_of(versioned) == Err(NoTrack::PreRelease) {
        return format!(
            "instance registered as `{versioned}`, a pre-release: a pre-release name matches \
             only itself, so components importing `{qualified}` do not link to it, by semver \
             or otherwise; {fix}"
        );
    }
    format!(
        "instance registered as `{versioned}`, on another semver track ({} where the \
         contract's version {ours} is on {}): semver matching links an import only to a \
         version of its own track, so components importing `{qualified}` do not link to \
         it; {fix}",
        track(versioned),
        track(qualified)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_versions_tried_are_those_semver_does_not_link() {
        assert_eq!(
            other_versions("1.0.0", "1.0.0"),
            ["0.1.0", "0.2.0", "2.0.0", "1.0.0-rc.1"]
        );
        // 1.0.0, the built-in version, is on 1.1.0's track: not a mistake.
        assert_eq!(
            other_versions("1.1.0", "1.0.0"),
            ["0.1.0", "0.2.0", "2.0.0", "1.1.0-rc.1"]
        );
        // A 1.x host judged with a 2.0.0 WIT is found on its track, and a
        // 3.0.0 WIT still looks where the built-in 1.0.0 is.
        assert_eq!(
            other_versions("2.0.0", "1.0.0"),
            ["0.1.0", "0.2.0", "1.0.0", "3.0.0", "2.0.0-rc.1"]
        );
        assert_eq!(
            other_versions("3.0.0", "1.0.0"),
            ["0.1.0", "0.2.0", "2.0.0", "4.0.0", "1.0.0", "3.0.0-rc.1"]
        );
        // On track 0.2.x, 0.2.0 would link: it is not a mistake.
        assert_eq!(
            other_versions("0.2.3", "1.0.0"),
            ["0.1.0", "1.0.0", "0.2.3-rc.1"]
        );
        assert!(other_versions("", "1.0.0").is_empty());
        let fix = "register it at `a:b/c@1.0.0`";
        let major = other_version_mistake("a:b/c@2.0.0", "a:b/c@1.0.0", fix);
        assert!(
            major.contains("another semver track (`2.x` where"),
            "{major}"
        );
        assert!(major.contains("1.0.0 is on `1.x`"), "{major}");
        assert!(major.ends_with(fix), "{major}");
        let pre = other_version_mistake("a:b/c@1.0.0-rc.1", "a:b/c@1.0.0", fix);
        assert!(pre.contains("a pre-release"), "{pre}");
    }
}
