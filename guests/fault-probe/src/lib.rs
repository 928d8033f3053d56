//! Misbehaves on request: traps, spins forever, eats all memory, or
//! floods the host with calls, so tests can show that only its own call
//! ends (SEC-2) and that the host holds no more than its bounds (RES).
//!
//! Written with raw wit-bindgen, not the SDK: the check that the SDK is a
//! convenience over the same contract, not a dialect of it.

wit_bindgen::generate!({ path: "../../wit", world: "runtime-host" });

use airssys::core::errors::WasmError;
use airssys::core::types::{
    ComponentConfig, ComponentId, ComponentMessage, HealthStatus, LogLevel,
};
use airssys_probe_protocol::{self as probe, Attack, Call, ProbeCall};
use exports::airssys::core::component_lifecycle::{ComponentError, ComponentMetadata, Guest};

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct FaultProbe;

fn misbehave(call: &Call) -> probe::Reply {
    match call {
        Call::Probe(ProbeCall::Trap) => std::process::abort(),
        Call::Probe(ProbeCall::Spin) => {
            let mut n: u64 = 0;
            loop {
                n = std::hint::black_box(n.wrapping_add(1));
            }
        }
        Call::Probe(ProbeCall::Hog) => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![1; 1 << 20]);
                std::hint::black_box(&hoard);
            }
        }
        Call::Probe(ProbeCall::Flood { attack, count }) => Ok(flood(attack, *count)),
        // Answered by `handle_message` itself, as the request's payload.
        Call::Probe(ProbeCall::Reply { .. }) => probe::unsupported(call),
        // Other interfaces' calls; other probes' own, listed so that a new
        // one is placed somewhere.
        Call::Storage(_)
        | Call::HostMessaging(_)
        | Call::HostServices(_)
        | Call::Filled { .. }
        | Call::Probe(
            ProbeCall::Inbox
            | ProbeCall::SetHealth { .. }
            | ProbeCall::Print { .. }
            | ProbeCall::WasiSleep { .. },
        ) => probe::unsupported(call),
    }
}

/// Repeats `attack`'s host call `count` times.
fn flood(attack: &Attack, count: u32) -> probe::Returned {
    use airssys::core::{host_messaging, host_services, storage};
    let mut tally = (0u64, 0u64);
    let mut count_one = |ok: bool| {
        if ok { tally.0 += 1 } else { tally.1 += 1 }
    };
    match attack {
        Attack::RefusedSend { id_bytes } => {
            let ghost = ComponentId {
                namespace: "g".repeat(*id_bytes as usize),
                name: "ghost".into(),
                instance: "1".into(),
            };
            for _ in 0..count {
                count_one(host_messaging::send(&ghost, b"x").is_ok());
            }
        }
        Attack::Log {
            message_bytes,
            pairs,
            pair_bytes,
        } => {
            let message = "m".repeat(*message_bytes as usize);
            // With no value bytes the keys are empty too: pairs that cost no
            // bytes at all, unless the host counts each pair.
            let key = |n: u32| match pair_bytes {
                0 => String::new(),
                _ => n.to_string(),
            };
            let context: Vec<(String, String)> = (0..*pairs)
                .map(|n| (key(n), "v".repeat(*pair_bytes as usize)))
                .collect();
            for _ in 0..count {
                host_services::log(LogLevel::Info, &message, Some(&context));
                count_one(true);
            }
        }
        Attack::Broadcast {
            targets,
            name_bytes,
        } => {
            let targets: Vec<ComponentId> = (0..*targets)
                .map(|n| ComponentId {
                    namespace: "ghosts".into(),
                    name: format!("{n:0>width$}", width = *name_bytes as usize),
                    instance: "1".into(),
                })
                .collect();
            for _ in 0..count {
                count_one(host_messaging::broadcast(&targets, b"x").is_ok());
            }
        }
        Attack::EmptyKeys => {
            for n in 0..count {
                count_one(storage::set(&format!("k{n}"), &[]).is_ok());
            }
        }
        Attack::Request {
            target,
            reply_bytes,
        } => {
            let target = ComponentId {
                namespace: target.namespace.clone(),
                name: target.name.clone(),
                instance: target.instance.clone(),
            };
            let payload = probe::encode_call(&Call::Probe(ProbeCall::Reply {
                bytes: *reply_bytes,
            }));
            for _ in 0..count {
                count_one(host_messaging::request(&target, &payload, 3_600_000).is_ok());
            }
        }
    }
    probe::Returned::Tally {
        ok: tally.0,
        refused: tally.1,
    }
}

impl Guest for FaultProbe {
    fn initialize(_config: ComponentConfig) -> Result<(), ComponentError> {
        Ok(())
    }

    fn handle_message(msg: ComponentMessage) -> Result<Option<Vec<u8>>, WasmError> {
        let call = probe::decode_call(&msg.payload).map_err(WasmError::InvalidComponent)?;
        if let Call::Probe(ProbeCall::Reply { bytes }) = call {
            return Ok(Some(vec![b'r'; bytes as usize]));
        }
        Ok(Some(probe::encode_reply(&misbehave(&call))))
    }

    fn handle_callback(_msg: ComponentMessage) -> Result<(), WasmError> {
        Ok(())
    }

    fn metadata() -> ComponentMetadata {
        ComponentMetadata {
            name: "fault-probe".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Traps, spins or exhausts memory on request".into(),
            author: "airssys".into(),
            license: "Apache-2.0".into(),
            supported_operations: vec!["probe-call".into()],
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

// Natively the export names (with `:` and `@`) do not link as a cdylib.
#[cfg(target_arch = "wasm32")]
export!(FaultProbe);
