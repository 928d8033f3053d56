//! Running a plan of trials, for a host's suite and a guest suite alike:
//! the [`runner`] (all at once for a test, or as libtest trials), the
//! suite's own command-line [`options`], a host's known failures
//! ([`expectations`], `--expect`), and the command that runs a failed trial
//! again alone ([`repeat`]).

pub(crate) mod expectations;
pub(crate) mod options;
pub(crate) mod repeat;
pub(crate) mod runner;
