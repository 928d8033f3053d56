//! Name and signature verdicts: is each function registered where components
//! import it from, and with the contract's type? Concluded from which
//! one-import probe components the host can instantiate, in process or
//! through an adapter, on any wasmtime.
//!
//! A linker that checks types when it links (bindgen, `func_wrap`) refuses
//! a probe of another type, so instantiation decides the signature. One that
//! does not (wasmtime's `func_new`, jco, wasmtime-py) instantiates a probe of
//! any type: a [`Shape::Decoy`] probe shows which kind the host is, and for
//! the second kind the signature is judged from the function's answers
//! instead (`behaviour::answers`), as [`Typing::AtCall`] says.
//!
//! For each function the probes ask, most likely answer first: the exact
//! import; the same place with the result shapes of the usual mistakes (no
//! result, `ok` type only); then the places hosts put functions by mistake
//! (bare instance name, unversioned, other versions, snake_case, the root).
//! When nothing instantiates, the host's refusal tells a function of another
//! type from a missing one: by the imports it names as unsatisfied (adapter
//! protocol 1.1), or else by wasmtime's words. Its text is quoted in the verdict.

use std::collections::HashMap;

use airssys_conformance_adapter::{CheckRefusal, Unsatisfied};

use crate::contract::{Contract, HostFunction, Shape};
use crate::text::gist;

/// Where a function was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// `None` for the root of the linker.
    pub instance: Option<String>,
    pub name: String,
}

/// What the name trial concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// Where components import it from.
    Right,
    /// Under another name; `mistake` says which and how to fix it.
    Wrong {
        at: Location,
        mistake: String,
    },
    Missing {
        host_says: String,
    },
    /// The adapter failed while the suite asked (crashed, timed out).
    Unjudged(String),
}

/// When the host's linker checks the function's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typing {
    /// When it links a component: a probe of another type is refused, so
    /// the instantiation verdict is the signature verdict.
    AtLink,
    /// Only when the function is called: the linker instantiated a probe of
    /// a type no contract function has (or could not be asked), so the
    /// signature holds only as far as the function's answers show.
    AtCall,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdicts {
    pub placement: Placement,
    /// `Ok` or the signature failure in plain words.
    pub signature: Result<(), String>,
    /// When the host checks the type at the right place.
    pub typing: Typing,
    /// Why the signature could not be judged, if it could not: a host that
    /// types the function at call time, whose answers showed nothing.
    pub signature_unjudged: Option<String>,
}

impl Verdicts {
    pub fn name(&self, function: &HostFunction) -> Result<(), String> {
        match &self.placement {
            Placement::Right => Ok(()),
            Placement::Wrong { mistake, .. } => Err(mistake.clone()),
            Placement::Missing { host_says } => Err(format!(
                "missing function: `{}` is not registered in instance `{}`, nor under a \
                 bare, unversioned, other-version, snake_case or root-level name. \
                 Register it with `linker.instance({:?})?.func_wrap({:?}, ...)`\n  \
                 the host says: {host_says}",
                function.name, function.instance, function.instance, function.name
            )),
            Placement::Unjudged(why) => Err(why.clone()),
        }
    }

    /// Whether components can call the function as the contract says.
    pub fn callable(&self) -> bool {
        self.placement == Placement::Right && self.signature.is_ok()
    }
}

/// Why a probe component was not instantiated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The host refused it: its own words, and the imports it names.
    Host(CheckRefusal),
    /// The adapter could not answer; the message says what it did.
    Adapter(String),
}

/// Asks the host whether it could instantiate a component, given as WAT.
pub trait Instantiates {
    fn instantiates(&mut self, wat: &str) -> Result<(), Refusal>;
}

/// Judges every function of `contract` on the host behind `host`.
pub fn judge(contract: &Contract, host: &mut dyn Instantiates) -> Vec<Verdicts> {
    let mut asked = Asked {
        host,
        answers: HashMap::new(),
    };
    contract
        .functions()
        .iter()
        .map(|function| judge_one(contract, &mut asked, function))
        .collect()
}

/// Each probe is asked once per run.
struct Asked<'a> {
    host: &'a mut dyn Instantiates,
    answers: HashMap<String, Result<(), Refusal>>,
}

impl Asked<'_> {
    fn ask(
        &mut self,
        contract: &Contract,
        function: &HostFunction,
        at: &Location,
        shape: Shape,
    ) -> Result<(), Refusal> {
        let wat = contract.probe_component(function, at.instance.as_deref(), &at.name, shape);
        if let Some(answer) = self.answers.get(&wat) {
            return answer.clone();
        }
        let answer = self.host.instantiates(&wat);
        self.answers.insert(wat, answer.clone());
        answer
    }
}

/// Shapes to try after the exact one, for the function's result.
const MISTAKEN_SHAPES: [Shape; 2] = [Shape::NoResult, Shape::OkOnly];

fn judge_one(contract: &Contract, asked: &mut Asked, function: &HostFunction) -> Verdicts {
    let exact = Location {
        instance: Some(function.instance.clone()),
        name: function.name.clone(),
    };
    let host_says = match asked.ask(contract, function, &exact, Shape::Exact) {
        Ok(()) => {
            let typing = typing(contract, asked, function, &exact);
            return Verdicts {
                placement: Placement::Right,
                signature: Ok(()),
                typing,
                signature_unjudged: None,
            };
        }
        Err(Refusal::Adapter(why)) => return unjudged(function, why),
        Err(Refusal::Host(refusal)) => refusal,
    };
    let found_at_exact = Found::of(&host_says, &exact);
    let host_says = host_says.reason;
    if let Some(shape) = instantiating_shape(contract, asked, function, &exact) {
        return Verdicts {
            placement: Placement::Right,
            signature: result_mismatch(contract, function, shape),
            typing: Typing::AtLink,
            signature_unjudged: None,
        };
    }
    let mut other_types = Vec::new();
    for (at, mistake) in misplacements(function) {
        match asked.ask(contract, function, &at, Shape::Exact) {
            Ok(()) => {
                // Where the linker takes any type, the type shows only in
                // answers, and the function cannot be called where
                // components import it: not judged, never passed.
                let typing = typing(contract, asked, function, &at);
                let signature_unjudged = (typing == Typing::AtCall).then(|| {
                    format!(
                        "`{}` is registered in the wrong place (see its name trial), with a \
                         linker that checks its type only when it is called, so its type \
                         cannot be seen until it is registered where components import it",
                        function.name
                    )
                });
                return Verdicts {
                    placement: Placement::Wrong { at, mistake },
                    signature: Ok(()),
                    typing,
                    signature_unjudged,
                };
            }
            Err(Refusal::Adapter(why)) => return unjudged(function, why),
            Err(Refusal::Host(refusal)) => {
                if let Some(shape) = instantiating_shape(contract, asked, function, &at) {
                    return Verdicts {
                        placement: Placement::Wrong { at, mistake },
                        signature: result_mismatch(contract, function, shape),
                        typing: Typing::AtLink,
                        signature_unjudged: None,
                    };
                }
                if Found::of(&refusal, &at) == Found::OtherType {
                    other_types.push((at, mistake, refusal.reason));
                }
            }
        }
    }
    match found_at_exact {
        Found::OtherType => Verdicts {
            placement: Placement::Right,
            signature: type_mismatch(contract, function, &host_says),
            typing: Typing::AtLink,
            signature_unjudged: None,
        },
        _ if !other_types.is_empty() => {
            let (at, mistake, text) = other_types.swap_remove(0);
            Verdicts {
                placement: Placement::Wrong { at, mistake },
                signature: type_mismatch(contract, function, &text),
                typing: Typing::AtLink,
                signature_unjudged: None,
            }
        }
        Found::Nothing => Verdicts {
            placement: Placement::Missing {
                host_says: host_says.clone(),
            },
            signature: Err(format!(
                "cannot check the type of `{}`: it is not registered (see its name trial)",
                function.name
            )),
            typing: Typing::AtLink,
            signature_unjudged: None,
        },
        Found::Unknown => {
            let why = format!(
                "`{}` cannot be imported from `{}` with the contract's type `{}`, nor from \
                 where hosts put functions by mistake; the host's refusal does not say \
                 whether it is missing or of another type (an adapter says so by naming \
                 the import in its refusal's `unsatisfied`, docs/adapter-protocol.md).\n  \
                 the host says: {host_says}",
                function.name,
                function.instance,
                contract.signature(function, Shape::Exact)
            );
            unjudged(function, why)
        }
    }
}

/// When the host's linker checks `function`'s type at `at`, where a probe
/// of the exact type instantiated: a decoy of a type no contract function
/// has tells. An adapter that cannot answer for the decoy leaves it
/// unknown, and the answers must then show the type.
fn typing(
    contract: &Contract,
    asked: &mut Asked,
    function: &HostFunction,
    at: &Location,
) -> Typing {
    match asked.ask(contract, function, at, Shape::Decoy) {
        Err(Refusal::Host(_)) => Typing::AtLink,
        Ok(()) | Err(Refusal::Adapter(_)) => Typing::AtCall,
    }
}

fn unjudged(function: &HostFunction, why: String) -> Verdicts {
    Verdicts {
        placement: Placement::Unjudged(why.clone()),
        signature: Err(format!(
            "cannot check the type of `{}`: {why}",
            function.name
        )),
        typing: Typing::AtLink,
        signature_unjudged: None,
    }
}

/// A mistaken result shape that instantiates at `at`, if one does.
fn instantiating_shape(
    contract: &Contract,
    asked: &mut Asked,
    function: &HostFunction,
    at: &Location,
) -> Option<Shape> {
    MISTAKEN_SHAPES.into_iter().find(|&shape| {
        contract.shape_differs(function, shape) && asked.ask(contract, function, at, shape).is_ok()
    })
}

fn result_mismatch(
    contract: &Contract,
    function: &HostFunction,
    shape: Shape,
) -> Result<(), String> {
    Err(format!(
        "result type mismatch for `{}`: expected `{}`, found `{}`. The contract's type is \
         `{}`{}",
        function.name,
        contract.result_text(function, Shape::Exact),
        contract.result_text(function, shape),
        contract.signature(function, Shape::Exact),
        if shape == Shape::NoResult {
            "; a closure returning `Ok(())` registers no result at all"
        } else {
            ""
        }
    ))
}

fn type_mismatch(
    contract: &Contract,
    function: &HostFunction,
    host_says: &str,
) -> Result<(), String> {
    Err(format!(
        "type mismatch for `{}`: expected `{}`, found a function of another type (the \
         host's words, in which `expected` may be the host's type and `found` the \
         contract's: {host_says})",
        function.name,
        contract.signature(function, Shape::Exact)
    ))
}

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

/// Where else a host might have put `function`, most likely mistakes first.
fn misplacements(function: &HostFunction) -> Vec<(Location, String)> {
    let interface = &function.interface;
    let (package, version) = function
        .instance
        .split_once('/')
        .and_then(|(package, rest)| Some((package, rest.split_once('@')?.1)))
        .expect("instance names are package/interface@version");
    let kebab = function.name.clone();
    let snake = kebab.replace('-', "_");
    let qualified = function.instance.clone();
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
    let unversioned = format!("{package}/{interface}");
    candidates.push((
        Some(unversioned.clone()),
        kebab.clone(),
        format!(
            "instance registered as `{unversioned}` without a version; components import \
             `{qualified}`"
        ),
    ));
    for other in ["0.1.0", "0.2.0", "2.0.0"] {
        let versioned = format!("{package}/{interface}@{other}");
        candidates.push((
            Some(versioned.clone()),
            kebab.clone(),
            format!(
                "wrong version: instance registered as `{versioned}`; the contract is \
                 version {version}, imported as `{qualified}`"
            ),
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

    struct Registered(Vec<&'static str>);

    impl Instantiates for Registered {
        fn instantiates(&mut self, wat: &str) -> Result<(), Refusal> {
            if self.0.iter().any(|import| wat.contains(import)) {
                Ok(())
            } else {
                Err(Refusal::Host(
                    "function implementation is missing".to_owned().into(),
                ))
            }
        }
    }

    #[test]
    fn a_bare_instance_name_is_named_as_the_mistake() {
        let contract = Contract::bundled();
        let mut host = Registered(vec!["(import \"storage\""]);
        let verdicts = judge(&contract, &mut host);
        let get = contract
            .functions()
            .iter()
            .position(|f| f.name == "get")
            .unwrap();
        let Placement::Wrong { at, mistake } = &verdicts[get].placement else {
            panic!("{:?}", verdicts[get]);
        };
        assert_eq!(at.instance.as_deref(), Some("storage"));
        assert!(mistake.contains("bare name `storage`"), "{mistake}");
        let send = contract
            .functions()
            .iter()
            .position(|f| f.name == "send")
            .unwrap();
        assert!(matches!(
            verdicts[send].placement,
            Placement::Missing { .. }
        ));
    }

    /// A wasmtime linker, asked as an adapter's `check` would.
    struct OnLinker(wasmtime::component::Linker<()>);

    impl Instantiates for OnLinker {
        fn instantiates(&mut self, wat: &str) -> Result<(), Refusal> {
            let component = wasmtime::component::Component::new(self.0.engine(), wat)
                .map_err(|e| Refusal::Adapter(format!("{e:#}")))?;
            self.0
                .instantiate_pre(&component)
                .map(drop)
                .map_err(|e| Refusal::Host(format!("{e:#}").into()))
        }
    }

    #[test]
    fn a_function_at_the_root_is_found_there_whatever_its_types() {
        let engine = wasmtime::Engine::default();
        let mut linker = wasmtime::component::Linker::new(&engine);
        linker.root().func_new("send", |_, _, _, _| Ok(())).unwrap();
        let contract = Contract::bundled();
        let verdicts = judge(&contract, &mut OnLinker(linker));
        let send = contract
            .functions()
            .iter()
            .position(|f| f.name == "send")
            .unwrap();
        let Placement::Wrong { at, mistake } = &verdicts[send].placement else {
            panic!("{:?}", verdicts[send]);
        };
        assert_eq!(at.instance, None);
        assert!(mistake.contains("at the linker's root"), "{mistake}");
        let get = contract
            .functions()
            .iter()
            .position(|f| f.name == "get")
            .unwrap();
        let Placement::Missing { host_says } = &verdicts[get].placement else {
            panic!("{:?}", verdicts[get]);
        };
        assert!(
            host_says.contains("implementation is missing"),
            "{host_says}"
        );
    }

    /// Protocol 1.1: a host whose words are not wasmtime's is judged by the
    /// imports its refusal names, and with neither, left unjudged.
    #[test]
    fn the_imports_a_refusal_names_decide_where_its_words_cannot() {
        struct Naming {
            other_type: Vec<String>,
            missing: Vec<String>,
        }
        impl Instantiates for Naming {
            fn instantiates(&mut self, _: &str) -> Result<(), Refusal> {
                let mut refusal = CheckRefusal::msg("nicht gefunden");
                refusal.unsatisfied.missing = self.missing.clone();
                refusal.unsatisfied.other_type = self.other_type.clone();
                Err(Refusal::Host(refusal))
            }
        }
        let contract = Contract::bundled();
        let full_name = |f: &HostFunction| Unsatisfied::full_name(Some(&f.instance), &f.name);
        let (get, others): (Vec<_>, Vec<_>) =
            contract.functions().iter().partition(|f| f.name == "get");
        let mut host = Naming {
            other_type: get.iter().map(|f| full_name(f)).collect(),
            missing: others.iter().map(|f| full_name(f)).collect(),
        };
        let verdicts = judge(&contract, &mut host);
        for (function, verdict) in contract.functions().iter().zip(&verdicts) {
            if function.name == "get" {
                assert_eq!(verdict.placement, Placement::Right);
                let signature = verdict.signature.as_ref().unwrap_err();
                assert!(signature.contains("type mismatch for `get`"), "{signature}");
                assert!(signature.contains("nicht gefunden"), "{signature}");
            } else {
                assert!(
                    matches!(&verdict.placement, Placement::Missing { host_says } if host_says == "nicht gefunden"),
                    "{}: {verdict:?}",
                    function.name
                );
            }
        }
        // Lists that name only another import say nothing of this one, even
        // where the words would read as "missing".
        let elsewhere = CheckRefusal::msg("function implementation is missing")
            .with_missing("airssys:core/storage@1.0.0#usage");
        let get = Location {
            instance: Some("airssys:core/storage@1.0.0".into()),
            name: "get".into(),
        };
        assert_eq!(Found::of(&elsewhere, &get), Found::Unknown);
        host.missing.clear();
        host.other_type.clear();
        let verdicts = judge(&contract, &mut host);
        assert!(
            verdicts
                .iter()
                .all(|v| matches!(&v.placement, Placement::Unjudged(why) if why.contains("`unsatisfied`"))),
            "{verdicts:?}"
        );
    }

    #[test]
    fn an_adapter_failure_leaves_the_function_unjudged() {
        struct Crashing;
        impl Instantiates for Crashing {
            fn instantiates(&mut self, _: &str) -> Result<(), Refusal> {
                Err(Refusal::Adapter("the adapter exited".into()))
            }
        }
        let contract = Contract::bundled();
        let verdicts = judge(&contract, &mut Crashing);
        assert!(verdicts.iter().all(|v| v.placement
            == Placement::Unjudged("the adapter exited".into())
            && v.signature.is_err()));
    }
}
