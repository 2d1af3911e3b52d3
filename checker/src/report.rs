//! Runs every checker over a history and folds their results into one
//! [`Report`]: the verdict, event counts and each checker's findings.
//!
//! What decides the verdict ([`Verdict::and`] of these):
//! - reply attribution: a reply that belonged to another request (judged
//!   on histories of Redis commands: the `redis` model's, or any with wire
//!   events);
//! - linearizability: a partition no order of which the model accepts
//!   (`invalid`), or one the budget could not decide (`unknown`), unless
//!   the options say the system only promises [`Consistency::Eventual`];
//! - lost writes: an acknowledged write no final read observes (`invalid`);
//! - convergence, when the history records replicas' state: replicas whose
//!   final states differ (`invalid`).
//!
//! Staleness figures are measurements and never change the verdict.
//!
//! [`check`] is what the simulator runs: the model is chosen from the
//! operations present and the budget is deterministic, so the report is a
//! pure function of the history.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::attribution::{AttributionReport, check_attribution};
use crate::convergence::{ConvergenceReport, check_convergence};
use crate::history::{EventType, History};
use crate::linearizability::{Budget, BudgetReport, LinearizabilityReport};
use crate::lost_writes::LostWritesReport;
use crate::models::ModelKind;
use crate::staleness::StalenessReport;
use crate::verdict::Verdict;

/// How many events of each operation kind a history holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// Every event, wire and nemesis events included.
    pub events: u64,
    /// `invoke` events: operations started.
    pub invoke: u64,
    /// `ok` completions.
    pub ok: u64,
    /// `fail` completions.
    pub fail: u64,
    /// `info` completions (indeterminate).
    pub info: u64,
}

impl Counts {
    /// Counts the events of `history`.
    pub fn of(history: &History) -> Self {
        let mut counts = Counts {
            events: history.len() as u64,
            invoke: 0,
            ok: 0,
            fail: 0,
            info: 0,
        };
        for event in history.events() {
            match event.ty {
                EventType::Invoke => counts.invoke += 1,
                EventType::Ok => counts.ok += 1,
                EventType::Fail => counts.fail += 1,
                EventType::Info => counts.info += 1,
                _ => {}
            }
        }
        counts
    }
}

/// The checked run: what the reports render and the CLI's exit code follows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The folded verdict of every checker.
    pub verdict: Verdict,
    /// Event counts.
    pub counts: Counts,
    /// The reply-attribution checker's findings.
    pub attribution: AttributionReport,
    /// The linearizability checker's findings.
    #[serde(default)]
    pub linearizability: LinearizabilityReport,
    /// Staleness measurements (never change the verdict).
    #[serde(default)]
    pub staleness: StalenessReport,
    /// Lost acknowledged writes.
    #[serde(default)]
    pub lost_writes: LostWritesReport,
    /// Whether the replicas' final states agree; absent (`null`) when the
    /// history records no replica state.
    #[serde(default)]
    pub convergence: Option<ConvergenceReport>,
}

/// What a check may choose and spend.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckOptions {
    /// The linearizability model; `None` picks one from the operations
    /// ([`ModelKind::detect`]).
    pub model: Option<ModelKind>,
    /// The linearizability search's budget. The default is deterministic.
    pub budget: Budget,
    /// What the system under test promises.
    pub consistency: Consistency,
}

/// The consistency a system promises, which decides whether a
/// linearizability violation is a failure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consistency {
    /// Linearizable: a linearizability violation makes the run invalid.
    #[default]
    Linearizable,
    /// Eventually consistent: linearizability is still checked and reported
    /// (how far from it the run was), but does not decide the verdict; lost
    /// acknowledged writes and diverged replicas still do.
    Eventual,
}

/// Checks `history` with every checker, choosing the model from the
/// operations present, within the default (deterministic) budget.
pub fn check(history: &History) -> Report {
    check_with(history, &CheckOptions::default())
}

/// Checks `history` with every checker, with `options`.
pub fn check_with(history: &History, options: &CheckOptions) -> Report {
    let model = options.model.or_else(|| ModelKind::detect(history));
    // Attribution judges Redis commands (`get` must return a value some
    // `set` wrote); on another model's history `get` means something else
    // (Porcupine's kv appends), so it runs only where its rules apply.
    let redis_like = model.is_none_or(|m| m == ModelKind::Redis)
        || history
            .events()
            .iter()
            .any(|e| matches!(e.ty, EventType::Send | EventType::Recv));
    let attribution = if redis_like {
        check_attribution(history)
    } else {
        AttributionReport {
            checked: 0,
            violations: Vec::new(),
        }
    };
    let linearizability = match model {
        Some(model) => model.check(history, &options.budget),
        None => no_model(history, &options.budget),
    };
    let keys = crate::accesses::collect(history);
    let staleness = crate::staleness::from_keys(&keys);
    let lost_writes = crate::lost_writes::from_keys(history, &keys);
    drop(keys);
    let convergence = check_convergence(history);
    let mut linearizability = linearizability;
    linearizability.judged = options.consistency == Consistency::Linearizable;
    let verdict = attribution
        .verdict()
        .and(if linearizability.judged {
            linearizability.verdict
        } else {
            Verdict::Valid
        })
        .and(lost_writes.verdict)
        .and(convergence.as_ref().map_or(Verdict::Valid, |c| c.verdict));
    Report {
        verdict,
        counts: Counts::of(history),
        attribution,
        linearizability,
        staleness,
        lost_writes,
        convergence,
    }
}

/// The linearizability report when no model applies: `valid` with nothing
/// checked when the history has no operations, else `unknown`.
fn no_model(history: &History, budget: &Budget) -> LinearizabilityReport {
    let fs: BTreeSet<&str> = history
        .events()
        .iter()
        .filter(|e| e.ty == EventType::Invoke)
        .map(|e| e.f.as_str())
        .collect();
    let mut report = LinearizabilityReport {
        budget: BudgetReport {
            max_memo_bytes_per_partition: budget.max_memo_bytes_per_partition,
            time_limit_ms: budget.time_limit.map(|t| t.as_millis() as u64),
        },
        ..LinearizabilityReport::default()
    };
    if !fs.is_empty() {
        let names: Vec<&str> = fs.into_iter().collect();
        report.verdict = Verdict::Unknown;
        report.note = Some(format!(
            "no built-in model knows the operations {}; choose one (--model)",
            names.join(", ")
        ));
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn clean_history_is_valid_and_counted() {
        let report = check(&fixtures::clean());
        assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
        assert_eq!(
            report.counts,
            Counts {
                events: fixtures::clean().len() as u64,
                invoke: 7,
                ok: 7,
                fail: 0,
                info: 0,
            }
        );
    }

    #[test]
    fn issue_1113_history_is_invalid() {
        let report = check(&fixtures::issue_1113("message"));
        assert_eq!(report.verdict, Verdict::Invalid);
        assert_eq!(report.attribution.violations.len(), 1);
    }

    #[test]
    fn empty_history_is_valid() {
        let report = check(&History::new());
        assert_eq!(report.verdict, Verdict::Valid);
        assert_eq!(report.counts.events, 0);
    }

    #[test]
    fn report_round_trips_through_json() {
        let report = check(&fixtures::issue_1113("message"));
        let json = serde_json::to_string(&report).unwrap();
        assert_eq!(serde_json::from_str::<Report>(&json).unwrap(), report);
    }
}
