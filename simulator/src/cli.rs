//! The `anarcho` command line: argument definitions (clap) and the commands.
//!
//! `main` is a thin shell around [`main_with_args`], which returns the exit
//! code (see `exit.rs`).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::exit;
use crate::scenario::Scenario;

/// anarchoredis' harness: run scenario files against the real client in a
/// deterministic simulated network, check the history, write a report.
#[derive(Debug, Parser)]
#[command(name = "anarcho", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a scenario once, check it, and write its run directory.
    ///
    /// Exit codes: 0 valid, 1 invalid, 3 bad scenario file, 4 the run could
    /// not be completed.
    Run {
        /// The scenario file (TOML).
        file: PathBuf,
        /// The seed; defaults to the scenario's own `seed`.
        #[arg(long, env = "ANARCHO_SEED")]
        seed: Option<u64>,
        /// Where run directories go: <out>/<scenario>/<seed>/.
        #[arg(long, default_value = "target/anarcho")]
        out: PathBuf,
        /// Also write turmoil's packet trace to <run dir>/trace.log.
        #[arg(long)]
        trace: bool,
    },
    /// Check a history file (jsonl, Jepsen EDN, Porcupine etcd or kv) and
    /// write its run directory.
    ///
    /// Exit codes: 0 valid, 1 invalid, 3 bad file (file:line:col), 4 the
    /// checker could not decide.
    Check(crate::check_cmd::CheckArgs),
    /// Render a run directory's report.html, history.txt and plots again
    /// from its results.json and history.jsonl.
    ///
    /// Exit codes: the recorded verdict's (0 valid, 1 invalid, 4 unknown);
    /// 3 missing or malformed files (file:line:col).
    Report(crate::report_cmd::ReportArgs),
    /// Run a scenario over a range of seeds in parallel and write an index.
    ///
    /// Exit codes: 0 every seed valid, 1 some seed invalid, 3 bad scenario
    /// file, 4 some seed unknown or not completed (and none invalid).
    Sweep(crate::sweep_cmd::SweepArgs),
    /// Check scenario files without running them.
    ///
    /// Exit codes: 0 every file is valid, 3 some file is not (file:line:col).
    Validate(crate::validate_cmd::ValidateArgs),
    /// Cut a failing run down while it still fails the same way, and write
    /// the smallest failing scenario as a new file.
    ///
    /// Exit codes: 1 a failing scenario was written, 0 the seed is valid
    /// (nothing to shrink), 3 bad scenario file, 4 the run is unknown or
    /// could not be completed.
    Shrink(crate::shrink_cmd::ShrinkArgs),
    /// Run every scenario in a folder over seeds 1..K and print the
    /// detection table: each known-bug switch's seeds to first detection
    /// and detection rate, and the default client's false alarms.
    ///
    /// Exit codes: 0 every switch caught within 50 seeds and no false
    /// alarm, 1 otherwise, 3 bad scenario file.
    Detect(crate::detect_cmd::DetectArgs),
    /// Measure the harness on this machine: simulated operations per second
    /// against a raw turmoil echo loop, and sweep seeds per minute (build
    /// with --release).
    Bench(crate::bench::BenchArgs),
}

/// Parses `args` (including the program name) and runs the command.
pub fn main_with_args<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::VALID
            });
        }
    };
    match cli.command {
        Command::Run {
            file,
            seed,
            out,
            trace,
        } => run(file, seed, out, trace),
        Command::Check(args) => crate::check_cmd::run(args),
        Command::Report(args) => crate::report_cmd::run(args),
        Command::Sweep(args) => crate::sweep_cmd::run(args),
        Command::Validate(args) => crate::validate_cmd::run(args),
        Command::Shrink(args) => crate::shrink_cmd::run(args),
        Command::Detect(args) => crate::detect_cmd::run(args),
        Command::Bench(args) => crate::bench::run(args),
    }
}

fn run(file: PathBuf, seed: Option<u64>, out: PathBuf, trace: bool) -> ExitCode {
    let scenario = match Scenario::from_file(&file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(exit::BAD_INPUT);
        }
    };
    let seed = seed.unwrap_or(scenario.seed);
    let ran = if trace {
        // The run directory's path, as `write_run` lays it out.
        let dir = out.join(&scenario.name).join(seed.to_string());
        let path = dir.join(crate::trace::TRACE_FILE);
        let traced = std::fs::create_dir_all(&dir)
            .and_then(|()| crate::trace::run_traced(&scenario, seed, &path));
        match traced {
            Ok(ran) => {
                eprintln!("trace: {}", path.display());
                ran
            }
            Err(e) => {
                eprintln!("error: writing the trace {}: {e}", path.display());
                return ExitCode::from(exit::UNKNOWN);
            }
        }
    } else {
        scenario.run(seed)
    };
    let outcome = match ran {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {} seed {seed}: {e}", scenario.name);
            return ExitCode::from(exit::UNKNOWN);
        }
    };
    let dir = match scenario.write_run(&outcome, &out) {
        Ok(d) => d,
        Err(e) => {
            eprintln!(
                "error: writing the run directory under {}: {e}",
                out.display()
            );
            return ExitCode::from(exit::UNKNOWN);
        }
    };
    let mut stdout = std::io::stdout().lock();
    let _ = print_summary(&mut stdout, &scenario, &outcome, &dir);
    exit::for_verdict(outcome.verdict())
}

/// How many violations the summary lists before it says "and N more".
const SHOWN_VIOLATIONS: usize = 5;

fn print_summary(
    w: &mut impl Write,
    scenario: &Scenario,
    outcome: &crate::RunOutcome,
    dir: &std::path::Path,
) -> std::io::Result<()> {
    let report = &outcome.report;
    let unmet = scenario.unmet_expectations(outcome);
    let expectation = match (scenario.expect.verdict, unmet.is_empty()) {
        (Some(v), true) => format!(" (as expected: {v})"),
        (Some(v), false) => format!(" (UNEXPECTED: the scenario expects {v})"),
        (None, true) => String::new(),
        (None, false) => " (UNEXPECTED)".to_string(),
    };
    writeln!(
        w,
        "{} seed {}: {}{expectation}",
        scenario.name, outcome.seed, report.verdict
    )?;
    for u in &unmet {
        writeln!(w, "  unmet expectation: {u}")?;
    }
    writeln!(
        w,
        "  {} operations: {} ok, {} fail, {} info",
        report.counts.invoke, report.counts.ok, report.counts.fail, report.counts.info
    )?;
    let violations = &report.attribution.violations;
    for v in violations.iter().take(SHOWN_VIOLATIONS) {
        writeln!(w, "  {}", v.summary)?;
    }
    if violations.len() > SHOWN_VIOLATIONS {
        writeln!(w, "  ... and {} more", violations.len() - SHOWN_VIOLATIONS)?;
    }
    writeln!(w, "report: {}", dir.join("report.html").display())?;
    writeln!(w, "replay: {}", scenario.replay_command(outcome.seed))
}
