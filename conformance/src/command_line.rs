//! The `airssys-conformance` command line (and `cargo conformance`): libtest's
//! arguments and the suite's own, then a host's suite or a guest suite.

use std::process::ExitCode;

use airssys_contract::text::printable;

use crate::connection::caller_dir;
use crate::contract::{Contract, ContractError};
use crate::guest_suite::GuestSuite;
use crate::host_suite::Suite;
use crate::report::diff::{Diff, Judged};
use crate::running::options::{HELP, Options};
use crate::running::repeat::Invocation;

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

/// Runs the suite for `suite`'s host, or for `--adapter`'s; or compares two
/// reports (`diff OLD.json NEW.json`).
fn command_line(suite: Option<Suite>) -> ExitCode {
    let arguments: Vec<String> = std::env::args().collect();
    // `cargo conformance -- diff …`: the alias already ends with `--`.
    let command = arguments.iter().skip(1).position(|word| word != "--");
    if let Some(at) = command.map(|at| at + 1)
        && arguments[at] == "diff"
    {
        return diff(&arguments[at + 1..]);
    }
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
    let contract = match chosen_contract(&options) {
        Ok(contract) => contract,
        Err(message) => {
            eprintln!("error: {}", printable(&message));
            return ExitCode::from(2);
        }
    };
    if !options.components.is_empty() {
        let guests = GuestSuite::new(options.components.clone());
        let guests = match contract {
            Some(contract) => guests.contract(contract),
            None => guests,
        };
        let guests = match &options.adapter {
            Some(command) => guests.on_adapter(command.clone()),
            None => guests,
        };
        let guests = match options.seed {
            Some(seed) => guests.seed(seed),
            None => guests,
        }
        .limits(options.limits);
        let invocation = suite.map_or_else(Invocation::of_this_process, |s| s.invocation.clone());
        return match guests.run(&options, &invocation) {
            Ok(code) => code,
            Err(message) => {
                eprintln!("error: {}", printable(&message));
                ExitCode::from(2)
            }
        };
    }
    let Some(suite) = chosen(suite, &options) else {
        if options.help {
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "error: what to judge? A host, through its adapter: `airssys-conformance --adapter \"cargo run -q -p my-host-adapter\"`, or components: `airssys-conformance --component my_component.wasm` (see --help)"
        );
        return ExitCode::from(2);
    };
    let suite = match options.seed {
        Some(seed) => suite.seed(seed),
        None => suite,
    };
    let suite = match contract {
        Some(contract) => suite.with_contract(contract),
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

/// The contract `--wit` and `--wit-features` choose; `None` for the suite's
/// own. A WIT that cannot be read is refused with what to pass instead.
fn chosen_contract(options: &Options) -> Result<Option<Contract>, String> {
    let Some(dir) = &options.wit else {
        return Ok(None);
    };
    Contract::load_with_features(dir, &options.wit_features)
        .map(Some)
        .map_err(|error| {
            let fix = match error {
                ContractError::UnknownFeature { .. } => {
                    "`--wit-features` takes features the WIT gates items behind, separated by \
                     commas"
                }
                _ => {
                    "`--wit` takes the directory of the .wit files of a version of the contract, \
                     e.g. `--wit fixtures/contract-1.1.0/wit`; without it the suite judges its \
                     own wit/"
                }
            };
            format!("{error}\n{fix}")
        })
}

/// The suite for `--adapter`'s host if given, else `suite`'s; either way
/// started by `suite`'s words, so that `cargo conformance --adapter X`
/// repeats its failures as `cargo conformance …`.
fn chosen(suite: Option<Suite>, options: &Options) -> Option<Suite> {
    match (&options.adapter, suite) {
        (Some(command), Some(given)) => {
            let mut suite = Suite::adapter(command.clone());
            suite.invocation = given.invocation;
            Some(suite)
        }
        (Some(command), None) => Some(Suite::adapter(command.clone())),
        (None, given) => given,
    }
}

/// `diff OLD.json NEW.json`: what changed, as Markdown on standard output;
/// exit status 1 when a trial fails that passed or was not judged, 2 when
/// the reports cannot be read.
fn diff(files: &[String]) -> ExitCode {
    let [old, new] = files else {
        eprintln!(
            "error: diff takes two reports, e.g. `airssys-conformance diff before/conformance.json after/conformance.json`; got {} arguments",
            files.len()
        );
        return ExitCode::from(2);
    };
    let read = |file: &String| Judged::read(&caller_dir().join(file));
    match (read(old), read(new)) {
        (Ok(old), Ok(new)) => {
            let diff = Diff::between(&old, &new);
            print!("{}", diff.to_markdown());
            match diff.has_regressions() {
                true => ExitCode::FAILURE,
                false => ExitCode::SUCCESS,
            }
        }
        (Err(message), _) | (_, Err(message)) => {
            eprintln!("error: {}", printable(&message));
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::running::repeat::Invocation;

    #[test]
    fn an_adapter_given_on_the_command_line_keeps_the_suites_words() {
        let given = Suite::adapter("unused").invoked_as("cargo conformance");
        let options = Options {
            adapter: Some("my-adapter".into()),
            ..Options::default()
        };
        let suite = chosen(Some(given), &options).unwrap();
        assert_eq!(suite.invocation, Invocation::given("cargo conformance"));
        assert!(chosen(None, &Options::default()).is_none());
    }

    #[test]
    fn a_wit_that_cannot_be_read_says_what_to_pass() {
        assert!(chosen_contract(&Options::default()).unwrap().is_none());
        let dir = tempfile::tempdir().unwrap();
        let options = Options {
            wit: Some(dir.path().to_owned()),
            ..Options::default()
        };
        let error = chosen_contract(&options).err().unwrap();
        assert!(error.contains("holds no .wit file"), "{error}");
        assert!(
            error.ends_with("without it the suite judges its own wit/"),
            "{error}"
        );
    }
}
