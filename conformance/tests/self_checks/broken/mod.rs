//! Deliberately broken hosts: the reference host with mistakes put in. The
//! suite must fail exactly the trials of the function and aspect each mistake
//! is in, and the reference host none.

pub mod by_hand;
pub mod defects;
pub mod dynamic;
pub mod grants;

use airssys_host::runtime::ComponentState;
use wasmtime::component::Linker;

use by_hand::{Mistakes, NONE};

/// The seed of the property-based checks, fixed so that the snapshots of
/// broken hosts show the same counterexamples on every run.
pub const SEED: u64 = 1;

/// `names` in order, to compare with a list that is.
pub fn sorted(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut names: Vec<String> = names.into_iter().collect();
    names.sort();
    names
}

/// All 17 by hand, without a mistake.
pub fn by_hand_correct(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    by_hand::register(linker, NONE)
}

/// The registration of the original design notes: instances under their bare
/// names (`host-messaging`), and `Ok(())` for result-returning functions.
pub fn design_notes(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    by_hand::register(
        linker,
        Mistakes {
            instance: by_hand::bare,
            unit_results: true,
            ..NONE
        },
    )
}

/// One wrong type in each interface.
pub fn wrong_signatures(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    by_hand::register(
        linker,
        Mistakes {
            wrong_types: true,
            ..NONE
        },
    )
}

/// `cancel-request` forgotten.
pub fn missing_cancel_request(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    by_hand::register(
        linker,
        Mistakes {
            left_out: Some("cancel-request"),
            ..NONE
        },
    )
}
