//! The host functions of `airssys:core`: each interface's `Host` trait
//! implemented for [`AirssysCtx`], one file per interface, and
//! [`register_host_functions`], the one way onto a `Linker<T>`. The 17 of
//! 1.0.0 serve 1.1.0 too; 1.1.0's `storage` adds `get-many`.
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
use crate::contract_version::ContractVersion;
use crate::ctx::AirssysCtx;
use crate::view::AirssysView;

struct HasAirssys;

impl HasData for HasAirssys {
    type Data<'a> = &'a mut AirssysCtx;
}

/// Registers the host functions of every [`ContractVersion`] this host
/// serves on `linker` (1.0.0 and 1.1.0), each interface under its exact name
/// (`airssys:core/storage@1.0.0` and `airssys:core/storage@1.1.0`, …), so
/// that each import finds its own version. WASI is not included: add it
/// with `wasmtime_wasi::p2::add_to_linker_sync` for guests built with Rust's std.
pub fn register_host_functions<T: AirssysView + 'static>(
    linker: &mut Linker<T>,
) -> wasmtime::Result<()> {
    register_host_functions_serving(linker, ContractVersion::ALL)
}

/// Registers the host functions of `versions` only: with
/// `&[ContractVersion::V1_0_0]`, the host is one that has not updated, and
/// a component importing `storage@1.1.0` is refused at link time with
/// wasmtime's error naming `get-many`. Fails if `versions` is empty.
pub fn register_host_functions_serving<T: AirssysView + 'static>(
    linker: &mut Linker<T>,
    versions: &[ContractVersion],
) -> wasmtime::Result<()> {
    if versions.is_empty() {
        wasmtime::bail!(
            "no version of airssys:core to serve: give at least one, e.g. `ContractVersion::V1_0_0`"
        );
    }
    // In `ALL`'s order, each once: a version given twice would otherwise
    // define its names twice, which a linker refuses.
    for version in ContractVersion::ALL.iter().filter(|v| versions.contains(v)) {
        match version {
            ContractVersion::V1_0_0 => {
                RuntimeHost::add_to_linker::<T, HasAirssys>(linker, T::airssys)?
            }
            ContractVersion::V1_1_0 => register_1_1(linker)?,
        }
    }
    Ok(())
}

/// 1.1.0's interfaces under their 1.1.0 names. `with:` (in `bindings.rs`)
/// maps the four 1.1.0 leaves as they were to 1.0.0's bindings, so 1.1.0's
/// world would register those under their 1.0.0 names; each is put here on
/// an instance of its 1.1.0 name instead, with the same functions.
fn register_1_1<T: AirssysView + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    use crate::bindings::airssys::core::{errors, host_messaging, host_services, types};
    use crate::bindings::v1_1::airssys::core::storage;

    let at_1_1 = |interface: &str| format!("airssys:core/{interface}@1.1.0");
    types::add_to_linker_instance::<T, HasAirssys>(
        &mut linker.instance(&at_1_1("types"))?,
        T::airssys,
    )?;
    errors::add_to_linker_instance::<T, HasAirssys>(
        &mut linker.instance(&at_1_1("errors"))?,
        T::airssys,
    )?;
    host_messaging::add_to_linker_instance::<T, HasAirssys>(
        &mut linker.instance(&at_1_1("host-messaging"))?,
        T::airssys,
    )?;
    host_services::add_to_linker_instance::<T, HasAirssys>(
        &mut linker.instance(&at_1_1("host-services"))?,
        T::airssys,
    )?;
    // Every `@unstable` feature off, as `LinkOptions::default()` has them:
    // `compare-and-swap` is not put on the linker, so a component importing
    // it does not link (docs/reference-host.md).
    let unstable_features_off = storage::LinkOptions::default();
    storage::add_to_linker::<T, HasAirssys>(linker, &unstable_features_off, T::airssys)
}

// `types` and `errors` declare types only: no functions to answer.
impl crate::bindings::airssys::core::types::Host for AirssysCtx {}
impl crate::bindings::airssys::core::errors::Host for AirssysCtx {}
