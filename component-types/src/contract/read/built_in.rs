//! Which function of this build a function of a WIT read at run time is.
//! A name is not enough: the build's probes and checks were written for the
//! built-in contract's types, and are worth something for another WIT only
//! where a component built against the built-in contract links to a host of
//! that WIT (the same semver track) and imports the function with the same
//! type. Anything else is a function this build does not know, and is
//! reported as having no behaviour check, never judged by checks written
//! for another function that happens to share its name.

use std::sync::OnceLock;

use wit_parser::{Function, Resolve, Type, TypeDefKind, WorldItem, WorldKey};

use super::super::primitive_name;
use super::{EMBEDDED, Gates, HostFn, resolved};
use crate::tracks::{Link, link};

/// The build's function of this name, if the WIT's package `version` (empty:
/// unversioned) is on the built-in contract's semver track and `function`
/// has the built-in one's type, named types spelled out.
pub(super) fn host_fn(
    resolve: &Resolve,
    version: &str,
    interface: &str,
    function: &Function,
) -> Option<HostFn> {
    let host_fn = HostFn::find(interface, &function.name)?;
    let (_, built_in_version) = airssys_contract::package_parts();
    if let Link::None(_) = link(version, built_in_version) {
        return None;
    }
    let (_, built_in_type) = built_in_types().iter().find(|(f, _)| *f == host_fn)?;
    (*built_in_type == structure(resolve, function)).then_some(host_fn)
}

/// Every function of the built-in contract with its [`structure`], read once.
/// Read with wit-parser directly rather than through `Contract::bundled`,
/// which asks this module while it is being built.
fn built_in_types() -> &'static [(HostFn, String)] {
    static TYPES: OnceLock<Vec<(HostFn, String)>> = OnceLock::new();
    TYPES.get_or_init(|| {
        let (resolve, world) = resolved(airssys_contract::WIT_FILES, Gates::All, EMBEDDED)
            .expect("the bundled WIT parses");
        let mut types = Vec::new();
        for (key, item) in &resolve.worlds[world].imports {
            let (WorldKey::Interface(id), WorldItem::Interface { .. }) = (key, item) else {
                continue;
            };
            let interface = &resolve.interfaces[*id];
            let Some(name) = &interface.name else {
                continue;
            };
            for function in interface.functions.values() {
                if let Some(host_fn) = HostFn::find(name, &function.name) {
                    types.push((host_fn, structure(&resolve, function)));
                }
            }
        }
        types
    })
}

/// A function's type as WIT, with every named type followed by its
/// definition (`storage-value = list<u8>`), so that two WITs compare equal
/// only when a component typed by one imports the function as the other
/// declares it: parameter names, cases and fields included.
fn structure(resolve: &Resolve, function: &Function) -> String {
    let params: Vec<String> = function
        .params
        .iter()
        .map(|p| format!("{}: {}", p.name, type_structure(resolve, &p.ty)))
        .collect();
    let result = function
        .result
        .map(|ty| format!(" -> {}", type_structure(resolve, &ty)))
        .unwrap_or_default();
    format!("func({}){result}", params.join(", "))
}

fn type_structure(resolve: &Resolve, ty: &Type) -> String {
    let Type::Id(id) = ty else {
        return primitive_name(ty).into();
    };
    let def = &resolve.types[*id];
    let of = |ty: &Type| type_structure(resolve, ty);
    let maybe = |ty: &Option<Type>| ty.as_ref().map_or_else(|| "_".to_owned(), of);
    let body = match &def.kind {
        TypeDefKind::Type(inner) => of(inner),
        TypeDefKind::Option(inner) => format!("option<{}>", of(inner)),
        TypeDefKind::List(inner) => format!("list<{}>", of(inner)),
        TypeDefKind::FixedLengthList(inner, length) => format!("list<{}, {length}>", of(inner)),
        TypeDefKind::Map(key, value) => format!("map<{}, {}>", of(key), of(value)),
        TypeDefKind::Tuple(tuple) => {
            let types: Vec<String> = tuple.types.iter().map(of).collect();
            format!("tuple<{}>", types.join(", "))
        }
        TypeDefKind::Result(result) => {
            format!("result<{}, {}>", maybe(&result.ok), maybe(&result.err))
        }
        TypeDefKind::Record(record) => {
            let fields: Vec<String> = record
                .fields
                .iter()
                .map(|f| format!("{}: {}", f.name, of(&f.ty)))
                .collect();
            format!("record {{ {} }}", fields.join(", "))
        }
        TypeDefKind::Variant(variant) => {
            let cases: Vec<String> = variant
                .cases
                .iter()
                .map(|c| match &c.ty {
                    Some(ty) => format!("{}({})", c.name, of(ty)),
                    None => c.name.clone(),
                })
                .collect();
            format!("variant {{ {} }}", cases.join(", "))
        }
        TypeDefKind::Enum(e) => {
            let cases: Vec<&str> = e.cases.iter().map(|c| c.name.as_str()).collect();
            format!("enum {{ {} }}", cases.join(", "))
        }
        TypeDefKind::Flags(flags) => {
            let names: Vec<&str> = flags.flags.iter().map(|f| f.name.as_str()).collect();
            format!("flags {{ {} }}", names.join(", "))
        }
        // A resource is nominal: its name is all there is to compare.
        TypeDefKind::Resource => "resource".into(),
        TypeDefKind::Handle(wit_parser::Handle::Own(resource)) => {
            format!("own<{}>", of(&Type::Id(*resource)))
        }
        TypeDefKind::Handle(wit_parser::Handle::Borrow(resource)) => {
            format!("borrow<{}>", of(&Type::Id(*resource)))
        }
        TypeDefKind::Future(inner) => format!("future<{}>", maybe(inner)),
        TypeDefKind::Stream(inner) => format!("stream<{}>", maybe(inner)),
        // Not left in a resolved package (wit-parser's own words); should
        // one be, it is unlike every type of the built-in contract.
        TypeDefKind::Unknown => "unknown".into(),
    };
    match &def.name {
        Some(name) => format!("({name} = {body})"),
        None => body,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::contract::Contract;

    /// The suite's own `wit/` as files, each changed by `edit`.
    fn wit_edited(edit: impl Fn(&str, String) -> String) -> Vec<(String, String)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit");
        let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let text = std::fs::read_to_string(&path).unwrap();
                let edited = edit(&name, text);
                (name, edited)
            })
            .filter(|(name, _)| name.ends_with(".wit"))
            .collect();
        files.sort();
        files
    }

    fn read(files: &[(String, String)]) -> Contract {
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        Contract::from_files(&borrowed).expect("the edited WIT reads")
    }

    /// The functions that got a `HostFn`, by path.
    fn known(contract: &Contract) -> Vec<String> {
        contract
            .functions()
            .iter()
            .filter(|f| f.host_fn.is_some())
            .map(|f| f.path())
            .collect()
    }

    #[test]
    fn the_built_in_wit_knows_every_function() {
        let contract = read(&wit_edited(|_, text| text));
        assert_eq!(known(&contract).len(), contract.functions().len());
        assert_eq!(contract.functions().len(), 17);
    }

    #[test]
    fn a_minor_version_with_the_same_types_knows_every_function() {
        let contract = read(&wit_edited(|_, text| text.replace("@1.0.0", "@1.3.0")));
        assert_eq!(contract.version(), Some("1.3.0"));
        assert_eq!(known(&contract).len(), 17);
    }

    #[test]
    fn another_major_version_knows_no_function() {
        let contract = read(&wit_edited(|_, text| text.replace("@1.0.0", "@2.0.0")));
        assert_eq!(contract.version(), Some("2.0.0"));
        assert_eq!(contract.functions().len(), 17);
        assert_eq!(known(&contract), Vec::<String>::new());
    }

    #[test]
    fn a_function_whose_type_changed_is_not_known_and_the_others_are() {
        let retyped = wit_edited(|name, text| match name {
            "storage.wit" => {
                let edited = text.replace(
                    "get: func(key: string) -> result<option<storage-value>, storage-error>",
                    "get: func(key: string) -> result<storage-value, storage-error>",
                );
                assert_ne!(
                    edited, text,
                    "storage.wit declares `get` as the test expects"
                );
                edited
            }
            _ => text,
        });
        let contract = read(&retyped);
        let get = contract.function("storage", "get").unwrap();
        assert_eq!(get.host_fn, None);
        assert_eq!(known(&contract).len(), 16);
        assert!(!known(&contract).contains(&"storage::get".to_owned()));
    }

    #[test]
    fn a_changed_named_type_unknows_the_functions_that_use_it() {
        // `storage-value` from bytes to text: every function that takes or
        // returns one has another type, though its WIT reads the same.
        let retyped = wit_edited(|_, text| {
            text.replace(
                "type storage-value = list<u8>;",
                "type storage-value = string;",
            )
        });
        assert_ne!(
            retyped,
            wit_edited(|_, text| text),
            "a WIT declares storage-value"
        );
        let contract = read(&retyped);
        let unknown: Vec<String> = contract
            .functions()
            .iter()
            .filter(|f| f.host_fn.is_none())
            .map(|f| f.path())
            .collect();
        assert_eq!(unknown, ["storage::get", "storage::set"]);
    }
}
