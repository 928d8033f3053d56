//! `airssys`: components on the reference host without writing Rust.
//!
//! - `airssys run a.wasm b.wasm …` loads components, sends them messages
//!   and requests (flags, or lines on stdin, each acted on as it arrives),
//!   asks their health and metadata, delivers what they send one another,
//!   and prints replies and log records in the order they happened.
//! - `airssys inspect x.wasm` prints a component's imports and exports,
//!   whether the reference host provides each import, and its metadata.
//! - `airssys new NAME` starts a component crate from a template, with the
//!   guest SDK shipped inside this command (or `--sdk`: a checkout, git).
//! - `airssys componentize x.wasm` makes a core module built for
//!   `wasm32-unknown-unknown` a component that imports the contract alone.

mod args;
mod componentize;
mod inspect;
mod new;
mod output;
mod run;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let outcome = match args::Cli::parse().command {
        args::Command::Run(run) => run::run(run),
        args::Command::Inspect(inspect) => inspect::inspect(inspect),
        args::Command::New(new) => new::new(new),
        args::Command::Componentize(module) => componentize::componentize(module),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!(
                "airssys: {}",
                airssys_contract::text::printable(&error.to_string())
            );
            ExitCode::from(2)
        }
    }
}
