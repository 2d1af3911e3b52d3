//! `anarcho sweep FILE --seeds A..B`: the command-line face of
//! [`crate::sweep`]: arguments, progress on stderr (an indicatif bar on a
//! terminal, plain lines otherwise), the summary on stdout and the exit
//! code.
//!
//! stdout is a pure function of the scenario and the seed range: it lists
//! seeds in seed order and never mentions threads or wall-clock time, so it
//! is the same for any `--jobs`. Timing goes to stderr.
//!
//! Exit codes follow the verdicts, as `anarcho run`'s do, whatever the
//! scenario's `[expect]` says (the summary counts seeds that differ from
//! it): 1 if any seed is invalid; otherwise 4 if any seed is unknown, could
//! not be completed or written; otherwise 0. A bad scenario file is 3.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use crate::exit;
use crate::scenario::Scenario;
use crate::sweep::{SeedRange, SeedResult, Sweep, SweepOptions, sweep};

/// The arguments of `anarcho sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The scenario file (TOML).
    file: PathBuf,
    /// The seeds, inclusive: "1..1000" (or "1..=1000"), or one seed.
    #[arg(long)]
    seeds: SeedRange,
    /// Simulations run at once, one per thread [default: the CPUs
    /// available].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    jobs: Option<u64>,
    /// Stop at the lowest seed that is not valid.
    #[arg(long)]
    stop_on_fail: bool,
    /// Where run directories go (<out>/<scenario>/<seed>/) and the index
    /// (<out>/<scenario>/sweep-<A>-<B>/index.html).
    #[arg(long, default_value = "target/anarcho")]
    out: PathBuf,
}

/// Runs `anarcho sweep`.
pub fn run(args: SweepArgs) -> ExitCode {
    let scenario = match Scenario::from_file(&args.file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(exit::BAD_INPUT);
        }
    };
    let jobs = crate::sweep::jobs_or_cores(args.jobs);
    let options = SweepOptions {
        seeds: args.seeds,
        jobs,
        stop_on_fail: args.stop_on_fail,
        out: Some(args.out.clone()),
    };
    eprintln!(
        "sweeping {} over seeds {} ({} seeds) on {jobs} thread{}",
        scenario.name,
        args.seeds,
        args.seeds.len(),
        if jobs == 1 { "" } else { "s" }
    );
    let progress = Progress::new(args.seeds.len());
    let started = Instant::now();
    let result = sweep(&scenario, &options, &|r| progress.seed_done(r));
    let elapsed = started.elapsed();
    progress.finish();
    let per_minute = result.results.len() as f64 / elapsed.as_secs_f64().max(1e-9) * 60.0;
    eprintln!(
        "{} seeds in {:.1}s ({per_minute:.0} seeds/min)",
        result.results.len(),
        elapsed.as_secs_f64()
    );
    let mut stdout = std::io::stdout().lock();
    let _ = print_summary(&mut stdout, &scenario, args.seeds, &result);
    exit_code(&result)
}

/// The exit code of a sweep (see the module docs).
pub fn exit_code(sweep: &Sweep) -> ExitCode {
    let (_, invalid, unknown) = sweep.tally();
    let errors = sweep.results.iter().any(|r| r.error.is_some()) || sweep.index_error.is_some();
    ExitCode::from(if invalid > 0 {
        exit::INVALID
    } else if unknown > 0 || errors {
        exit::UNKNOWN
    } else {
        exit::VALID
    })
}

/// The deterministic summary: counts, then every failing seed in seed order
/// with the command that replays it.
fn print_summary(
    w: &mut impl Write,
    scenario: &Scenario,
    seeds: SeedRange,
    sweep: &Sweep,
) -> std::io::Result<()> {
    let (valid, invalid, unknown) = sweep.tally();
    let expectation = match scenario.expect.verdict {
        Some(expected) => {
            let unexpected = sweep
                .results
                .iter()
                .filter(|r| r.verdict != expected)
                .count();
            if unexpected == 0 {
                format!(" (all as expected: {expected})")
            } else {
                format!(" ({unexpected} UNEXPECTED: the scenario expects {expected})")
            }
        }
        None => String::new(),
    };
    writeln!(
        w,
        "{} seeds {seeds}: {} run, {valid} valid, {invalid} invalid, {unknown} unknown{expectation}",
        scenario.name,
        sweep.results.len(),
    )?;
    if let Some(stop) = sweep.stopped_at {
        writeln!(
            w,
            "stopped at the first failing seed, {stop} (--stop-on-fail)"
        )?;
    }
    let failing: Vec<&SeedResult> = sweep.results.iter().filter(|r| r.failed()).collect();
    if !failing.is_empty() {
        writeln!(w, "failing seeds:")?;
    }
    for r in failing {
        let what = match &r.error {
            Some(e) => format!("{} ({e})", r.verdict),
            None => format!(
                "{}, {} violation{}",
                r.verdict,
                r.row.violations,
                if r.row.violations == 1 { "" } else { "s" }
            ),
        };
        writeln!(w, "  seed {}: {what}", r.seed)?;
        writeln!(w, "    replay: {}", r.row.replay)?;
    }
    match (&sweep.index, &sweep.index_error) {
        (Some(index), _) => writeln!(w, "index: {}", index.display()),
        (None, Some(e)) => writeln!(w, "error: the sweep index could not be written: {e}"),
        (None, None) => Ok(()),
    }
}

/// Progress on stderr: a bar on a terminal; otherwise a line per failing
/// seed and one every tenth of the sweep.
struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    done: AtomicU64,
    failed: AtomicU64,
}

impl Progress {
    fn new(total: u64) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total);
            if let Ok(style) = ProgressStyle::with_template(
                "{elapsed_precise} [{wide_bar}] {pos}/{len} seeds, {msg} ({per_sec}, eta {eta})",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message("0 failing");
            bar
        });
        Progress {
            bar,
            total,
            done: AtomicU64::new(0),
            failed: AtomicU64::new(0),
        }
    }

    fn seed_done(&self, r: &SeedResult) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let failed = if r.failed() {
            self.failed.fetch_add(1, Ordering::Relaxed) + 1
        } else {
            self.failed.load(Ordering::Relaxed)
        };
        if r.failed() {
            let line = match &r.error {
                Some(e) => format!("seed {}: {} ({e})", r.seed, r.verdict),
                None => format!("seed {}: {}", r.seed, r.verdict),
            };
            match &self.bar {
                Some(bar) => bar.println(line),
                None => eprintln!("{line}"),
            }
        }
        match &self.bar {
            Some(bar) => {
                bar.set_message(format!("{failed} failing"));
                bar.inc(1);
            }
            None => {
                let step = (self.total / 10).max(1);
                if done.is_multiple_of(step) || done == self.total {
                    eprintln!("{done}/{} seeds done, {failed} failing", self.total);
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anarcho_checker::Verdict;

    #[test]
    fn verdicts_decide_the_exit_code_invalid_first() {
        let row = |seed, verdict| SeedResult {
            seed,
            verdict,
            error: None,
            unmet: Vec::new(),
            run_dir: None,
            row: anarcho_reports::SweepRow {
                seed,
                verdict,
                run_dir: String::new(),
                operations: 0,
                violations: 0,
                lost_writes: 0,
                max_k_staleness: None,
                replay: String::new(),
            },
        };
        let sweep = |results| Sweep {
            results,
            stopped_at: None,
            index: None,
            index_error: None,
        };
        let code = |s: &Sweep| format!("{:?}", exit_code(s));
        let valid = sweep(vec![row(1, Verdict::Valid)]);
        let unknown = sweep(vec![row(1, Verdict::Valid), row(2, Verdict::Unknown)]);
        let invalid = sweep(vec![row(1, Verdict::Unknown), row(2, Verdict::Invalid)]);
        assert_eq!(code(&valid), format!("{:?}", ExitCode::from(exit::VALID)));
        assert_eq!(
            code(&unknown),
            format!("{:?}", ExitCode::from(exit::UNKNOWN))
        );
        assert_eq!(
            code(&invalid),
            format!("{:?}", ExitCode::from(exit::INVALID))
        );
    }
}
