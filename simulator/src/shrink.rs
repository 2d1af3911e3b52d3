//! Shrinking a failing run: cut the scenario down while the same seed still
//! fails the same way, and keep the smallest failing version as a file.
//!
//! The scenario is edited as a TOML *document* (`toml_edit`), not
//! re-serialised from the parsed struct, so the user's comments and layout
//! survive and the result reads like the file it came from. Every candidate
//! is loaded with [`Scenario::from_toml`] (a candidate that does not
//! validate is skipped without running) and run with the original seed.
//!
//! "The same way": the candidate's verdict is `invalid` and every checker
//! that found a violation in the original run (reply attribution,
//! linearizability when judged, lost writes, convergence) finds one again.
//!
//! The search is greedy and deterministic (every run is), in passes that
//! repeat until a whole round changes nothing or the run budget is spent:
//! - lists, delta-debugging style (halves, quarters, ..., single entries):
//!   `[[nemesis.schedule]]`, `[nemesis.random]` (dropped, or fewer
//!   `actions`), `[[server_faults]]`, `script` entries, `mix` weights;
//! - numbers, by bisection towards their minimum: `duration` (dropping
//!   scheduled faults after it), `operations`, client `count`,
//!   `processes`, `nodes` (quorums clamped to the node count), `keys`.
//!
//! Before the search the name becomes `<name>-shrunk`, `seed` the shrunk
//! seed and `[expect]` `verdict = "invalid"` with `seeds = [seed]`, so the
//! file is a self-contained reproduction (and a scenario test).

use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

use anarcho_checker::{Report, Verdict};
use toml_edit::{DocumentMut, Item, Value};

use crate::run::RunOutcome;
use crate::scenario::Scenario;
use crate::world::Incomplete;

/// How much work a shrink may do.
#[derive(Clone, Copy, Debug)]
pub struct ShrinkOptions {
    /// The most candidate simulations to run.
    pub max_runs: usize,
}

impl Default for ShrinkOptions {
    fn default() -> Self {
        ShrinkOptions { max_runs: 500 }
    }
}

/// The checkers that found a violation: what "failing the same way" keeps.
pub type Signature = BTreeSet<&'static str>;

/// The checkers that found a violation in `report`.
pub fn signature(report: &Report) -> Signature {
    let mut s = Signature::new();
    if !report.attribution.violations.is_empty() {
        s.insert("attribution");
    }
    if report.linearizability.judged && report.linearizability.verdict == Verdict::Invalid {
        s.insert("linearizability");
    }
    if report.lost_writes.verdict == Verdict::Invalid {
        s.insert("lost-writes");
    }
    if report
        .convergence
        .as_ref()
        .is_some_and(|c| c.verdict == Verdict::Invalid)
    {
        s.insert("convergence");
    }
    s
}

/// The size of a scenario along every axis the shrinker cuts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Size {
    /// Simulated workload duration.
    pub duration: Duration,
    /// `[cluster] nodes`.
    pub nodes: usize,
    /// `[client] count`.
    pub clients: usize,
    /// `[workload] processes`.
    pub processes: usize,
    /// `[workload] operations` (per client).
    pub operations: usize,
    /// `[workload] keys`.
    pub keys: usize,
    /// `[[nemesis.schedule]]` entries.
    pub scheduled_faults: usize,
    /// Whether `[nemesis.random]` is present.
    pub random_nemesis: bool,
    /// `[[server_faults]]` rules.
    pub server_faults: usize,
    /// Operations the failing run invoked.
    pub invoked: u64,
}

impl Size {
    fn of(s: &Scenario, outcome: &RunOutcome) -> Size {
        Size {
            duration: s.duration,
            nodes: s.cluster.nodes,
            clients: s.client.count,
            processes: s.workload.processes,
            operations: s.workload.operations,
            keys: s.workload.keys,
            scheduled_faults: s.nemesis.schedule.len(),
            random_nemesis: s.nemesis.random.is_some(),
            server_faults: s.server_faults.len(),
            invoked: outcome.report.counts.invoke,
        }
    }
}

/// A finished shrink.
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// The smallest failing scenario's TOML.
    pub text: String,
    /// It, loaded.
    pub scenario: Scenario,
    /// Its failing run.
    pub outcome: RunOutcome,
    /// The failure kept.
    pub signature: Signature,
    /// The original's size.
    pub before: Size,
    /// The result's size.
    pub after: Size,
    /// Candidate simulations run.
    pub runs: usize,
    /// Whether the run budget ran out before the search finished.
    pub budget_exhausted: bool,
}

/// Why a scenario could not be shrunk.
#[derive(Clone, Debug)]
pub enum ShrinkError {
    /// The seed does not fail: there is nothing to shrink.
    NotFailing(Verdict),
    /// The original run could not be completed.
    Incomplete(Incomplete),
    /// The scenario's own text could not be edited (it was not read from
    /// TOML, or renaming it changed its outcome).
    Unusable(String),
}

impl fmt::Display for ShrinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShrinkError::NotFailing(v) => write!(f, "the run is {v}: nothing to shrink"),
            ShrinkError::Incomplete(e) => write!(f, "{e}"),
            ShrinkError::Unusable(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ShrinkError {}

/// Shrinks `scenario`'s failing run with `seed`. `log` receives one line
/// per accepted reduction.
pub fn shrink(
    scenario: &Scenario,
    seed: u64,
    options: ShrinkOptions,
    log: &mut dyn FnMut(&str),
) -> Result<Shrunk, ShrinkError> {
    let original = scenario.run(seed).map_err(ShrinkError::Incomplete)?;
    if original.verdict() != Verdict::Invalid {
        return Err(ShrinkError::NotFailing(original.verdict()));
    }
    let wanted = signature(&original.report);
    let before = Size::of(scenario, &original);
    let mut doc: DocumentMut = scenario
        .source
        .parse()
        .map_err(|e| ShrinkError::Unusable(format!("the scenario's TOML: {e}")))?;
    rename(&mut doc, &scenario.name, seed);
    let mut search = Search {
        seed,
        wanted,
        file: scenario.file.clone(),
        runs: 0,
        max_runs: options.max_runs,
        log,
        current: (scenario.clone(), original),
        doc: doc.clone(),
    };
    if !search.try_candidate(doc, "renamed, [expect] set to this seed") {
        return Err(ShrinkError::Unusable(
            "renaming the scenario and setting [expect] changed its outcome".into(),
        ));
    }
    loop {
        let text_before = search.doc.to_string();
        search.round();
        if search.doc.to_string() == text_before || search.exhausted() {
            break;
        }
    }
    let (scenario, outcome) = search.current.clone();
    let after = Size::of(&scenario, &outcome);
    Ok(Shrunk {
        text: search.doc.to_string(),
        signature: search.wanted.clone(),
        scenario,
        outcome,
        before,
        after,
        runs: search.runs,
        budget_exhausted: search.exhausted(),
    })
}

/// `name = "<name>-shrunk"`, `seed = N`, `[expect] verdict = "invalid"`,
/// `seeds = [N]`.
fn rename(doc: &mut DocumentMut, name: &str, seed: u64) {
    let shrunk = if name.ends_with("-shrunk") {
        name.to_string()
    } else {
        format!("{name}-shrunk")
    };
    set_value(doc, &[], "name", Value::from(shrunk));
    set_value(doc, &[], "seed", Value::from(seed as i64));
    set_value(doc, &["expect"], "verdict", Value::from("invalid"));
    let mut seeds = toml_edit::Array::new();
    seeds.push(seed as i64);
    set_value(doc, &["expect"], "seeds", Value::Array(seeds));
}

/// The search state: the smallest failing document so far and its run.
struct Search<'a> {
    seed: u64,
    wanted: Signature,
    file: Option<String>,
    runs: usize,
    max_runs: usize,
    log: &'a mut dyn FnMut(&str),
    current: (Scenario, RunOutcome),
    doc: DocumentMut,
}

impl Search<'_> {
    fn exhausted(&self) -> bool {
        self.runs >= self.max_runs
    }

    /// Loads and runs `doc`; if it fails the same way it becomes the
    /// current document. Returns whether it did.
    fn try_candidate(&mut self, doc: DocumentMut, what: &str) -> bool {
        if self.exhausted() {
            return false;
        }
        let text = doc.to_string();
        let Ok(scenario) = Scenario::from_toml(&text, self.file.clone()) else {
            return false;
        };
        self.runs += 1;
        let Ok(outcome) = scenario.run(self.seed) else {
            return false;
        };
        let reproduces = outcome.verdict() == Verdict::Invalid
            && signature(&outcome.report).is_superset(&self.wanted);
        if reproduces {
            (self.log)(what);
            self.doc = doc;
            self.current = (scenario, outcome);
        }
        reproduces
    }

    /// One round of every pass.
    fn round(&mut self) {
        self.shrink_list(&["nemesis"], "schedule", 0, "scheduled faults");
        self.drop_random_nemesis();
        self.shrink_list(&["nemesis", "random"], "actions", 1, "random actions");
        self.shrink_list(&[], "server_faults", 0, "server faults");
        self.shrink_duration();
        let s = &self.current.0;
        let numbers = [
            (&["workload"][..], "operations", s.workload.operations),
            (&["client"][..], "count", s.client.count),
            (&["workload"][..], "processes", s.workload.processes),
            (&["cluster"][..], "nodes", s.cluster.nodes),
            (&["workload"][..], "keys", s.workload.keys),
        ];
        for (section, key, value) in numbers {
            self.shrink_number(section, key, value);
        }
        if !self.current.0.workload.script.is_empty() {
            self.shrink_list(&["workload"], "script", 1, "script entries");
        }
        self.zero_mix_weights();
    }

    fn drop_random_nemesis(&mut self) {
        if self.current.0.nemesis.random.is_none() {
            return;
        }
        let mut doc = self.doc.clone();
        if let Some(nemesis) = table_mut(&mut doc, &["nemesis"]) {
            nemesis.remove("random");
        }
        self.try_candidate(doc, "removed [nemesis.random]");
    }

    /// Removes entries of the list `key` in `section` (an array of tables
    /// or an array), keeping at least `min_len`.
    fn shrink_list(&mut self, section: &[&str], key: &str, min_len: usize, what: &str) {
        let len = list_len(&self.doc, section, key);
        if len <= min_len {
            return;
        }
        // Indices into the list as it is in `self.doc` now.
        let mut keep: Vec<usize> = (0..len).collect();
        let base = self.doc.clone();
        let mut chunk = (len / 2).max(1);
        loop {
            let mut changed = false;
            let mut i = 0;
            while i < keep.len() && !self.exhausted() {
                let end = (i + chunk).min(keep.len());
                if keep.len() - (end - i) < min_len {
                    i += chunk;
                    continue;
                }
                let candidate: Vec<usize> = keep[..i].iter().chain(&keep[end..]).copied().collect();
                let mut doc = base.clone();
                retain_list(&mut doc, section, key, &candidate);
                let note = format!("{what}: {} -> {}", keep.len(), candidate.len());
                if self.try_candidate(doc, &note) {
                    keep = candidate;
                    changed = true;
                } else {
                    i += chunk;
                }
            }
            if self.exhausted() || keep.len() <= min_len || (chunk == 1 && !changed) {
                break;
            }
            chunk = (chunk / 2).max(1);
        }
    }

    /// Bisects an integer field towards 1.
    fn shrink_number(&mut self, section: &[&str], key: &str, current: usize) {
        let label = format!(
            "{}{key}",
            section.iter().map(|s| format!("{s}.")).collect::<String>()
        );
        let mut try_value = |search: &mut Self, n: usize| {
            let mut doc = search.doc.clone();
            set_value(&mut doc, section, key, Value::from(n as i64));
            if key == "nodes" {
                clamp_quorums(&mut doc, n);
            }
            search.try_candidate(doc, &format!("{label}: {current} -> {n}"))
        };
        bisect(self, 1, current, &mut try_value);
    }

    /// Bisects `duration` (in milliseconds) towards 1 ms, dropping
    /// scheduled faults that would fall after it.
    fn shrink_duration(&mut self) {
        let current = self.current.0.duration;
        let ms = current.as_millis() as usize;
        let mut try_value = |search: &mut Self, n: usize| {
            let d = Duration::from_millis(n as u64);
            let mut doc = search.doc.clone();
            set_value(
                &mut doc,
                &[],
                "duration",
                Value::from(humantime::format_duration(d).to_string()),
            );
            let keep: Vec<usize> = search
                .current
                .0
                .nemesis
                .schedule
                .iter()
                .enumerate()
                .filter(|(_, f)| f.at <= d)
                .map(|(i, _)| i)
                .collect();
            if keep.len() < search.current.0.nemesis.schedule.len() {
                retain_list(&mut doc, &["nemesis"], "schedule", &keep);
            }
            search.try_candidate(doc, &format!("duration: {current:?} -> {d:?}"))
        };
        bisect(self, 1, ms, &mut try_value);
    }

    /// Sets each non-zero `mix` weight to 0 in turn (mixed workloads only).
    fn zero_mix_weights(&mut self) {
        let s = &self.current.0;
        if !s.workload.script.is_empty() || s.workload.kind != crate::scenario::WorkloadKind::Mixed
        {
            return;
        }
        let names = [
            "echo",
            "get",
            "set",
            "del",
            "incr",
            "read_counter",
            "rpush",
            "lrange",
        ];
        for (name, (_, weight)) in names.into_iter().zip(s.workload.mix.weighted()) {
            if weight == 0 {
                continue;
            }
            let mut doc = self.doc.clone();
            set_value(&mut doc, &["workload", "mix"], name, Value::from(0));
            // A mix table written from scratch must keep the default
            // weights of the other kinds it replaces.
            for (other, (_, w)) in names
                .into_iter()
                .zip(self.current.0.workload.mix.weighted())
            {
                if other != name && get_item(&doc, &["workload", "mix"], other).is_none() {
                    set_value(&mut doc, &["workload", "mix"], other, Value::from(w as i64));
                }
            }
            self.try_candidate(doc, &format!("workload.mix.{name}: {weight} -> 0"));
        }
    }
}

/// Finds a small value in `[lo, current)` for which `test` holds, trying
/// `lo` first and then bisecting; leaves `current` when none is found.
fn bisect<S>(
    state: &mut S,
    lo: usize,
    current: usize,
    test: &mut dyn FnMut(&mut S, usize) -> bool,
) {
    if current <= lo {
        return;
    }
    if test(state, lo) {
        return;
    }
    // `good` fails the same way, `bad` does not.
    let (mut bad, mut good) = (lo, current);
    while good - bad > 1 {
        let mid = bad + (good - bad) / 2;
        if test(state, mid) {
            good = mid;
        } else {
            bad = mid;
        }
    }
}

/// The table at `path` (`[]` is the document), if present.
fn table_mut<'d>(
    doc: &'d mut DocumentMut,
    path: &[&str],
) -> Option<&'d mut dyn toml_edit::TableLike> {
    let mut table: &mut dyn toml_edit::TableLike = doc.as_table_mut();
    for key in path {
        table = table.get_mut(key)?.as_table_like_mut()?;
    }
    Some(table)
}

fn get_item<'d>(doc: &'d DocumentMut, path: &[&str], key: &str) -> Option<&'d Item> {
    let mut table: &dyn toml_edit::TableLike = doc.as_table();
    for k in path {
        table = table.get(k)?.as_table_like()?;
    }
    table.get(key).filter(|i| !i.is_none())
}

/// Sets `key` in the table at `path`, creating `[tables]` on the way and
/// keeping an existing value's surrounding whitespace and comment.
fn set_value(doc: &mut DocumentMut, path: &[&str], key: &str, mut value: Value) {
    let mut table: &mut dyn toml_edit::TableLike = doc.as_table_mut();
    for k in path {
        if table.get(k).is_none_or(|i| !i.is_table_like()) {
            let mut t = toml_edit::Table::new();
            t.set_implicit(true);
            table.insert(k, Item::Table(t));
        }
        table = table
            .get_mut(k)
            .and_then(|i| i.as_table_like_mut())
            .expect("just made a table");
    }
    if let Some(Item::Value(old)) = table.get_mut(key) {
        *value.decor_mut() = old.decor().clone();
        *old = value;
    } else {
        table.insert(key, Item::Value(value));
    }
}

/// Lowers `write_quorum` and `read_quorum` to at most `nodes`.
fn clamp_quorums(doc: &mut DocumentMut, nodes: usize) {
    for key in ["write_quorum", "read_quorum"] {
        let q = get_item(doc, &["client"], key).and_then(|i| i.as_integer());
        if let Some(q) = q
            && q > nodes as i64
        {
            set_value(doc, &["client"], key, Value::from(nodes as i64));
        }
    }
}

/// The length of the list `key` in the table at `path`.
fn list_len(doc: &DocumentMut, path: &[&str], key: &str) -> usize {
    match get_item(doc, path, key) {
        Some(Item::ArrayOfTables(a)) => a.len(),
        Some(Item::Value(Value::Array(a))) => a.len(),
        _ => 0,
    }
}

/// Keeps only the entries at `keep` (indices in the current list) of the
/// list `key` in the table at `path`; removes the key when none are kept.
fn retain_list(doc: &mut DocumentMut, path: &[&str], key: &str, keep: &[usize]) {
    let Some(table) = table_mut(doc, path) else {
        return;
    };
    if keep.is_empty() {
        table.remove(key);
        return;
    }
    let mut index = 0;
    let mut keep_next = || {
        let kept = keep.contains(&index);
        index += 1;
        kept
    };
    match table.get_mut(key) {
        Some(Item::ArrayOfTables(a)) => a.retain(|_| keep_next()),
        Some(Item::Value(Value::Array(a))) => a.retain(|_| keep_next()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"# A comment that must survive.
name = "t"
duration = "3s"   # trailing comment

[cluster]
nodes = 3

[workload]
operations = 50   # ops

[[nemesis.schedule]]
at = "1s"
action = { isolate = "redis-1" }

[[nemesis.schedule]]
at = "2s"
action = "heal"
"#;

    #[test]
    fn edits_keep_comments_and_create_missing_tables() {
        let mut doc: DocumentMut = TEXT.parse().unwrap();
        set_value(&mut doc, &[], "duration", Value::from("1s"));
        set_value(&mut doc, &["client"], "count", Value::from(2));
        retain_list(&mut doc, &["nemesis"], "schedule", &[0]);
        rename(&mut doc, "t", 7);
        let text = doc.to_string();
        assert!(text.contains("# A comment that must survive."), "{text}");
        assert!(
            text.contains("duration = \"1s\"   # trailing comment"),
            "{text}"
        );
        assert!(text.contains("[client]\ncount = 2"), "{text}");
        assert!(text.contains("isolate"), "{text}");
        assert!(!text.contains("heal"), "{text}");
        let s = Scenario::from_toml(&text, None).unwrap();
        assert_eq!(s.name, "t-shrunk");
        assert_eq!(s.client.count, 2);
        assert_eq!(s.expected_seeds(), vec![7]);
        assert_eq!(s.expect.verdict, Some(Verdict::Invalid));
        assert_eq!(s.nemesis.schedule.len(), 1);
    }

    #[test]
    fn bisect_finds_the_smallest_passing_value_of_a_threshold() {
        let mut tried = Vec::new();
        let mut best = 100;
        bisect(&mut best, 1, 100, &mut |best: &mut usize, n| {
            tried.push(n);
            let ok = n >= 37;
            if ok {
                *best = n;
            }
            ok
        });
        assert_eq!(best, 37);
        assert!(tried.len() <= 9, "{tried:?}");
    }
}
