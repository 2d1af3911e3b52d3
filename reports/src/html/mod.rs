//! `report.html`: one self-contained page for a person to read a run.
//!
//! No CDN, no web fonts, no external scripts: the page must open from a CI
//! artefact or a mail attachment, offline, years later. CSS and plain
//! JavaScript are inlined (`page.css`, `page.js`); the timeline's data is a
//! JSON block the script draws from. The PNG plots are the only other files
//! it shows, by relative link, from the same run directory.
//!
//! Top to bottom the page answers: did it pass (the verdict, big and
//! coloured), was that expected, how do I get this run back (the replay
//! command), what each checker found (one line each), then the evidence:
//! - reply attribution: each violation's connection, request by request,
//!   with the reply taken by the wrong request linked to the request it
//!   answered, and what the server did with each request (the go-redis
//!   #1113 picture: `attribution.rs`);
//! - linearizability: per failing key, Porcupine's picture of the longest
//!   partial linearisation and the operations that could not be placed
//!   (`linearizability.rs`);
//! - the timeline: one lane per process, fault periods as bands, and what
//!   fake-redis executed beside each operation (`timeline.rs`, drawn by
//!   `page.js`);
//! - staleness, lost writes, convergence, the plots, the operations table.
//!
//! A toolbar filters everything by key and by process. All user text goes
//! through [`esc`]; the output is a pure function of the run.

mod attribution;
mod durability;
mod linearizability;
mod operations;
mod staleness;
mod summary;
mod svg;
mod timeline;

use std::collections::BTreeSet;

use anarcho_checker::{EventType, Operation};

use crate::RunRecord;
use crate::faults::{Faults, faults};
use crate::server_side::ServerSide;

/// Everything the sections share, computed once.
pub(crate) struct Page<'r, 'h> {
    pub(crate) run: &'r RunRecord<'h>,
    pub(crate) server: ServerSide<'h>,
    pub(crate) faults: Faults,
    pub(crate) ops: Vec<Operation<'h>>,
}

impl<'r, 'h> Page<'r, 'h> {
    fn new(run: &'r RunRecord<'h>) -> Self {
        Page {
            run,
            server: ServerSide::new(run.history),
            faults: faults(run.history),
            ops: run.history.operations(),
        }
    }

    /// History index `index` as a link to its row in the operations table,
    /// or as plain text when the table stops before it.
    pub(crate) fn op_link(&self, index: u64) -> String {
        let shown = self.ops.len().min(operations::MAX_OPERATION_ROWS);
        let in_table = shown > 0 && index <= self.ops[shown - 1].invoke.index;
        if in_table {
            format!("<a href=\"#op-{index}\">{index}</a>")
        } else {
            index.to_string()
        }
    }

    /// The anchor of the first thing that went wrong, for the banner's
    /// "jump to first error": an attribution violation, else a judged
    /// linearizability failure, else a lost write, else diverged replicas,
    /// else a linearizability failure that does not decide the verdict.
    fn first_error(&self) -> Option<String> {
        let r = self.run.report;
        let lin = !r.linearizability.failures.is_empty();
        if !r.attribution.violations.is_empty() {
            Some("first-error".into())
        } else if lin && r.linearizability.judged {
            Some(linearizability::stuck_anchor(0))
        } else if !r.lost_writes.lost.is_empty() {
            Some("lost-writes".into())
        } else if r.convergence.as_ref().is_some_and(|c| !c.converged) {
            Some("convergence".into())
        } else if lin {
            Some(linearizability::stuck_anchor(0))
        } else {
            None
        }
    }
}

/// Renders `report.html` for `run`.
pub fn render_html(run: &RunRecord<'_>) -> String {
    let page = Page::new(run);
    let mut out = String::with_capacity(64 * 1024);
    head(&mut out, run);
    banner(&mut out, &page);
    toolbar(&mut out, &page);
    out.push_str("<main>\n");
    summary::section(&mut out, &page);
    attribution::section(&mut out, &page);
    linearizability::section(&mut out, &page);
    timeline::section(&mut out, &page);
    staleness::section(&mut out, &page);
    durability::lost_writes(&mut out, &page);
    durability::convergence(&mut out, &page);
    plots(&mut out);
    operations::section(&mut out, &page);
    out.push_str("</main>\n<div id=\"tip\" hidden></div>\n<script>\n");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
    out
}

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `data-key` and `data-process` attributes for the filters (empty values
/// when not known, which every filter lets through).
pub(crate) fn filter_attrs(key: Option<&str>, process: Option<u64>) -> String {
    format!(
        " data-key=\"{}\" data-process=\"{}\"",
        esc(key.unwrap_or("")),
        process.map(|p| p.to_string()).unwrap_or_default()
    )
}

fn head(out: &mut String, run: &RunRecord<'_>) {
    out.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} · {} seed {} · anarcho</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n",
        run.report.verdict,
        esc(run.scenario_name),
        run.seed
    ));
}

fn banner(out: &mut String, page: &Page<'_, '_>) {
    let run = page.run;
    let verdict = run.report.verdict;
    let expectation = match (run.matches_expectation(), run.expected) {
        (Some(true), Some(e)) => {
            format!("<p class=\"expect\">as expected: the scenario expects {e}</p>")
        }
        (Some(false), Some(e)) => {
            format!("<p class=\"expect mismatch\">NOT as expected: the scenario expects {e}</p>")
        }
        _ => "<p class=\"expect\">no expectation: the scenario has no [expect]</p>".to_string(),
    };
    let file = run
        .scenario_file
        .map(|f| format!("<code>{}</code> · ", esc(f)))
        .unwrap_or_default();
    let jump = page
        .first_error()
        .map(|a| format!("<p><a class=\"jump\" href=\"#{a}\">jump to first error ↓</a></p>\n"))
        .unwrap_or_default();
    out.push_str(&format!(
        "<header class=\"banner {v}\">\n<div class=\"verdict\">{V}</div>\n<div class=\"meta\">\n\
         <h1>{name} <span class=\"seed\">seed {seed}</span></h1>\n{expectation}\n\
         <p class=\"replay\">replay: <code id=\"replay\">{replay}</code> \
         <button type=\"button\" id=\"copy\">copy</button></p>\n\
         <p class=\"small\">{file}{tool}</p>\n{jump}</div>\n</header>\n",
        v = verdict.as_str(),
        V = verdict.as_str().to_ascii_uppercase(),
        name = esc(run.scenario_name),
        seed = run.seed,
        replay = esc(&run.replay_command),
        tool = esc(run.tool_version),
    ));
}

/// Above this many distinct values a filter is a text box with suggestions
/// instead of a drop-down.
const MAX_SELECT_OPTIONS: usize = 100;
/// Suggestions offered in a filter's text box.
const MAX_SUGGESTIONS: usize = 1_000;

fn toolbar(out: &mut String, page: &Page<'_, '_>) {
    let keys: BTreeSet<&str> = page
        .ops
        .iter()
        .filter_map(|op| op.invoke.key.as_deref())
        .collect();
    let processes: BTreeSet<u64> = page.ops.iter().filter_map(|op| op.invoke.process).collect();
    out.push_str("<nav id=\"toolbar\">\n<span class=\"links\">");
    for (id, name) in [
        ("summary", "summary"),
        ("attribution", "attribution"),
        ("linearizability", "linearizability"),
        ("timeline", "timeline"),
        ("staleness", "staleness"),
        ("lost-writes", "lost writes"),
        ("convergence", "convergence"),
        ("plots", "plots"),
        ("operations", "operations"),
    ] {
        out.push_str(&format!("<a href=\"#{id}\">{name}</a> "));
    }
    out.push_str("</span>\n<span class=\"filters\">");
    filter(out, "key", keys.iter().map(|k| k.to_string()).collect());
    filter(
        out,
        "process",
        processes.iter().map(|p| p.to_string()).collect(),
    );
    out.push_str(
        "<button type=\"button\" id=\"clear-filters\">clear</button> \
         <span id=\"filter-note\"></span></span>\n</nav>\n",
    );
}

fn filter(out: &mut String, name: &str, values: Vec<String>) {
    if values.len() <= MAX_SELECT_OPTIONS {
        out.push_str(&format!(
            "<label>{name} <select id=\"filter-{name}\"><option value=\"\">all</option>"
        ));
        for v in &values {
            out.push_str(&format!("<option>{}</option>", esc(v)));
        }
        out.push_str("</select></label> ");
    } else {
        out.push_str(&format!(
            "<label>{name} <input id=\"filter-{name}\" list=\"{name}-values\" size=\"10\" \
             placeholder=\"all ({} values)\"></label><datalist id=\"{name}-values\">",
            values.len()
        ));
        for v in values.iter().take(MAX_SUGGESTIONS) {
            out.push_str(&format!("<option value=\"{}\">", esc(v)));
        }
        out.push_str("</datalist> ");
    }
}

fn plots(out: &mut String) {
    out.push_str(
        "<section id=\"plots\">\n<h2>Plots</h2>\n<p class=\"note\">The PNG files next to this \
         page, on one time axis with the fault periods shaded (open them from the run \
         directory).</p>\n<div class=\"plots\">\n",
    );
    for name in crate::PLOT_FILES {
        out.push_str(&format!(
            "<figure><a href=\"{name}\"><img src=\"{name}\" alt=\"{name} (missing: render it \
             with anarcho report)\" loading=\"lazy\"></a><figcaption>{name}</figcaption></figure>\n"
        ));
    }
    out.push_str("</div>\n</section>\n");
}

/// The outcome of an operation: `ok`, `fail`, `info`, or `pending` when it
/// never completed.
pub(crate) fn outcome(op: &Operation<'_>) -> &'static str {
    match op.completion.map(|c| c.ty) {
        Some(EventType::Ok) => "ok",
        Some(EventType::Fail) => "fail",
        Some(_) => "info",
        None => "pending",
    }
}

/// An operation in words: `set "v-0-1" → info timeout`.
pub(crate) fn describe(op: &Operation<'_>) -> String {
    let i = op.invoke;
    let mut s = i.f.clone();
    if let Some(k) = &i.key {
        s.push_str(&format!(" {k}"));
    }
    if let Some(v) = &i.value {
        s.push_str(&format!(" {v}"));
    }
    match op.completion {
        Some(c) => {
            let result = match (&c.error, &c.value) {
                (Some(e), _) => format!(" {e}"),
                (None, Some(v)) => format!(" {v}"),
                (None, None) => String::new(),
            };
            s.push_str(&format!(" → {}{result}", outcome(op)));
        }
        None => s.push_str(" → never completed"),
    }
    s
}

/// The tooltip of an operation: who, what, when, and the model's words for
/// it when given.
pub(crate) fn op_tip(op: &Operation<'_>, model_words: Option<&str>) -> String {
    let p = op
        .invoke
        .process
        .map_or("-".to_string(), |p| format!("p{p}"));
    let span = match op.completion {
        Some(c) => format!(
            "events {}–{} · {}–{} ms",
            op.invoke.index,
            c.index,
            crate::history_txt::ms(op.invoke.time),
            crate::history_txt::ms(c.time)
        ),
        None => format!(
            "event {} · from {} ms",
            op.invoke.index,
            crate::history_txt::ms(op.invoke.time)
        ),
    };
    let model = model_words
        .map(|w| format!("\nmodel: {w}"))
        .unwrap_or_default();
    format!("{p} {}\n{span}{model}", describe(op))
}

const CSS: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

#[cfg(test)]
mod tests;
