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
//! protocol 1.1), or else by wasmtime's words ([`refusals`]). Its text is
//! quoted in the verdict.
//!
//! Where the exact import instantiates, the verdict says how the name was
//! found ([`NameMatch`], [`names`]): exactly, or only on its semver track
//! (wasmtime links an import of `@1.0.0` to a registration of `@1.1.0`; a
//! runtime without semver matching would not), as a `check` with exact
//! names shows (adapter protocol 1.4).

mod names;
mod places;
mod refusals;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use airssys_conformance_adapter::CheckRefusal;

pub(crate) use names::notes;
pub(crate) use refusals::{Found, mistyped_answer};

use crate::contract::{Contract, HostFunction, Shape};
use names::name_match;
use places::misplacements;

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
    /// Where components import it from, found as [`NameMatch`] says.
    Right(NameMatch),
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

/// How the host's linker found a function components can import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameMatch {
    /// Registered under exactly the name components import.
    Exactly,
    /// Registered under another version of the same semver track, which
    /// wasmtime links the import to and a runtime without semver matching
    /// would not: the instance name, when the host's connection found it.
    BySemver { registered: Option<String> },
    /// The host's connection cannot tell the two apart: why.
    Unseen(String),
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
            Placement::Right(_) => Ok(()),
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
        matches!(self.placement, Placement::Right(_)) && self.signature.is_ok()
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

    /// Whether it could with every import registered under exactly its
    /// name, not only on its semver track (adapter protocol 1.4): a refusal
    /// names the imports found by semver in `unsatisfied.by_semver`.
    /// [`Refusal::Adapter`]: the connection cannot tell, and why.
    fn instantiates_exactly(&mut self, wat: &str) -> Result<(), Refusal> {
        let _ = wat;
        Err(Refusal::Adapter(
            "the host's connection has no `check` with exact names".into(),
        ))
    }
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
            let found = name_match(contract, asked, function, Shape::Exact);
            return Verdicts {
                placement: Placement::Right(found),
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
            placement: Placement::Right(name_match(contract, asked, function, shape)),
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
            // Of another type, so not asked how its name was found: the
            // exact probe cannot instantiate.
            placement: Placement::Right(NameMatch::Unseen(
                "it has another type than the contract's".into(),
            )),
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
