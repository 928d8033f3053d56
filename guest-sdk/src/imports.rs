//! Where the SDK's calls go: the host's imports inside a component, the
//! in-memory host of [`crate::testing`] everywhere else. Both have the
//! generated signatures, so the idiomatic modules are written once.

#[cfg(target_arch = "wasm32")]
pub(crate) use crate::bindings::airssys::core::{
    host_messaging as messaging, host_services as services, storage,
};

#[cfg(not(target_arch = "wasm32"))]
pub(crate) use crate::testing::imports::{messaging, services, storage};
