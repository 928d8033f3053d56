//! What the suite can judge of a WIT: the freestanding functions of named
//! interfaces, on plain values. Probe components are made from the types
//! (`wat_types`), trials call the functions with values, and a version's
//! instance name is what hosts are judged on; anything else is refused
//! when the contract is read, in words, before a probe is made of it.

use wit_parser::{FunctionKind, Handle, Resolve, Type, TypeDefKind, WorldId, WorldItem, WorldKey};

use super::{ContractError, wit_text};

/// `Ok` if every function the world imports can be probed and judged; the
/// first that cannot, refused with why and what to change.
pub(super) fn refuse_unprobeable(
    resolve: &Resolve,
    world: WorldId,
    shown: &str,
) -> Result<(), ContractError> {
    for (key, item) in &resolve.worlds[world].imports {
        let interface = match (key, item) {
            (WorldKey::Interface(_), WorldItem::Interface { id, .. }) => *id,
            // A `use` of the world: the types of its functions' interfaces,
            // checked where a function takes them.
            (_, WorldItem::Type { .. }) => continue,
            (WorldKey::Name(name), WorldItem::Interface { .. }) => {
                return Err(inline(shown, name, "an inline interface"));
            }
            (WorldKey::Name(name), WorldItem::Function(_)) => {
                return Err(inline(shown, name, "a bare function"));
            }
            (WorldKey::Interface(_), WorldItem::Function(function)) => {
                return Err(inline(shown, &function.name, "a bare function"));
            }
        };
        let interface = &resolve.interfaces[interface];
        let interface_name = interface.name.as_deref().unwrap_or("(unnamed)");
        for function in interface.functions.values() {
            if let Some(kind) = not_freestanding(resolve, &function.kind) {
                return Err(ContractError::NotFreestanding {
                    dir: shown.to_owned(),
                    interface: interface_name.to_owned(),
                    function: function.name.clone(),
                    kind,
                });
            }
            let params = function
                .params
                .iter()
                .map(|param| (format!("the parameter `{}`", param.name), param.ty));
            let result = function.result.map(|ty| ("the result".to_owned(), ty));
            for (place, ty) in params.chain(result) {
                if let Some(what) = unprobeable(resolve, &ty) {
                    return Err(ContractError::Unprobeable {
                        dir: shown.to_owned(),
                        function: format!("{interface_name}.{}", function.name),
                        place,
                        ty: wit_text(resolve, &ty),
                        what,
                    });
                }
            }
        }
    }
    Ok(())
}

fn inline(shown: &str, name: &str, what: &str) -> ContractError {
    ContractError::InlineImport {
        dir: shown.to_owned(),
        name: name.to_owned(),
        what: what.to_owned(),
    }
}

/// What a function is in words, when it is not a freestanding synchronous
/// one: a resource's method, static function or constructor, or async.
fn not_freestanding(resolve: &Resolve, kind: &FunctionKind) -> Option<String> {
    let resource = |id: &wit_parser::TypeId| {
        let name = resolve.types[*id].name.as_deref().unwrap_or("(unnamed)");
        format!("the resource `{name}`")
    };
    match kind {
        FunctionKind::Freestanding => None,
        FunctionKind::AsyncFreestanding => Some("an async function".into()),
        FunctionKind::Method(id) => Some(format!("a method of {}", resource(id))),
        FunctionKind::AsyncMethod(id) => Some(format!("an async method of {}", resource(id))),
        FunctionKind::Static(id) => Some(format!("a static function of {}", resource(id))),
        FunctionKind::AsyncStatic(id) => {
            Some(format!("an async static function of {}", resource(id)))
        }
        FunctionKind::Constructor(id) => Some(format!("the constructor of {}", resource(id))),
    }
}

/// The first part of `ty` no probe component can carry, in words (`the
/// resource `blob``, `a `stream<u8>``), or `None` if all of it can.
fn unprobeable(resolve: &Resolve, ty: &Type) -> Option<String> {
    let id = match ty {
        Type::ErrorContext => return Some("an `error-context`".into()),
        Type::Id(id) => *id,
        Type::Bool
        | Type::U8
        | Type::U16
        | Type::U32
        | Type::U64
        | Type::S8
        | Type::S16
        | Type::S32
        | Type::S64
        | Type::F32
        | Type::F64
        | Type::Char
        | Type::String => return None,
    };
    let def = &resolve.types[id];
    let text = || wit_text(resolve, ty);
    match &def.kind {
        TypeDefKind::Resource => Some(format!("the resource `{}`", text())),
        TypeDefKind::Handle(Handle::Own(_)) => Some(format!("an owned handle `{}`", text())),
        TypeDefKind::Handle(Handle::Borrow(_)) => Some(format!("a borrowed handle `{}`", text())),
        TypeDefKind::Future(_) => Some(format!("a future `{}`", text())),
        TypeDefKind::Stream(_) => Some(format!("a stream `{}`", text())),
        TypeDefKind::Map(_, _) => Some(format!("a map `{}`", text())),
        TypeDefKind::FixedLengthList(_, _) => Some(format!("a fixed-size list `{}`", text())),
        TypeDefKind::Unknown => Some(format!("the unresolved type `{}`", text())),
        TypeDefKind::Type(inner) | TypeDefKind::Option(inner) | TypeDefKind::List(inner) => {
            unprobeable(resolve, inner)
        }
        TypeDefKind::Tuple(tuple) => first(resolve, tuple.types.iter()),
        TypeDefKind::Result(result) => first(resolve, result.ok.iter().chain(&result.err)),
        TypeDefKind::Record(record) => first(resolve, record.fields.iter().map(|field| &field.ty)),
        TypeDefKind::Variant(variant) => first(
            resolve,
            variant.cases.iter().filter_map(|case| case.ty.as_ref()),
        ),
        TypeDefKind::Enum(_) | TypeDefKind::Flags(_) => None,
    }
}

/// The first of `types` no probe can carry, in words.
fn first<'a>(resolve: &Resolve, mut types: impl Iterator<Item = &'a Type>) -> Option<String> {
    types.find_map(|inner| unprobeable(resolve, inner))
}
