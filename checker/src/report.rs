//! Runs every checker over a history and folds their results into one
//! [`Report`]: the verdict, event counts and each checker's findings.
//!
//! Today the only checker is [`attribution`](crate::attribution); when
//! linearizability and staleness arrive they get a field each here, and the
//! verdict becomes the [`Verdict::and`] of all of them.

use serde::{Deserialize, Serialize};

use crate::attribution::{AttributionReport, check_attribution};
use crate::history::{EventType, History};
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
}

/// Checks `history` with every checker.
pub fn check(history: &History) -> Report {
    let attribution = check_attribution(history);
    Report {
        verdict: attribution.verdict(),
        counts: Counts::of(history),
        attribution,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn clean_history_is_valid_and_counted() {
        let report = check(&fixtures::clean());
        assert_eq!(report.verdict, Verdict::Valid);
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
