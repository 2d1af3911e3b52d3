//! `anarcho report RUN_DIR`: render a run directory's `report.html`,
//! `history.txt` and PNG plots again from its `results.json` and
//! `history.jsonl`, without re-running or re-checking anything.
//!
//! The logic is `anarcho_reports::rerender`; this file wires the argument
//! to it. Exit codes follow the run's recorded verdict (0 valid, 1 invalid,
//! 4 unknown), so a script can re-render and test in one step; 3 when the
//! directory's files are missing or malformed (file:line:col), 4 when the
//! output cannot be written.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::exit;

/// The arguments of `anarcho report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The run directory (holding results.json and history.jsonl), e.g.
    /// target/anarcho/issue-1113/1 or target/anarcho/issue-1113/latest.
    dir: PathBuf,
}

/// Runs `anarcho report`.
pub fn run(args: ReportArgs) -> ExitCode {
    match anarcho_reports::rerender(&args.dir) {
        Ok(run) => {
            let r = &run.results;
            println!(
                "{} seed {}: {} (rendered again from results.json and history.jsonl)",
                r.scenario.name, r.seed, r.verdict
            );
            println!("report: {}", args.dir.join("report.html").display());
            exit::for_verdict(r.verdict)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(if e.is_bad_input() {
                exit::BAD_INPUT
            } else {
                exit::UNKNOWN
            })
        }
    }
}
