//! The 17 host functions of `airssys:core@1.0.0`: each interface's `Host`
//! trait implemented for [`AirssysCtx`], one file per interface, and
//! [`register_host_functions`], the one way onto a `Linker<T>`.
//!
//! As in `wasmtime-wasi` (`p2/host/*.rs` over `ctx.rs`), the state these
//! read lives below the context (`storage`, `messaging`, `services`, the
//! registry); only the code that answers a guest's call is up here, so no
//! module of the host both holds state the context keeps and uses the context.

mod messaging;
mod services;
mod storage;

use wasmtime::component::{HasData, Linker};

use crate::bindings::RuntimeHost;
use crate::ctx::AirssysCtx;
use crate::view::AirssysView;

struct HasAirssys;

impl HasData for HasAirssys {
    type Data<'a> = &'a mut AirssysCtx;
}

/// Registers the 17 host functions of `airssys:core@1.0.0` on `linker`, under
/// `airssys:core/<interface>@1.0.0`. WASI is not included: add it with
/// `wasmtime_wasi::p2::add_to_linker_sync` for guests built with Rust's std.
pub fn register_host_functions<T: AirssysView + 'static>(
    linker: &mut Linker<T>,
) -> wasmtime::Result<()> {
    RuntimeHost::add_to_linker::<T, HasAirssys>(linker, T::airssys)
}

// `types` and `errors` declare types only: no functions to answer.
impl crate::bindings::airssys::core::types::Host for AirssysCtx {}
impl crate::bindings::airssys::core::errors::Host for AirssysCtx {}
