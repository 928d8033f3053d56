//! How a name that instantiates was found: under exactly the name
//! components import, or only on its semver track, which wasmtime's linker
//! links and a runtime without semver matching would not. Asked with a
//! `check` with exact names (adapter protocol 1.4); said once per instance
//! and version in the plan's notes.

use airssys_conformance_adapter::Unsatisfied;

use super::{Asked, NameMatch, Placement, Refusal, Verdicts};
use crate::connection::semver;
use crate::contract::{Contract, HostFunction, Shape};
use crate::text::gist;

/// How `function`, whose probe of `shape` instantiates at the exact place,
/// was found there.
pub(super) fn name_match(
    contract: &Contract,
    asked: &mut Asked,
    function: &HostFunction,
    shape: Shape,
) -> NameMatch {
    let wat = contract.probe_component(function, Some(&function.instance), &function.name, shape);
    let refusal = match asked.host.instantiates_exactly(&wat) {
        Ok(()) => return NameMatch::Exactly,
        Err(Refusal::Adapter(why)) => return NameMatch::Unseen(why),
        Err(Refusal::Host(refusal)) => refusal,
    };
    let import = Unsatisfied::full_name(Some(&function.instance), &function.name);
    match refusal
        .unsatisfied
        .by_semver
        .iter()
        .find(|found| found.import == import)
    {
        Some(found) => NameMatch::BySemver {
            registered: found.registered.clone(),
        },
        None => NameMatch::Unseen(format!(
            "the host refused the probe with exact names without naming `{import}` as found \
             by semver (`unsatisfied.by_semver`); it said: {}",
            gist(&refusal.reason)
        )),
    }
}

impl Verdicts {
    /// What the name verdict says beside its pass, for a function found
    /// only on its semver track: "registered at `@1.1.0`; wasmtime links
    /// `@1.0.0` guests to it by semver; a runtime without semver matching
    /// would not".
    pub fn name_note(&self, function: &HostFunction) -> Option<String> {
        let Placement::Right(NameMatch::BySemver { registered }) = &self.placement else {
            return None;
        };
        let imported = version_of(&function.instance);
        let at = match registered.as_deref().map(version_of) {
            Some(version) => format!("at `@{version}`"),
            None => match semver::track_of(&function.instance) {
                Ok(track) => format!("at another `{}` version", semver::track_words(&track)),
                Err(_) => "at another version".to_owned(),
            },
        };
        Some(format!(
            "registered {at}; wasmtime links `@{imported}` guests to it by semver; a runtime \
             without semver matching would not"
        ))
    }
}

/// The version in an interface name, or the whole name if it has none.
fn version_of(name: &str) -> &str {
    semver::split(name).map_or(name, |(_, version)| version)
}

/// What the name verdicts say beside their passes, once per instance and
/// version rather than once per function: the functions found only by
/// semver, and, when the host's connection cannot tell, why not.
pub(crate) fn notes(contract: &Contract, verdicts: &[Verdicts]) -> Vec<String> {
    // (instance, what its verdicts say) -> function names, in contract order.
    let mut by_semver: Vec<((&str, String), Vec<&str>)> = Vec::new();
    let mut unseen: Vec<(&str, Vec<&str>)> = Vec::new();
    for (function, verdict) in contract.functions().iter().zip(verdicts) {
        if let Some(note) = verdict.name_note(function) {
            let key = (function.instance.as_str(), note);
            match by_semver.iter_mut().find(|(k, _)| *k == key) {
                Some((_, names)) => names.push(&function.name),
                None => by_semver.push((key, vec![&function.name])),
            }
        }
        if let Placement::Right(NameMatch::Unseen(why)) = &verdict.placement
            && verdict.callable()
        {
            match unseen.iter_mut().find(|(w, _)| w == why) {
                Some((_, names)) => names.push(&function.name),
                None => unseen.push((why, vec![&function.name])),
            }
        }
    }
    let semver_notes = by_semver.into_iter().map(|((instance, note), names)| {
        let plural = names.len() > 1;
        let note = if plural {
            note.replace("guests to it by", "guests to them by")
        } else {
            note
        };
        // The fix serves the whole instance: registering only these
        // functions at `instance` would make an instance that lacks the
        // others it has (a 1.0 host adding `storage@1.1.0` without
        // `get-many`), which guests of that version cannot link to either.
        format!(
            "{} of `{instance}`: {note} (for those, serve `{instance}` under exactly that \
             name too, with every function it has).",
            listed(&names)
        )
    });
    let every = verdicts.iter().filter(|v| v.callable()).count();
    let unseen_notes = unseen.into_iter().map(|(why, names)| {
        let (whose, trials) = match names.len() {
            n if n == every => ("any function".to_owned(), "The name trials pass"),
            1 => (listed(&names), "Its name trial passes"),
            _ => (listed(&names), "Their name trials pass"),
        };
        format!(
            "Whether {whose} is registered under exactly the name components import, or only \
             under another version of its semver track (which wasmtime links too), cannot be \
             seen: {why}. {trials} on what the host links; a runtime without semver matching \
             links only the first."
        )
    });
    semver_notes.chain(unseen_notes).collect()
}

/// `a`, `` `a` and `b` ``, `` `a`, `b` and `c` ``.
fn listed(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}
