//! What to say of a host that lacks functions of the contract a component
//! imports: which ones (with the version that added each, from its
//! `@since`), what else its probes showed, and the version the host serves
//! the interface as, where what it was seen to serve shows it.

use airssys_component_types::tracks::precedes;

use super::lack_probes::{Asked, MAX_CHECKS_PER_COMPONENT};
use crate::contract::{Contract, HostFunction};

/// `host does not provide `storage.get-many` (since 1.1.0) of `instance``,
/// what else the probes of the interface showed, and the version the host
/// serves the interface as when that is known: `asked` is what the host's
/// `check` said of each function of one interface of `contract`, at least
/// one of them lacking; `built_in` is the contract this suite was built
/// with, a version the suite knows.
pub(super) fn lack_words(
    host: &str,
    contract: &Contract,
    built_in: &Contract,
    instance: &str,
    asked: &Asked<'_>,
) -> String {
    let names: Vec<String> = asked
        .lacking
        .iter()
        .map(|f| match &f.since {
            Some(since) => format!("`{}.{}` (since {since})", f.interface, f.name),
            None => format!("`{}.{}`", f.interface, f.name),
        })
        .collect();
    let serves = served_as(contract, built_in, asked)
        .map(|served| format!(": it serves `{}` {served}", asked.lacking[0].interface))
        .unwrap_or_default();
    let mut seen = String::new();
    if !asked.other_type.is_empty() {
        seen.push_str(&format!(
            "; it provides {} with another type",
            listed(&asked.other_type)
        ));
    }
    if !asked.unclear.is_empty() {
        seen.push_str(&format!(
            "; whether it provides {} is not known: it refused {} without saying why",
            listed(&asked.unclear),
            if asked.unclear.len() == 1 {
                "its probe"
            } else {
                "their probes"
            }
        ));
    }
    if !asked.not_asked.is_empty() {
        seen.push_str(&format!(
            "; {} {} not asked (at most {MAX_CHECKS_PER_COMPONENT} probe `check`s per component)",
            listed(&asked.not_asked),
            if asked.not_asked.len() == 1 {
                "was"
            } else {
                "were"
            }
        ));
    }
    format!(
        "{host} does not provide {} of `{instance}`{serves}{seen}",
        names.join(", ")
    )
}

/// `storage.get`, `storage.set` and …: functions as the words name them.
fn listed(functions: &[&HostFunction]) -> String {
    let quoted: Vec<String> = functions
        .iter()
        .map(|f| format!("`{}.{}`", f.interface, f.name))
        .collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// How a host serves one interface of `contract`, when its probes showed
/// it: every function it does not lack was seen served as the contract
/// types it (a function refused as another type, or for reasons the host
/// did not say, or not asked, leaves it unknown). Then: as the built-in
/// contract has it, when that is an earlier version without exactly what
/// it lacks; otherwise as a version before the earliest `@since` of what it
/// lacks, when every function it lacks has one and every function it has
/// came before it.
fn served_as(contract: &Contract, built_in: &Contract, asked: &Asked<'_>) -> Option<String> {
    let lacking = &asked.lacking;
    let interface = &lacking.first()?.interface;
    let of_interface = |c: &'_ Contract| -> Vec<String> {
        c.functions()
            .iter()
            .filter(|f| &f.interface == interface)
            .map(|f| f.name.clone())
            .collect()
    };
    let mut kept: Vec<String> = of_interface(contract)
        .into_iter()
        .filter(|name| !lacking.iter().any(|l| &l.name == name))
        .collect();
    let mut seen_served: Vec<String> = asked.served.iter().map(|f| f.name.clone()).collect();
    kept.sort_unstable();
    seen_served.sort_unstable();
    if kept != seen_served {
        return None;
    }
    let mut had = of_interface(built_in);
    had.sort_unstable();
    if built_in.package() != contract.package() && kept == had {
        return Some(format!(
            "as `{}` has it, without what `{}` adds",
            built_in.package(),
            contract.package()
        ));
    }
    let mut added: Vec<&str> = Vec::new();
    for function in lacking {
        added.push(function.since.as_deref()?);
    }
    let earliest = added
        .into_iter()
        .reduce(|a, b| if precedes(b, a) == Some(true) { b } else { a })?;
    let kept_came_before = contract
        .functions()
        .iter()
        .filter(|f| &f.interface == interface && !lacking.iter().any(|l| l.name == f.name))
        .all(|f| {
            f.since
                .as_deref()
                .is_none_or(|since| precedes(since, earliest) == Some(true))
        });
    kept_came_before.then(|| {
        format!("as a version before {earliest} has it, without what {earliest} added (`@since`)")
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn draft() -> Contract {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/contract-1.1.0/wit");
        Contract::load(&dir).unwrap()
    }

    /// What a host's probes of `interface` of `contract` showed: `lacking`
    /// lacking, `other_type` served with another type, the rest served.
    fn asked<'c>(
        contract: &'c Contract,
        interface: &str,
        lacking: &[&str],
        other_type: &[&str],
    ) -> Asked<'c> {
        let mut asked = Asked::default();
        for f in contract
            .functions()
            .iter()
            .filter(|f| f.interface == interface)
        {
            if lacking.contains(&f.name.as_str()) {
                asked.lacking.push(f);
            } else if other_type.contains(&f.name.as_str()) {
                asked.other_type.push(f);
            } else {
                asked.served.push(f);
            }
        }
        asked
    }

    #[test]
    fn a_host_without_what_1_1_adds_serves_1_0() {
        let (draft, built_in) = (draft(), Contract::bundled());
        assert_eq!(
            lack_words(
                "the host `h`",
                &draft,
                &built_in,
                "airssys:core/storage@1.1.0",
                &asked(&draft, "storage", &["get-many"], &[])
            ),
            "the host `h` does not provide `storage.get-many` (since 1.1.0) of \
             `airssys:core/storage@1.1.0`: it serves `storage` as `airssys:core@1.0.0` has it, \
             without what `airssys:core@1.1.0` adds"
        );
    }

    #[test]
    fn without_the_built_in_version_the_since_gates_say_which_it_serves() {
        // Judged with the draft, and the draft taken as the built-in one:
        // only `@since` can tell.
        let draft = draft();
        assert_eq!(
            served_as(
                &draft,
                &draft,
                &asked(&draft, "storage", &["get-many"], &[])
            )
            .as_deref(),
            Some("as a version before 1.1.0 has it, without what 1.1.0 added (`@since`)")
        );
    }

    #[test]
    fn a_host_that_lacks_more_than_a_version_added_is_not_said_to_serve_one() {
        let (draft, built_in) = (draft(), Contract::bundled());
        let both = asked(&draft, "storage", &["get", "get-many"], &[]);
        assert_eq!(served_as(&draft, &built_in, &both), None);
        let words = lack_words("h", &draft, &built_in, "i", &both);
        assert_eq!(
            words,
            "h does not provide `storage.get`, `storage.get-many` (since 1.1.0) of `i`"
        );
        // The contract a host of 1.0.0 is judged with: nothing earlier is known.
        let usage = asked(&built_in, "storage", &["usage"], &[]);
        assert_eq!(served_as(&built_in, &built_in, &usage), None);
    }

    #[test]
    fn a_host_is_said_to_serve_a_version_only_as_far_as_its_probes_showed() {
        let (draft, built_in) = (draft(), Contract::bundled());
        // `list-keys` with another type: it does not serve 1.0.0's `storage`.
        let mistyped = asked(&draft, "storage", &["get-many"], &["list-keys"]);
        assert_eq!(served_as(&draft, &built_in, &mistyped), None);
        assert_eq!(
            lack_words("h", &draft, &built_in, "i", &mistyped),
            "h does not provide `storage.get-many` (since 1.1.0) of `i`; it provides \
             `storage.list-keys` with another type"
        );
        // Probes refused without a reason, or not asked: not known either.
        let mut unseen = asked(&draft, "storage", &["get-many"], &[]);
        let usage = unseen.served.pop().unwrap();
        let exists = unseen.served.pop().unwrap();
        unseen.unclear.push(exists);
        unseen.not_asked.push(usage);
        assert_eq!(served_as(&draft, &draft, &unseen), None);
        assert_eq!(
            lack_words("h", &draft, &built_in, "i", &unseen),
            format!(
                "h does not provide `storage.get-many` (since 1.1.0) of `i`; whether it \
                 provides `storage.{}` is not known: it refused its probe without saying why; \
                 `storage.{}` was not asked (at most 32 probe `check`s per component)",
                exists.name, usage.name
            )
        );
    }
}
