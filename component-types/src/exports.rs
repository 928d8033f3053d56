//! The export side of the contract, judged from a component's own type: the
//! `component-lifecycle` functions under the right names with the right
//! types. The expected types are those of a probe built from `wit/`, so they
//! come from the WIT like everything else; differences are shown in WIT.

use wasmtime::Engine;
use wasmtime::component::Component;
use wasmtime::component::types::{ComponentFunc, ComponentItem, Type};

use airssys_contract::{EXPORTED_INSTANCE, GuestFn, package_parts};

use crate::tracks::{Link, link};

/// The verdict on one function every component exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportVerdict {
    /// Which function.
    pub function: GuestFn,
    /// Exported under its name, in the instance of the contract's version?
    /// `Err` says what was found instead.
    pub name: Result<(), String>,
    /// With the contract's type? `None` when it is not exported at all;
    /// `Err` says what was expected and what was found, in WIT.
    pub signature: Option<Result<(), String>>,
}

impl ExportVerdict {
    /// Both verdicts as one: the first failure.
    pub fn overall(&self) -> Result<(), String> {
        self.name.clone()?;
        self.signature.clone().unwrap_or(Ok(()))
    }
}

/// A component that meets the export side of the contract, built from
/// `wit/`: the storage probe. Compile it for [`check_exports`]'s `reference`.
pub fn reference_component() -> &'static [u8] {
    airssys_guests::STORAGE_PROBE_WASM
}

/// Judges `component`'s exports against `reference`'s (a component that
/// meets the contract), one verdict per function of [`GuestFn::ALL`].
pub fn check_exports(
    engine: &Engine,
    component: &Component,
    reference: &Component,
) -> Vec<ExportVerdict> {
    let instance = EXPORTED_INSTANCE;
    let expected = functions(engine, reference, instance)
        .expect("the reference component exports the lifecycle instance");
    let found = functions(engine, component, instance);
    GuestFn::ALL
        .into_iter()
        .map(|function| {
            let name = function.name();
            let want = expected
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, ty)| ty)
                .unwrap_or_else(|| panic!("the reference component exports no `{name}`"));
            let (name, signature) = match &found {
                Err(why) => (Err(why.clone()), None),
                Ok(found) => match found.iter().find(|(n, _)| n == name) {
                    None => (
                        Err(format!(
                            "missing: `{instance}` exports no `{name}`; expected `{name}: {}`",
                            signature(want)
                        )),
                        None,
                    ),
                    Some((_, have)) if same(have, want) => (Ok(()), Some(Ok(()))),
                    Some((_, have)) => (
                        Ok(()),
                        Some(Err(format!(
                            "another type: expected `{name}: {}`, found `{name}: {}`",
                            signature(want),
                            signature(have)
                        ))),
                    ),
                },
            };
            ExportVerdict {
                function,
                name,
                signature,
            }
        })
        .collect()
}

/// Whether two functions have the same parameter and result types.
pub(crate) fn same(a: &ComponentFunc, b: &ComponentFunc) -> bool {
    a.params().map(|(_, t)| t).eq(b.params().map(|(_, t)| t)) && a.results().eq(b.results())
}

/// The functions of the exported instance `instance`, or why there are none
/// (naming a near miss: another version, or no version).
fn functions(
    engine: &Engine,
    component: &Component,
    instance: &str,
) -> Result<Vec<(String, ComponentFunc)>, String> {
    let ty = component.component_type();
    // As a host's lookup finds it: the exact name first, then a version on
    // its semver track (a component built against a later minor version
    // exports `…@1.1.0`, which a 1.0.0 host finds).
    let unversioned_name = instance.split('@').next().unwrap_or(instance);
    let wanted = instance.split_once('@').map_or("", |(_, v)| v);
    let on_track = || {
        ty.exports(engine).find_map(|(name, item)| {
            let (path, version) = name.split_once('@')?;
            let linked = matches!(link(version, wanted), Link::SameTrack(_));
            (path == unversioned_name && linked).then_some(item)
        })
    };
    let Some(export) = ty.get_export(engine, instance).or_else(on_track) else {
        let unversioned = instance.split('@').next().unwrap_or(instance);
        let near: Vec<&str> = ty
            .exports(engine)
            .map(|(name, _)| name)
            .filter(|name| name.split('@').next() == Some(unversioned))
            .collect();
        return Err(match near.as_slice() {
            [] => format!(
                "the component does not export `{instance}`: it must target the world \
                 `{}/runtime-host`",
                package_parts().0
            ),
            found => format!(
                "the component exports {} instead of `{instance}`: build it against this \
                 contract's WIT",
                found
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    };
    let ComponentItem::ComponentInstance(exported) = export.ty else {
        return Err(format!("`{instance}` is exported, but not as an instance"));
    };
    Ok(exported
        .exports(engine)
        .filter_map(|(name, item)| match item.ty {
            ComponentItem::ComponentFunc(func) => Some((name.to_owned(), func)),
            _ => None,
        })
        .collect())
}

/// `func(a: T, …) -> R` in WIT, types spelled out structurally.
pub fn signature(func: &ComponentFunc) -> String {
    let params: Vec<String> = func
        .params()
        .map(|(name, ty)| format!("{name}: {}", wit(&ty)))
        .collect();
    let results: Vec<String> = func.results().map(|ty| wit(&ty)).collect();
    match results.as_slice() {
        [] => format!("func({})", params.join(", ")),
        [one] => format!("func({}) -> {one}", params.join(", ")),
        many => format!("func({}) -> ({})", params.join(", "), many.join(", ")),
    }
}

/// A type in WIT, spelled out: records, variants and enums with their fields
/// and cases, since a component's types carry no names.
pub fn wit(ty: &Type) -> String {
    let optional = |ty: Option<Type>| ty.map_or("_".to_string(), |t| wit(&t));
    match ty {
        Type::Bool => "bool".into(),
        Type::S8 => "s8".into(),
        Type::U8 => "u8".into(),
        Type::S16 => "s16".into(),
        Type::U16 => "u16".into(),
        Type::S32 => "s32".into(),
        Type::U32 => "u32".into(),
        Type::S64 => "s64".into(),
        Type::U64 => "u64".into(),
        Type::Float32 => "f32".into(),
        Type::Float64 => "f64".into(),
        Type::Char => "char".into(),
        Type::String => "string".into(),
        Type::List(list) => format!("list<{}>", wit(&list.ty())),
        Type::Record(record) => {
            let fields: Vec<String> = record
                .fields()
                .map(|f| format!("{}: {}", f.name, wit(&f.ty)))
                .collect();
            format!("record {{ {} }}", fields.join(", "))
        }
        Type::Tuple(tuple) => {
            let types: Vec<String> = tuple.types().map(|t| wit(&t)).collect();
            format!("tuple<{}>", types.join(", "))
        }
        Type::Variant(variant) => {
            let cases: Vec<String> = variant
                .cases()
                .map(|c| match c.ty {
                    Some(payload) => format!("{}({})", c.name, wit(&payload)),
                    None => c.name.to_string(),
                })
                .collect();
            format!("variant {{ {} }}", cases.join(", "))
        }
        Type::Enum(names) => format!(
            "enum {{ {} }}",
            names.names().collect::<Vec<_>>().join(", ")
        ),
        Type::Option(option) => format!("option<{}>", wit(&option.ty())),
        Type::Result(result) => format!(
            "result<{}, {}>",
            optional(result.ok()),
            optional(result.err())
        ),
        Type::Flags(flags) => format!(
            "flags {{ {} }}",
            flags.names().collect::<Vec<_>>().join(", ")
        ),
        Type::Own(_) => "own<resource>".into(),
        Type::Borrow(_) => "borrow<resource>".into(),
        Type::Map(_)
        | Type::Future(_)
        | Type::Stream(_)
        | Type::ErrorContext
        | Type::FixedLengthList(_) => {
            format!("{ty:?}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exports the lifecycle instance with only `health`, returning a `u32`.
    const WRONG_HEALTH: &str = r#"
        (component
          (core module $m (func (export "health") (result i32) i32.const 0))
          (core instance $i (instantiate $m))
          (func $health (result u32) (canon lift (core func $i "health")))
          (instance $lifecycle (export "health" (func $health)))
          (export "airssys:core/component-lifecycle@1.0.0" (instance $lifecycle)))
    "#;

    fn verdicts(wat: &str) -> Vec<ExportVerdict> {
        let mut config = wasmtime::Config::new();
        config.wasm_component_model(true);
        let engine = Engine::new(&config).unwrap();
        let reference = Component::new(&engine, reference_component()).unwrap();
        let component = Component::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
        check_exports(&engine, &component, &reference)
    }

    #[test]
    fn the_reference_meets_itself() {
        let mut config = wasmtime::Config::new();
        config.wasm_component_model(true);
        let engine = Engine::new(&config).unwrap();
        let reference = Component::new(&engine, reference_component()).unwrap();
        let all = check_exports(&engine, &reference, &reference);
        let names: Vec<GuestFn> = all.iter().map(|v| v.function).collect();
        assert_eq!(names, GuestFn::ALL);
        assert!(all.iter().all(|v| v.overall().is_ok()), "{all:?}");
    }

    #[test]
    fn a_wrong_type_and_missing_functions_are_told_in_wit() {
        let all = verdicts(WRONG_HEALTH);
        let health = all.iter().find(|v| v.function == GuestFn::Health).unwrap();
        assert_eq!(health.name, Ok(()));
        assert_eq!(
            health.overall(),
            Err("another type: expected `health: func() -> enum { healthy, degraded, unhealthy, unknown }`, \
                 found `health: func() -> u32`"
                .into())
        );
        let shutdown = all
            .iter()
            .find(|v| v.function == GuestFn::Shutdown)
            .unwrap();
        assert_eq!(shutdown.signature, None);
        let why = shutdown.name.clone().unwrap_err();
        assert!(why.starts_with("missing: `airssys:core/component-lifecycle@1.0.0` exports no `shutdown`; expected `shutdown: func() -> result<_, variant {"), "{why}");
    }

    #[test]
    fn another_version_of_the_instance_is_named() {
        let all = verdicts(&WRONG_HEALTH.replace("@1.0.0", "@0.9.0"));
        let why = all[0].name.clone().unwrap_err();
        assert!(
            why.contains("exports `airssys:core/component-lifecycle@0.9.0` instead of `airssys:core/component-lifecycle@1.0.0`"),
            "{why}"
        );
    }

    /// A host finds `…@1.1.0` where it looks for `…@1.0.0` (semver), so the
    /// export is judged; another major is not found.
    #[test]
    fn a_later_minor_version_of_the_instance_is_found_by_its_track() {
        let all = verdicts(&WRONG_HEALTH.replace("@1.0.0", "@1.1.0"));
        let health = all.iter().find(|v| v.function == GuestFn::Health).unwrap();
        assert_eq!(health.name, Ok(()));
        assert!(health.signature.clone().unwrap().is_err());
        let all = verdicts(&WRONG_HEALTH.replace("@1.0.0", "@2.0.0"));
        assert!(all[0].name.clone().unwrap_err().contains("instead of"));
    }
}
