//! One run end to end: simulate, check, and write the run directory.
//!
//! This is the library entry point users call from their own tests:
//! `Scenario::from_file(path)?.run(seed)?`.

use std::path::{Path, PathBuf};

use anarcho_checker::{History, Report, Verdict};
use anarcho_reports::RunRecord;

use crate::scenario::{JudgedConsistency, Scenario};
use crate::world::{Incomplete, simulate};

/// The version recorded in every results file.
pub const TOOL_VERSION: &str = concat!("anarcho ", env!("CARGO_PKG_VERSION"));

/// A finished, checked run.
#[derive(Clone, Debug)]
pub struct RunOutcome {
    /// The seed it ran with.
    pub seed: u64,
    /// Everything that happened.
    pub history: History,
    /// The checkers' verdict and findings.
    pub report: Report,
}

impl RunOutcome {
    /// The overall verdict.
    pub fn verdict(&self) -> Verdict {
        self.report.verdict
    }
}

impl Scenario {
    /// Simulates the scenario with `seed` and checks the history.
    pub fn run(&self, seed: u64) -> Result<RunOutcome, Incomplete> {
        let history = simulate(self, seed)?;
        let report = anarcho_checker::check_with(&history, &self.check_options());
        Ok(RunOutcome {
            seed,
            history,
            report,
        })
    }

    /// How this scenario's runs are checked: against the consistency its
    /// `[expect]` names, with the checker's default (deterministic) budget.
    pub fn check_options(&self) -> anarcho_checker::CheckOptions {
        anarcho_checker::CheckOptions {
            consistency: match self.expect.consistency {
                JudgedConsistency::Linearizable => anarcho_checker::Consistency::Linearizable,
                JudgedConsistency::Eventual => anarcho_checker::Consistency::Eventual,
            },
            ..Default::default()
        }
    }

    /// The command that replays a run of this scenario.
    pub fn replay_command(&self, seed: u64) -> String {
        match &self.file {
            Some(f) => format!("anarcho run {f} --seed {seed}"),
            None => format!("anarcho run <scenario.toml> --seed {seed}"),
        }
    }

    /// Writes the run directory `<out_root>/<name>/<seed>/` and returns it.
    pub fn write_run(&self, outcome: &RunOutcome, out_root: &Path) -> std::io::Result<PathBuf> {
        let record = RunRecord {
            scenario_name: &self.name,
            scenario_file: self.file.as_deref(),
            scenario_text: &self.source,
            seed: outcome.seed,
            expected: self.expect.verdict,
            history: &outcome.history,
            report: &outcome.report,
            tool_version: TOOL_VERSION,
            replay_command: self.replay_command(outcome.seed),
        };
        anarcho_reports::write_run(out_root, &record)
    }
}
