//! Loads three guests into the reference host, has them message each other and
//! use storage, and prints what happened.
//!
//!     cargo run -p airssys-host --example demo [-- --storage PATH.redb]

use std::time::Duration;

use airssys_host::{
    Capabilities, ComponentId, ComponentMessage, HostConfig, LoadOptions, Runtime, StorageConfig,
};
use airssys_probe_protocol::{
    self as probe, Call, HostMessagingCall, ProbeCall, Received, Reply, Returned, StorageCall,
    Through,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let storage = match std::env::args().skip(1).collect::<Vec<_>>().as_slice() {
        [] => StorageConfig::InMemory,
        [flag, path] if flag == "--storage" => StorageConfig::Redb(path.into()),
        _ => return Err("usage: demo [--storage PATH.redb]".into()),
    };
    println!("airssys reference host demo, storage: {storage:?}\n");
    let runtime = Runtime::new(HostConfig::default_with(|config| config.storage = storage))?;

    let alice = ComponentId::new("demo", "alice", "1");
    let bob = ComponentId::new("demo", "bob", "1");
    let store = ComponentId::new("demo", "store", "1");
    for (id, guest) in [
        (&alice, airssys_guests::MESSAGING_PROBE),
        (&bob, airssys_guests::MESSAGING_PROBE),
        (&store, airssys_guests::STORAGE_PROBE),
    ] {
        let component = runtime.compile_file(guest)?;
        let grant = LoadOptions::granting(Capabilities::all());
        let handle = runtime.load(id.clone(), &component, grant)?;
        println!("loaded  {id} (handle {handle}) from {guest}");
    }
    println!();

    let demo = Demo { runtime: &runtime };
    demo.ask(
        &alice,
        "alice sends bob a message",
        send(&bob, "hello, bob"),
    );
    demo.ask(&alice, "alice asks bob a question", request(&bob, "ping"));
    demo.ask(&bob, "bob sends alice a message", send(&alice, "hi, alice"));
    let report = runtime.run_until_idle(Duration::from_secs(5));
    println!(
        "\ndispatched: {} deliveries, {} timeouts, {} problems\n",
        report.delivered,
        report.timeouts,
        report.problems.len()
    );
    for id in [&alice, &bob] {
        if let Ok(Returned::Inbox(received)) = demo.call(id, Call::Probe(ProbeCall::Inbox)) {
            for message in received {
                println!("{id} received {}", describe(&message));
            }
        }
    }
    println!();

    let counter = demo.call(&store, Call::get("runs"));
    let runs = match counter {
        Ok(Returned::Value(Some(bytes))) => {
            u64::from_le_bytes(bytes.try_into().unwrap_or_default())
        }
        _ => 0,
    } + 1;
    demo.ask(
        &store,
        "the store counts this run",
        Call::Storage(StorageCall::Set {
            key: "runs".into(),
            value: runs.to_le_bytes().to_vec(),
        }),
    );
    demo.ask(
        &store,
        "the store reports its usage",
        Call::Storage(StorageCall::Usage),
    );
    println!("\nthis is run {runs} on this storage");
    Ok(())
}

struct Demo<'a> {
    runtime: &'a Runtime,
}

impl Demo<'_> {
    fn call(&self, target: &ComponentId, call: Call) -> Result<Returned, String> {
        let message = ComponentMessage::new(
            ComponentId::new("demo", "driver", "1"),
            probe::encode_call(&call),
        )
        .with_content_type(probe::CALL_CONTENT_TYPE);
        let reply: Reply = match self.runtime.invoke(target, &message) {
            Ok(Ok(Some(bytes))) => probe::decode_reply(&bytes)?,
            other => return Err(format!("{other:?}")),
        };
        reply.map_err(|e| {
            format!(
                "err({}{})",
                e.case,
                e.detail.map(|d| format!(": {d}")).unwrap_or_default()
            )
        })
    }

    fn ask(&self, target: &ComponentId, what: &str, call: Call) {
        match self.call(target, call) {
            Ok(returned) => println!("{what:<32} ok {returned:?}"),
            Err(error) => println!("{what:<32} {error}"),
        }
    }
}

fn to_probe(id: &ComponentId) -> probe::ComponentId {
    id.clone().into()
}

fn send(target: &ComponentId, text: &str) -> Call {
    Call::HostMessaging(HostMessagingCall::Send {
        target: to_probe(target),
        payload: text.as_bytes().to_vec(),
    })
}

fn request(target: &ComponentId, text: &str) -> Call {
    Call::HostMessaging(HostMessagingCall::Request {
        target: to_probe(target),
        payload: text.as_bytes().to_vec(),
        timeout_ms: 1000,
    })
}

fn describe(message: &Received) -> String {
    let through = match message.through {
        Through::HandleMessage => "a message",
        Through::HandleCallback => "a callback",
    };
    let sender = &message.sender;
    let correlation = message
        .correlation_id
        .as_ref()
        .map(|id| format!(" (correlation {id})"))
        .unwrap_or_default();
    format!(
        "{through} from {}/{}/{}: {:?}{correlation}",
        sender.namespace,
        sender.name,
        sender.instance,
        String::from_utf8_lossy(&message.payload)
    )
}
