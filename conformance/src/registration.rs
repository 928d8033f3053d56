//! Name and signature verdicts: is each function registered where components
//! import it from, and with the contract's type? Judged from the suite's own
//! reading of the WIT, so a host that registers with raw `func_wrap` or
//! `func_new` is judged exactly as one that uses bindgen.
//!
//! Two probes: a one-import component per function (does `instantiate_pre`
//! accept it?), and defining the name on a clone of the linker (a linker
//! refuses to define a name twice, whatever its type), which finds a
//! function registered under a wrong name.

use wasmtime::Engine;
use wasmtime::component::{Component, Linker};

use crate::contract::{Contract, HostFunction, Shape};

/// Where a function was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// `None` for the linker's root.
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
    Missing,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdicts {
    pub placement: Placement,
    /// `Ok` or the signature failure in plain words.
    pub signature: Result<(), String>,
}

impl Verdicts {
    pub fn name(&self, function: &HostFunction) -> Result<(), String> {
        match &self.placement {
            Placement::Right => Ok(()),
            Placement::Wrong { mistake, .. } => Err(mistake.clone()),
            Placement::Missing => Err(format!(
                "missing function: `{}` is not registered in instance `{}`, nor under a \
                 bare, unversioned, other-version, snake_case or root-level name. \
                 Register it with `linker.instance({:?})?.func_wrap({:?}, ...)`",
                function.name, function.instance, function.instance, function.name
            )),
        }
    }
}

/// Judges every function of `contract` against `linker`.
pub fn judge<T: 'static>(contract: &Contract, linker: &Linker<T>) -> Vec<Verdicts> {
    contract
        .functions()
        .iter()
        .map(|function| judge_one(contract, linker, function))
        .collect()
}

fn judge_one<T: 'static>(
    contract: &Contract,
    linker: &Linker<T>,
    function: &HostFunction,
) -> Verdicts {
    let exact = Location {
        instance: Some(function.instance.clone()),
        name: function.name.clone(),
    };
    let accepts_exact = accepts(contract, linker, function, &exact, Shape::Exact);
    let placement = if accepts_exact.is_ok() || defines(linker, &exact) {
        Placement::Right
    } else {
        misplacement(linker, function)
    };
    let signature = match &placement {
        Placement::Right => signature_at(contract, linker, function, &exact, accepts_exact),
        Placement::Wrong { at, .. } => {
            let found = accepts(contract, linker, function, at, Shape::Exact);
            signature_at(contract, linker, function, at, found)
        }
        Placement::Missing => Err(format!(
            "cannot check the type of `{}`: it is not registered (see its name trial)",
            function.name
        )),
    };
    Verdicts {
        placement,
        signature,
    }
}

fn signature_at<T: 'static>(
    contract: &Contract,
    linker: &Linker<T>,
    function: &HostFunction,
    at: &Location,
    exact: Result<(), String>,
) -> Result<(), String> {
    let wasmtime_says = match exact {
        Ok(()) => return Ok(()),
        Err(reason) => reason,
    };
    let expected = contract.signature(function, Shape::Exact);
    for shape in [Shape::NoResult, Shape::OkOnly] {
        if contract.shape_differs(function, shape)
            && accepts(contract, linker, function, at, shape).is_ok()
        {
            return Err(format!(
                "result type mismatch for `{}`: expected `{}`, found `{}`. The contract's \
                 type is `{expected}`{}",
                function.name,
                contract.result_text(function, Shape::Exact),
                contract.result_text(function, shape),
                if shape == Shape::NoResult {
                    "; a closure returning `Ok(())` registers no result at all"
                } else {
                    ""
                }
            ));
        }
    }
    Err(format!(
        "type mismatch for `{}`: expected `{expected}`, found a function of another type \
         (wasmtime's words, in which `expected` is the host's type and `found` the \
         contract's: {wasmtime_says})",
        function.name
    ))
}

/// Whether `linker` could instantiate a component importing `function` at `at` with `shape`.
fn accepts<T: 'static>(
    contract: &Contract,
    linker: &Linker<T>,
    function: &HostFunction,
    at: &Location,
    shape: Shape,
) -> Result<(), String> {
    let Some(instance) = &at.instance else {
        return Err("root-level functions are not checked for type".into());
    };
    let wat = contract.probe_component(function, instance, &at.name, shape);
    let component = probe_component(linker.engine(), &wat);
    linker
        .instantiate_pre(&component)
        .map(drop)
        .map_err(|e| format!("{e:#}"))
}

fn probe_component(engine: &Engine, wat: &str) -> Component {
    Component::new(engine, wat).unwrap_or_else(|e| panic!("probe component invalid: {e:#}\n{wat}"))
}

/// Whether anything is defined at `at`: defining it again on a clone fails.
fn defines<T: 'static>(linker: &Linker<T>, at: &Location) -> bool {
    let mut probe = linker.clone();
    let defined = match &at.instance {
        Some(instance) => match probe.instance(instance) {
            Ok(mut instance) => instance.func_new(&at.name, |_, _, _, _| Ok(())),
            // Something other than an instance is defined under that name.
            Err(_) => return true,
        },
        None => probe.root().func_new(&at.name, |_, _, _, _| Ok(())),
    };
    defined.is_err()
}

/// Where else a host might have put `function`, most likely mistakes first.
fn misplacement<T: 'static>(linker: &Linker<T>, function: &HostFunction) -> Placement {
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
                 `{qualified}` (the mistake of the original design notes): components \
                 import the fully qualified name, so use `linker.instance({qualified:?})`"
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
    for (instance, name, mistake) in candidates {
        let at = Location { instance, name };
        if defines(linker, &at) {
            return Placement::Wrong { at, mistake };
        }
    }
    Placement::Missing
}
