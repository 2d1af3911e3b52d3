//! How long rendering a run directory takes, and how big report.html gets.
//!
//! ```sh
//! cargo bench -p anarcho-reports --bench render              # generated 100,000-operation run
//! cargo bench -p anarcho-reports --bench render -- 20000     # another size
//! cargo bench -p anarcho-reports --bench render -- DIR       # a real run directory
//! cargo bench -p anarcho-reports --bench render -- tile DIR N  # DIR's run repeated N times
//! ```
//!
//! `tile` makes a long run with a real run's shape (about 50 events per
//! operation with three nodes): the run's events N times one after another,
//! with connection numbers and processes renamed per copy so they stay
//! distinct; the copies' findings are the first copy's, re-checked.
//!
//! The generated run is `tests/support/big_run.rs`: 11 events per
//! operation (client wire events and fake-redis' command on three nodes),
//! 1% `info`, 40 fault events. The checkers run once, untimed; then every
//! renderer is timed on its own and `write_derived` (what `anarcho report`
//! does: history.txt, report.html and the four PNGs, plots on a second
//! thread) five times; the median is printed.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use anarcho_checker::{History, Report, Verdict, check};
use anarcho_reports::{
    LoadedRun, RunRecord, render_history_txt, render_html, render_plots, results_json,
    write_derived, write_run,
};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// CPU time used so far by this process (all threads), from
/// /proc/self/stat (utime + stime, at the usual 100 ticks per second);
/// zero where there is no /proc. Printed next to wall time because the
/// machine is shared: other builds slow wall time down, not CPU time.
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<u64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse().ok())
        .collect();
    Duration::from_millis(fields.iter().sum::<u64>() * 10)
}

/// Median wall time and median CPU time of `runs` calls, and the last result.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> ((Duration, Duration), T) {
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let (t, c) = (Instant::now(), cpu());
        last = Some(f());
        walls.push(t.elapsed());
        cpus.push(cpu().saturating_sub(c));
    }
    ((median(walls), median(cpus)), last.expect("runs > 0"))
}

fn bench(record: &RunRecord<'_>, dir: &Path) {
    let ms = |(wall, cpu): (Duration, Duration)| {
        format!(
            "{:>6.0} ms wall {:>6.0} ms CPU",
            wall.as_secs_f64() * 1e3,
            cpu.as_secs_f64() * 1e3
        )
    };
    let (t, html) = time(5, || render_html(record));
    if let Some(keep) = std::env::var_os("ANARCHO_BENCH_KEEP_HTML") {
        std::fs::write(keep, &html).expect("writing the kept page");
    }
    println!(
        "report.html      {}   {:.2} MB",
        ms(t),
        html.len() as f64 / 1e6
    );
    let (t, plots) = time(5, || render_plots(record).expect("plots render"));
    let png: usize = plots.iter().map(|p| p.png.len()).sum();
    println!(
        "4 PNG plots      {}   {:.2} MB together",
        ms(t),
        png as f64 / 1e6
    );
    let (t, txt) = time(5, || render_history_txt(record.history));
    println!(
        "history.txt      {}   {:.1} MB",
        ms(t),
        txt.len() as f64 / 1e6
    );
    let (t, json) = time(5, || results_json(record));
    println!(
        "results.json     {}   {:.2} MB",
        ms(t),
        json.len() as f64 / 1e6
    );
    let (t, ()) = time(5, || write_derived(dir, record).expect("written"));
    println!(
        "write_derived    {}   history.txt + report.html + PNGs to disk (`anarcho report`)",
        ms(t)
    );
    let (t, _) = time(5, || write_run(dir, record).expect("written"));
    println!(
        "write_run        {}   the whole run directory, history.jsonl and results.json too (`anarcho run`)",
        ms(t)
    );
}

/// `n` copies of `h` one after another in time. Connection numbers,
/// `CLIENT SETNAME` names and processes get a per-copy offset; final
/// replica snapshots are kept from the last copy only.
fn tile(h: &History, n: u64) -> History {
    use anarcho_checker::{EventType, Value};
    let span = h.events().last().map_or(0, |e| e.time) + 1_000_000;
    let renumber = |s: &str, k: u64| -> String {
        // `...#7` and `...-7` end in a number: shift it.
        match s.rfind(|c: char| !c.is_ascii_digit()) {
            Some(i) if i + 1 < s.len() => {
                let n: u64 = s[i + 1..].parse().unwrap_or(0);
                format!("{}{}", &s[..=i], n + k * 10_000)
            }
            _ => s.to_string(),
        }
    };
    let mut out = History::new();
    for k in 0..n {
        for e in h.events() {
            if e.ty == EventType::NodeState && k + 1 < n {
                continue;
            }
            let mut e = e.clone();
            e.time += k * span;
            e.process = e.process.map(|p| p + k * 1_000_000);
            e.conn = e.conn.as_deref().map(|c| renumber(c, k));
            if e.f.eq_ignore_ascii_case("CLIENT SETNAME")
                && let Some(Value::Str(name)) = &e.value
            {
                e.value = Some(Value::Str(renumber(name, k)));
            }
            if e.ty == EventType::Server
                && e.f == "CLIENT"
                && let Some(Value::Str(args)) = &e.value
            {
                e.value = Some(Value::Str(format!(
                    "{}\"",
                    renumber(args.trim_end_matches('"'), k)
                )));
            }
            out.push(e);
        }
    }
    out
}

fn main() {
    // `cargo bench` passes `--bench`; the rest is ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let out = std::env::temp_dir().join(format!("anarcho-render-bench-{}", std::process::id()));
    std::fs::create_dir_all(&out).expect("temp dir");
    match args.first() {
        Some(t) if t == "tile" => {
            let dir = Path::new(args.get(1).expect("tile DIR N"));
            let n: u64 = args.get(2).expect("tile DIR N").parse().expect("N");
            let run = LoadedRun::load(dir).expect("a run directory");
            let t = Instant::now();
            let history = tile(&run.history, n);
            let ops = history
                .events()
                .iter()
                .filter(|e| e.ty == anarcho_checker::EventType::Invoke)
                .count();
            println!(
                "tiled {} x{n}: {ops} operations, {} events in {:.1} s",
                dir.display(),
                history.len(),
                t.elapsed().as_secs_f64()
            );
            let t = Instant::now();
            let report = check(&history);
            println!(
                "checked in {:.1} s (untimed below): {}",
                t.elapsed().as_secs_f64(),
                report.verdict
            );
            let mut record = run.record();
            record.history = &history;
            record.report = &report;
            bench(&record, &out);
        }
        Some(dir) if Path::new(dir).is_dir() => {
            let t = Instant::now();
            let run = LoadedRun::load(Path::new(dir)).expect("a run directory");
            println!(
                "loaded {dir} in {:.1} s: {} events",
                t.elapsed().as_secs_f64(),
                run.history.len()
            );
            bench(&run.record(), &out);
        }
        other => {
            let ops: u64 = other.map_or(100_000, |s| s.parse().expect("a number of operations"));
            let t = Instant::now();
            let history: History = support::big_run::big_run(ops, 10, 1);
            println!(
                "generated {ops} operations, {} events in {:.1} s",
                history.len(),
                t.elapsed().as_secs_f64()
            );
            let t = Instant::now();
            let report: Report = check(&history);
            println!(
                "checked in {:.1} s (untimed below): {}, {} attribution violations, linearizability {}",
                t.elapsed().as_secs_f64(),
                report.verdict,
                report.attribution.violations.len(),
                report.linearizability.verdict
            );
            if let Some(f) = report.linearizability.failures.first() {
                println!("  first failure: {}", f.counterexample.explanation);
            }
            let record = RunRecord {
                scenario_name: "big-run",
                scenario_file: None,
                scenario_text: "",
                seed: 1,
                expected: Some(Verdict::Valid),
                history: &history,
                report: &report,
                tool_version: "bench",
                replay_command: format!("cargo bench -p anarcho-reports --bench render -- {ops}"),
            };
            bench(&record, &out);
        }
    }
    let _ = std::fs::remove_dir_all(&out);
}
