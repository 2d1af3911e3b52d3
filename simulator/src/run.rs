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

    /// What about `outcome` differs from the scenario's `[expect]`: the
    /// verdict and every bound. Empty when the run is as expected.
    pub fn unmet_expectations(&self, outcome: &RunOutcome) -> Vec<String> {
        let e = &self.expect;
        let r = &outcome.report;
        let mut unmet = Vec::new();
        if let Some(v) = e.verdict
            && v != r.verdict
        {
            unmet.push(format!(
                "the verdict is {} but the scenario expects {v}",
                r.verdict
            ));
        }
        let stale = r.staleness.stale;
        if let Some(min) = e.min_stale_reads
            && stale < min
        {
            unmet.push(format!("{stale} stale reads, expected at least {min}"));
        }
        if let Some(max) = e.max_stale_reads
            && stale > max
        {
            unmet.push(format!("{stale} stale reads, expected at most {max}"));
        }
        let lost = r.lost_writes.lost_total;
        if let Some(min) = e.min_lost_writes
            && lost < min
        {
            unmet.push(format!("{lost} lost writes, expected at least {min}"));
        }
        if let Some(max) = e.max_lost_writes
            && lost > max
        {
            unmet.push(format!("{lost} lost writes, expected at most {max}"));
        }
        if let Some(bound) = e.converge_within {
            match r.convergence.as_ref().and_then(|c| c.time_to_converge_ns) {
                Some(ns) if ns <= bound.as_nanos() as u64 => {}
                Some(ns) => unmet.push(format!(
                    "the replicas agreed {:?} after the last heal, expected within {bound:?}",
                    std::time::Duration::from_nanos(ns)
                )),
                None => unmet.push(format!(
                    "the replicas never agreed, expected within {bound:?}"
                )),
            }
        }
        unmet
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
