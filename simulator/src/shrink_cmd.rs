//! `anarcho shrink FILE --seed N [--out FILE]`: the command-line face of
//! [`crate::shrink`]: cut a failing run down and write the smallest failing
//! scenario as a new TOML file, with a header saying where it came from.
//!
//! Exit codes follow the verdict, like `anarcho run`'s: 1 when a failing
//! (invalid) scenario was written; 0 when the seed is valid and there is
//! nothing to shrink; 3 for a bad scenario file; 4 when the run is unknown
//! or could not be completed, or the file could not be written.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anarcho_checker::Verdict;

use crate::exit;
use crate::scenario::Scenario;
use crate::shrink::{ShrinkError, ShrinkOptions, Shrunk, Size, shrink};

/// The arguments of `anarcho shrink`.
#[derive(Debug, clap::Args)]
pub struct ShrinkArgs {
    /// The scenario file (TOML).
    file: PathBuf,
    /// The failing seed; defaults to the scenario's own `seed`.
    #[arg(long, env = "ANARCHO_SEED")]
    seed: Option<u64>,
    /// Where to write the shrunk scenario [default:
    /// target/anarcho/shrunk/<scenario>-seed-<N>.toml].
    #[arg(long)]
    out: Option<PathBuf>,
    /// The most candidate simulations to run.
    #[arg(long, default_value_t = ShrinkOptions::default().max_runs)]
    max_runs: usize,
}

/// Runs `anarcho shrink`.
pub fn run(args: ShrinkArgs) -> ExitCode {
    let scenario = match Scenario::from_file(&args.file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(exit::BAD_INPUT);
        }
    };
    let seed = args.seed.unwrap_or(scenario.seed);
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("target/anarcho/shrunk").join(format!("{}-seed-{seed}.toml", scenario.name))
    });
    eprintln!("shrinking {} seed {seed}", scenario.name);
    let options = ShrinkOptions {
        max_runs: args.max_runs,
    };
    let result = shrink(&scenario, seed, options, &mut |step| {
        eprintln!("  still fails: {step}");
    });
    let shrunk = match result {
        Ok(s) => s,
        Err(ShrinkError::NotFailing(v)) => {
            println!("{} seed {seed}: {v}: nothing to shrink", scenario.name);
            return ExitCode::from(if v == Verdict::Valid {
                exit::VALID
            } else {
                exit::UNKNOWN
            });
        }
        Err(e @ ShrinkError::Incomplete(_)) => {
            eprintln!("error: {} seed {seed}: {e}", scenario.name);
            return ExitCode::from(exit::UNKNOWN);
        }
        Err(e @ ShrinkError::Unusable(_)) => {
            eprintln!("error: {}: {e}", args.file.display());
            return ExitCode::from(exit::BAD_INPUT);
        }
    };
    let command = format!("anarcho shrink {} --seed {seed}", args.file.display());
    let text = with_header(&shrunk, &command, &out.display().to_string());
    let written = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&out, &text));
    if let Err(e) = written {
        eprintln!("error: writing {}: {e}", out.display());
        return ExitCode::from(exit::UNKNOWN);
    }
    let mut stdout = std::io::stdout().lock();
    let _ = print_summary(&mut stdout, &scenario, seed, &shrunk, &out);
    exit::for_verdict(shrunk.outcome.verdict())
}

fn failure(shrunk: &Shrunk) -> String {
    shrunk
        .signature
        .iter()
        .copied()
        .collect::<Vec<_>>()
        .join(", ")
}

/// The shrunk file: a header on its origin, then the edited document.
fn with_header(shrunk: &Shrunk, command: &str, out: &str) -> String {
    format!(
        "# Shrunk by `{command}` ({runs} runs{budget}): the smallest\n\
         # version found that still fails the same way (violations from: {failure}).\n\
         # Replay: anarcho run {out}\n\n{text}",
        runs = shrunk.runs,
        budget = if shrunk.budget_exhausted {
            ", budget exhausted"
        } else {
            ""
        },
        failure = failure(shrunk),
        text = shrunk.text,
    )
}

fn print_summary(
    w: &mut impl Write,
    scenario: &Scenario,
    seed: u64,
    shrunk: &Shrunk,
    out: &std::path::Path,
) -> std::io::Result<()> {
    writeln!(
        w,
        "{} seed {seed}: invalid ({}); shrunk in {} runs{}",
        scenario.name,
        failure(shrunk),
        shrunk.runs,
        if shrunk.budget_exhausted {
            " (run budget exhausted: --max-runs)"
        } else {
            ""
        }
    )?;
    let (b, a): (&Size, &Size) = (&shrunk.before, &shrunk.after);
    let d = |d: Duration| humantime::format_duration(d).to_string();
    let rows: [(&str, String, String); 10] = [
        ("duration", d(b.duration), d(a.duration)),
        (
            "invoked operations",
            b.invoked.to_string(),
            a.invoked.to_string(),
        ),
        (
            "operations per client",
            b.operations.to_string(),
            a.operations.to_string(),
        ),
        ("clients", b.clients.to_string(), a.clients.to_string()),
        (
            "processes per client",
            b.processes.to_string(),
            a.processes.to_string(),
        ),
        ("nodes", b.nodes.to_string(), a.nodes.to_string()),
        ("keys", b.keys.to_string(), a.keys.to_string()),
        (
            "scheduled faults",
            b.scheduled_faults.to_string(),
            a.scheduled_faults.to_string(),
        ),
        (
            "random nemesis",
            b.random_nemesis.to_string(),
            a.random_nemesis.to_string(),
        ),
        (
            "server faults",
            b.server_faults.to_string(),
            a.server_faults.to_string(),
        ),
    ];
    for (what, before, after) in rows {
        writeln!(w, "  {what:<22} {before:>8} -> {after}")?;
    }
    writeln!(w, "wrote: {}", out.display())?;
    writeln!(w, "replay: anarcho run {}", out.display())
}
