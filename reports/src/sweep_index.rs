//! The sweep index: `index.html` and `summary.json` for a sweep over many
//! seeds, one row per seed with its verdict, key figures and a link to its
//! report.
//!
//! The rows come from the caller ([`SweepRow`]); where a seed's run
//! directory holds a `results.json`, the page adds what it says (outcomes,
//! each checker's finding, the first violation in words). Sections from
//! other parts of the tool (a detection table, ...) can be appended with
//! [`write_sweep_index_with`]. One self-contained page: inline CSS, a few
//! lines of plain JavaScript to sort the table and show only failing
//! seeds. Deterministic: same rows and files, same bytes.

use std::path::{Path, PathBuf};

use anarcho_checker::Verdict;
use serde::{Deserialize, Serialize};

use crate::html::esc;
use crate::results::Results;
use crate::server_side::cut;

/// One seed of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepRow {
    /// The seed.
    pub seed: u64,
    /// Its verdict.
    pub verdict: Verdict,
    /// Its run directory, relative to the sweep directory.
    pub run_dir: String,
    /// Operations invoked.
    pub operations: u64,
    /// Violations found by all checkers together.
    pub violations: u64,
    /// Lost acknowledged writes.
    pub lost_writes: u64,
    /// The largest k-staleness of any read, if any read was judged.
    pub max_k_staleness: Option<u64>,
    /// The command that replays it.
    pub replay: String,
}

/// An extra section of the sweep index, supplied by another part of the
/// tool: trusted HTML for `index.html` (the caller escapes what it
/// embeds) and optionally JSON for `summary.json` (under
/// `sections.<id>`).
#[derive(Clone, Debug, PartialEq)]
pub struct SweepSection {
    /// Its anchor and key in `summary.json`, e.g. `detection`.
    pub id: String,
    /// Its heading.
    pub title: String,
    /// Its body: an HTML fragment, inserted as given.
    pub html: String,
    /// Machine-readable content, if any.
    pub json: Option<serde_json::Value>,
}

/// Writes `<sweep_dir>/index.html` and `<sweep_dir>/summary.json` and
/// returns the index's path. Rows are written in the order given.
pub fn write_sweep_index(
    sweep_dir: &Path,
    scenario: &str,
    rows: &[SweepRow],
) -> std::io::Result<PathBuf> {
    write_sweep_index_with(sweep_dir, scenario, rows, &[])
}

/// [`write_sweep_index`] with extra sections after the table.
pub fn write_sweep_index_with(
    sweep_dir: &Path,
    scenario: &str,
    rows: &[SweepRow],
    sections: &[SweepSection],
) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(sweep_dir)?;
    let mut summary = serde_json::json!({
        "scenario": scenario,
        "seeds": rows.len(),
        "invalid": rows.iter().filter(|r| r.verdict == Verdict::Invalid).count(),
        "unknown": rows.iter().filter(|r| r.verdict == Verdict::Unknown).count(),
        "rows": rows,
    });
    if !sections.is_empty() {
        let map: serde_json::Map<String, serde_json::Value> = sections
            .iter()
            .filter_map(|s| Some((s.id.clone(), s.json.clone()?)))
            .collect();
        summary["sections"] = serde_json::Value::Object(map);
    }
    let mut json = serde_json::to_string_pretty(&summary).expect("plain data serialises");
    json.push('\n');
    std::fs::write(sweep_dir.join("summary.json"), json)?;
    // What each seed's results.json adds, when the run directory has one.
    let details: Vec<Option<Results>> = rows
        .iter()
        .map(|r| {
            let text =
                std::fs::read_to_string(sweep_dir.join(&r.run_dir).join("results.json")).ok()?;
            serde_json::from_str(&text).ok()
        })
        .collect();
    let path = sweep_dir.join("index.html");
    std::fs::write(
        &path,
        render_sweep_index_with(scenario, rows, &details, sections),
    )?;
    Ok(path)
}

/// The sweep index page from the rows alone.
pub fn render_sweep_index(scenario: &str, rows: &[SweepRow]) -> String {
    render_sweep_index_with(scenario, rows, &[], &[])
}

/// The sweep index page: `details[i]` is row `i`'s `results.json`, when
/// known (missing entries count as unknown).
pub fn render_sweep_index_with(
    scenario: &str,
    rows: &[SweepRow],
    details: &[Option<Results>],
    sections: &[SweepSection],
) -> String {
    let count = |v: Verdict| rows.iter().filter(|r| r.verdict == v).count();
    let unexpected = details
        .iter()
        .flatten()
        .filter(|d| d.matches_expectation == Some(false))
        .count();
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>sweep · {s}</title>\n<style>\n{CSS}</style></head><body>\n\
         <h1>sweep · {s}</h1>\n<p class=\"counts\">{n} seeds: <b class=\"chip valid\">{valid} valid</b> \
         <b class=\"chip invalid\">{invalid} invalid</b> <b class=\"chip unknown\">{unknown} unknown</b>{unexpected}</p>\n",
        s = esc(scenario),
        n = rows.len(),
        valid = count(Verdict::Valid),
        invalid = count(Verdict::Invalid),
        unknown = count(Verdict::Unknown),
        unexpected = if unexpected > 0 {
            format!(" · <b class=\"mismatch\">{unexpected} not as the scenario expects</b>")
        } else {
            String::new()
        },
    );
    // One cell per seed, in order: the sweep at a glance.
    out.push_str("<div class=\"strip\">");
    for r in rows {
        out.push_str(&format!(
            "<a class=\"{v}\" href=\"{dir}/report.html\" title=\"seed {seed}: {v}\"></a>",
            v = r.verdict.as_str(),
            dir = esc(&r.run_dir),
            seed = r.seed
        ));
    }
    out.push_str("</div>\n");
    out.push_str(
        "<p><label><input type=\"checkbox\" id=\"failing\"> only seeds that are not valid</label> \
         · click a column heading to sort</p>\n<table id=\"seeds\"><thead><tr>\
         <th data-type=\"n\">seed</th><th>verdict</th><th data-type=\"n\">operations</th>\
         <th>ok / fail / info</th><th data-type=\"n\">violations</th><th>attribution</th>\
         <th>linearizability</th><th data-type=\"n\">lost writes</th><th>convergence</th>\
         <th data-type=\"n\">max k</th><th>first finding</th><th>replay</th></tr></thead>\n<tbody>\n",
    );
    for (i, r) in rows.iter().enumerate() {
        let d = details.get(i).and_then(Option::as_ref);
        let outcomes = d.map_or("-".into(), |d| {
            format!("{} / {} / {}", d.counts.ok, d.counts.fail, d.counts.info)
        });
        let attribution = d.map_or("-".into(), |d| {
            format!(
                "{} of {}",
                d.checkers.attribution.violations.len(),
                d.checkers.attribution.checked
            )
        });
        let lin = d.map_or("-".into(), |d| {
            let l = &d.checkers.linearizability;
            let mut s = l.verdict.as_str().to_string();
            if l.invalid_partitions > 0 {
                s.push_str(&format!(
                    " ({} of {} keys)",
                    l.invalid_partitions, l.partitions
                ));
            }
            if !l.judged {
                s.push_str(", not judged");
            }
            s
        });
        let convergence = d.map_or("-".into(), |d| match &d.checkers.convergence {
            None => "-".into(),
            Some(c) if c.converged => match c.time_to_converge_ns {
                Some(t) => format!("after {} ms", crate::history_txt::ms(t)),
                None => "converged".into(),
            },
            Some(c) => format!("{} keys differ", c.divergent_keys),
        });
        let finding = d.and_then(first_finding).unwrap_or_default();
        let expect = match d.and_then(|d| d.matches_expectation) {
            Some(false) => " <b class=\"mismatch\" title=\"not as the scenario expects\">!</b>",
            _ => "",
        };
        out.push_str(&format!(
            "<tr class=\"{v}\"><td data-v=\"{seed}\"><a href=\"{dir}/report.html\">{seed}</a></td>\
             <td><span class=\"chip {v}\">{v}</span>{expect}</td><td data-v=\"{ops}\">{ops}</td><td>{outcomes}</td>\
             <td data-v=\"{viol}\">{viol}</td><td>{attribution}</td><td>{lin}</td><td data-v=\"{lost}\">{lost}</td>\
             <td>{convergence}</td><td data-v=\"{kv}\">{k}</td><td class=\"finding\">{finding}</td>\
             <td><code>{replay}</code></td></tr>\n",
            v = r.verdict.as_str(),
            dir = esc(&r.run_dir),
            seed = r.seed,
            ops = r.operations,
            viol = r.violations,
            lost = r.lost_writes,
            kv = r.max_k_staleness.map_or(-1, |k| k as i64),
            k = r.max_k_staleness.map_or_else(|| "-".to_string(), |k| k.to_string()),
            finding = esc(&cut(&finding, 160)),
            replay = esc(&r.replay),
        ));
    }
    out.push_str("</tbody></table>\n");
    for s in sections {
        out.push_str(&format!(
            "<section id=\"{}\">\n<h2>{}</h2>\n{}\n</section>\n",
            esc(&s.id),
            esc(&s.title),
            s.html
        ));
    }
    out.push_str("<script>\n");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body></html>\n");
    out
}

/// The first thing a seed's checkers found, in words.
fn first_finding(d: &Results) -> Option<String> {
    let c = &d.checkers;
    if let Some(v) = c.attribution.violations.first() {
        return Some(v.summary.clone());
    }
    if let Some(f) = c.linearizability.failures.first()
        && c.linearizability.judged
    {
        let ce = &f.counterexample;
        let reason = ce
            .could_not_place
            .first()
            .map(|a| a.reason.as_str())
            .unwrap_or("");
        let who = ce
            .stuck
            .process
            .map_or(String::new(), |p| format!(" by p{p}"));
        return Some(format!(
            "key {} not linearizable: {}{who} cannot be placed: {reason}",
            f.key.as_deref().unwrap_or("-"),
            ce.stuck.description
        ));
    }
    if let Some(l) = c.lost_writes.lost.first() {
        return Some(l.summary.clone());
    }
    if let Some(cv) = c.convergence.as_ref().filter(|cv| !cv.converged) {
        return Some(format!(
            "{} keys differ between replicas",
            cv.divergent_keys
        ));
    }
    c.linearizability.note.clone()
}

const CSS: &str = r#"body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em 2em; color: #1f2328; }
table { border-collapse: collapse; }
td, th { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; cursor: pointer; user-select: none; }
tr.invalid td { background: #fff5f5; } tr.unknown td { background: #f6f8fa; }
td.finding { max-width: 32em; font-size: 12.5px; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.chip { display: inline-block; padding: 0 7px; border-radius: 10px; color: #fff; font-size: 12px; }
.chip.valid { background: #1a7f37; } .chip.invalid { background: #cf222e; } .chip.unknown { background: #6e7781; }
.mismatch { color: #cf222e; }
.strip { display: flex; flex-wrap: wrap; gap: 2px; margin: 8px 0; }
.strip a { width: 12px; height: 18px; border-radius: 2px; }
.strip a.valid { background: #2da44e; } .strip a.invalid { background: #cf222e; } .strip a.unknown { background: #8c959f; }
.hidden { display: none; }
"#;

const SCRIPT: &str = r#"(function () {
  var table = document.getElementById("seeds");
  var body = table.tBodies[0];
  document.getElementById("failing").addEventListener("change", function (e) {
    Array.prototype.forEach.call(body.rows, function (r) {
      r.classList.toggle("hidden", e.target.checked && r.classList.contains("valid"));
    });
  });
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    var up = true;
    th.addEventListener("click", function () {
      var numeric = th.getAttribute("data-type") === "n";
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col], y = b.cells[col];
        var vx = x.getAttribute("data-v") || x.textContent, vy = y.getAttribute("data-v") || y.textContent;
        var c = numeric ? Number(vx) - Number(vy) : vx.localeCompare(vy);
        return up ? c : -c;
      });
      up = !up;
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Sample, TempDir};

    fn row(seed: u64, verdict: Verdict) -> SweepRow {
        SweepRow {
            seed,
            verdict,
            run_dir: format!("../{seed}"),
            operations: 10,
            violations: 1,
            lost_writes: 0,
            max_k_staleness: Some(2),
            replay: format!("anarcho run <x>.toml --seed {seed}"),
        }
    }

    #[test]
    fn the_sweep_index_links_every_seed_and_escapes_text() {
        let html = render_sweep_index("s<1>", &[row(7, Verdict::Invalid)]);
        assert!(html.contains("href=\"../7/report.html\""));
        assert!(html.contains("s&lt;1&gt;"));
        assert!(!html.contains("<x>"));
    }

    #[test]
    fn the_index_reads_each_seeds_results_and_appends_sections() {
        let tmp = TempDir::new("sweep_index_reads_results");
        let sample = Sample::issue_1113("message");
        crate::write_run(&tmp.0, &sample.record()).unwrap();
        let sweep = tmp.0.join("issue-1113").join("sweep-1-2");
        let rows = [row(1, Verdict::Invalid), row(2, Verdict::Valid)];
        let section = SweepSection {
            id: "detection".into(),
            title: "Detection".into(),
            html: "<table><tr><td>caught</td></tr></table>".into(),
            json: Some(serde_json::json!({"caught": 1})),
        };
        let path = write_sweep_index_with(&sweep, "issue-1113", &rows, &[section]).unwrap();
        let html = std::fs::read_to_string(&path).unwrap();
        // Seed 1's results.json exists: its first finding is on the page.
        assert!(html.contains(&esc(
            r#"ECHO "message" returned "OK" (the reply to READONLY #2"#
        )));
        assert!(html.contains("<td>1 of "), "attribution figure");
        // Seed 2 has no run directory: its row still renders.
        assert!(html.contains("href=\"../2/report.html\""));
        assert!(html.contains(
            "<section id=\"detection\">\n<h2>Detection</h2>\n<table><tr><td>caught</td>"
        ));
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(sweep.join("summary.json")).unwrap())
                .unwrap();
        assert_eq!(summary["sections"]["detection"]["caught"], 1);
        assert_eq!(summary["invalid"], 1);
        // Deterministic.
        let again = render_sweep_index_with(
            "issue-1113",
            &rows,
            &[
                serde_json::from_str(
                    &std::fs::read_to_string(tmp.0.join("issue-1113/1/results.json")).unwrap(),
                )
                .ok(),
                None,
            ],
            &[SweepSection {
                id: "detection".into(),
                title: "Detection".into(),
                html: "<table><tr><td>caught</td></tr></table>".into(),
                json: None,
            }],
        );
        assert_eq!(again, html);
    }
}
