//! The detection table: what the scenario library catches, measured.
//!
//! Every scenario in a folder is run over seeds `1..=K` (with
//! [`crate::sweep`], one simulation per thread, nothing written per seed)
//! and sorted into one of four groups by what it turns on and expects:
//!
//! - **known-bug scenarios** enable exactly one known-bug switch and expect
//!   `invalid`: a seed *detects* the switch when its verdict is invalid. Each
//!   gives a row with the switch, the real-world issue it re-creates
//!   ([`anarchoredis::KnownBug::origin`]), the lowest detecting seed and the
//!   detection rate. A switch no scenario enables still gets a row, with no
//!   detection.
//! - **default-client scenarios** enable no switch, drive anarchoredis and
//!   expect `valid`: a seed is a *false alarm* when its verdict is not valid,
//!   an `[expect]` bound is unmet, or it could not be completed.
//! - **known results** enable no switch and expect `invalid`: documented
//!   results such as DDIA's "quorums are not linearizable"; the table says
//!   on how many seeds the result (verdict and bounds) showed.
//! - **other clients** (a `[client] driver` other than anarchoredis): the
//!   same count of seeds on which the documented verdict showed.
//!
//! Anything else (several switches at once, no expected verdict) is listed
//! as not tabulated, with the reason.
//!
//! The table is a pure function of the scenario files and K: scenarios are
//! taken in file-name order, switch rows are sorted by switch name, seeds
//! ascend, and nothing depends on the number of threads.

use std::path::{Path, PathBuf};

use anarcho_checker::{Report, Verdict};
use anarchoredis::KnownBug;
use serde::Serialize;

use anarcho_reports::SweepRow;

use crate::run::RunOutcome;
use crate::scenario::Scenario;
use crate::sweep::{SeedRange, SeedResult, SweepOptions, sweep};

/// A switch counts as caught when its first detection is at or below this
/// seed.
pub const CATCH_WITHIN: u64 = 50;

/// Run directories written per scenario for its false alarms or undetected
/// seeds (the rest are listed with their replay commands only).
const RUN_DIRS_PER_SCENARIO: usize = 5;

/// How to measure.
#[derive(Clone, Debug)]
pub struct DetectOptions {
    /// Seeds per scenario: `1..=seeds`.
    pub seeds: u64,
    /// Worker threads.
    pub jobs: usize,
    /// Where the run directories of first detections and false alarms go
    /// (`<out>/<scenario>/<seed>/`); `None` writes nothing.
    pub out: Option<PathBuf>,
}

/// The measured table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DetectionTable {
    /// Seeds run per scenario (`1..=seeds`).
    pub seeds: u64,
    /// A switch counts as caught when first detected at or below this seed.
    pub catch_within: u64,
    /// One row per known-bug scenario (and one per switch without any),
    /// sorted by switch name, then scenario name.
    pub switches: Vec<SwitchRow>,
    /// The default client over every scenario that enables no switch and
    /// expects `valid`.
    pub default_client: FalseAlarms,
    /// Scenarios that document a known `invalid` result without a switch.
    pub known_results: Vec<ResultRow>,
    /// Scenarios that drive another client (`[client] driver`).
    pub other_clients: Vec<ResultRow>,
    /// Scenarios in none of the groups above, with the reason.
    pub not_tabulated: Vec<NotTabulated>,
    /// The runs whose directories were written (first detections, false
    /// alarms, results that did not show), as sweep-index rows relative to
    /// `<out>/detect/seeds-1-<K>/`, in table order.
    #[serde(skip)]
    pub runs: Vec<SweepRow>,
}

impl DetectionTable {
    /// Every switch caught within [`CATCH_WITHIN`] seeds (and within the
    /// seeds run).
    pub fn every_switch_caught(&self) -> bool {
        self.switches.iter().all(|r| r.caught(self.catch_within))
    }

    /// The table meets its targets: every switch caught, no false alarm.
    pub fn passed(&self) -> bool {
        self.every_switch_caught() && self.default_client.false_alarms == 0
    }
}

/// One known-bug switch and the scenario that shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SwitchRow {
    /// The switch's name.
    pub switch: String,
    /// The real-world issue it re-creates.
    pub origin: String,
    /// The scenario's name; `None` when no scenario enables the switch.
    pub scenario: Option<String>,
    /// The scenario file.
    pub file: Option<String>,
    /// The lowest seed whose verdict is invalid.
    pub first_detection: Option<u64>,
    /// Seeds whose verdict is invalid.
    pub detected: u64,
    /// Seeds run.
    pub runs: u64,
    /// `detected / runs` (0 without runs).
    pub rate: f64,
    /// Seeds whose verdict is not invalid, ascending.
    pub missed: Vec<u64>,
    /// The command that replays the first detection.
    pub replay: Option<String>,
    /// The first detection's run directory, when one was written.
    pub run_dir: Option<String>,
}

impl SwitchRow {
    /// First detected at or below seed `within`.
    pub fn caught(&self, within: u64) -> bool {
        self.first_detection.is_some_and(|s| s <= within)
    }
}

/// The default client's false alarms.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FalseAlarms {
    /// Runs over every scenario of the group.
    pub runs: u64,
    /// Runs that are false alarms.
    pub false_alarms: u64,
    /// Per scenario, in file-name order.
    pub scenarios: Vec<ScenarioAlarms>,
}

/// One default-client scenario's false alarms.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioAlarms {
    /// The scenario's name.
    pub scenario: String,
    /// Its file.
    pub file: String,
    /// Seeds run.
    pub runs: u64,
    /// The false alarms, by seed.
    pub alarms: Vec<Alarm>,
}

/// One run that did not come out as its scenario expects.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alarm {
    /// The seed.
    pub seed: u64,
    /// Its verdict (`unknown` when the run could not be completed).
    pub verdict: Verdict,
    /// What differs from `[expect]`, or why the run could not be completed.
    pub unmet: Vec<String>,
    /// The first findings, one line each (filled for runs that were written).
    pub findings: Vec<String>,
    /// The command that replays it.
    pub replay: String,
    /// Its run directory, when one was written.
    pub run_dir: Option<String>,
}

/// How often a scenario's documented verdict (and bounds) showed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResultRow {
    /// The scenario's name.
    pub scenario: String,
    /// Its file.
    pub file: String,
    /// The client it drives.
    pub client: String,
    /// The verdict it documents.
    pub expected: Verdict,
    /// Seeds on which the verdict and every bound showed.
    pub showed: u64,
    /// Seeds run.
    pub runs: u64,
    /// The seeds on which it did not show.
    pub not_shown: Vec<Alarm>,
}

/// A scenario the table does not count, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NotTabulated {
    /// The scenario's name.
    pub scenario: String,
    /// Its file.
    pub file: String,
    /// Why it is not counted.
    pub reason: String,
}

/// The group a scenario falls in.
enum Group {
    Switch(KnownBug),
    DefaultClient,
    KnownResult,
    OtherClient(String),
    NotTabulated(String),
}

fn group(s: &Scenario) -> Group {
    let bugs: Vec<&str> = s.client.known_bugs.iter().map(|b| b.0.as_str()).collect();
    let expected = s.expect.verdict;
    let driver = s.client.driver.name();
    if driver != crate::scenario::Driver::default().name() {
        return match expected {
            Some(_) => Group::OtherClient(driver.to_string()),
            None => Group::NotTabulated("no expected verdict".into()),
        };
    }
    match (bugs.as_slice(), expected) {
        (_, None) => Group::NotTabulated("no expected verdict".into()),
        ([one], Some(Verdict::Invalid)) => match one.parse::<KnownBug>() {
            Ok(bug) => Group::Switch(bug),
            Err(e) => Group::NotTabulated(e),
        },
        ([], Some(Verdict::Valid)) => Group::DefaultClient,
        ([], Some(Verdict::Invalid)) => Group::KnownResult,
        ([], Some(v)) => Group::NotTabulated(format!("expects {v}")),
        ([_], Some(v)) => Group::NotTabulated(format!("enables a switch but expects {v}")),
        (_, Some(_)) => Group::NotTabulated("enables several switches".into()),
    }
}

/// Loads every `*.toml` in `dir`, in file-name order.
pub fn load_scenarios(dir: &Path) -> Result<Vec<Scenario>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("reading {}: {e}", dir.display()))?
            .path();
        if path.extension().is_some_and(|x| x == "toml") {
            files.push(path);
        }
    }
    files.sort();
    files
        .iter()
        .map(|f| Scenario::from_file(f).map_err(|e| e.to_string()))
        .collect()
}

/// Runs every scenario over seeds `1..=options.seeds` and builds the table.
/// `progress` is called after each scenario with its position, the count,
/// and the scenario (for display only).
pub fn detect(
    scenarios: &[Scenario],
    options: &DetectOptions,
    progress: &dyn Fn(usize, usize, &Scenario),
) -> DetectionTable {
    let seeds = SeedRange {
        first: 1,
        last: options.seeds.max(1),
    };
    let sweep_options = SweepOptions {
        seeds,
        jobs: options.jobs,
        stop_on_fail: false,
        out: None,
    };
    let mut switches: Vec<SwitchRow> = Vec::new();
    let mut default_client = FalseAlarms {
        runs: 0,
        false_alarms: 0,
        scenarios: Vec::new(),
    };
    let mut known_results = Vec::new();
    let mut other_clients = Vec::new();
    let mut not_tabulated = Vec::new();
    let mut out = Writer {
        out: options.out.as_deref(),
        runs: Vec::new(),
    };
    for (i, s) in scenarios.iter().enumerate() {
        let file = s.file.clone().unwrap_or_else(|| s.name.clone());
        let g = group(s);
        if let Group::NotTabulated(reason) = g {
            not_tabulated.push(NotTabulated {
                scenario: s.name.clone(),
                file,
                reason,
            });
            progress(i + 1, scenarios.len(), s);
            continue;
        }
        let results = sweep(s, &sweep_options, &|_| {}).results;
        match g {
            Group::Switch(bug) => switches.push(switch_row(s, bug, &results, &mut out)),
            Group::DefaultClient => {
                let alarms = alarms(s, results.iter().filter(|r| !as_expected(r)), &mut out);
                default_client.runs += results.len() as u64;
                default_client.false_alarms += alarms.len() as u64;
                default_client.scenarios.push(ScenarioAlarms {
                    scenario: s.name.clone(),
                    file,
                    runs: results.len() as u64,
                    alarms,
                });
            }
            Group::KnownResult => {
                known_results.push(result_row(s, "anarchoredis", &results, &mut out))
            }
            Group::OtherClient(client) => {
                other_clients.push(result_row(s, &client, &results, &mut out))
            }
            Group::NotTabulated(_) => unreachable!("handled above"),
        }
        progress(i + 1, scenarios.len(), s);
    }
    for bug in KnownBug::ALL {
        if !switches.iter().any(|r| r.switch == bug.name()) {
            switches.push(SwitchRow {
                switch: bug.name().to_string(),
                origin: bug.origin().to_string(),
                scenario: None,
                file: None,
                first_detection: None,
                detected: 0,
                runs: 0,
                rate: 0.0,
                missed: Vec::new(),
                replay: None,
                run_dir: None,
            });
        }
    }
    switches.sort_by(|a, b| (&a.switch, &a.scenario).cmp(&(&b.switch, &b.scenario)));
    DetectionTable {
        seeds: seeds.last,
        catch_within: CATCH_WITHIN,
        switches,
        default_client,
        known_results,
        other_clients,
        not_tabulated,
        runs: out.runs,
    }
}

/// Where run directories go, and the index rows of those written.
struct Writer<'a> {
    out: Option<&'a Path>,
    runs: Vec<SweepRow>,
}

/// The run came out as the scenario expects: verdict and bounds, completed.
fn as_expected(r: &SeedResult) -> bool {
    r.error.is_none() && r.unmet.is_empty()
}

fn switch_row(
    s: &Scenario,
    bug: KnownBug,
    results: &[SeedResult],
    out: &mut Writer<'_>,
) -> SwitchRow {
    let detected: Vec<u64> = results
        .iter()
        .filter(|r| r.error.is_none() && r.verdict == Verdict::Invalid)
        .map(|r| r.seed)
        .collect();
    let missed = results
        .iter()
        .map(|r| r.seed)
        .filter(|seed| !detected.contains(seed))
        .collect();
    let first = detected.first().copied();
    let run_dir = first.and_then(|seed| write_seed(s, seed, out).ok().flatten().map(|(d, _)| d));
    let runs = results.len() as u64;
    SwitchRow {
        switch: bug.name().to_string(),
        origin: bug.origin().to_string(),
        scenario: Some(s.name.clone()),
        file: s.file.clone(),
        first_detection: first,
        detected: detected.len() as u64,
        runs,
        rate: if runs == 0 {
            0.0
        } else {
            detected.len() as f64 / runs as f64
        },
        missed,
        replay: first.map(|seed| s.replay_command(seed)),
        run_dir,
    }
}

fn result_row(
    s: &Scenario,
    client: &str,
    results: &[SeedResult],
    out: &mut Writer<'_>,
) -> ResultRow {
    let not_shown = alarms(s, results.iter().filter(|r| !as_expected(r)), out);
    ResultRow {
        scenario: s.name.clone(),
        file: s.file.clone().unwrap_or_else(|| s.name.clone()),
        client: client.to_string(),
        expected: s.expect.verdict.unwrap_or(Verdict::Unknown),
        showed: results.len() as u64 - not_shown.len() as u64,
        runs: results.len() as u64,
        not_shown,
    }
}

/// The alarms of `failing` seeds; the first few get a run directory and
/// their findings (the run is repeated, which gives the same history).
fn alarms<'a>(
    s: &Scenario,
    failing: impl Iterator<Item = &'a SeedResult>,
    out: &mut Writer<'_>,
) -> Vec<Alarm> {
    failing
        .enumerate()
        .map(|(i, r)| {
            let mut unmet = r.unmet.clone();
            if let Some(e) = &r.error {
                unmet.push(e.clone());
            }
            let (run_dir, findings) = if i < RUN_DIRS_PER_SCENARIO {
                match write_seed(s, r.seed, out) {
                    Ok(Some((dir, findings))) => (Some(dir), findings),
                    Ok(None) => (None, Vec::new()),
                    Err(e) => (None, vec![e]),
                }
            } else {
                (None, Vec::new())
            };
            Alarm {
                seed: r.seed,
                verdict: r.verdict,
                unmet,
                findings,
                replay: s.replay_command(r.seed),
                run_dir,
            }
        })
        .collect()
}

/// Runs `seed` again and writes its run directory under `out`, with an
/// index row; returns the directory and the run's first findings.
/// `Ok(None)` without an output folder.
fn write_seed(
    s: &Scenario,
    seed: u64,
    out: &mut Writer<'_>,
) -> Result<Option<(String, Vec<String>)>, String> {
    let Some(root) = out.out else { return Ok(None) };
    let outcome = s.run(seed).map_err(|e| e.to_string())?;
    let dir = s
        .write_run(&outcome, root)
        .map_err(|e| format!("writing the run directory under {}: {e}", root.display()))?;
    let r = &outcome.report;
    out.runs.push(SweepRow {
        seed,
        verdict: r.verdict,
        // From <out>/detect/seeds-1-K/ to <out>/<scenario>/<seed>/.
        run_dir: format!("../../{}/{seed}", s.name),
        operations: r.counts.invoke,
        violations: crate::sweep::violations(r),
        lost_writes: r.lost_writes.lost_total,
        max_k_staleness: (r.staleness.reads > 0).then_some(r.staleness.max_k),
        replay: s.replay_command(seed),
    });
    Ok(Some((dir.display().to_string(), findings(&outcome))))
}

/// How many findings an alarm lists.
const FINDINGS: usize = 3;

/// The first findings of a run, one line each: misattributed replies,
/// non-linearizable keys (when judged), lost writes, diverged keys.
pub fn findings(outcome: &RunOutcome) -> Vec<String> {
    let r: &Report = &outcome.report;
    let mut lines: Vec<String> = r
        .attribution
        .violations
        .iter()
        .map(|v| v.summary.clone())
        .collect();
    if r.linearizability.judged {
        lines.extend(r.linearizability.failures.iter().map(|f| {
            format!(
                "key {}: {} operations with no linearizable order",
                f.key.as_deref().unwrap_or("(all)"),
                f.operations
            )
        }));
    }
    lines.extend(r.lost_writes.lost.iter().map(|l| l.summary.clone()));
    if let Some(c) = &r.convergence {
        lines.extend(c.divergences.iter().map(|d| {
            let values: Vec<String> = d
                .values
                .iter()
                .map(|v| format!("{} {}", v.node, short(&v.value.to_string())))
                .collect();
            format!(
                "replicas diverge on {} after the last heal: {}",
                d.key,
                values.join(", ")
            )
        }));
    }
    lines.truncate(FINDINGS);
    lines
}

fn short(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut}...")
    }
}
