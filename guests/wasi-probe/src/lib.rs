//! Makes the calls that go through WASI 0.2 instead of the contract: the
//! clauses about WASI itself (SVC-1.3 stdout and stderr, SVC-4.2 a WASI
//! sleep). The only probe that imports WASI; the others import the contract
//! alone, so that they load on a host that provides nothing else.

use airssys_guest::{Component, Error, Message, Metadata};
use airssys_probe_protocol::{self as probe, Call, ProbeCall, Reply, Returned};

struct WasiProbe;

fn make(call: &Call) -> Reply {
    match call {
        Call::Probe(ProbeCall::WasiSleep { millis }) => {
            // Through WASI (a clock pollable, a blocking poll), not `sleep-millis`.
            std::thread::sleep(std::time::Duration::from_millis(*millis));
            Ok(Returned::Unit)
        }
        Call::Probe(ProbeCall::Print { lines, len }) => {
            // Through WASI's stdout and stderr, which a host turns into log records (SVC-1.3).
            use std::io::Write;
            let line = "x".repeat(*len as usize);
            for _ in 0..*lines {
                let _ = writeln!(std::io::stdout(), "{line}");
            }
            for _ in 0..*lines {
                let _ = writeln!(std::io::stderr(), "{line}");
            }
            Ok(Returned::Unit)
        }
        // Other interfaces' calls; other probes' own, listed so that a new
        // one is placed somewhere.
        Call::Storage(_)
        | Call::HostMessaging(_)
        | Call::HostServices(_)
        | Call::Filled { .. }
        | Call::Probe(
            ProbeCall::Inbox
            | ProbeCall::SetHealth { .. }
            | ProbeCall::Trap
            | ProbeCall::Spin
            | ProbeCall::Hog
            | ProbeCall::Flood { .. }
            | ProbeCall::Reply { .. },
        ) => probe::unsupported(call),
    }
}

impl Component for WasiProbe {
    fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error> {
        let call = probe::decode_call(&message.payload).map_err(Error::payload)?;
        Ok(Some(probe::encode_reply(&make(&call))))
    }

    fn metadata() -> Metadata {
        Metadata::new()
            .description("Makes the calls that go through WASI 0.2")
            .author("airssys")
            .supported_operations(["probe-call"])
    }
}

airssys_guest::export!(WasiProbe);
