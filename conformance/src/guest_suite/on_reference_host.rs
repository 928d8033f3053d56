//! The reference host in this process as a [`Place`]: a fresh
//! `airssys_host::Runtime` for each load, memory storage, every capability,
//! the default limits, and a log sink the verdicts read a panic's message
//! from.

use std::sync::Arc;

use airssys_conformance_adapter::{Handler, Message, Metadata};
use airssys_contract::GuestFn;
use airssys_host::runtime::{CallError, LoadError, UnloadError};
use airssys_host::{
    AirssysHost, Capabilities, ComponentId, ComponentMessage, HostConfig, LoadOptions, LogBuffer,
    LogLevel, Runtime,
};
use wasmtime::Engine;
use wasmtime::component::Component;

use super::behaviour::{
    Answered, Deadline, Early, Fault, Place, Running, last_errors, logged_sentence,
};
use crate::trials::Outcome;

/// The reference host in this process, for a guest plan: its engine, which
/// compiles the components, and its linker, which judges their WASI imports.
pub(crate) struct Reference {
    engine: Engine,
    linker: Runtime,
}

impl Reference {
    /// Starts it; with or without an adapter, components run here or are
    /// witnessed here.
    pub fn start(_on_adapter: bool) -> Result<Self, String> {
        let engine = airssys_host::runtime::engine::new_engine(&HostConfig::default())
            .map_err(|e| format!("cannot start the reference host's engine: {e:#}"))?;
        let host = AirssysHost::new(HostConfig::default()).map_err(|e| e.to_string())?;
        let linker = Runtime::builder(host)
            .engine(engine.clone())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self { engine, linker })
    }

    /// The engine components are compiled with.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether the reference host's linker could instantiate `component`:
    /// it names the first import it cannot give.
    pub fn links(&self, component: &Component) -> Option<Result<(), String>> {
        Some(self.linker.links(component))
    }

    /// `component` on the reference host, as a place to run it.
    pub fn place(&self, component: &Component) -> Option<OnReferenceHost> {
        Some(OnReferenceHost {
            engine: self.engine.clone(),
            component: component.clone(),
        })
    }
}

/// A compiled component and the engine the reference host runs it on.
pub(crate) struct OnReferenceHost {
    pub engine: Engine,
    pub component: Component,
}

/// The component loaded on a fresh reference host.
pub(crate) struct Loaded {
    runtime: Runtime,
    id: ComponentId,
    logs: Arc<LogBuffer>,
}

impl OnReferenceHost {
    /// [`Place::load`], with the concrete type [`super::on_adapter`]'s
    /// witness calls.
    pub fn load_here(&self, judged: GuestFn) -> Result<Loaded, Early> {
        // The suite's own trouble, not the component's: nothing judged.
        let started = |e: &dyn std::fmt::Display| {
            Outcome::Ignored(format!("the reference host did not start: {e}"))
        };
        let logs = Arc::new(LogBuffer::default());
        let host = AirssysHost::new(HostConfig::default())
            .map_err(|e| started(&e))?
            .with_log_sink(logs.clone());
        let runtime = Runtime::builder(host)
            .engine(self.engine.clone())
            .build()
            .map_err(|e| started(&e))?;
        let id = ComponentId::new("local", "judged", "1");
        let options = LoadOptions::granting(Capabilities::all());
        let unjudged = |why: String| Outcome::Ignored(format!("precondition failed: {why}"));
        let loaded = |runtime| Loaded {
            runtime,
            id: id.clone(),
            logs: logs.clone(),
        };
        match runtime.load(id.clone(), &self.component, options) {
            Ok(_) => Ok(loaded(runtime)),
            Err(LoadError::Instantiate { reason, .. }) => Err(Outcome::Ignored(format!(
                "the reference host cannot instantiate it ({reason}); its import and export \
                 trials say why"
            ))),
            // Its own defect, before any export ran: `initialize`'s trial
            // says so, and the others cannot judge.
            Err(LoadError::Start { problem, .. }) => Err(match judged {
                GuestFn::Initialize => Outcome::Failed(format!(
                    "it never got to `initialize`: {problem}{}",
                    loaded(runtime).logged()
                )),
                _ => unjudged(problem),
            }),
            Err(LoadError::Metadata { problem, .. }) => Err(match judged {
                GuestFn::Metadata => Outcome::Failed(problem),
                _ => unjudged(format!("metadata (GST-4): {problem}")),
            }),
            Err(LoadError::Initialize { error, .. }) => {
                let why = format!(
                    "initialize returned err({}) for an empty config",
                    airssys_host::runtime::wit_words::component_error(&error)
                );
                Err(match judged {
                    GuestFn::Initialize => Outcome::Failed(why),
                    _ => unjudged(format!("{why} (GST-1)")),
                })
            }
            Err(LoadError::Trapped(error)) => Err(match &error {
                CallError::Trapped { export, .. } if *export == judged.name() => {
                    super::behaviour::verdict(judged, None, loaded(runtime).guests(&error))
                }
                _ => unjudged(error.to_string()),
            }),
            // An invalid id, one already loaded, limits that do not fit, or
            // an error a later host adds: the suite's doing, not the
            // component's, so nothing is judged.
            Err(error) => Err(Outcome::Ignored(format!(
                "the suite could not load it on the reference host: {error}"
            ))),
        }
    }
}

impl Place for OnReferenceHost {
    fn time_is_the_components(&self) -> bool {
        true
    }

    fn cannot_judge(&self, _function: GuestFn) -> Option<String> {
        None
    }

    fn load(&self, judged: GuestFn, _deadline: &Deadline) -> Result<Box<dyn Running + '_>, Early> {
        Ok(Box::new(self.load_here(judged)?))
    }
}

impl Loaded {
    /// The component's error records, as a verdict shows them.
    pub fn errors(&self) -> Vec<String> {
        last_errors(
            self.logs
                .records()
                .into_iter()
                .filter(|record| *record.component == self.id && record.level == LogLevel::Error)
                .map(|record| record.message),
        )
    }

    /// The same, as a sentence to append to a verdict (empty when none).
    fn logged(&self) -> String {
        logged_sentence(&self.errors())
    }

    /// `error` as the component's own fault, with what it logged.
    fn guests(&self, error: &CallError) -> Fault {
        Fault::Guest {
            words: error.to_string(),
            logged: self.errors(),
        }
    }
}

/// A message as the reference host takes it.
fn component_message(message: &Message) -> ComponentMessage {
    let mut delivered =
        ComponentMessage::new(message.sender.clone().into(), message.payload.clone())
            .with_content_type(&message.content_type);
    delivered.metadata.correlation_id = message.correlation_id.clone();
    delivered.metadata.reply_to = message.reply_to.clone().map(Into::into);
    delivered
}

impl Loaded {
    /// [`Running::deliver`], saying whether the export returned `ok` or
    /// `err`: an adapter reports an `err` as a refusal, as it does a trap.
    pub fn deliver_answered(&mut self, message: &Message) -> Result<Answered, Fault> {
        let delivered = component_message(message);
        let returned = match message.export {
            Handler::HandleMessage => self
                .runtime
                .invoke(&self.id, &delivered)
                .map(|returned| returned.map(drop)),
            Handler::HandleCallback => self.runtime.invoke_callback(&self.id, &delivered),
        };
        match returned {
            Ok(Ok(())) => Ok(Answered::Ok),
            Ok(Err(_)) => Ok(Answered::Err),
            Err(error) => Err(self.guests(&error)),
        }
    }

    /// [`Running::shutdown`], saying whether `shutdown` returned `ok` or `err`.
    pub fn shutdown_answered(&mut self) -> Result<Answered, Fault> {
        match self.runtime.unload(&self.id) {
            Ok(()) => Ok(Answered::Ok),
            Err(UnloadError::Shutdown { .. }) => Ok(Answered::Err),
            Err(UnloadError::Call(error)) => Err(self.guests(&error)),
            // An error a later host adds: not known to be the component's.
            Err(other) => Err(Fault::Unjudged(other.to_string())),
        }
    }
}

impl Running for Loaded {
    fn deliver(&mut self, message: &Message) -> Result<(), Fault> {
        self.deliver_answered(message).map(drop)
    }

    fn metadata(&mut self) -> Result<Metadata, Fault> {
        let metadata = self
            .runtime
            .metadata(&self.id)
            .map_err(|error| self.guests(&error))?;
        Ok(Metadata::new(metadata.name, metadata.version)
            .with_texts(metadata.description, metadata.author, metadata.license)
            .with_operations(metadata.supported_operations, metadata.stateful))
    }

    fn health(&mut self) -> Result<(), Fault> {
        self.runtime
            .health(&self.id)
            .map(drop)
            .map_err(|error| self.guests(&error))
    }

    fn shutdown(&mut self) -> Result<(), Fault> {
        // GST-6: `ok` and `err` are both answers.
        self.shutdown_answered().map(drop)
    }
}
