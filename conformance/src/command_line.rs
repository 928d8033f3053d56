//! The `airssys-conformance` command line (and `cargo conformance`): libtest's
//! arguments and the suite's own, then a host's suite or a guest suite.

use std::process::ExitCode;

use airssys_contract::text::printable;

use crate::guest_suite::GuestSuite;
use crate::options::{HELP, Options};
use crate::suite::Suite;

impl Suite {
    /// Reads libtest's arguments (filters, `--list`, `--exact`, …) and the
    /// suite's own (`--adapter`, `--timeout`, `--expect`, `--report`, …; see
    /// `--help`), runs, and returns libtest's exit code, or 2 when the run
    /// could not start.
    pub fn run_from_args(self) -> ExitCode {
        command_line(Some(self))
    }

    /// The `airssys-conformance` command: like [`Suite::run_from_args`] for
    /// the host behind `--adapter`, which it requires.
    pub fn adapter_from_args() -> ExitCode {
        command_line(None)
    }
}

/// Runs the suite for `suite`'s host, or for `--adapter`'s.
fn command_line(suite: Option<Suite>) -> ExitCode {
    let options = match Options::parse(std::env::args()) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {}", printable(&message));
            return ExitCode::from(2);
        }
    };
    if options.help {
        println!("{HELP}\n");
    }
    if !options.components.is_empty() {
        let guests = GuestSuite::new(options.components.clone());
        let guests = match options.seed {
            Some(seed) => guests.seed(seed),
            None => guests,
        }
        .limits(options.limits);
        return match guests.run(&options) {
            Ok(code) => code,
            Err(message) => {
                eprintln!("error: {}", printable(&message));
                ExitCode::from(2)
            }
        };
    }
    let suite = match (&options.adapter, suite) {
        (Some(command), _) => Suite::adapter(command.clone()),
        (None, Some(suite)) => suite,
        (None, None) if options.help => return ExitCode::SUCCESS,
        (None, None) => {
            eprintln!(
                "error: what to judge? A host, through its adapter: `airssys-conformance --adapter \"cargo run -q -p my-host-adapter\"`, or components: `airssys-conformance --component my_component.wasm` (see --help)"
            );
            return ExitCode::from(2);
        }
    };
    let suite = match options.seed {
        Some(seed) => suite.seed(seed),
        None => suite,
    };
    match suite.limits(options.limits).run(&options) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {}", printable(&message));
            ExitCode::from(2)
        }
    }
}
