//! The suite's own bindings of the world, to call the probes' exports.

wasmtime::component::bindgen!({ path: "../wit", world: "runtime-host" });
