//! Where a run's time went (`--timings`).

use std::fmt::Write as _;
use std::time::Duration;

use super::{Report, TrialResult};

impl Report {
    /// Every trial's time, slowest first, then the total and each
    /// interface's share (`--timings`): where a run's time goes.
    pub fn timings(&self) -> String {
        let mut trials: Vec<&TrialResult> = self.trials.iter().collect();
        trials.sort_by(|a, b| b.took.cmp(&a.took).then_with(|| a.name.cmp(&b.name)));
        let width = trials.iter().map(|t| t.name.len()).max().unwrap_or(0);
        let mut text = String::from("\ntimings, slowest first (seconds):\n");
        for trial in &trials {
            writeln!(
                text,
                "  {:<width$}  {:>7.3}",
                trial.name,
                trial.took.as_secs_f64()
            )
            .unwrap();
        }
        let total: Duration = trials.iter().map(|t| t.took).sum();
        let mut by_interface: Vec<(&str, Duration)> = Vec::new();
        for trial in &self.trials {
            let interface = trial.function.split("::").next().unwrap_or_default();
            match by_interface.iter_mut().find(|(name, _)| *name == interface) {
                Some((_, sum)) => *sum += trial.took,
                None => by_interface.push((interface, trial.took)),
            }
        }
        writeln!(
            text,
            "  {:<width$}  {:>7.3}",
            "all trials",
            total.as_secs_f64()
        )
        .unwrap();
        for (interface, sum) in by_interface {
            writeln!(
                text,
                "  {:<width$}  {:>7.3}",
                format!("  {interface}"),
                sum.as_secs_f64()
            )
            .unwrap();
        }
        text
    }
}
