//! `airssys-conformance --adapter COMMAND`: the suite, with the contract and
//! its probe components built in, for the host behind an adapter process.
//! Install it with `cargo install --locked --path conformance` (or `--git`).

fn main() -> std::process::ExitCode {
    airssys_conformance::Suite::adapter_from_args()
}
