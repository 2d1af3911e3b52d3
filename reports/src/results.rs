//! `results.json`: the machine-readable account of one run.
//!
//! Versioned by [`RESULTS_SCHEMA_VERSION`]; every field is documented in
//! this crate's `README.md`. The text is a pure function of the run (struct
//! fields in declaration order, no maps, no timestamps, no paths the caller
//! did not give), so two runs of the same seed give byte-identical files.

use anarcho_checker::{
    AttributionReport, ConvergenceReport, Counts, LinearizabilityReport, LostWritesReport, Report,
    StalenessReport, Verdict,
};
use serde::{Deserialize, Serialize};

use crate::RunRecord;

/// The `schema_version` written into every `results.json`. Bumped when a
/// field changes meaning or goes away; adding a field does not bump it.
pub const RESULTS_SCHEMA_VERSION: u32 = 1;

/// The whole `results.json` document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// [`RESULTS_SCHEMA_VERSION`] at the time of writing.
    pub schema_version: u32,
    /// The version of the tool that made the run.
    pub tool_version: String,
    /// Which scenario ran, with its text, so the file stands alone.
    pub scenario: ScenarioInfo,
    /// The seed of the run.
    pub seed: u64,
    /// The verdict the scenario expected, or `null`.
    pub expected: Option<Verdict>,
    /// The verdict of all checkers together.
    pub verdict: Verdict,
    /// `verdict == expected`, or `null` when nothing was expected.
    pub matches_expectation: Option<bool>,
    /// Event counts.
    pub counts: Counts,
    /// Each checker's own findings.
    pub checkers: Checkers,
    /// The command that reproduces the run.
    pub replay: String,
}

/// The scenario a run came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioInfo {
    /// The scenario's name (the run directory's parent).
    pub name: String,
    /// The file as the user named it, or `null` for a built-in scenario.
    pub file: Option<String>,
    /// The scenario's TOML, verbatim.
    pub text: String,
}

/// Per-checker findings, one field per checker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkers {
    /// Reply attribution: did every reply belong to its own request?
    pub attribution: AttributionReport,
    /// Linearizability, with a counterexample per failing partition.
    #[serde(default)]
    pub linearizability: LinearizabilityReport,
    /// Staleness measurements (never change the verdict).
    #[serde(default)]
    pub staleness: StalenessReport,
    /// Lost acknowledged writes.
    #[serde(default)]
    pub lost_writes: LostWritesReport,
    /// Replica convergence; `null` when the history records no replica state.
    #[serde(default)]
    pub convergence: Option<ConvergenceReport>,
}

impl Results {
    /// Gathers the document for `run`.
    pub fn from_run(run: &RunRecord<'_>) -> Self {
        Results {
            schema_version: RESULTS_SCHEMA_VERSION,
            tool_version: run.tool_version.to_string(),
            scenario: ScenarioInfo {
                name: run.scenario_name.to_string(),
                file: run.scenario_file.map(str::to_string),
                text: run.scenario_text.to_string(),
            },
            seed: run.seed,
            expected: run.expected,
            verdict: run.report.verdict,
            matches_expectation: run.matches_expectation(),
            counts: run.report.counts.clone(),
            checkers: Checkers {
                attribution: run.report.attribution.clone(),
                linearizability: run.report.linearizability.clone(),
                staleness: run.report.staleness.clone(),
                lost_writes: run.report.lost_writes.clone(),
                convergence: run.report.convergence.clone(),
            },
            replay: run.replay_command.clone(),
        }
    }

    /// The checker's report this document was made from (its verdict,
    /// counts and every checker's findings), for rendering it again.
    pub fn report(&self) -> Report {
        Report {
            verdict: self.verdict,
            counts: self.counts.clone(),
            attribution: self.checkers.attribution.clone(),
            linearizability: self.checkers.linearizability.clone(),
            staleness: self.checkers.staleness.clone(),
            lost_writes: self.checkers.lost_writes.clone(),
            convergence: self.checkers.convergence.clone(),
        }
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialising cannot fail.
        let mut text = serde_json::to_string_pretty(self).expect("results serialise");
        text.push('\n');
        text
    }
}

/// The text of `results.json` for `run`: pretty JSON plus a trailing newline,
/// byte-identical for identical input.
pub fn results_json(run: &RunRecord<'_>) -> String {
    Results::from_run(run).to_json()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{SCENARIO_TEXT, Sample};

    #[test]
    fn results_json_round_trips() {
        let sample = Sample::issue_1113("message");
        let text = results_json(&sample.record());
        let back: Results = serde_json::from_str(&text).unwrap();
        assert_eq!(back, Results::from_run(&sample.record()));
        assert_eq!(back.to_json(), text);
    }

    #[test]
    fn results_give_back_the_report_they_were_made_from() {
        let sample = Sample::of(crate::testing::rich(300));
        let text = results_json(&sample.record());
        let back: Results = serde_json::from_str(&text).unwrap();
        assert_eq!(back.report(), sample.report);
    }

    #[test]
    fn results_json_is_byte_identical_across_calls() {
        let a = Sample::issue_1113("message");
        let b = Sample::issue_1113("message");
        assert_eq!(results_json(&a.record()), results_json(&b.record()));
    }

    #[test]
    fn results_json_carries_the_documented_fields() {
        let sample = Sample::issue_1113("message");
        let text = results_json(&sample.record());
        assert!(text.ends_with("}\n"));
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = [
            "schema_version",
            "tool_version",
            "scenario",
            "seed",
            "expected",
            "verdict",
            "matches_expectation",
            "counts",
            "checkers",
            "replay",
        ];
        expected.sort();
        assert_eq!(keys, expected);
        assert_eq!(json["schema_version"], 1);
        assert_eq!(json["scenario"]["text"], SCENARIO_TEXT);
        assert_eq!(json["verdict"], "invalid");
        assert_eq!(json["matches_expectation"], true);
        let culprit = &json["checkers"]["attribution"]["violations"][0]["belonged_to"];
        assert_eq!(culprit["command"], "READONLY");
        assert_eq!(culprit["nth_of_command"], 2);
    }

    #[test]
    fn results_json_carries_every_checker() {
        let sample = Sample::issue_1113("message");
        let json: serde_json::Value =
            serde_json::from_str(&results_json(&sample.record())).unwrap();
        let checkers = &json["checkers"];
        for name in ["attribution", "linearizability", "staleness", "lost_writes"] {
            assert!(checkers[name].is_object(), "{name} missing: {checkers}");
        }
        assert_eq!(checkers["linearizability"]["model"], "redis");
        // No replica state in the history: no convergence verdict.
        assert!(checkers["convergence"].is_null());
    }

    #[test]
    fn no_expectation_is_null() {
        let sample = Sample::issue_1113("message");
        let mut record = sample.record();
        record.expected = None;
        let json: serde_json::Value = serde_json::from_str(&results_json(&record)).unwrap();
        assert!(json["expected"].is_null());
        assert!(json["matches_expectation"].is_null());
    }
}
