//! The contract as the suite reads it from `wit/`: the imported functions of
//! the world, their clause IDs (from the `Clauses:` line of each doc comment),
//! and their types rendered as WIT text (for messages) and as component-model
//! WAT (for one-import probe components).

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

pub use airssys_contract::{ByInterface, HostFn, Interface};
use sha2::{Digest as _, Sha256};
use wit_parser::{Function, Resolve, SourceMap, Type, TypeDefKind, TypeId, WorldItem, WorldKey};

/// The world every airssys component targets.
pub const WORLD: &str = "runtime-host";

/// One host function the contract requires.
#[derive(Debug, Clone)]
pub struct HostFunction {
    /// Which function of the contract this is.
    pub host_fn: HostFn,
    /// The WIT interface, e.g. `storage`.
    pub interface: String,
    /// The kebab-case WIT name, e.g. `list-keys`.
    pub name: String,
    /// The instance name components import, e.g. `airssys:core/storage@1.0.0`.
    pub instance: String,
    /// Behaviour clause IDs from the doc comment, in order, e.g. `["STO-6", "STO-10"]`.
    pub clauses: &'static [&'static str],
    function: Function,
}

impl HostFunction {
    /// `interface::name`, the prefix of every trial of this function.
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

/// Why a contract could not be read.
#[derive(Debug, thiserror::Error)]
#[allow(missing_docs)] // Each variant's fields are in its message.
pub enum ContractError {
    /// The WIT does not parse or resolve.
    #[error("cannot read the contract's WIT in {dir}: {reason}")]
    Parse { dir: String, reason: String },
    /// The WIT has no world `runtime-host`.
    #[error("the WIT in {dir} has no world `{WORLD}`")]
    NoWorld { dir: String },
    /// The WIT imports a function this build has no `HostFn` for.
    #[error(
        "the WIT in {dir} imports `{path}`, which this build of the suite does not know: \
         rebuild it from that WIT (docs/changing-the-contract.md)"
    )]
    Unknown { dir: String, path: String },
}

/// The contract: the functions components import, their clauses and types.
pub struct Contract {
    resolve: Resolve,
    functions: Vec<HostFunction>,
    package: String,
    digest: String,
}

impl Contract {
    /// The contract this suite was built with: this repository's `wit/`,
    /// embedded.
    pub fn bundled() -> Self {
        Self::from_files(airssys_contract::WIT_FILES).expect("the bundled WIT parses")
    }

    /// The contract in the `.wit` files of `dir`.
    pub fn load(dir: &Path) -> Result<Self, ContractError> {
        let shown = dir.display().to_string();
        let unreadable = |reason: String| ContractError::Parse {
            dir: shown.clone(),
            reason,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| unreadable(e.to_string()))? {
            let path = entry.map_err(|e| unreadable(e.to_string()))?.path();
            if path.extension().is_some_and(|ext| ext == "wit") {
                let text = std::fs::read_to_string(&path).map_err(|e| unreadable(e.to_string()))?;
                let name = path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                files.push((name, text));
            }
        }
        files.sort();
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        Self::from_files(&borrowed).map_err(|e| match e {
            ContractError::Parse { reason, .. } => ContractError::Parse {
                dir: shown.clone(),
                reason,
            },
            ContractError::NoWorld { .. } => ContractError::NoWorld { dir: shown.clone() },
            ContractError::Unknown { path, .. } => ContractError::Unknown {
                dir: shown.clone(),
                path,
            },
        })
    }

    /// The contract in these WIT files (name, text), sorted by name.
    pub fn from_files(files: &[(&str, &str)]) -> Result<Self, ContractError> {
        let shown = "the embedded wit/".to_string();
        let mut sources = SourceMap::new();
        let mut digest = Sha256::new();
        for (name, text) in files {
            sources.push_str(name, *text);
            digest.update((name.len() as u64).to_le_bytes());
            digest.update(name.as_bytes());
            digest.update((text.len() as u64).to_le_bytes());
            digest.update(text.as_bytes());
        }
        let digest = format!("{:x}", digest.finalize());
        let parse = |reason: String| ContractError::Parse {
            dir: shown.clone(),
            reason,
        };
        let group = sources.parse().map_err(|(_, e)| parse(e.to_string()))?;
        let mut resolve = Resolve::default();
        let package = resolve
            .push_group(group)
            .map_err(|e| parse(format!("{e:#}")))?;
        let package_name = resolve.packages[package].name.to_string();
        let world = resolve
            .select_world(&[package], Some(WORLD))
            .map_err(|_| ContractError::NoWorld { dir: shown.clone() })?;
        let mut functions = Vec::new();
        for (key, item) in &resolve.worlds[world].imports {
            let (WorldKey::Interface(id), WorldItem::Interface { .. }) = (key, item) else {
                continue;
            };
            let interface = &resolve.interfaces[*id];
            let instance = resolve.id_of(*id).expect("a package interface has an id");
            let interface_name = interface.name.clone().expect("world imports are named");
            for function in interface.functions.values() {
                let host_fn = HostFn::find(&interface_name, &function.name).ok_or_else(|| {
                    ContractError::Unknown {
                        dir: shown.clone(),
                        path: format!("{interface_name}::{}", function.name),
                    }
                })?;
                functions.push(HostFunction {
                    host_fn,
                    interface: interface_name.clone(),
                    name: function.name.clone(),
                    instance: instance.clone(),
                    clauses: host_fn.clauses(),
                    function: function.clone(),
                });
            }
        }
        Ok(Self {
            resolve,
            functions,
            package: package_name,
            digest,
        })
    }

    /// The package, e.g. `airssys:core@1.0.0`.
    pub fn package(&self) -> &str {
        &self.package
    }

    /// SHA-256 (hex) of the WIT files, names and contents in order.
    pub fn digest(&self) -> &str {
        &self.digest
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
            .find(|(_, f)| f.host_fn == host_fn)
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
        let id = match ty {
            Type::Id(id) => *id,
            primitive => return primitive_name(primitive).into(),
        };
        let def = &self.resolve.types[id];
        if let Some(name) = &def.name {
            return name.clone();
        }
        match &def.kind {
            TypeDefKind::Option(t) => format!("option<{}>", self.wit_type(t)),
            TypeDefKind::List(t) => format!("list<{}>", self.wit_type(t)),
            TypeDefKind::Tuple(t) => {
                let types: Vec<String> = t.types.iter().map(|t| self.wit_type(t)).collect();
                format!("tuple<{}>", types.join(", "))
            }
            TypeDefKind::Result(r) => {
                let ok = r.ok.map_or("_".into(), |t| self.wit_type(&t));
                match r.err {
                    Some(err) => format!("result<{ok}, {}>", self.wit_type(&err)),
                    None => format!("result<{ok}>"),
                }
            }
            TypeDefKind::Type(t) => self.wit_type(t),
            other => format!("{other:?}"),
        }
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

/// Component-model WAT for value types. Records, variants and enums are
/// nominal in an instance type: each is defined once and exported by name.
struct WatTypes<'a> {
    contract: &'a Contract,
    defined: HashSet<TypeId>,
    text: String,
    /// Types of a root-level import are imported by the component itself,
    /// not exported by an instance type.
    root: bool,
}

impl WatTypes<'_> {
    fn valtype(&mut self, ty: &Type) -> String {
        let id = match ty {
            Type::Id(id) => *id,
            primitive => return primitive_name(primitive).into(),
        };
        let def = &self.contract.resolve.types[id];
        let structure = match &def.kind {
            TypeDefKind::Type(inner) => return self.valtype(inner),
            TypeDefKind::Option(t) => return format!("(option {})", self.valtype(t)),
            TypeDefKind::List(t) => return format!("(list {})", self.valtype(t)),
            TypeDefKind::Tuple(t) => {
                let types: Vec<String> = t.types.iter().map(|t| self.valtype(t)).collect();
                return format!("(tuple {})", types.join(" "));
            }
            TypeDefKind::Result(r) => {
                let ok =
                    r.ok.map(|t| format!(" {}", self.valtype(&t)))
                        .unwrap_or_default();
                let err = r
                    .err
                    .map(|t| format!(" (error {})", self.valtype(&t)))
                    .unwrap_or_default();
                return format!("(result{ok}{err})");
            }
            TypeDefKind::Record(record) => {
                let fields: Vec<String> = record
                    .fields
                    .iter()
                    .map(|f| format!("(field {:?} {})", f.name, self.valtype(&f.ty)))
                    .collect();
                format!("(record {})", fields.join(" "))
            }
            TypeDefKind::Variant(variant) => {
                let cases: Vec<String> = variant
                    .cases
                    .iter()
                    .map(|c| match &c.ty {
                        Some(t) => format!("(case {:?} {})", c.name, self.valtype(t)),
                        None => format!("(case {:?})", c.name),
                    })
                    .collect();
                format!("(variant {})", cases.join(" "))
            }
            TypeDefKind::Enum(e) => {
                let cases: Vec<String> = e.cases.iter().map(|c| format!("{:?}", c.name)).collect();
                format!("(enum {})", cases.join(" "))
            }
            other => panic!("the contract uses no {other:?}"),
        };
        let name = def.name.clone().expect("nominal types are named");
        if self.defined.insert(id) {
            let (indent, declare) = if self.root {
                ("  ", "import")
            } else {
                ("    ", "export")
            };
            writeln!(
                self.text,
                "{indent}(type $def-{name} {structure})\n{indent}({declare} {name:?} (type ${name} (eq $def-{name})))"
            )
            .unwrap();
        }
        format!("${name}")
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
