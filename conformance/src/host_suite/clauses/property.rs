//! Property-based parts of checks, on proptest: many generated inputs
//! against the host, a failure shrunk to a minimal counterexample, and a
//! seed that repeats the run (`--seed`).

use std::cell::RefCell;
use std::fmt::Debug;
use std::panic::AssertUnwindSafe;

use proptest::strategy::Strategy;
use proptest::test_runner::TestError;

use super::{Precondition, Session, cut, precondition_failed};
use crate::trials::seeded_runner;

/// Generated inputs per property; each costs a few calls to the host.
const CASES: u32 = 24;
/// Shrink steps at most, so that a failing property ends within its trial's
/// time limit on a slow host.
const SHRINK_STEPS: u32 = 200;
/// The longest counterexample a failure message shows.
const SHOWN_CHARS: usize = 600;

impl Session<'_> {
    /// Holds `property` for generated values of `strategy`: it must not
    /// panic. On failure, panics with the smallest value proptest found that
    /// fails, what failed, and the seed to repeat it.
    pub fn holds<S>(&mut self, what: &str, strategy: S, property: impl Fn(&mut Session, S::Value))
    where
        S: Strategy,
        S::Value: Debug,
    {
        let seed = self.seed;
        let mut runner = seeded_runner(seed, CASES, SHRINK_STEPS);
        let session = RefCell::new(self);
        let unjudged = RefCell::new(None);
        let outcome = runner.run(&strategy, |value| {
            let mut session = session.borrow_mut();
            // A host that stopped answering fails every case alike: stop
            // trying inputs, the exchange's own failure is reported below.
            if let Some(failure) = &session.lost {
                return Err(proptest::test_runner::TestCaseError::fail(failure.clone()));
            }
            // Once another function misbehaved, no case can judge this one.
            if unjudged.borrow().is_some() {
                return Ok(());
            }
            let case = std::panic::catch_unwind(AssertUnwindSafe(|| property(&mut session, value)));
            match case {
                Ok(()) => Ok(()),
                Err(panic) => match panic.downcast::<Precondition>() {
                    Ok(precondition) => {
                        *unjudged.borrow_mut() = Some(precondition.0);
                        Ok(())
                    }
                    Err(panic) => std::panic::resume_unwind(panic),
                },
            }
        });
        let session = session.into_inner();
        if let Some(failure) = session.lost.take() {
            panic!("{failure}");
        }
        // A failure found before a later case stopped on a precondition
        // still stands: it was judged.
        if let (Some(why), Ok(())) = (unjudged.into_inner(), &outcome) {
            precondition_failed(why);
        }
        match outcome {
            Ok(()) => {}
            Err(TestError::Fail(reason, value)) => panic!(
                "{what} fails for {}\n  {reason}\n  (smallest failing input proptest found; seed \
                 {seed}: repeat with `--seed {seed}`)",
                cut(&format!("{value:?}"), SHOWN_CHARS)
            ),
            Err(TestError::Abort(reason)) => panic!("{what}: {reason} (seed {seed})"),
        }
    }
}
