//! The sweep index: `index.html` and `summary.json` for a sweep over many
//! seeds, one row per seed with its verdict, key figures and a link to its
//! report.

use std::path::{Path, PathBuf};

use anarcho_checker::Verdict;
use serde::{Deserialize, Serialize};

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

/// Writes `<sweep_dir>/index.html` and `<sweep_dir>/summary.json` and
/// returns the index's path. Rows are written in the order given.
pub fn write_sweep_index(
    sweep_dir: &Path,
    scenario: &str,
    rows: &[SweepRow],
) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(sweep_dir)?;
    let summary = serde_json::json!({
        "scenario": scenario,
        "seeds": rows.len(),
        "invalid": rows.iter().filter(|r| r.verdict == Verdict::Invalid).count(),
        "unknown": rows.iter().filter(|r| r.verdict == Verdict::Unknown).count(),
        "rows": rows,
    });
    let mut json = serde_json::to_string_pretty(&summary).expect("plain data serialises");
    json.push('\n');
    std::fs::write(sweep_dir.join("summary.json"), json)?;
    let path = sweep_dir.join("index.html");
    std::fs::write(&path, render_sweep_index(scenario, rows))?;
    Ok(path)
}

/// The sweep index page: one self-contained HTML table.
pub fn render_sweep_index(scenario: &str, rows: &[SweepRow]) -> String {
    let esc = crate::html::esc;
    let invalid = rows
        .iter()
        .filter(|r| r.verdict == Verdict::Invalid)
        .count();
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>sweep · {s}</title>\n\
         <style>body{{font:14px system-ui,sans-serif;margin:2em}}table{{border-collapse:collapse}}\
         td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}.invalid{{background:#fdd}}\
         .unknown{{background:#eee}}</style></head><body>\n<h1>sweep · {s}</h1>\n\
         <p>{n} seeds, {invalid} invalid</p>\n<table><tr><th>seed</th><th>verdict</th><th>operations</th>\
         <th>violations</th><th>lost writes</th><th>max k-staleness</th><th>replay</th></tr>\n",
        s = esc(scenario),
        n = rows.len(),
    );
    for r in rows {
        out.push_str(&format!(
            "<tr class=\"{v}\"><td><a href=\"{dir}/report.html\">{seed}</a></td><td>{v}</td><td>{ops}</td>\
             <td>{viol}</td><td>{lost}</td><td>{k}</td><td><code>{replay}</code></td></tr>\n",
            v = r.verdict.as_str(),
            dir = esc(&r.run_dir),
            seed = r.seed,
            ops = r.operations,
            viol = r.violations,
            lost = r.lost_writes,
            k = r.max_k_staleness.map(|k| k.to_string()).unwrap_or_else(|| "-".into()),
            replay = esc(&r.replay),
        ));
    }
    out.push_str("</table>\n</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_index_links_every_seed_and_escapes_text() {
        let rows = vec![SweepRow {
            seed: 7,
            verdict: Verdict::Invalid,
            run_dir: "7".into(),
            operations: 10,
            violations: 1,
            lost_writes: 0,
            max_k_staleness: Some(2),
            replay: "anarcho run <x>.toml --seed 7".into(),
        }];
        let html = render_sweep_index("s<1>", &rows);
        assert!(html.contains("href=\"7/report.html\""));
        assert!(html.contains("s&lt;1&gt;"));
        assert!(!html.contains("<x>"));
    }
}
