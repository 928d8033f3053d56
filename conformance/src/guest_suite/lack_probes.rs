//! Which functions of the contract a host behind an adapter provides, asked
//! one probe component per function (a refusal may name only the first
//! import a host lacks): what each probe's `check` said, kept for the run so
//! that no function is asked twice, and at most
//! [`MAX_CHECKS_PER_COMPONENT`] asked for one component.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::contract::HostFunction;

/// The most probe `check`s sent for one component's refused imports. Each
/// is a round trip to the host that may take up to its 60 s deadline, and a
/// `--wit` contract may declare any number of functions: 32 asks every
/// function of `airssys:core@1.0.0` (17) and of its 1.1.0 draft (19) with
/// room for a next minor's, while one component cannot make a run send
/// hundreds. Functions past it are named as not asked.
pub(super) const MAX_CHECKS_PER_COMPONENT: usize = 32;

/// What the host's `check` said of a probe that imports one function alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ProbeAnswer {
    /// It instantiates: the host provides the function as the contract types it.
    Served,
    /// Refused, naming the function (or its instance) as missing.
    Lacking,
    /// Refused, naming the function as provided with another type.
    OtherType,
    /// Refused, in words that say neither.
    Unclear,
}

/// What the host said of each function of one interface of the contract.
#[derive(Debug, Default)]
pub(super) struct Asked<'c> {
    /// Functions it lacks.
    pub lacking: Vec<&'c HostFunction>,
    /// Functions it provides as the contract types them.
    pub served: Vec<&'c HostFunction>,
    /// Functions it provides with another type.
    pub other_type: Vec<&'c HostFunction>,
    /// Functions whose probe it refused without saying why.
    pub unclear: Vec<&'c HostFunction>,
    /// Functions not asked: the component's checks ran out.
    pub not_asked: Vec<&'c HostFunction>,
}

/// The answers of one run, by (instance, function): every component that
/// imports the same instance is told from the same probes.
#[derive(Debug, Default)]
pub(super) struct LackProbes {
    answers: Mutex<HashMap<(String, String), ProbeAnswer>>,
}

impl LackProbes {
    /// What the host says of each of `functions` at `instance`: from this
    /// run's answers, else by `check` (one probe, counted against
    /// `checks_left`, the component's budget), else not asked. Stops at
    /// the first probe that cannot be asked, with why.
    pub fn ask<'c>(
        &self,
        instance: &str,
        functions: impl IntoIterator<Item = &'c HostFunction>,
        checks_left: &AtomicUsize,
        mut check: impl FnMut(&HostFunction) -> Result<ProbeAnswer, String>,
    ) -> Result<Asked<'c>, String> {
        let mut asked = Asked::default();
        for function in functions {
            let key = (instance.to_owned(), function.name.clone());
            let known = self.answers().get(&key).copied();
            let answer = match known {
                Some(answer) => answer,
                None => {
                    let spent =
                        checks_left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                            n.checked_sub(1)
                        });
                    if spent.is_err() {
                        asked.not_asked.push(function);
                        continue;
                    }
                    let answer = check(function)?;
                    self.answers().insert(key, answer);
                    answer
                }
            };
            match answer {
                ProbeAnswer::Served => asked.served.push(function),
                ProbeAnswer::Lacking => asked.lacking.push(function),
                ProbeAnswer::OtherType => asked.other_type.push(function),
                ProbeAnswer::Unclear => asked.unclear.push(function),
            }
        }
        Ok(asked)
    }

    fn answers(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), ProbeAnswer>> {
        // A panic while the map was held leaves whole entries only.
        self.answers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::Contract;

    const STORAGE: &str = "airssys:core/storage@1.0.0";

    fn storage(contract: &Contract) -> Vec<&HostFunction> {
        contract
            .functions()
            .iter()
            .filter(|f| f.interface == "storage")
            .collect()
    }

    fn names(functions: &[&HostFunction]) -> Vec<String> {
        functions.iter().map(|f| f.name.clone()).collect()
    }

    #[test]
    fn each_function_is_asked_once_per_run_and_the_answers_sorted() {
        let contract = Contract::bundled();
        let probes = LackProbes::default();
        let sent = std::cell::RefCell::new(Vec::new());
        let check = |f: &HostFunction| {
            sent.borrow_mut().push(f.name.clone());
            Ok(match f.name.as_str() {
                "usage" => ProbeAnswer::Lacking,
                "list-keys" => ProbeAnswer::OtherType,
                "exists" => ProbeAnswer::Unclear,
                _ => ProbeAnswer::Served,
            })
        };
        let budget = AtomicUsize::new(MAX_CHECKS_PER_COMPONENT);
        let first = probes
            .ask(STORAGE, storage(&contract), &budget, check)
            .unwrap();
        assert_eq!(names(&first.lacking), ["usage"]);
        assert_eq!(names(&first.other_type), ["list-keys"]);
        assert_eq!(names(&first.unclear), ["exists"]);
        assert_eq!(names(&first.served), ["get", "set", "delete"]);
        assert!(first.not_asked.is_empty());
        // Another component importing the same instance: nothing sent.
        let budget = AtomicUsize::new(MAX_CHECKS_PER_COMPONENT);
        let second = probes
            .ask(STORAGE, storage(&contract), &budget, check)
            .unwrap();
        assert_eq!(names(&second.lacking), ["usage"]);
        assert_eq!(budget.load(Ordering::Relaxed), MAX_CHECKS_PER_COMPONENT);
        assert_eq!(sent.borrow().len(), 6, "{sent:?}");
        // Another version of the instance is another name: asked anew.
        probes
            .ask(
                "airssys:core/storage@1.1.0",
                storage(&contract),
                &budget,
                check,
            )
            .unwrap();
        assert_eq!(sent.borrow().len(), 12, "{sent:?}");
    }

    #[test]
    fn a_component_sends_no_more_checks_than_its_budget() {
        let contract = Contract::bundled();
        let probes = LackProbes::default();
        let mut sent = 0;
        let budget = AtomicUsize::new(4);
        let asked = probes
            .ask(STORAGE, storage(&contract), &budget, |_| {
                sent += 1;
                Ok(ProbeAnswer::Lacking)
            })
            .unwrap();
        assert_eq!(sent, 4);
        assert_eq!(names(&asked.lacking), ["get", "set", "delete", "exists"]);
        assert_eq!(names(&asked.not_asked), ["list-keys", "usage"]);
        // What was not asked is not remembered as an answer.
        let budget = AtomicUsize::new(MAX_CHECKS_PER_COMPONENT);
        let again = probes
            .ask(STORAGE, storage(&contract), &budget, |_| {
                Ok(ProbeAnswer::Served)
            })
            .unwrap();
        assert_eq!(names(&again.served), ["list-keys", "usage"]);
        assert_eq!(again.lacking.len(), 4);
    }

    #[test]
    fn a_probe_that_cannot_be_asked_stops_the_asking_with_why() {
        let contract = Contract::bundled();
        let budget = AtomicUsize::new(MAX_CHECKS_PER_COMPONENT);
        let asked = LackProbes::default().ask(STORAGE, storage(&contract), &budget, |_| {
            Err("the adapter exited".to_owned())
        });
        assert_eq!(asked.unwrap_err(), "the adapter exited");
    }

    #[test]
    fn the_budget_asks_every_function_of_the_contracts_known_versions() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/contract-1.1.0/wit");
        let draft = Contract::load(&dir).unwrap();
        // Its functions, and those behind a feature, all in one component.
        let every = draft.functions().len() + draft.gated().len();
        assert!(
            every >= Contract::bundled().functions().len() + 2,
            "{every}"
        );
        assert!(every <= MAX_CHECKS_PER_COMPONENT, "{every}");
    }
}
