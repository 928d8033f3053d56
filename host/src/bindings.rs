//! Host bindings generated from `wit/`, the single source of truth for the
//! contract (`airssys:core@1.0.0`), and in [`v1_1`] from the draft of its
//! next minor version in `fixtures/contract-1.1.0/wit`.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "runtime-host",
    imports: {
        // The only import allowed to trap: a sleep past the caller's execution
        // budget must end the call instead of blocking the host (SVC-4).
        "airssys:core/host-services.sleep-millis": trappable,
    },
    additional_derives: [PartialEq, Eq, Hash, PartialOrd, Ord],
});

/// The draft `airssys:core@1.1.0` (`fixtures/contract-1.1.0`): `storage`
/// gains `get-many`; every other interface is 1.0.0's, so `with:` maps
/// them to the bindings above. Their types are then the same Rust types in
/// both versions, and 1.1.0's `storage::Host` is implemented by calling
/// 1.0.0's (`host_functions/storage.rs`): no function is written twice.
///
/// `compare-and-swap` is behind `@unstable(feature = compare-and-swap)`
/// and no `features:` enables it here, so it is not generated, not
/// served, and a component importing it does not link.
pub mod v1_1 {
    wasmtime::component::bindgen!({
        path: "../fixtures/contract-1.1.0/wit",
        world: "runtime-host",
        with: {
            "airssys:core/types@1.1.0": crate::bindings::airssys::core::types,
            "airssys:core/errors@1.1.0": crate::bindings::airssys::core::errors,
            "airssys:core/host-messaging@1.1.0": crate::bindings::airssys::core::host_messaging,
            "airssys:core/host-services@1.1.0": crate::bindings::airssys::core::host_services,
        },
        additional_derives: [PartialEq, Eq, Hash, PartialOrd, Ord],
    });
}
