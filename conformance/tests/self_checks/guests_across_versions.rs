//! Components across versions of the contract (issue 33): an import of an
//! interface of the contract is linked as wasmtime links it, exactly or by
//! semver track; a 1.1 component is told which of its imports a 1.0
//! contract, or a host that serves only 1.0, lacks, and whose lack it is;
//! another major and an unversioned name fail with their reasons; and a
//! 1.0 component passes whichever of the two versions judges it.

use std::path::{Path, PathBuf};

use airssys_conformance::{Contract, GuestSuite, Outcome, Report};
use airssys_host::ContractVersion;
use airssys_reference_adapter::ReferenceHost;
use libtest_mimic::Trial;

use crate::broken_guests::{failed, not_passed};

/// Fixed, so that the snapshots of generated messages stay the same.
const SEED: u64 = 7;

const LIFECYCLE: &str = include_str!("../guests/lifecycle.wat");

/// `lifecycle.wat` that also imports `get` and `get-many` from
/// `airssys:core/storage@1.1.0`: a 1.1 component.
const GET_MANY: &str = include_str!("guests/imports-get-many.wat");

/// The import `GET_MANY` adds to `lifecycle.wat`, with its comment.
const GET_MANY_IMPORT: &str = "  \
  ;; What a component built against `airssys:core@1.1.0` imports to read many
  ;; keys at once: `get-many`, which 1.1.0 added, beside 1.0.0's `get`.
  (import \"airssys:core/storage@1.1.0\" (instance
    (type $def-storage-error (variant (case \"not-found\" string) (case \"already-exists\" string)
      (case \"quota-exceeded\") (case \"invalid-key\" string) (case \"io-error\" string)))
    (export \"storage-error\" (type $storage-error (eq $def-storage-error)))
    (export \"get\" (func (param \"key\" string)
      (result (result (option (list u8)) (error $storage-error)))))
    (export \"get-many\" (func (param \"keys\" (list string))
      (result (result (list (option (list u8))) (error $storage-error)))))
  ))
";

/// The same import without `get-many`: only what 1.0.0 has, at 1.1.0.
fn storage_get() -> String {
    let get_many = "    (export \"get-many\" (func (param \"keys\" (list string))\n      \
                    (result (result (list (option (list u8))) (error $storage-error)))))\n";
    assert!(
        GET_MANY_IMPORT.contains(get_many),
        "the edit does not apply"
    );
    GET_MANY_IMPORT.replacen(get_many, "", 1)
}

const COMPONENT: &str = "(component\n";

pub fn trials() -> Vec<Trial> {
    checks![
        the_1_1_fixture_is_lifecycle_with_a_storage_1_1_import,
        a_1_1_component_judged_with_1_0_is_told_1_0_lacks_get_many,
        a_1_1_component_on_a_host_that_serves_only_1_0_names_the_hosts_lack,
        a_1_1_component_judged_with_1_1_on_the_reference_host_fails_nothing,
        an_import_on_the_contracts_track_is_linked_by_semver_and_said_so,
        an_import_of_another_major_fails_with_the_reason,
        an_unversioned_import_fails_because_it_matches_only_itself,
        a_1_0_component_passes_judged_with_either_version,
        a_contract_function_the_host_lacks_is_the_hosts_lack_not_the_components,
        a_function_imported_at_a_version_before_its_since_fails_its_name_trial,
        a_host_is_said_to_serve_a_version_only_as_far_as_its_probes_showed,
    ]
}

/// The 1.1.0 draft of the contract (fixtures/contract-1.1.0).
fn contract_1_1() -> Contract {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/contract-1.1.0/wit");
    Contract::load(&dir).expect("the 1.1.0 draft reads")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let file = dir.join(format!("{name}.wat"));
    std::fs::write(&file, text).unwrap();
    file
}

/// `lifecycle.wat` with `import` (an import of an instance) added first.
fn lifecycle_importing(import: &str) -> String {
    assert!(LIFECYCLE.contains(COMPONENT), "the edit does not apply");
    LIFECYCLE.replacen(COMPONENT, &format!("{COMPONENT}{import}"), 1)
}

fn outcome<'a>(report: &'a Report, trial: &str) -> &'a Outcome {
    &report
        .trials
        .iter()
        .find(|t| t.name == trial)
        .unwrap_or_else(|| panic!("no trial {trial}:\n{}", report.to_markdown()))
        .outcome
}

/// Fails the check, with the report, if any trial failed.
fn assert_fails_nothing(report: &Report) {
    assert_eq!(
        failed(report),
        Vec::<&str>::new(),
        "{}",
        report.to_markdown()
    );
}

/// The review, then why each ignored trial was not judged: where a failure
/// is the host's, the review alone would not show what the report says.
fn with_ignored(report: &Report) -> String {
    let mut text = report.review();
    text.push_str("\nIgnored:\n");
    for trial in &report.trials {
        if let Outcome::Ignored(why) = &trial.outcome {
            text.push_str(&format!("- `{}`: {why}\n", trial.name));
        }
    }
    text
}

const STORAGE_1_1: &str = "imports-get-many::import::airssys:core/storage@1.1.0";

/// The fixture the other checks judge stays `lifecycle.wat`, which passes,
/// with the one import added: what they find is that import's doing.
fn the_1_1_fixture_is_lifecycle_with_a_storage_1_1_import() {
    let from_component = &LIFECYCLE[LIFECYCLE.find(COMPONENT).unwrap()..];
    assert!(
        GET_MANY
            .ends_with(&lifecycle_importing(GET_MANY_IMPORT)[LIFECYCLE.find(COMPONENT).unwrap()..]),
        "imports-get-many.wat is no longer lifecycle.wat with one import"
    );
    assert!(from_component.len() < GET_MANY.len());
}

/// Judged with the 1.0.0 contract (the built-in one), the 1.1 component's
/// `storage@1.1.0` import fails its name trial, naming `get-many` and what
/// to do; `get`, which 1.0.0 has, passes its signature trial. Nothing else
/// fails: the behaviour trials are not judged where no host links it.
fn a_1_1_component_judged_with_1_0_is_told_1_0_lacks_get_many() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "imports-get-many", GET_MANY);
    let report = GuestSuite::new([&file]).seed(SEED).evaluate().unwrap();
    assert_eq!(
        failed(&report),
        [format!("{STORAGE_1_1}::name")],
        "{}",
        report.to_markdown()
    );
    assert_eq!(
        outcome(&report, &format!("{STORAGE_1_1}::name")),
        &Outcome::Failed(
            "imports `get-many` from `airssys:core/storage@1.1.0`, which `airssys:core@1.0.0` \
             does not have: a host of 1.0.0 cannot link this component (judge it with `--wit` \
             of 1.1.0, or don't import it)"
                .into()
        )
    );
    assert_eq!(
        outcome(&report, &format!("{STORAGE_1_1}::signature")),
        &Outcome::Passed
    );
    insta::assert_snapshot!("get-many-judged-with-1.0", report.review());
}

/// Judged with the 1.1.0 draft on a host that serves only 1.0.0, through
/// its adapter: the component is right by the contract, so the host's lack
/// of `storage.get-many` is named in the import's name trial and not held
/// against the component; nothing fails.
fn a_1_1_component_on_a_host_that_serves_only_1_0_names_the_hosts_lack() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "imports-get-many", GET_MANY);
    let report = GuestSuite::new([&file])
        .seed(SEED)
        .contract(contract_1_1())
        .on_host(only_1_0())
        .evaluate()
        .unwrap();
    assert_fails_nothing(&report);
    match outcome(&report, &format!("{STORAGE_1_1}::name")) {
        Outcome::Ignored(why) => assert!(
            why.contains(
                "does not provide `storage.get-many` (since 1.1.0) of `airssys:core/storage@1.1.0`: it serves \
                 `storage` as `airssys:core@1.0.0` has it, without what `airssys:core@1.1.0` adds"
            ) && why.contains("the host's lack, not this component's failure")
                // Only the function it lacks: `get` and the others it has.
                && !why.contains("`storage.get`,")
                && !why.contains("`storage.usage`"),
            "{why}"
        ),
        other => panic!("{other:?}\n{}", report.to_markdown()),
    }
    assert_eq!(
        outcome(&report, &format!("{STORAGE_1_1}::signature")),
        &Outcome::Passed
    );
    insta::assert_snapshot!("get-many-on-a-1.0-host", with_ignored(&report));
}

/// A host that serves only `airssys:core@1.0.0`: the reference host that
/// has not updated.
fn only_1_0() -> ReferenceHost {
    ReferenceHost::new().serving(&[ContractVersion::V1_0_0])
}

/// Judged with the 1.1.0 draft on the reference host in process, the 1.1
/// component fails nothing: its imports are the contract's.
fn a_1_1_component_judged_with_1_1_on_the_reference_host_fails_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "imports-get-many", GET_MANY);
    let report = GuestSuite::new([&file])
        .seed(SEED)
        .contract(contract_1_1())
        .evaluate()
        .unwrap();
    assert_fails_nothing(&report);
    assert_eq!(
        outcome(&report, &format!("{STORAGE_1_1}::name")),
        &Outcome::Passed
    );
    insta::assert_snapshot!("get-many-judged-with-1.1", report.review());
}

/// An import of `storage@1.1.0` with only `get`, which 1.0.0 has, passes
/// with the 1.0.0 contract: a host that serves only 1.0.0 links it by
/// semver, and a note says so and what a runtime without semver matching
/// would do.
fn an_import_on_the_contracts_track_is_linked_by_semver_and_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "imports-get",
        &lifecycle_importing(&storage_get()),
    );
    let report = GuestSuite::new([&file]).seed(SEED).evaluate().unwrap();
    assert_fails_nothing(&report);
    assert!(
        report.notes.iter().any(|note| note
            == "`imports-get` imports `airssys:core/storage@1.1.0` (at 1.1.0, on track 1) at a \
                version other than `airssys:core@1.0.0`'s, on its semver track: a host that \
                serves only `airssys:core@1.0.0` links it by semver; a runtime that matches \
                exact names (jco without a version map) would not."),
        "{:#?}",
        report.notes
    );
}

fn an_import_of_another_major_fails_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let import = storage_get().replacen("storage@1.1.0", "storage@2.0.0", 1);
    let file = write(dir.path(), "imports-2.0", &lifecycle_importing(&import));
    let report = GuestSuite::new([&file]).seed(SEED).evaluate().unwrap();
    let trial = "imports-2.0::import::airssys:core/storage@2.0.0::name";
    assert_eq!(failed(&report), [trial], "{}", report.to_markdown());
    match outcome(&report, trial) {
        Outcome::Failed(why) => assert!(
            why.contains("on another semver track (2, not 1)")
                && why.contains("a host of 1.0.0 cannot link it"),
            "{why}"
        ),
        other => panic!("{other:?}"),
    }
    insta::assert_snapshot!("import-of-2.0", report.review());
}

fn an_unversioned_import_fails_because_it_matches_only_itself() {
    let dir = tempfile::tempdir().unwrap();
    let import = storage_get().replacen("storage@1.1.0", "storage", 1);
    let file = write(
        dir.path(),
        "imports-unversioned",
        &lifecycle_importing(&import),
    );
    let report = GuestSuite::new([&file]).seed(SEED).evaluate().unwrap();
    let trial = "imports-unversioned::import::airssys:core/storage::name";
    assert_eq!(failed(&report), [trial], "{}", report.to_markdown());
    match outcome(&report, trial) {
        Outcome::Failed(why) => assert!(
            why.contains("an unversioned name matches only itself"),
            "{why}"
        ),
        other => panic!("{other:?}"),
    }
    insta::assert_snapshot!("unversioned-import", report.review());
}

/// `lifecycle.wat` and the counter, components of 1.0, pass every trial
/// judged with 1.1.0 on the reference host and on a host that serves only
/// 1.0.0: a minor version takes nothing from them.
fn a_1_0_component_passes_judged_with_either_version() {
    let dir = tempfile::tempdir().unwrap();
    let lifecycle = write(dir.path(), "lifecycle", LIFECYCLE);
    let files = [lifecycle, PathBuf::from(airssys_guests::COUNTER)];
    for report in [
        GuestSuite::new(files.clone())
            .seed(SEED)
            .contract(contract_1_1())
            .evaluate()
            .unwrap(),
        GuestSuite::new(files.clone())
            .seed(SEED)
            .contract(contract_1_1())
            .on_host(only_1_0())
            .evaluate()
            .unwrap(),
    ] {
        assert_eq!(not_passed(&report), [], "{}", report.to_markdown());
    }
}

/// `cancel-request` of `host-messaging@1.0.0`, as the contract types it.
const CANCEL_REQUEST: &str = "  (import \"airssys:core/host-messaging@1.0.0\" (instance
    (type $def-component-id (record (field \"namespace\" string) (field \"name\" string)
      (field \"instance\" string)))
    (export \"component-id\" (type $component-id (eq $def-component-id)))
    (type $def-messaging-error (variant (case \"delivery-failed\" string)
      (case \"correlation-timeout\" string) (case \"invalid-message\" string) (case \"queue-full\")
      (case \"target-not-found\" $component-id)))
    (export \"messaging-error\" (type $messaging-error (eq $def-messaging-error)))
    (export \"cancel-request\" (func (param \"request-id\" string)
      (result (result (error $messaging-error)))))
  ))
";

/// The blame rule at the contract's own version: a host without
/// `cancel-request` cannot instantiate a component that imports it, but
/// that is the host's lack, named, not the component's failure; the same
/// component passes on the reference host.
fn a_contract_function_the_host_lacks_is_the_hosts_lack_not_the_components() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "cancels", &lifecycle_importing(CANCEL_REQUEST));
    let on_reference = GuestSuite::new([&file])
        .seed(SEED)
        .on_host(ReferenceHost::new())
        .evaluate()
        .unwrap();
    assert_eq!(
        not_passed(&on_reference),
        [],
        "{}",
        on_reference.to_markdown()
    );
    let lacking = GuestSuite::new([&file])
        .seed(SEED)
        .on_host(ReferenceHost::with_registration(
            "lacks-cancel-request",
            crate::broken::missing_cancel_request,
        ))
        .evaluate()
        .unwrap();
    assert_fails_nothing(&lacking);
    let trial = "cancels::import::airssys:core/host-messaging@1.0.0::name";
    match outcome(&lacking, trial) {
        Outcome::Ignored(why) => assert!(
            why.contains("does not provide `host-messaging.cancel-request` of `airssys:core/host-messaging@1.0.0`. That is the host's lack, not this component's failure"),
            "{why}"
        ),
        other => panic!("{trial}: {other:?}\n{}", lacking.to_markdown()),
    }
}

/// `get-many` imported at `storage@1.0.0`, judged with the 1.1.0 draft: the
/// draft has it, but from 1.1.0 on (`@since`). A host that registers
/// `storage@1.0.0` exactly (the reference host does, beside 1.1.0) links
/// that instance, which has no `get-many`: the import's name trial fails,
/// saying which version to import it at.
fn a_function_imported_at_a_version_before_its_since_fails_its_name_trial() {
    let dir = tempfile::tempdir().unwrap();
    let import = GET_MANY_IMPORT.replacen("storage@1.1.0", "storage@1.0.0", 1);
    let file = write(dir.path(), "get-many-at-1.0", &lifecycle_importing(&import));
    let report = GuestSuite::new([&file])
        .seed(SEED)
        .contract(contract_1_1())
        .evaluate()
        .unwrap();
    let trial = "get-many-at-1.0::import::airssys:core/storage@1.0.0::name";
    assert_eq!(
        outcome(&report, trial),
        &Outcome::Failed(
            "`get-many` was added in 1.1.0; an import of it at `@1.0.0` links only on a host \
             that serves 1.1.0 or a later 1.x and not 1.0.0 exactly (wasmtime links the exact \
             name first, and `@1.0.0` has no `get-many`): import it at `@1.1.0`"
                .into()
        ),
        "{}",
        report.to_markdown()
    );
    // Its types are the draft's: only the version it is imported at is wrong.
    assert_eq!(
        outcome(
            &report,
            "get-many-at-1.0::import::airssys:core/storage@1.0.0::signature"
        ),
        &Outcome::Passed
    );
    insta::assert_snapshot!("get-many-imported-at-1.0", with_ignored(&report));
}

/// A host that serves only 1.0.0 and has `storage.list-keys` with another
/// type (`broken::wrong_signatures`) lacks `get-many` too, but is not said
/// to serve `storage` as 1.0.0 has it: its probes showed `list-keys`
/// served otherwise, and the words say only that.
fn a_host_is_said_to_serve_a_version_only_as_far_as_its_probes_showed() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "imports-get-many", GET_MANY);
    let report = GuestSuite::new([&file])
        .seed(SEED)
        .contract(contract_1_1())
        .on_host(ReferenceHost::with_registration(
            "wrong-signatures",
            crate::broken::wrong_signatures,
        ))
        .evaluate()
        .unwrap();
    match outcome(&report, &format!("{STORAGE_1_1}::name")) {
        Outcome::Ignored(why) => assert!(
            why.contains(
                "does not provide `storage.get-many` (since 1.1.0) of \
                 `airssys:core/storage@1.1.0`; it provides `storage.list-keys` with another \
                 type. That is the host's lack, not this component's failure"
            ) && !why.contains("it serves"),
            "{why}"
        ),
        other => panic!("{other:?}\n{}", report.to_markdown()),
    }
}
