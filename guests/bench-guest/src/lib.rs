//! Calls one import many times in a loop, so that a benchmark divides the
//! time of one `handle-message` by the count and gets the import's own cost
//! (`host/benches/floors.rs`). Raw wit-bindgen, no SDK: the loop pays for
//! the import and nothing else.
//!
//! A message `PATH COUNT` (e.g. `storage::get 1000`, a `HostFn` path) makes
//! `COUNT` calls of that import and answers with the count. A request with
//! an empty payload is answered at once, so that requests the benchmark
//! made settle; an empty message does nothing.

wit_bindgen::generate!({ path: "../../wit", world: "runtime-host" });

use std::hint::black_box;

use airssys::core::errors::WasmError;
use airssys::core::types::{
    ComponentConfig, ComponentId, ComponentMessage, HealthStatus, LogLevel,
};
use airssys::core::{host_messaging, host_services, storage};
use airssys_contract::HostFn;
use exports::airssys::core::component_lifecycle::{ComponentError, ComponentMetadata, Guest};

/// The key `storage::*` calls use; the benchmark sets it to 1 KiB first.
const KEY: &str = "k";
/// The most calls one message may ask for: well within a call's budget.
const MAX_COUNT: u32 = 1_000_000;
/// What `storage::set` writes.
const VALUE: [u8; 1024] = [7; 1024];

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct BenchGuest;

/// Where messages, requests and broadcasts go: the benchmark loads it.
fn target() -> ComponentId {
    ComponentId {
        namespace: "bench".into(),
        name: "target".into(),
        instance: "0".into(),
    }
}

/// One call of `function`, its answer kept from the optimiser.
fn call(function: HostFn, target: &ComponentId) {
    match function {
        HostFn::Get => drop(black_box(storage::get(KEY))),
        HostFn::Set => drop(black_box(storage::set(KEY, &VALUE))),
        HostFn::Delete => drop(black_box(storage::delete(KEY))),
        HostFn::Exists => drop(black_box(storage::exists(KEY))),
        HostFn::ListKeys => drop(black_box(storage::list_keys(None))),
        HostFn::Usage => drop(black_box(storage::usage())),
        HostFn::Send => drop(black_box(host_messaging::send(target, &[]))),
        HostFn::Request => drop(black_box(host_messaging::request(target, &[], 60_000))),
        // A request to cancel is made first: the pair is measured.
        HostFn::CancelRequest => {
            if let Ok(id) = host_messaging::request(target, &[], 60_000) {
                drop(black_box(host_messaging::cancel_request(&id)));
            }
        }
        HostFn::Broadcast => drop(black_box(host_messaging::broadcast(
            std::slice::from_ref(target),
            &[],
        ))),
        HostFn::SelfId => drop(black_box(host_messaging::self_id())),
        HostFn::Log => host_services::log(LogLevel::Debug, "bench", None),
        HostFn::CurrentTime => drop(black_box(host_services::current_time())),
        HostFn::CurrentTimeMillis => drop(black_box(host_services::current_time_millis())),
        HostFn::SleepMillis => host_services::sleep_millis(0),
        HostFn::ListComponents => drop(black_box(host_services::list_components())),
        HostFn::GetComponentMetadata => drop(black_box(host_services::get_component_metadata(
            &host_messaging::self_id(),
        ))),
    }
}

fn refuse(why: &str) -> WasmError {
    WasmError::InvalidComponent(format!("bench-guest: {why}; send `PATH COUNT`"))
}

impl Guest for BenchGuest {
    fn initialize(_config: ComponentConfig) -> Result<(), ComponentError> {
        Ok(())
    }

    fn handle_message(message: ComponentMessage) -> Result<Option<Vec<u8>>, WasmError> {
        if message.payload.is_empty() {
            return Ok(message.metadata.correlation_id.map(|_| Vec::new()));
        }
        let text = std::str::from_utf8(&message.payload).map_err(|_| refuse("not UTF-8"))?;
        let (path, count) = text.split_once(' ').ok_or_else(|| refuse("no count"))?;
        let function = HostFn::from_path(path).ok_or_else(|| refuse("no such function"))?;
        let count: u32 = count.trim().parse().map_err(|_| refuse("a bad count"))?;
        if count > MAX_COUNT {
            return Err(refuse("a count over 1,000,000"));
        }
        let target = target();
        for _ in 0..count {
            call(function, &target);
        }
        Ok(Some(count.to_le_bytes().to_vec()))
    }

    fn handle_callback(_message: ComponentMessage) -> Result<(), WasmError> {
        Ok(())
    }

    fn metadata() -> ComponentMetadata {
        ComponentMetadata {
            name: "bench-guest".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "calls one import in a loop".into(),
            author: String::new(),
            license: String::new(),
            supported_operations: Vec::new(),
            stateful: false,
        }
    }

    fn health() -> HealthStatus {
        HealthStatus::Healthy
    }

    fn shutdown() -> Result<(), ComponentError> {
        Ok(())
    }
}

export!(BenchGuest);
