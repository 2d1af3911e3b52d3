//! `anarcho detect [--seeds K] [--jobs J] [--out DIR] [--scenarios DIR]`:
//! the command-line face of [`crate::detect`]. It prints the detection table
//! (Markdown tables, so it can be pasted into a README), and writes it
//! under `<out>/detect/seeds-1-<K>/` as `detection.json` and as the
//! `detection` section of a sweep index (`index.html`, `summary.json`)
//! whose rows are the runs it wrote: each switch's first detection and the
//! first false alarms, each in `<out>/<scenario>/<seed>/`.
//!
//! stdout is a pure function of the scenario files and K; progress and
//! timing go to stderr.
//!
//! Exit codes: 0 when every known-bug switch is caught within
//! [`crate::detect::CATCH_WITHIN`] seeds and the default client has no false
//! alarm; 1 otherwise; 3 a bad scenario file or folder.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anarcho_reports::SweepSection;

use crate::detect::{Alarm, DetectOptions, DetectionTable, detect, load_scenarios};
use crate::exit;

/// The arguments of `anarcho detect`.
#[derive(Debug, clap::Args)]
pub struct DetectArgs {
    /// Seeds per scenario: 1..=K.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..))]
    seeds: u64,
    /// Simulations run at once, one per thread [default: the CPUs
    /// available].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    jobs: Option<u64>,
    /// Where the table (<out>/detect/seeds-1-<K>/) and the run directories
    /// of first detections and false alarms (<out>/<scenario>/<seed>/) go.
    #[arg(long, default_value = "target/anarcho")]
    out: PathBuf,
    /// The folder of scenario files (every *.toml in it).
    #[arg(long, default_value = "scenarios")]
    scenarios: PathBuf,
}

/// Runs `anarcho detect`.
pub fn run(args: DetectArgs) -> ExitCode {
    let scenarios = match load_scenarios(&args.scenarios) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(exit::BAD_INPUT);
        }
    };
    let jobs = crate::sweep::jobs_or_cores(args.jobs);
    eprintln!(
        "detect: {} scenarios x seeds 1..{} on {jobs} thread{}",
        scenarios.len(),
        args.seeds,
        if jobs == 1 { "" } else { "s" }
    );
    let started = Instant::now();
    let options = DetectOptions {
        seeds: args.seeds,
        jobs,
        out: Some(args.out.clone()),
    };
    let table = detect(&scenarios, &options, &|i, n, s| {
        eprintln!(
            "  [{i}/{n}] {} done ({:.0}s)",
            s.name,
            started.elapsed().as_secs_f64()
        );
    });
    let dir = args
        .out
        .join("detect")
        .join(format!("seeds-1-{}", table.seeds));
    let written = write_table(&dir, &table);
    let mut stdout = std::io::stdout().lock();
    let _ = print_table(&mut stdout, &table);
    let _ = match &written {
        Ok((json, index)) => writeln!(
            stdout,
            "json: {}\nindex: {}",
            json.display(),
            index.display()
        ),
        Err(e) => writeln!(
            stdout,
            "error: writing the table under {}: {e}",
            dir.display()
        ),
    };
    eprintln!("detect: {:.1}s", started.elapsed().as_secs_f64());
    ExitCode::from(if table.passed() {
        exit::VALID
    } else {
        exit::INVALID
    })
}

/// Writes `detection.json` and the sweep index (`index.html`,
/// `summary.json`, the table as its `detection` section) into `dir`;
/// returns the JSON's and the index's paths.
pub fn write_table(dir: &Path, table: &DetectionTable) -> std::io::Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(dir)?;
    let value = serde_json::to_value(table).expect("plain data serialises");
    let mut json = serde_json::to_string_pretty(&value).expect("plain data serialises");
    json.push('\n');
    let json_path = dir.join("detection.json");
    std::fs::write(&json_path, json)?;
    let section = SweepSection {
        id: "detection".into(),
        title: format!("detection table: seeds 1..{} per scenario", table.seeds),
        html: render_section(table),
        json: Some(value),
    };
    let index = anarcho_reports::write_sweep_index_with(dir, "detect", &table.runs, &[section])?;
    Ok((json_path, index))
}

fn percent(n: u64, of: u64) -> String {
    if of == 0 {
        "-".into()
    } else {
        format!("{:.1}%", n as f64 * 100.0 / of as f64)
    }
}

fn or_dash<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}

/// The table as text: Markdown tables, then every false alarm with its
/// replay command, then the verdict.
pub fn print_table(w: &mut impl Write, t: &DetectionTable) -> std::io::Result<()> {
    writeln!(w, "detection table: seeds 1..{} per scenario\n", t.seeds)?;
    writeln!(
        w,
        "| known-bug switch | real-world issue | scenario | seeds to first detection | detection rate |"
    )?;
    writeln!(w, "|---|---|---|---|---|")?;
    for r in &t.switches {
        writeln!(
            w,
            "| `{}` | {} | {} | {} | {}/{} ({}) |",
            r.switch,
            r.origin,
            r.scenario
                .as_deref()
                .map(|s| format!("`{s}`"))
                .unwrap_or_else(|| "no scenario".into()),
            or_dash(r.first_detection),
            r.detected,
            r.runs,
            percent(r.detected, r.runs)
        )?;
    }
    let d = &t.default_client;
    writeln!(
        w,
        "| (none: the default client) | false alarms over {} scenarios | every scenario expecting `valid` | - | {} false alarms in {} runs |",
        d.scenarios.len(),
        d.false_alarms,
        d.runs
    )?;
    writeln!(w)?;
    writeln!(w, "| default-client scenario | runs | false alarms |")?;
    writeln!(w, "|---|---|---|")?;
    for s in &d.scenarios {
        writeln!(w, "| `{}` | {} | {} |", s.scenario, s.runs, s.alarms.len())?;
    }
    if !t.known_results.is_empty() || !t.other_clients.is_empty() {
        writeln!(w)?;
        writeln!(
            w,
            "| documented result | client | expected | seeds on which it showed |"
        )?;
        writeln!(w, "|---|---|---|---|")?;
        for r in t.known_results.iter().chain(&t.other_clients) {
            writeln!(
                w,
                "| `{}` | {} | {} | {}/{} ({}) |",
                r.scenario,
                r.client,
                r.expected,
                r.showed,
                r.runs,
                percent(r.showed, r.runs)
            )?;
        }
    }
    for n in &t.not_tabulated {
        writeln!(w, "not tabulated: {} ({})", n.file, n.reason)?;
    }
    let missed: Vec<&crate::detect::SwitchRow> = t
        .switches
        .iter()
        .filter(|r| r.detected < r.runs || r.runs == 0)
        .collect();
    if !missed.is_empty() {
        writeln!(w, "\nseeds that did not detect a switch:")?;
        for r in missed {
            writeln!(
                w,
                "  {} ({}): {}",
                r.switch,
                r.scenario.as_deref().unwrap_or("no scenario"),
                seed_list(&r.missed)
            )?;
        }
    }
    let alarms: Vec<(&str, &Alarm)> = d
        .scenarios
        .iter()
        .flat_map(|s| s.alarms.iter().map(move |a| (s.scenario.as_str(), a)))
        .collect();
    if !alarms.is_empty() {
        writeln!(w, "\nfalse alarms:")?;
        for (scenario, a) in &alarms {
            print_alarm(w, scenario, a)?;
        }
    }
    let not_shown: Vec<(&str, &Alarm)> = t
        .known_results
        .iter()
        .chain(&t.other_clients)
        .flat_map(|r| r.not_shown.iter().map(move |a| (r.scenario.as_str(), a)))
        .collect();
    if !not_shown.is_empty() {
        writeln!(w, "\ndocumented results that did not show:")?;
        for (scenario, a) in &not_shown {
            print_alarm(w, scenario, a)?;
        }
    }
    writeln!(
        w,
        "\nevery switch caught within {} seeds: {}; false alarms: {}",
        t.catch_within,
        if t.every_switch_caught() { "yes" } else { "NO" },
        d.false_alarms
    )
}

fn print_alarm(w: &mut impl Write, scenario: &str, a: &Alarm) -> std::io::Result<()> {
    writeln!(w, "  {scenario} seed {}: {}", a.seed, a.verdict)?;
    for line in a.unmet.iter().chain(&a.findings) {
        writeln!(w, "    {line}")?;
    }
    writeln!(w, "    replay: {}", a.replay)?;
    if let Some(dir) = &a.run_dir {
        writeln!(
            w,
            "    report: {}",
            Path::new(dir).join("report.html").display()
        )?;
    }
    Ok(())
}

/// Seeds as ranges: `3, 7..9, 12`.
fn seed_list(seeds: &[u64]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < seeds.len() {
        let mut j = i;
        while j + 1 < seeds.len() && seeds[j + 1] == seeds[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            seeds[i].to_string()
        } else {
            format!("{}..{}", seeds[i], seeds[j])
        });
        i = j + 1;
    }
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A link to a run's report, relative to the table's folder
/// (`<out>/detect/seeds-1-K/`), when the run directory was written.
fn report_link(run_dir: Option<&str>, text: &str) -> String {
    let parts: Vec<String> = run_dir
        .map(|d| {
            Path::new(d)
                .iter()
                .rev()
                .take(2)
                .map(|p| p.to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    match parts.as_slice() {
        [seed, scenario] => format!(
            "<a href=\"../../{}/{}/report.html\">{}</a>",
            esc(scenario),
            esc(seed),
            esc(text)
        ),
        _ => esc(text),
    }
}

const GOOD: &str = " style=\"background:#efe\"";
const BAD: &str = " style=\"background:#fdd\"";

/// The table as an HTML fragment for the sweep index's `detection`
/// section (links are relative to `<out>/detect/seeds-1-<K>/`).
pub fn render_section(t: &DetectionTable) -> String {
    let mut out = format!(
        "<p>A switch is caught when first detected within {c} seeds. Every switch caught: \
         <b>{caught}</b>; false alarms of the default client: <b>{fa}</b>. The table above \
         lists the runs written: each switch's first detection and the first false alarms.</p>\n",
        c = t.catch_within,
        caught = if t.every_switch_caught() { "yes" } else { "no" },
        fa = t.default_client.false_alarms,
    );
    out.push_str(
        "<h3>known-bug switches</h3>\n<table><tr><th>switch</th><th>real-world issue</th>\
         <th>scenario</th><th>seeds to first detection</th><th>detection rate</th><th>missed seeds</th></tr>\n",
    );
    for r in &t.switches {
        let style = if r.caught(t.catch_within) { GOOD } else { BAD };
        let first = match r.first_detection {
            Some(seed) => report_link(r.run_dir.as_deref(), &seed.to_string()),
            None => "-".into(),
        };
        out.push_str(&format!(
            "<tr{style}><td><code>{}</code></td><td>{}</td><td>{}</td><td>{first}</td>\
             <td>{}/{} ({})</td><td>{}</td></tr>\n",
            esc(&r.switch),
            esc(&r.origin),
            esc(r.scenario.as_deref().unwrap_or("no scenario")),
            r.detected,
            r.runs,
            percent(r.detected, r.runs),
            esc(&seed_list(&r.missed)),
        ));
    }
    out.push_str("</table>\n");
    let d = &t.default_client;
    out.push_str(&format!(
        "<h3>the default client: false alarms</h3>\n<p>{} false alarms in {} runs over {} scenarios.</p>\n\
         <table><tr><th>scenario</th><th>runs</th><th>false alarms</th></tr>\n",
        d.false_alarms,
        d.runs,
        d.scenarios.len()
    ));
    for s in &d.scenarios {
        let style = if s.alarms.is_empty() { GOOD } else { BAD };
        out.push_str(&format!(
            "<tr{style}><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&s.scenario),
            s.runs,
            s.alarms.len()
        ));
    }
    out.push_str("</table>\n");
    let alarms: Vec<(&str, &Alarm)> = d
        .scenarios
        .iter()
        .flat_map(|s| s.alarms.iter().map(move |a| (s.scenario.as_str(), a)))
        .collect();
    render_alarms(&mut out, "false alarms", &alarms);
    if !t.known_results.is_empty() || !t.other_clients.is_empty() {
        out.push_str(
            "<h3>documented results</h3>\n<table><tr><th>scenario</th><th>client</th>\
             <th>expected</th><th>showed</th></tr>\n",
        );
        for r in t.known_results.iter().chain(&t.other_clients) {
            out.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}/{} ({})</td></tr>\n",
                esc(&r.scenario),
                esc(&r.client),
                r.expected,
                r.showed,
                r.runs,
                percent(r.showed, r.runs)
            ));
        }
        out.push_str("</table>\n");
        let not_shown: Vec<(&str, &Alarm)> = t
            .known_results
            .iter()
            .chain(&t.other_clients)
            .flat_map(|r| r.not_shown.iter().map(move |a| (r.scenario.as_str(), a)))
            .collect();
        render_alarms(&mut out, "documented results that did not show", &not_shown);
    }
    if !t.not_tabulated.is_empty() {
        out.push_str("<h3>not tabulated</h3>\n<ul>\n");
        for n in &t.not_tabulated {
            out.push_str(&format!("<li>{} ({})</li>\n", esc(&n.file), esc(&n.reason)));
        }
        out.push_str("</ul>\n");
    }
    out
}

fn render_alarms(out: &mut String, title: &str, alarms: &[(&str, &Alarm)]) {
    if alarms.is_empty() {
        return;
    }
    out.push_str(&format!("<h4>{}</h4>\n<ul>\n", esc(title)));
    for (scenario, a) in alarms {
        let label = format!("{scenario} seed {}", a.seed);
        out.push_str(&format!(
            "<li>{}: {}",
            report_link(a.run_dir.as_deref(), &label),
            a.verdict
        ));
        for line in a.unmet.iter().chain(&a.findings) {
            out.push_str(&format!("<br>{}", esc(line)));
        }
        out.push_str(&format!("<br><code>{}</code></li>\n", esc(&a.replay)));
    }
    out.push_str("</ul>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_lists_collapse_runs_of_seeds() {
        assert_eq!(seed_list(&[]), "none");
        assert_eq!(seed_list(&[3, 7, 8, 9, 12]), "3, 7..9, 12");
    }
}
