//! Seed sweeps: one scenario over a range of seeds, in parallel, one
//! simulation per OS thread.
//!
//! A turmoil world is single-threaded and holds `!Send` state, so each
//! worker thread builds, runs and drops its worlds entirely by itself
//! ([`Scenario::run`] does all of that); the workers share only the scenario
//! (read-only), a counter handing out the next seed, and a channel of
//! results. Results are sorted by seed before anyone sees them as a whole,
//! so the rows, the index and the printed summary do not depend on the
//! number of threads or on which thread finished first.
//!
//! With `stop_on_fail`, the sweep stops at the *lowest* failing seed: seeds
//! are handed out in increasing order, a worker takes no seed above the
//! lowest failure found so far, every lower seed already handed out runs to
//! the end, and results above the lowest failure are dropped. Which seeds
//! are reported is therefore the same for any number of threads (a few
//! higher seeds may have been run and written to disk meanwhile).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use anarcho_checker::{Report, Verdict};
use anarcho_reports::SweepRow;

use crate::run::RunOutcome;
use crate::scenario::Scenario;

/// Worker threads get the stack a main thread gets, since a simulation's
/// futures nest deeply in unoptimised builds.
const WORKER_STACK: usize = 8 << 20;

/// An inclusive range of seeds: `"1..100"` and `"1..=100"` both mean 1
/// through 100 (as fake-redis' connection ranges do); `"7"` is one seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeedRange {
    /// The first seed.
    pub first: u64,
    /// The last seed, included.
    pub last: u64,
}

impl SeedRange {
    /// How many seeds the range holds.
    pub fn len(&self) -> u64 {
        (self.last - self.first).saturating_add(1)
    }

    /// Never true: a range holds at least one seed.
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl FromStr for SeedRange {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let number = |t: &str| {
            t.trim().parse::<u64>().map_err(|_| {
                format!(
                    "expected a seed range such as \"1..100\" (inclusive) or one seed, got {s:?}"
                )
            })
        };
        let (first, last) = match s.split_once("..") {
            Some((a, b)) => (number(a)?, number(b.strip_prefix('=').unwrap_or(b))?),
            None => {
                let n = number(s)?;
                (n, n)
            }
        };
        if first > last {
            return Err(format!(
                "expected the first seed to be at most the last, got {s:?}"
            ));
        }
        Ok(SeedRange { first, last })
    }
}

impl std::fmt::Display for SeedRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.first, self.last)
    }
}

/// The worker threads for `--jobs`: as asked, or one per available core
/// when absent.
pub fn jobs_or_cores(requested: Option<u64>) -> usize {
    requested.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |j| usize::try_from(j).unwrap_or(usize::MAX),
    )
}

/// How to sweep.
#[derive(Clone, Debug)]
pub struct SweepOptions {
    /// The seeds.
    pub seeds: SeedRange,
    /// Worker threads (at least 1).
    pub jobs: usize,
    /// Stop at the lowest seed whose verdict is not valid.
    pub stop_on_fail: bool,
    /// Where run directories go (`<out>/<scenario>/<seed>/`, as
    /// `anarcho run` writes them) and the index
    /// (`<out>/<scenario>/sweep-<first>-<last>/`); `None` writes nothing.
    pub out: Option<PathBuf>,
}

/// What one seed gave.
#[derive(Clone, Debug)]
pub struct SeedResult {
    /// The seed.
    pub seed: u64,
    /// The verdict; `Unknown` when the run could not be completed.
    pub verdict: Verdict,
    /// Why the run could not be completed or written, if it could not.
    pub error: Option<String>,
    /// What differs from the scenario's `[expect]` (the verdict and every
    /// bound: [`Scenario::unmet_expectations`]); empty when the run is as
    /// expected or could not be completed.
    pub unmet: Vec<String>,
    /// Its run directory, when one was written.
    pub run_dir: Option<PathBuf>,
    /// The row for the sweep index.
    pub row: SweepRow,
}

impl SeedResult {
    /// Whether this seed failed: any verdict but valid, or an error.
    pub fn failed(&self) -> bool {
        self.verdict != Verdict::Valid || self.error.is_some()
    }
}

/// A finished sweep.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// One result per seed run, sorted by seed (with `stop_on_fail`, up to
    /// and including the lowest failing seed).
    pub results: Vec<SeedResult>,
    /// The lowest failing seed, when `stop_on_fail` stopped the sweep there.
    pub stopped_at: Option<u64>,
    /// The index page, when one was written.
    pub index: Option<PathBuf>,
    /// Why the index could not be written, if it could not.
    pub index_error: Option<String>,
}

impl Sweep {
    /// Seeds with each verdict: (valid, invalid, unknown).
    pub fn tally(&self) -> (usize, usize, usize) {
        let count = |v| self.results.iter().filter(|r| r.verdict == v).count();
        (
            count(Verdict::Valid),
            count(Verdict::Invalid),
            count(Verdict::Unknown),
        )
    }
}

/// The directory a sweep's index goes to, under the output root.
pub fn sweep_dir(out: &Path, scenario: &Scenario, seeds: SeedRange) -> PathBuf {
    out.join(&scenario.name)
        .join(format!("sweep-{}-{}", seeds.first, seeds.last))
}

/// Runs `scenario` for every seed of `options.seeds` on `options.jobs`
/// threads. `on_done` is called from the worker threads as each seed
/// finishes, in completion order (for progress display only).
pub fn sweep(
    scenario: &Scenario,
    options: &SweepOptions,
    on_done: &(dyn Fn(&SeedResult) + Sync),
) -> Sweep {
    let seeds = options.seeds;
    let next = AtomicU64::new(seeds.first);
    // The lowest failing seed so far (u64::MAX: none) with stop_on_fail.
    let lowest_failure = AtomicU64::new(u64::MAX);
    let (tx, rx) = mpsc::channel::<SeedResult>();
    let jobs = options.jobs.clamp(1, seeds.len().min(1024) as usize);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, lowest_failure) = (&next, &lowest_failure);
            std::thread::Builder::new()
                .name("anarcho-sweep".into())
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, move || {
                    loop {
                        let seed = next.fetch_add(1, Ordering::Relaxed);
                        if seed > seeds.last
                            || seed < seeds.first // wrapped past u64::MAX
                            || seed > lowest_failure.load(Ordering::Relaxed)
                        {
                            break;
                        }
                        let result = run_seed(scenario, seed, options.out.as_deref());
                        if options.stop_on_fail && result.failed() {
                            lowest_failure.fetch_min(seed, Ordering::Relaxed);
                        }
                        on_done(&result);
                        if tx.send(result).is_err() {
                            break;
                        }
                    }
                })
                .expect("spawning a sweep worker thread");
        }
    });
    drop(tx);
    let stop = lowest_failure.load(Ordering::Relaxed);
    let mut results: Vec<SeedResult> = rx.into_iter().filter(|r| r.seed <= stop).collect();
    results.sort_by_key(|r| r.seed);
    let mut sweep = Sweep {
        results,
        stopped_at: (stop != u64::MAX).then_some(stop),
        index: None,
        index_error: None,
    };
    if let Some(out) = &options.out {
        let rows: Vec<SweepRow> = sweep.results.iter().map(|r| r.row.clone()).collect();
        let dir = sweep_dir(out, scenario, seeds);
        match anarcho_reports::write_sweep_index(&dir, &scenario.name, &rows) {
            Ok(path) => sweep.index = Some(path),
            Err(e) => sweep.index_error = Some(format!("{}: {e}", dir.display())),
        }
    }
    sweep
}

/// Runs, checks and (with `out`) writes one seed. Never panics: a panicking
/// simulation is reported as an incomplete run.
fn run_seed(scenario: &Scenario, seed: u64, out: Option<&Path>) -> SeedResult {
    let replay = scenario.replay_command(seed);
    let run_dir_rel = format!("../{seed}");
    let ran = catch_unwind(AssertUnwindSafe(|| scenario.run(seed)))
        .unwrap_or_else(|panic| Err(crate::Incomplete(panic_message(&panic))));
    let outcome: RunOutcome = match ran {
        Ok(o) => o,
        Err(e) => {
            return SeedResult {
                seed,
                verdict: Verdict::Unknown,
                error: Some(e.to_string()),
                unmet: Vec::new(),
                run_dir: None,
                row: SweepRow {
                    seed,
                    verdict: Verdict::Unknown,
                    run_dir: run_dir_rel,
                    operations: 0,
                    violations: 0,
                    lost_writes: 0,
                    max_k_staleness: None,
                    replay,
                },
            };
        }
    };
    let (run_dir, error) = match out {
        Some(out) => match scenario.write_run(&outcome, out) {
            Ok(dir) => (Some(dir), None),
            Err(e) => (
                None,
                Some(format!(
                    "writing the run directory under {}: {e}",
                    out.display()
                )),
            ),
        },
        None => (None, None),
    };
    let report = &outcome.report;
    SeedResult {
        seed,
        verdict: report.verdict,
        error,
        unmet: scenario.unmet_expectations(&outcome),
        run_dir,
        row: SweepRow {
            seed,
            verdict: report.verdict,
            run_dir: run_dir_rel,
            operations: report.counts.invoke,
            violations: violations(report),
            lost_writes: report.lost_writes.lost_total,
            max_k_staleness: (report.staleness.reads > 0).then_some(report.staleness.max_k),
            replay,
        },
    }
}

/// Violations found by all checkers together: misattributed replies,
/// non-linearizable partitions (when judged), lost writes, divergent keys.
pub fn violations(report: &Report) -> u64 {
    let linearizability = if report.linearizability.judged {
        report.linearizability.invalid_partitions
    } else {
        0
    };
    report.attribution.violations.len() as u64
        + linearizability
        + report.lost_writes.lost_total
        + report.convergence.as_ref().map_or(0, |c| c.divergent_keys)
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into());
    format!("the simulation panicked: {text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_ranges_are_inclusive_and_checked() {
        assert_eq!(
            "1..20".parse::<SeedRange>(),
            Ok(SeedRange { first: 1, last: 20 })
        );
        assert_eq!(
            "1..=20".parse::<SeedRange>(),
            Ok(SeedRange { first: 1, last: 20 })
        );
        assert_eq!("7".parse::<SeedRange>().unwrap().len(), 1);
        assert!("20..1".parse::<SeedRange>().is_err());
        assert!("a..b".parse::<SeedRange>().is_err());
    }
}
