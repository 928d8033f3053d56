//! What to say of a host that lacks functions of the contract a component
//! imports: which ones (with the version that added each, from its
//! `@since`), and the version the host serves the interface as, where what
//! it lacks shows it.

use airssys_component_types::tracks::precedes;

use crate::contract::{Contract, HostFunction};

/// `host does not provide `storage.get-many` (since 1.1.0) of `instance``,
/// and the version it serves the interface as when that is known:
/// `lacking` are functions of one interface of `contract`, none of them
/// provided by the host; `built_in` is the contract this suite was built
/// with, a version the suite knows.
pub(super) fn lack_words(
    host: &str,
    contract: &Contract,
    built_in: &Contract,
    instance: &str,
    lacking: &[&HostFunction],
) -> String {
    let names: Vec<String> = lacking
        .iter()
        .map(|f| match &f.since {
            Some(since) => format!("`{}.{}` (since {since})", f.interface, f.name),
            None => format!("`{}.{}`", f.interface, f.name),
        })
        .collect();
    let serves = served_as(contract, built_in, lacking)
        .map(|served| format!(": it serves `{}` {served}", lacking[0].interface))
        .unwrap_or_default();
    format!(
        "{host} does not provide {} of `{instance}`{serves}",
        names.join(", ")
    )
}

/// How a host that lacks exactly `lacking` (of one interface of `contract`)
/// serves that interface: as the built-in contract has it, when that is an
/// earlier version without exactly those functions; otherwise as a version
/// before the earliest `@since` of what it lacks, when every function it
/// lacks has one and every function it has came before it.
fn served_as(
    contract: &Contract,
    built_in: &Contract,
    lacking: &[&HostFunction],
) -> Option<String> {
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
    let mut had = of_interface(built_in);
    kept.sort_unstable();
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

    #[test]
    fn a_host_without_what_1_1_adds_serves_1_0() {
        let (draft, built_in) = (draft(), Contract::bundled());
        let get_many = draft.function("storage", "get-many").unwrap();
        assert_eq!(
            lack_words(
                "the host `h`",
                &draft,
                &built_in,
                "airssys:core/storage@1.1.0",
                &[get_many]
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
        let get_many = draft.function("storage", "get-many").unwrap();
        assert_eq!(
            served_as(&draft, &draft, &[get_many]).as_deref(),
            Some("as a version before 1.1.0 has it, without what 1.1.0 added (`@since`)")
        );
    }

    #[test]
    fn a_host_that_lacks_more_than_a_version_added_is_not_said_to_serve_one() {
        let (draft, built_in) = (draft(), Contract::bundled());
        let get_many = draft.function("storage", "get-many").unwrap();
        let get = draft.function("storage", "get").unwrap();
        assert_eq!(served_as(&draft, &built_in, &[get_many, get]), None);
        let words = lack_words("h", &draft, &built_in, "i", &[get, get_many]);
        assert_eq!(
            words,
            "h does not provide `storage.get`, `storage.get-many` (since 1.1.0) of `i`"
        );
        // The contract a host of 1.0.0 is judged with: nothing earlier is known.
        let usage = built_in.function("storage", "usage").unwrap();
        assert_eq!(served_as(&built_in, &built_in, &[usage]), None);
    }
}
