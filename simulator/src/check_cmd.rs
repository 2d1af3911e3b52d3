//! `anarcho check FILE`: check a history file from any tool — this
//! harness's `history.jsonl`, a Jepsen EDN history, Porcupine's etcd or kv
//! logs — and write the same run directory as `anarcho run`.
//!
//! The logic lives in `anarcho-checker` (importers, models, checkers) and
//! `anarcho-reports` (the run directory); this file only wires arguments to
//! them and prints a summary. The format and the model are detected when
//! not given (see [`Format::detect`] and [`ModelKind::detect`]).
//!
//! The run directory is `<out>/<file stem>/0/`: a checked file has no seed,
//! and 0 keeps the layout `anarcho run` uses. `--budget` adds a wall-clock
//! limit to the checker's deterministic memory budget, so with it the
//! verdict can depend on the machine's speed (it can only turn into
//! `unknown`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anarcho_checker::{
    Budget, CheckOptions, Consistency, Format, History, ModelKind, Report, check_with, import,
};
use anarcho_reports::RunRecord;

use crate::exit;
use crate::run::TOOL_VERSION;

/// The arguments of `anarcho check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The history file.
    file: PathBuf,
    /// Its format: jsonl, jepsen-edn, porcupine-etcd or porcupine-kv
    /// (detected from the extension and content when absent).
    #[arg(long, value_parser = parse_format)]
    format: Option<Format>,
    /// The model to check linearizability against: register, cas-register,
    /// etcd-cas-register, kv, counter, list-append, set, mutex,
    /// multi-register or redis (chosen from the operations when absent).
    #[arg(long, value_parser = parse_model)]
    model: Option<ModelKind>,
    /// Where run directories go: <out>/<file stem>/0/.
    #[arg(long, default_value = "target/anarcho")]
    out: PathBuf,
    /// Give up (verdict unknown, exit 4) after this long, e.g. "10s".
    #[arg(long, value_parser = parse_duration)]
    budget: Option<Duration>,
    /// What the system promises: linearizable (a linearizability violation
    /// is invalid) or eventual (linearizability is only reported).
    #[arg(long, value_parser = parse_consistency, default_value = "linearizable")]
    consistency: Consistency,
    /// Threads to search partitions (keys) on; every core when absent. The
    /// verdict does not depend on it; on a busy machine one thread can be
    /// faster.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
}

fn parse_consistency(s: &str) -> Result<Consistency, String> {
    match s {
        "linearizable" => Ok(Consistency::Linearizable),
        "eventual" => Ok(Consistency::Eventual),
        other => Err(format!(
            "unknown consistency {other:?}; one of: linearizable, eventual"
        )),
    }
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}

fn parse_model(s: &str) -> Result<ModelKind, String> {
    s.parse()
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s)
        .map_err(|e| format!("expected a duration such as \"10s\" or \"500ms\" ({e})"))
}

/// Runs `anarcho check`. Exit codes: 0 valid, 1 invalid, 3 the file cannot
/// be read as its format, 4 undecided or the run directory cannot be
/// written.
pub fn run(args: CheckArgs) -> ExitCode {
    let shown = args.file.display().to_string();
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {shown}: {e}");
            return ExitCode::from(exit::BAD_INPUT);
        }
    };
    let format = args
        .format
        .unwrap_or_else(|| Format::detect(Some(&args.file), &text));
    let history = match import(format, &text) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("{shown}:{e}");
            return ExitCode::from(exit::BAD_INPUT);
        }
    };
    let model = args
        .model
        .or_else(|| format.model())
        .or_else(|| ModelKind::detect(&history));
    let options = CheckOptions {
        model,
        budget: Budget {
            time_limit: args.budget,
            threads: args.threads.map(usize::from),
            ..Budget::default()
        },
        consistency: args.consistency,
    };
    let report = check_with(&history, &options);

    let name = dir_name(&args.file);
    let eventual = args.consistency == Consistency::Eventual;
    let description = describe(&shown, format, model, args.budget, eventual);
    let replay = replay(&shown, format, model, args.budget, eventual);
    let record = RunRecord {
        scenario_name: &name,
        scenario_file: Some(&shown),
        scenario_text: &description,
        seed: 0,
        expected: None,
        history: &history,
        report: &report,
        tool_version: TOOL_VERSION,
        replay_command: replay,
    };
    let dir = match anarcho_reports::write_run(&args.out, &record) {
        Ok(d) => d,
        Err(e) => {
            eprintln!(
                "error: writing the run directory under {}: {e}",
                args.out.display()
            );
            return ExitCode::from(exit::UNKNOWN);
        }
    };
    let mut stdout = std::io::stdout().lock();
    let _ = summary(&mut stdout, &shown, format, &history, &report, &dir);
    exit::for_verdict(report.verdict)
}

/// The file's stem as a directory name: characters other than letters,
/// digits, `.`, `_` and `-` become `-`. A run directory's `history.jsonl`
/// (`<scenario>/<seed>/history.jsonl`) is named `<scenario>-<seed>`.
fn dir_name(file: &Path) -> String {
    let component = |p: Option<&Path>| {
        p.and_then(|p| p.file_name())
            .map(|s| s.to_string_lossy().into_owned())
    };
    let mut stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if stem == "history" {
        let seed = component(file.parent());
        let scenario = component(file.parent().and_then(Path::parent));
        if let (Some(scenario), Some(seed)) = (scenario, seed) {
            stem = format!("{scenario}-{seed}");
        }
    }
    let name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if name.is_empty() || name.chars().all(|c| c == '.') {
        "history".to_string()
    } else {
        name
    }
}

/// What stands in `results.json` where a scenario's TOML would: how the
/// file was checked, in the same TOML shape.
fn describe(
    file: &str,
    format: Format,
    model: Option<ModelKind>,
    budget: Option<Duration>,
    eventual: bool,
) -> String {
    let mut text = format!(
        "# checked with `anarcho check`\nfile = {file:?}\nformat = \"{format}\"\nmodel = \"{}\"\n",
        model.map_or("none", ModelKind::name)
    );
    if let Some(b) = budget {
        text.push_str(&format!("budget = \"{}\"\n", humantime::format_duration(b)));
    }
    if eventual {
        text.push_str("consistency = \"eventual\"\n");
    }
    text
}

fn replay(
    file: &str,
    format: Format,
    model: Option<ModelKind>,
    budget: Option<Duration>,
    eventual: bool,
) -> String {
    let mut cmd = format!("anarcho check {file} --format {format}");
    if let Some(m) = model {
        cmd.push_str(&format!(" --model {m}"));
    }
    if let Some(b) = budget {
        cmd.push_str(&format!(" --budget {}", humantime::format_duration(b)));
    }
    if eventual {
        cmd.push_str(" --consistency eventual");
    }
    cmd
}

/// How many failing partitions the summary explains.
const SHOWN_FAILURES: usize = 3;

fn summary(
    w: &mut impl Write,
    file: &str,
    format: Format,
    history: &History,
    report: &Report,
    dir: &Path,
) -> std::io::Result<()> {
    let lin = &report.linearizability;
    writeln!(
        w,
        "{file}: {} ({format}, model {})",
        report.verdict, lin.model
    )?;
    writeln!(
        w,
        "  {} events, {} operations: {} ok, {} fail, {} info",
        history.len(),
        report.counts.invoke,
        report.counts.ok,
        report.counts.fail,
        report.counts.info
    )?;
    let judged = if lin.judged { "" } else { ", measured only" };
    writeln!(
        w,
        "  linearizability: {}{judged} ({} operations in {} partition{}: {} valid, {} invalid, {} unknown; {} configurations explored)",
        lin.verdict,
        lin.operations,
        lin.partitions,
        if lin.partitions == 1 { "" } else { "s" },
        lin.valid_partitions,
        lin.invalid_partitions,
        lin.unknown_partitions,
        lin.explored_states
    )?;
    if let Some(note) = &lin.note {
        writeln!(w, "    {note}")?;
    }
    for failure in lin.failures.iter().take(SHOWN_FAILURES) {
        let key = failure
            .key
            .as_deref()
            .map_or(String::new(), |k| format!("key {k:?}: "));
        writeln!(w, "    {key}{}", failure.counterexample.explanation)?;
    }
    if lin.invalid_partitions as usize > SHOWN_FAILURES {
        writeln!(
            w,
            "    ... and {} more partitions",
            lin.invalid_partitions as usize - SHOWN_FAILURES
        )?;
    }
    for unknown in lin.unknowns.iter().take(SHOWN_FAILURES) {
        let key = unknown
            .key
            .as_deref()
            .map_or(String::new(), |k| format!("key {k:?}: "));
        writeln!(w, "    undecided: {key}{}", unknown.reason)?;
    }
    let lost = &report.lost_writes;
    writeln!(
        w,
        "  lost writes: {} lost of {} acknowledged on {} keys ({} keys without a final read)",
        lost.lost_total, lost.acknowledged_writes, lost.keys_checked, lost.keys_unverified
    )?;
    for l in lost.lost.iter().take(SHOWN_FAILURES) {
        writeln!(w, "    {}", l.summary)?;
    }
    let st = &report.staleness;
    writeln!(
        w,
        "  staleness: {} reads, {} stale (max k {}), {} monotonic-read and {} read-your-writes violations",
        st.reads, st.stale, st.max_k, st.monotonic_read_violations, st.read_your_writes_violations
    )?;
    if let Some(c) = &report.convergence {
        writeln!(
            w,
            "  convergence: {} ({} nodes, {} divergent keys)",
            if c.converged { "converged" } else { "diverged" },
            c.nodes.len(),
            c.divergent_keys
        )?;
    }
    for v in report.attribution.violations.iter().take(SHOWN_FAILURES) {
        writeln!(w, "  {}", v.summary)?;
    }
    writeln!(w, "report: {}", dir.join("report.html").display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_names_keep_safe_characters_only() {
        assert_eq!(dir_name(Path::new("a/etcd_000.log")), "etcd_000");
        assert_eq!(dir_name(Path::new("x/c50 bad!.txt")), "c50-bad-");
        assert_eq!(dir_name(Path::new("/")), "history");
        assert_eq!(
            dir_name(Path::new(
                "target/anarcho/nemesis-partition/7/history.jsonl"
            )),
            "nemesis-partition-7"
        );
    }

    #[test]
    fn the_replay_command_names_what_was_chosen() {
        assert_eq!(
            replay(
                "h.edn",
                Format::JepsenEdn,
                Some(ModelKind::Mutex),
                Some(Duration::from_secs(10)),
                true
            ),
            "anarcho check h.edn --format jepsen-edn --model mutex --budget 10s --consistency eventual"
        );
    }
}
