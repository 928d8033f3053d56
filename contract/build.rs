//! Generates `HostFn`, `Interface`, `GuestFn` and `foreach_host_fn!` from `../wit`, so
//! that the contract's function list is written once, in WIT, and embeds
//! the WIT files themselves (`WIT_FILES`).

use std::fmt::Write as _;
use std::path::PathBuf;

use wit_parser::{Resolve, WorldItem, WorldKey};

const WORLD: &str = "runtime-host";

fn main() {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../wit");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut resolve = Resolve::default();
    let (package, files) = resolve
        .push_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the contract in {}: {e:#}", dir.display()));
    for file in files.paths() {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    let world = resolve
        .select_world(&[package], Some(WORLD))
        .unwrap_or_else(|e| panic!("the contract has no world `{WORLD}`: {e:#}"));

    let mut interfaces = Vec::new();
    let mut functions = Vec::new();
    for (key, item) in &resolve.worlds[world].imports {
        let (WorldKey::Interface(id), WorldItem::Interface { .. }) = (key, item) else {
            continue;
        };
        let interface = &resolve.interfaces[*id];
        if interface.functions.is_empty() {
            continue;
        }
        let name = interface.name.clone().expect("world imports are named");
        let instance = resolve.id_of(*id).expect("a package interface has an id");
        interfaces.push((camel(&name), name.clone(), instance));
        for function in interface.functions.values() {
            let docs = function.docs.contents.as_deref().unwrap_or_default();
            let clauses = clauses(docs);
            functions.push(Function {
                variant: camel(&function.name),
                name: function.name.clone(),
                interface_variant: camel(&name),
                interface: name.clone(),
                clauses,
                docs: docs.to_owned(),
            });
        }
    }
    let mut exports = Vec::new();
    for (key, item) in &resolve.worlds[world].exports {
        let (WorldKey::Interface(id), WorldItem::Interface { .. }) = (key, item) else {
            continue;
        };
        let interface = &resolve.interfaces[*id];
        let instance = resolve.id_of(*id).expect("a package interface has an id");
        for function in interface.functions.values() {
            let docs = function.docs.contents.as_deref().unwrap_or_default();
            exports.push(Export {
                variant: camel(&function.name),
                name: function.name.clone(),
                instance: instance.clone(),
                clauses: clauses(docs),
                docs: docs.to_owned(),
            });
        }
    }
    let [.., last] = exports.as_slice() else {
        panic!("the world `{WORLD}` exports no function");
    };
    if exports.iter().any(|e| e.instance != last.instance) {
        panic!(
            "the world `{WORLD}` exports functions from more than one interface; GuestFn expects one"
        );
    }
    for (i, f) in functions.iter().enumerate() {
        if let Some(twin) = functions[..i].iter().find(|g| g.variant == f.variant) {
            panic!(
                "`{}::{}` and `{}::{}` would both be `HostFn::{}`: give one of them another name",
                twin.interface, twin.name, f.interface, f.name, f.variant
            );
        }
    }

    let mut code = String::new();
    let package_name = &resolve.packages[package].name;
    writeln!(
        code,
        "/// The contract's package, e.g. `airssys:core@1.0.0`.\npub const PACKAGE: &str = {:?};",
        package_name.to_string()
    )
    .unwrap();
    writeln!(
        code,
        "/// The world every component targets.\npub const WORLD: &str = {WORLD:?};"
    )
    .unwrap();

    code.push_str(
        "\n/// An interface of host functions that components import.\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]\npub enum Interface {\n",
    );
    for (variant, name, instance) in &interfaces {
        writeln!(
            code,
            "    /// `{name}`, imported as `{instance}`.\n    {variant},"
        )
        .unwrap();
    }
    code.push_str("}\n\nimpl Interface {\n    /// Every interface, in WIT order.\n");
    writeln!(
        code,
        "    pub const ALL: [Interface; {}] = [",
        interfaces.len()
    )
    .unwrap();
    for (variant, ..) in &interfaces {
        writeln!(code, "        Interface::{variant},").unwrap();
    }
    code.push_str("    ];\n\n    /// The WIT name, e.g. `storage`.\n    pub const fn name(self) -> &'static str {\n        match self {\n");
    for (variant, name, _) in &interfaces {
        writeln!(code, "            Interface::{variant} => {name:?},").unwrap();
    }
    code.push_str("        }\n    }\n\n    /// The instance components import, e.g. `airssys:core/storage@1.0.0`.\n    pub const fn instance(self) -> &'static str {\n        match self {\n");
    for (variant, _, instance) in &interfaces {
        writeln!(code, "            Interface::{variant} => {instance:?},").unwrap();
    }
    code.push_str("        }\n    }\n}\n");

    code.push_str(
        "\n/// A host function of the contract: what a host registers and components import.\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]\npub enum HostFn {\n",
    );
    for f in &functions {
        for line in f.docs.lines() {
            writeln!(code, "    /// {line}").unwrap();
        }
        writeln!(
            code,
            "    ///\n    /// `{}::{}`\n    {},",
            f.interface, f.name, f.variant
        )
        .unwrap();
    }
    code.push_str("}\n\nimpl HostFn {\n    /// Every host function, in WIT order.\n");
    writeln!(code, "    pub const ALL: [HostFn; {}] = [", functions.len()).unwrap();
    for f in &functions {
        writeln!(code, "        HostFn::{},", f.variant).unwrap();
    }
    code.push_str("    ];\n\n    /// The interface that declares it.\n    pub const fn interface(self) -> Interface {\n        match self {\n");
    for f in &functions {
        writeln!(
            code,
            "            HostFn::{} => Interface::{},",
            f.variant, f.interface_variant
        )
        .unwrap();
    }
    code.push_str("        }\n    }\n\n    /// The kebab-case WIT name, e.g. `list-keys`.\n    pub const fn name(self) -> &'static str {\n        match self {\n");
    for f in &functions {
        writeln!(code, "            HostFn::{} => {:?},", f.variant, f.name).unwrap();
    }
    code.push_str("        }\n    }\n\n    /// `interface::name`, e.g. `storage::list-keys`: how trials and reports name it.\n    pub const fn path(self) -> &'static str {\n        match self {\n");
    for f in &functions {
        writeln!(
            code,
            "            HostFn::{} => \"{}::{}\",",
            f.variant, f.interface, f.name
        )
        .unwrap();
    }
    code.push_str("        }\n    }\n\n    /// The behaviour clause IDs its doc comment names (`Clauses:`), in order.\n    pub const fn clauses(self) -> &'static [&'static str] {\n        match self {\n");
    for f in &functions {
        writeln!(
            code,
            "            HostFn::{} => &{:?},",
            f.variant, f.clauses
        )
        .unwrap();
    }
    code.push_str("        }\n    }\n}\n");

    code.push_str(
        "\n/// A host function, by the interface that declares it: match on this to\n\
         /// handle each function of one interface, exhaustively.\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum ByInterface {\n",
    );
    for (variant, name, _) in &interfaces {
        writeln!(
            code,
            "    /// A function of `{name}`.\n    {variant}({variant}Fn),"
        )
        .unwrap();
    }
    code.push_str("}\n");
    for (variant, name, _) in &interfaces {
        writeln!(
            code,
            "\n/// A host function of `{name}`.\n#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum {variant}Fn {{"
        )
        .unwrap();
        for f in functions.iter().filter(|f| &f.interface_variant == variant) {
            writeln!(
                code,
                "    /// `{}::{}`\n    {},",
                f.interface, f.name, f.variant
            )
            .unwrap();
        }
        writeln!(code, "}}\n\nimpl From<{variant}Fn> for HostFn {{\n    fn from(function: {variant}Fn) -> HostFn {{\n        match function {{").unwrap();
        for f in functions.iter().filter(|f| &f.interface_variant == variant) {
            writeln!(
                code,
                "            {variant}Fn::{0} => HostFn::{0},",
                f.variant
            )
            .unwrap();
        }
        code.push_str("        }\n    }\n}\n");
    }
    code.push_str("\nimpl HostFn {\n    /// The function as one of its interface's.\n    pub const fn by_interface(self) -> ByInterface {\n        match self {\n");
    for f in &functions {
        writeln!(
            code,
            "            HostFn::{0} => ByInterface::{1}({1}Fn::{0}),",
            f.variant, f.interface_variant
        )
        .unwrap();
    }
    code.push_str("        }\n    }\n}\n");

    write_guest_fn(&mut code, &exports);

    code.push_str(
        "\n/// Calls `$m!(Variant, interface_ident, function_ident)` once per host function,\n\
         /// in WIT order, with the names in snake_case. Use it to make sure a list\n\
         /// elsewhere (SDK wrappers, a test double) has every function, as wasmtime's\n\
         /// test-programs do with `foreach_*` and `assert_test_exists`.\n\
         #[macro_export]\nmacro_rules! foreach_host_fn {\n    ($m:ident) => {\n",
    );
    for f in &functions {
        writeln!(
            code,
            "        $m!({}, {}, {});",
            f.variant,
            snake(&f.interface),
            snake(&f.name)
        )
        .unwrap();
    }
    code.push_str("    };\n}\n");

    let mut wit_files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "wit"))
        .collect();
    wit_files.sort();
    code.push_str(
        "\n/// The contract's WIT files, name and text, sorted by name: what the\n\
         /// conformance suite carries wherever it is installed.\n\
         pub const WIT_FILES: &[(&str, &str)] = &[\n",
    );
    for path in wit_files {
        let name = path.file_name().unwrap().to_str().unwrap();
        let path = path.canonicalize().unwrap();
        writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");

    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("contract.rs");
    std::fs::write(out, code).unwrap();
}

/// `GuestFn`: the functions every component exports.
fn write_guest_fn(code: &mut String, exports: &[Export]) {
    let instance = &exports[0].instance;
    writeln!(
        code,
        "\n/// The instance every component exports, e.g. `airssys:core/component-lifecycle@1.0.0`.\n\
         pub const EXPORTED_INSTANCE: &str = {instance:?};"
    )
    .unwrap();
    code.push_str(
        "\n/// A function every component exports and hosts call.\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]\npub enum GuestFn {\n",
    );
    for e in exports {
        for line in e.docs.lines() {
            writeln!(code, "    /// {line}").unwrap();
        }
        writeln!(code, "    ///\n    /// `{}`\n    {},", e.name, e.variant).unwrap();
    }
    code.push_str("}\n\nimpl GuestFn {\n    /// Every exported function, in WIT order.\n");
    writeln!(code, "    pub const ALL: [GuestFn; {}] = [", exports.len()).unwrap();
    for e in exports {
        writeln!(code, "        GuestFn::{},", e.variant).unwrap();
    }
    code.push_str("    ];\n\n    /// The kebab-case WIT name, e.g. `handle-message`.\n    pub const fn name(self) -> &'static str {\n        match self {\n");
    for e in exports {
        writeln!(code, "            GuestFn::{} => {:?},", e.variant, e.name).unwrap();
    }
    code.push_str("        }\n    }\n\n    /// The behaviour clause IDs its doc comment names (`Clauses:`), in order.\n    pub const fn clauses(self) -> &'static [&'static str] {\n        match self {\n");
    for e in exports {
        writeln!(
            code,
            "            GuestFn::{} => &{:?},",
            e.variant, e.clauses
        )
        .unwrap();
    }
    code.push_str("        }\n    }\n}\n");
}

/// The clause IDs of a doc comment's `Clauses:` lines.
fn clauses(docs: &str) -> Vec<String> {
    docs.lines()
        .filter_map(|line| line.trim().strip_prefix("Clauses:"))
        .flat_map(|list| list.split(','))
        .map(|id| id.trim().trim_end_matches('.').to_owned())
        .filter(|id| !id.is_empty())
        .collect()
}

struct Export {
    variant: String,
    name: String,
    instance: String,
    clauses: Vec<String>,
    docs: String,
}

struct Function {
    variant: String,
    name: String,
    interface_variant: String,
    interface: String,
    clauses: Vec<String>,
    docs: String,
}

fn camel(kebab: &str) -> String {
    kebab
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn snake(kebab: &str) -> String {
    kebab.replace('-', "_")
}
