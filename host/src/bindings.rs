//! Host bindings generated from `wit/`, the single source of truth for the contract.

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
