//! [`AirssysView`]: how the host functions find their [`AirssysCtx`] in an
//! embedder's store data, as `wasmtime_wasi::WasiView` finds a `WasiCtx`.

use crate::ctx::AirssysCtx;

/// Gives the host functions their [`AirssysCtx`] inside an embedder's store data `T`,
/// as `wasmtime_wasi::WasiView` does for WASI.
pub trait AirssysView: Send {
    /// The context of the component this store runs.
    fn airssys(&mut self) -> &mut AirssysCtx;
}
