//! What a trial is: the function and aspect it judges, its outcome, and the
//! time limits trials run under. The engine derives the trials from the
//! contract; reports and expectations read these.

use std::time::Duration;

use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// What of a function a trial judges.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Aspect {
    /// Registered where components import it from.
    Name,
    /// Registered with the contract's type.
    Signature,
    /// A clause ID, or `None` when the WIT names no clause for the function.
    Behaviour(Option<String>),
}

impl Aspect {
    /// The name of the trial that judges this aspect of `row` (a function
    /// such as `storage::get`, or a component's export or import), as
    /// libtest lists it: `row::name`, `row::signature`, `row::behaviour::STO-1`.
    pub(crate) fn trial_name(&self, row: &str) -> String {
        match self {
            Aspect::Name => format!("{row}::name"),
            Aspect::Signature => format!("{row}::signature"),
            Aspect::Behaviour(Some(clause)) => format!("{row}::behaviour::{clause}"),
            Aspect::Behaviour(None) => format!("{row}::behaviour"),
        }
    }
}

/// One trial of the plan.
#[derive(Debug, Clone)]
pub struct TrialSpec {
    /// e.g. `storage::get::behaviour::STO-1`
    pub name: String,
    /// The index of the judged function in the contract.
    pub function: usize,
    /// What of the function the trial judges.
    pub aspect: Aspect,
    /// Why the trial cannot run on this host, if it cannot.
    pub ignored: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case", tag = "outcome", content = "message")]
/// How a trial ended.
pub enum Outcome {
    /// The host did what the contract says.
    Passed,
    /// It did not: what was expected and what happened.
    Failed(String),
    /// The trial could not judge this host, and why.
    Ignored(String),
    /// Failed, as the host's expectations file says it does: the reason
    /// given there, then the failure.
    Expected(String),
}

impl Outcome {
    /// The outcome with its message's terminal controls written out
    /// ([`airssys_contract::text::printable`]).
    pub fn printable(self) -> Self {
        let shown = |text: String| match airssys_contract::text::printable(&text) {
            std::borrow::Cow::Borrowed(_) => text,
            std::borrow::Cow::Owned(shown) => shown,
        };
        match self {
            Outcome::Passed => Outcome::Passed,
            Outcome::Failed(message) => Outcome::Failed(shown(message)),
            Outcome::Ignored(reason) => Outcome::Ignored(shown(reason)),
            Outcome::Expected(message) => Outcome::Expected(shown(message)),
        }
    }
}

/// How long the suite waits for a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeLimits {
    /// Each trial, everything it asks the host included. On expiry the
    /// adapter is stopped and the trial fails as timed out.
    pub trial: Duration,
    /// An adapter's start, up to its answer to `hello`: it may be compiling.
    pub startup: Duration,
}

impl Default for TimeLimits {
    fn default() -> Self {
        Self {
            trial: Duration::from_secs(30),
            startup: Duration::from_secs(300),
        }
    }
}

/// A proptest runner whose inputs follow from `seed` alone, so that a
/// failure's message can name the seed that repeats it (`--seed`).
pub(crate) fn seeded_runner(seed: u64, cases: u32, shrink_steps: u32) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config {
        cases,
        max_shrink_iters: shrink_steps,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}
