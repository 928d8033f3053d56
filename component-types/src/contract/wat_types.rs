//! Component-model WAT for the contract's value types, for the one-import
//! probe components of [`Contract::probe_component`].

use std::collections::HashSet;
use std::fmt::Write as _;

use wit_parser::{Type, TypeDefKind, TypeId};

use super::{Contract, primitive_name};

/// Component-model WAT for value types. Records, variants and enums are
/// nominal in an instance type: each is defined once and exported by name.
pub(super) struct WatTypes<'a> {
    pub(super) contract: &'a Contract,
    pub(super) defined: HashSet<TypeId>,
    pub(super) text: String,
    /// Types of a root-level import are imported by the component itself,
    /// not exported by an instance type.
    pub(super) root: bool,
}

impl WatTypes<'_> {
    pub(super) fn valtype(&mut self, ty: &Type) -> String {
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
            TypeDefKind::Flags(flags) => {
                let names: Vec<String> = flags
                    .flags
                    .iter()
                    .map(|f| format!("{:?}", f.name))
                    .collect();
                format!("(flags {})", names.join(" "))
            }
            // `Contract::read` refuses a function with any of these
            // (`probeable`), so no probe is made of one.
            TypeDefKind::Resource
            | TypeDefKind::Handle(_)
            | TypeDefKind::Map(_, _)
            | TypeDefKind::FixedLengthList(_, _)
            | TypeDefKind::Future(_)
            | TypeDefKind::Stream(_)
            | TypeDefKind::Unknown => unreachable!(
                "Contract::read refuses `{}` in an imported function",
                self.contract.wit_type(ty)
            ),
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
