//! The contract as the suite reads it from WIT: the suite's own `wit/`
//! (embedded), or any version of the package in a directory (`--wit DIR`).
//! The imported functions of the world, their clause IDs (from the
//! `Clauses:` line of each doc comment), their `@since` and `@unstable`
//! gates, and their types rendered as WIT text (for messages) and as
//! component-model WAT (for one-import probe components).

#[cfg(test)]
mod odd_wits;
mod probeable;
mod read;
mod wat_types;

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub use airssys_contract::{ByInterface, HostFn, Interface};
pub use read::ContractError;
use wit_parser::{Function, Resolve, Type, TypeDefKind};

use wat_types::WatTypes;

/// The world every airssys component targets.
pub const WORLD: &str = "runtime-host";

/// One host function the contract requires.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HostFunction {
    /// Which function of this build's contract it is; `None` for a function
    /// this build of the suite does not know (one a newer WIT adds, given
    /// with `--wit`): its name and type are judged from the WIT, its
    /// behaviour is not.
    pub host_fn: Option<HostFn>,
    /// The WIT interface, e.g. `storage`.
    pub interface: String,
    /// The kebab-case WIT name, e.g. `list-keys`.
    pub name: String,
    /// The instance name components import, e.g. `airssys:core/storage@1.0.0`.
    pub instance: String,
    /// Behaviour clause IDs from the doc comment, in order, e.g. `["STO-6", "STO-10"]`.
    pub clauses: Vec<String>,
    /// The version of its `@since(version = …)`, if it has one, e.g. `1.1.0`.
    pub since: Option<String>,
    function: Function,
}

impl HostFunction {
    /// `interface::name`, the prefix of every trial of this function.
    pub fn path(&self) -> String {
        format!("{}::{}", self.interface, self.name)
    }

    /// How WIT names it, without version: `airssys:core/storage.get-many`.
    pub fn wit_name(&self) -> String {
        let unversioned = self
            .instance
            .split_once('@')
            .map_or(self.instance.as_str(), |(name, _)| name);
        format!("{unversioned}.{}", self.name)
    }
}

/// A function the world imports only with an `@unstable(feature = …)` that
/// was not enabled: not part of the contract, named so that reports can say
/// what was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GatedFunction {
    /// The WIT interface, e.g. `storage`.
    pub interface: String,
    /// The kebab-case WIT name, e.g. `compare-and-swap`.
    pub name: String,
    /// The feature of the gate (on the function, its interface or its
    /// import), e.g. `compare-and-swap`.
    pub feature: String,
}

impl GatedFunction {
    /// `interface::name`, as trials name functions.
    pub fn path(&self) -> String {
        format!("{}::{}", self.interface, self.name)
    }
}

/// Shapes a probe component may import a function with, to tell apart a
/// missing function from one of another type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Exactly the contract's type.
    Exact,
    /// The contract's parameters, no result: what a host returning `Ok(())`
    /// from a closure registers for a function whose result is `result<_, E>`.
    NoResult,
    /// The contract's parameters, with the `ok` type of a `result<T, E>` as result.
    OkOnly,
    /// `func() -> char`, a type no function of the contract has: a linker
    /// that accepts it where the function is registered does not check
    /// types when it links (wasmtime's `func_new`, jco, wasmtime-py), so
    /// the function's type can only be seen in its answers.
    Decoy,
}

/// The contract: the functions components import, their clauses and types.
pub struct Contract {
    resolve: Resolve,
    functions: Vec<HostFunction>,
    gated: Vec<GatedFunction>,
    package: String,
    version: Option<String>,
    digest: String,
    features: Vec<String>,
    origin: Option<PathBuf>,
}

impl Contract {
    /// The package, e.g. `airssys:core@1.0.0`.
    pub fn package(&self) -> &str {
        &self.package
    }

    /// The package's version, e.g. `1.1.0`.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// SHA-256 (hex) of the WIT files, names and contents in order.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The directory the WIT was read from; `None` for the suite's own
    /// `wit/`, embedded at build time.
    pub fn origin(&self) -> Option<&Path> {
        self.origin.as_deref()
    }

    /// The `@unstable` features enabled, as asked.
    pub fn features(&self) -> &[String] {
        &self.features
    }

    /// The functions behind an `@unstable` gate that was not enabled, in
    /// WIT order: not part of the contract.
    pub fn gated(&self) -> &[GatedFunction] {
        &self.gated
    }

    /// Every imported function, in WIT order.
    pub fn functions(&self) -> &[HostFunction] {
        &self.functions
    }

    /// The function `name` of `interface` (WIT names).
    pub fn function(&self, interface: &str, name: &str) -> Option<&HostFunction> {
        self.functions
            .iter()
            .find(|f| f.interface == interface && f.name == name)
    }

    /// Every function with its instance, WIT type and clauses, as a Markdown
    /// table: what the name and signature trials hold a host to.
    pub fn signature_table(&self) -> String {
        let mut table =
            String::from("| function | instance | type | clauses |\n|---|---|---|---|\n");
        for function in &self.functions {
            table.push_str(&format!(
                "| `{}` | `{}` | `{}` | {} |\n",
                function.name,
                function.instance,
                self.signature(function, Shape::Exact),
                function.clauses.join(", ")
            ));
        }
        table
    }

    /// The function `host_fn`, with its index.
    pub fn find(&self, host_fn: HostFn) -> Option<(usize, &HostFunction)> {
        self.functions
            .iter()
            .enumerate()
            .find(|(_, f)| f.host_fn == Some(host_fn))
    }

    /// The function's type as WIT, e.g. `func(key: string) -> result<_, storage-error>`.
    pub fn signature(&self, function: &HostFunction, shape: Shape) -> String {
        let params: Vec<String> = Self::params_of(function, shape)
            .iter()
            .map(|p| format!("{}: {}", p.name, self.wit_type(&p.ty)))
            .collect();
        let mut text = format!("func({})", params.join(", "));
        if let Some(result) = self.result_of(function, shape) {
            write!(text, " -> {}", self.wit_type(&result)).unwrap();
        }
        text
    }

    /// Just the result as WIT, `()` when there is none.
    pub fn result_text(&self, function: &HostFunction, shape: Shape) -> String {
        self.result_of(function, shape)
            .map_or_else(|| "()".into(), |ty| self.wit_type(&ty))
    }

    /// Whether `shape` differs from `Exact` for this function (so it is worth trying).
    pub fn shape_differs(&self, function: &HostFunction, shape: Shape) -> bool {
        shape == Shape::Exact
            || self.result_of(function, shape) != self.result_of(function, Shape::Exact)
    }

    /// The parameters a probe of `shape` imports the function with.
    fn params_of(function: &HostFunction, shape: Shape) -> &[wit_parser::Param] {
        match shape {
            Shape::Exact | Shape::NoResult | Shape::OkOnly => &function.function.params,
            Shape::Decoy => &[],
        }
    }

    fn result_of(&self, function: &HostFunction, shape: Shape) -> Option<Type> {
        if shape == Shape::Decoy {
            return Some(Type::Char);
        }
        let result = function.function.result?;
        match shape {
            Shape::Decoy => unreachable!("answered above"),
            Shape::Exact => Some(result),
            Shape::NoResult => None,
            Shape::OkOnly => match self.resolve_alias(result) {
                Type::Id(id) => match &self.resolve.types[id].kind {
                    TypeDefKind::Result(r) => r.ok,
                    _ => Some(result),
                },
                other => Some(other),
            },
        }
    }

    fn resolve_alias(&self, mut ty: Type) -> Type {
        while let Type::Id(id) = ty {
            match &self.resolve.types[id].kind {
                TypeDefKind::Type(inner) => ty = *inner,
                _ => break,
            }
        }
        ty
    }

    /// A type as the contract writes it: named types and aliases by name.
    pub fn wit_type(&self, ty: &Type) -> String {
        wit_text(&self.resolve, ty)
    }

    /// A component that imports `function`, and nothing else, from
    /// `instance` under `name`, with the given `shape`. It never runs: it
    /// only asks a linker whether it could be instantiated.
    /// With no `instance`, the function is imported at the root.
    pub fn probe_component(
        &self,
        function: &HostFunction,
        instance: Option<&str>,
        name: &str,
        shape: Shape,
    ) -> String {
        let mut types = WatTypes {
            contract: self,
            defined: HashSet::new(),
            text: String::new(),
            root: instance.is_none(),
        };
        let params: Vec<String> = Self::params_of(function, shape)
            .iter()
            .map(|p| format!("(param {:?} {})", p.name, types.valtype(&p.ty)))
            .collect();
        let result = self
            .result_of(function, shape)
            .map(|ty| format!("(result {})", types.valtype(&ty)))
            .unwrap_or_default();
        let func = format!("(func {} {result})", params.join(" "));
        match instance {
            Some(instance) => format!(
                "(component\n  (import {instance:?} (instance\n{}    (type $probed {func})\n    (export {name:?} (func (type $probed)))\n  ))\n)\n",
                types.text
            ),
            None => format!(
                "(component\n{}  (type $probed {func})\n  (import {name:?} (func (type $probed)))\n)\n",
                types.text
            ),
        }
    }
}

/// A type as WIT writes it: named types and aliases by name, the others
/// spelled out (`list<option<string>>`, `borrow<blob>`, `stream<u8>`).
fn wit_text(resolve: &Resolve, ty: &Type) -> String {
    let id = match ty {
        Type::Id(id) => *id,
        primitive => return primitive_name(primitive).into(),
    };
    let def = &resolve.types[id];
    if let Some(name) = &def.name {
        return name.clone();
    }
    let text = |ty: &Type| wit_text(resolve, ty);
    let optional = |ty: &Option<Type>| ty.as_ref().map_or("_".into(), text);
    let named = |id: &wit_parser::TypeId| text(&Type::Id(*id));
    match &def.kind {
        TypeDefKind::Option(t) => format!("option<{}>", text(t)),
        TypeDefKind::List(t) => format!("list<{}>", text(t)),
        TypeDefKind::FixedLengthList(t, size) => format!("list<{}, {size}>", text(t)),
        TypeDefKind::Map(key, value) => format!("map<{}, {}>", text(key), text(value)),
        TypeDefKind::Tuple(t) => {
            let types: Vec<String> = t.types.iter().map(text).collect();
            format!("tuple<{}>", types.join(", "))
        }
        TypeDefKind::Result(r) => match r.err {
            Some(err) => format!("result<{}, {}>", optional(&r.ok), text(&err)),
            None => format!("result<{}>", optional(&r.ok)),
        },
        TypeDefKind::Handle(wit_parser::Handle::Own(resource)) => named(resource),
        TypeDefKind::Handle(wit_parser::Handle::Borrow(resource)) => {
            format!("borrow<{}>", named(resource))
        }
        TypeDefKind::Future(t) => t
            .as_ref()
            .map_or_else(|| "future".into(), |t| format!("future<{}>", text(t))),
        TypeDefKind::Stream(t) => t
            .as_ref()
            .map_or_else(|| "stream".into(), |t| format!("stream<{}>", text(t))),
        TypeDefKind::Type(t) => text(t),
        // WIT declares these only by name, so an unnamed one is not
        // written anywhere: say what it is.
        TypeDefKind::Record(_) => "record".into(),
        TypeDefKind::Variant(_) => "variant".into(),
        TypeDefKind::Enum(_) => "enum".into(),
        TypeDefKind::Flags(_) => "flags".into(),
        TypeDefKind::Resource => "resource".into(),
        TypeDefKind::Unknown => "unknown".into(),
    }
}

fn primitive_name(ty: &Type) -> &'static str {
    match ty {
        Type::Bool => "bool",
        Type::U8 => "u8",
        Type::U16 => "u16",
        Type::U32 => "u32",
        Type::U64 => "u64",
        Type::S8 => "s8",
        Type::S16 => "s16",
        Type::S32 => "s32",
        Type::S64 => "s64",
        Type::F32 => "f32",
        Type::F64 => "f64",
        Type::Char => "char",
        Type::String => "string",
        Type::ErrorContext => "error-context",
        Type::Id(_) => unreachable!("not a primitive"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn storage_get(contract: &Contract) -> &HostFunction {
        contract.function("storage", "get").unwrap()
    }

    #[test]
    fn the_embedded_contract_is_the_one_in_wit() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit");
        let on_disk = Contract::load(&dir).unwrap();
        let bundled = Contract::bundled();
        assert_eq!(on_disk.digest(), bundled.digest());
        assert_eq!(bundled.package(), "airssys:core@1.0.0");
        assert_eq!(bundled.digest().len(), 64);
    }

    #[test]
    fn signature_table() {
        insta::assert_snapshot!(Contract::bundled().signature_table());
    }

    #[test]
    fn the_contract_has_17_host_functions() {
        let contract = Contract::bundled();
        let count = |interface: &str| {
            contract
                .functions()
                .iter()
                .filter(|f| f.interface == interface)
                .count()
        };
        assert_eq!(contract.functions().len(), 17);
        assert_eq!(
            (
                count("host-messaging"),
                count("host-services"),
                count("storage")
            ),
            (5, 6, 6)
        );
    }

    #[test]
    fn every_function_names_its_clauses() {
        let contract = Contract::bundled();
        for function in contract.functions() {
            assert!(
                !function.clauses.is_empty(),
                "{} has no clauses",
                function.path()
            );
        }
        assert_eq!(
            contract
                .function("host-messaging", "cancel-request")
                .unwrap()
                .clauses,
            ["MSG-7"]
        );
    }

    #[test]
    fn signatures_read_like_the_contract() {
        let contract = Contract::bundled();
        let send = contract.function("host-messaging", "send").unwrap();
        assert_eq!(send.instance, "airssys:core/host-messaging@1.0.0");
        assert_eq!(
            contract.signature(send, Shape::Exact),
            "func(target: component-id, payload: message-payload) -> result<_, messaging-error>"
        );
        assert_eq!(contract.result_text(send, Shape::NoResult), "()");
        let get = storage_get(&contract);
        assert_eq!(
            contract.result_text(get, Shape::OkOnly),
            "option<storage-value>"
        );
    }

    #[test]
    fn every_probe_component_is_valid_in_an_instance_and_at_the_root() {
        let contract = Contract::bundled();
        let engine = wasmtime::Engine::default();
        for function in contract.functions() {
            for shape in [Shape::Exact, Shape::NoResult, Shape::OkOnly, Shape::Decoy] {
                for instance in [Some(function.instance.as_str()), None] {
                    let wat = contract.probe_component(function, instance, &function.name, shape);
                    if let Err(e) = wasmtime::component::Component::new(&engine, &wat) {
                        panic!("{} {shape:?} {instance:?}: {e:#}\n{wat}", function.path());
                    }
                }
            }
        }
    }

    fn draft_1_1(features: &[&str]) -> Result<Contract, ContractError> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/contract-1.1.0/wit");
        let features: Vec<String> = features.iter().map(|f| f.to_string()).collect();
        Contract::load_with_features(&dir, &features)
    }

    #[test]
    fn the_bundled_clauses_read_at_run_time_are_the_build_scripts() {
        let contract = Contract::bundled();
        for function in contract.functions() {
            let host_fn = function.host_fn.expect("this build knows its own WIT");
            assert_eq!(function.clauses, host_fn.clauses(), "{}", function.path());
            assert_eq!(function.since, None);
        }
        assert_eq!(contract.version(), Some("1.0.0"));
        assert!(contract.gated().is_empty());
        assert_eq!(contract.origin(), None);
    }

    #[test]
    fn a_newer_wit_keeps_the_function_this_build_does_not_know_with_its_clauses() {
        let contract = draft_1_1(&[]).unwrap();
        assert_eq!(contract.package(), "airssys:core@1.1.0");
        assert_eq!(contract.version(), Some("1.1.0"));
        assert_eq!(contract.functions().len(), 18);
        let get_many = contract.function("storage", "get-many").unwrap();
        assert_eq!(get_many.host_fn, None);
        assert_eq!(
            get_many.clauses,
            ["STO-12", "STO-8", "STO-10", "SEC-1", "SEC-1.1"]
        );
        assert_eq!(get_many.since.as_deref(), Some("1.1.0"));
        assert_eq!(get_many.instance, "airssys:core/storage@1.1.0");
        assert_eq!(get_many.wit_name(), "airssys:core/storage.get-many");
        assert_eq!(
            contract.signature(get_many, Shape::Exact),
            "func(keys: list<string>) -> result<list<option<storage-value>>, storage-error>"
        );
        // The functions it knows stay known, now imported at 1.1.0.
        let get = storage_get(&contract);
        assert_eq!(get.host_fn, Some(HostFn::Get));
        assert_eq!(get.instance, "airssys:core/storage@1.1.0");
        assert_ne!(contract.digest(), Contract::bundled().digest());
        assert!(contract.origin().unwrap().ends_with("contract-1.1.0/wit"));
    }

    #[test]
    fn a_function_behind_a_feature_not_enabled_is_listed_not_kept() {
        let contract = draft_1_1(&[]).unwrap();
        assert_eq!(
            contract
                .function("storage", "compare-and-swap")
                .map(|f| f.path()),
            None
        );
        let gated: Vec<(String, &str)> = contract
            .gated()
            .iter()
            .map(|g| (g.path(), g.feature.as_str()))
            .collect();
        assert_eq!(
            gated,
            [("storage::compare-and-swap".to_owned(), "compare-and-swap")]
        );
        assert!(contract.features().is_empty());
    }

    #[test]
    fn an_enabled_feature_makes_its_function_part_of_the_contract() {
        let contract = draft_1_1(&["compare-and-swap"]).unwrap();
        assert!(contract.gated().is_empty());
        assert_eq!(contract.features(), ["compare-and-swap"]);
        let swap = contract.function("storage", "compare-and-swap").unwrap();
        assert_eq!(swap.host_fn, None);
        assert_eq!(swap.clauses[0], "STO-13");
        assert_eq!(contract.functions().len(), 19);
    }

    #[test]
    fn a_feature_the_wit_does_not_have_is_refused_with_the_ones_it_has() {
        let error = draft_1_1(&["compare-and-swapp"]).err().unwrap().to_string();
        assert!(
            error.ends_with(
                "has nothing behind `@unstable(feature = compare-and-swapp)`; its features: \
                 `compare-and-swap`"
            ),
            "{error}"
        );
    }

    #[test]
    fn an_interface_this_build_does_not_know_is_kept_without_behaviour_checks() {
        let world = "package airssys:core@1.2.0;\n\
            interface storage { get: func(key: string) -> option<string>; }\n\
            interface queue { push: func(item: string); }\n\
            world runtime-host { import storage; import queue; }\n";
        let contract = Contract::read(&[("world.wit", world)], &[], "new/wit", None).unwrap();
        let push = contract.function("queue", "push").unwrap();
        assert_eq!(push.host_fn, None);
        assert_eq!(push.instance, "airssys:core/queue@1.2.0");
        assert_eq!(contract.signature(push, Shape::Exact), "func(item: string)");
        assert_eq!(contract.functions().len(), 2);
    }

    #[test]
    fn another_package_or_no_world_is_an_error_that_says_what_to_do() {
        let world = "package airssys:core@1.2.0;\n\
            interface storage { get: func(key: string) -> option<string>; }\n\
            interface queue { push: func(item: string); }\n\
            world runtime-host { import storage; import queue; }\n";
        let read = |text: &str| {
            Contract::read(&[("world.wit", text)], &[], "new/wit", None)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(
            read(&world.replace("airssys:core", "acme:kv"))
                .starts_with("the WIT in new/wit is the package `acme:kv@1.2.0`, and this suite judges `airssys:core`"),
        );
        assert_eq!(
            read(&world.replace("world runtime-host", "world other")),
            "the WIT in new/wit has no world `runtime-host` (its worlds: `other`); the contract's \
             functions are the imports of that world"
        );
        assert!(
            read("package airssys:core@1.2.0;\ninterface {")
                .starts_with("the WIT in new/wit does not parse: ")
        );
        let empty = Contract::read(&[], &[], "new/wit", None).err().unwrap();
        assert!(
            empty.to_string().starts_with("new/wit holds no .wit file"),
            "{empty}"
        );
        let missing = Contract::load(Path::new("/no/such/dir")).err().unwrap();
        assert_eq!(
            missing.to_string(),
            "cannot read the contract's WIT in /no/such/dir: no such directory"
        );
    }

    #[test]
    fn every_probe_component_of_the_draft_is_valid() {
        let contract = draft_1_1(&["compare-and-swap"]).unwrap();
        let engine = wasmtime::Engine::default();
        for function in contract.functions() {
            for shape in [Shape::Exact, Shape::NoResult, Shape::OkOnly, Shape::Decoy] {
                let wat = contract.probe_component(
                    function,
                    Some(&function.instance),
                    &function.name,
                    shape,
                );
                if let Err(e) = wasmtime::component::Component::new(&engine, &wat) {
                    panic!("{} {shape:?}: {e:#}\n{wat}", function.path());
                }
            }
        }
    }

    #[test]
    fn probe_components_define_nominal_types_once() {
        let contract = Contract::bundled();
        let send = contract.function("host-messaging", "send").unwrap();
        let wat = contract.probe_component(send, Some(&send.instance), &send.name, Shape::Exact);
        assert_eq!(wat.matches("(export \"component-id\"").count(), 1, "{wat}");
        assert!(
            wat.contains("(case \"target-not-found\" $component-id)"),
            "{wat}"
        );
    }
}
