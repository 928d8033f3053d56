//! A suite built without the reference host (feature `reference-host` off)
//! has no witness for [`super::on_adapter`]: these types have no values, so
//! the compiler proves every use of them unreachable, and the witness is
//! always `None`. Components are compiled only to read their types, and
//! without an adapter a guest plan stops with what to do
//! ([`super::plan::NEEDS_ADAPTER`]).

use airssys_conformance_adapter::{Message, Metadata};
use airssys_contract::GuestFn;
use wasmtime::Engine;
use wasmtime::component::Component;

use super::behaviour::{Answered, Deadline, Early, Fault, Place, Running};
use super::plan::NEEDS_ADAPTER;

/// The reference host in this process; none in this build.
pub(crate) enum OnReferenceHost {}

/// A component loaded on it; none in this build.
pub(crate) enum Loaded {}

impl OnReferenceHost {
    pub fn load_here(&self, _judged: GuestFn) -> Result<Loaded, Early> {
        match *self {}
    }
}

impl Loaded {
    pub fn deliver_answered(&mut self, _message: &Message) -> Result<Answered, Fault> {
        match *self {}
    }

    pub fn shutdown_answered(&mut self) -> Result<Answered, Fault> {
        match *self {}
    }
}

impl Running for Loaded {
    fn deliver(&mut self, _message: &Message) -> Result<(), Fault> {
        match *self {}
    }

    fn metadata(&mut self) -> Result<Metadata, Fault> {
        match *self {}
    }

    fn health(&mut self) -> Result<(), Fault> {
        match *self {}
    }

    fn shutdown(&mut self) -> Result<(), Fault> {
        match *self {}
    }
}

impl Place for OnReferenceHost {
    fn time_is_the_components(&self) -> bool {
        true
    }

    fn cannot_judge(&self, _function: GuestFn) -> Option<String> {
        match *self {}
    }

    fn load(&self, _judged: GuestFn, _deadline: &Deadline) -> Result<Box<dyn Running + '_>, Early> {
        match *self {}
    }
}

/// The engine that compiles components to read their types; no host.
pub(crate) struct Reference {
    engine: Engine,
}

impl Reference {
    /// Without an adapter there is nowhere to run components: says what to do.
    pub fn start(on_adapter: bool) -> Result<Self, String> {
        if !on_adapter {
            return Err(NEEDS_ADAPTER.to_owned());
        }
        Ok(Self {
            engine: Engine::default(),
        })
    }

    /// The engine components are compiled with.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// No linker here judges a component's WASI imports.
    pub fn links(&self, _component: &Component) -> Option<Result<(), String>> {
        None
    }

    /// No reference host to run a component on.
    pub fn place(&self, _component: &Component) -> Option<OnReferenceHost> {
        None
    }
}
