//! The generated bindings of the `runtime-host` world, made once for every
//! component built with this SDK. Authors do not need them; they are public
//! for the SDK's own macros and for anyone who must reach a raw import.

wit_bindgen::generate!({
    path: "../wit",
    world: "runtime-host",
    // Authors depend on this crate only, not on wit-bindgen.
    runtime_path: "airssys_guest::wit_bindgen::rt",
    pub_export_macro: true,
    export_macro_name: "export_runtime_host",
    default_bindings_module: "airssys_guest::bindings",
    additional_derives: [PartialEq, Eq, Hash],
    // The kit's one id type, so that a component reads and writes ids by the
    // contract's rule (HOST-1) and hands them to the suite's crates as they are.
    with: {
        "airssys:core/types@1.0.0/component-id": airssys_contract::ComponentId,
    },
    // Two versions of this SDK in one build must not emit the same
    // component-type section; `tests::type_section_carries_sdk_version`
    // keeps this literal equal to the crate version.
    type_section_suffix: "airssys-guest-0.2.0",
});

#[cfg(test)]
mod tests {
    #[test]
    fn type_section_carries_sdk_version() {
        let source = include_str!("bindings.rs");
        let expected = format!(
            "type_section_suffix: \"airssys-guest-{}\"",
            env!("CARGO_PKG_VERSION")
        );
        assert!(
            source.contains(&expected),
            "update `type_section_suffix` in bindings.rs to the crate version: {expected}"
        );
    }
}
