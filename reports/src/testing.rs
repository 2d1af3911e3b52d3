//! A checked #1113-shaped run for the tests of every renderer.

use anarcho_checker::{History, Report, Verdict, check, fixtures};

use crate::RunRecord;

pub(crate) const SCENARIO_TEXT: &str = "name = \"issue-1113\"\n[expect]\nverdict = \"invalid\"\n";

/// Owns what a [`RunRecord`] borrows.
pub(crate) struct Sample {
    pub(crate) history: History,
    pub(crate) report: Report,
}

impl Sample {
    pub(crate) fn issue_1113(payload: &str) -> Self {
        Self::of(fixtures::issue_1113(payload))
    }

    /// Checks `history`; the record still names the #1113 scenario.
    pub(crate) fn of(history: History) -> Self {
        let report = check(&history);
        Sample { history, report }
    }

    pub(crate) fn record(&self) -> RunRecord<'_> {
        RunRecord {
            scenario_name: "issue-1113",
            scenario_file: Some("scenarios/issue-1113.toml"),
            scenario_text: SCENARIO_TEXT,
            seed: 1,
            expected: Some(Verdict::Invalid),
            history: &self.history,
            report: &self.report,
            tool_version: "0.1.0",
            replay_command: "anarcho run scenarios/issue-1113.toml --seed 1".into(),
        }
    }
}
