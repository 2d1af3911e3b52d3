//! `report.html`: one self-contained page for a person to read a run.
//!
//! No CDN, no web fonts, no external scripts: the page must open from a CI
//! artefact or a mail attachment, offline, years later. Styling is inline
//! CSS; the only script copies the replay command.
//!
//! The page answers, top to bottom: did it pass (the verdict, big and
//! coloured), was that expected, how do I get this run back (the replay
//! command), what went wrong (each violation's one-line summary) and *why*
//! (the wire timeline of the connection it happened on, with the reply that
//! was taken by the wrong request in red and the request it really answered
//! in amber, linked). Last comes a table of every operation.
//!
//! All user text (payloads, keys, errors, scenario names) goes through
//! [`esc`]. Output is a pure function of the run: same input, same bytes.

use std::collections::BTreeMap;

use anarcho_checker::attribution::WireIndex;
use anarcho_checker::{Event, EventType, Violation};

use crate::RunRecord;
use crate::history_txt::{ms, process_label};

/// Rows of the operations table; beyond this the page says so and points at
/// `history.txt`. Keeps a long run's page small enough to open.
const MAX_OPERATION_ROWS: usize = 2_000;
/// Violations listed by summary.
const MAX_VIOLATIONS_LISTED: usize = 2_000;
/// Violations that get a connection timeline. An off-by-one connection makes
/// every later operation on it a violation, and each timeline repeats the
/// connection, so drawing them all would grow the page quadratically.
const MAX_TIMELINES: usize = 50;
/// A connection with at most this many wire events is drawn whole; a longer
/// one is drawn around the violation only.
const FULL_TIMELINE_EVENTS: usize = 200;
/// Rows kept on each side of the violation when a timeline is cut.
const TIMELINE_CONTEXT: usize = 20;

/// Renders `report.html` for `run`.
pub fn render_html(run: &RunRecord<'_>) -> String {
    let wire = WireIndex::new(run.history);
    let mut out = String::with_capacity(16 * 1024);
    head(&mut out, run);
    banner(&mut out, run);
    out.push_str("<main>\n");
    counts(&mut out, run);
    violations(&mut out, run, &wire);
    operations(&mut out, run);
    out.push_str("</main>\n");
    out.push_str(SCRIPT);
    out.push_str("</body>\n</html>\n");
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

/// The anchor of the `i`-th (0-based) violation; the first is `first-error`.
fn violation_anchor(i: usize) -> String {
    if i == 0 {
        "first-error".to_string()
    } else {
        format!("violation-{}", i + 1)
    }
}

/// The anchor of request `req`'s `send` row in violation `n`'s timeline.
/// Numbered per violation because one connection may be drawn many times.
fn request_anchor(n: usize, req: u64) -> String {
    format!("v{n}-req-{req}")
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

fn banner(out: &mut String, run: &RunRecord<'_>) {
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
    let jump = if run.report.attribution.violations.is_empty() {
        String::new()
    } else {
        "<p><a class=\"jump\" href=\"#first-error\">jump to first error ↓</a></p>\n".to_string()
    };
    out.push_str(&format!(
        "<header class=\"banner {v}\">\n<div class=\"verdict\">{V}</div>\n<div class=\"meta\">\n\
         <h1>{name} <span class=\"seed\">seed {seed}</span></h1>\n{expectation}\n\
         <p class=\"replay\">replay: <code id=\"replay\">{replay}</code> \
         <button type=\"button\" id=\"copy\" onclick=\"copyReplay()\">copy</button></p>\n\
         <p class=\"small\">{file}{tool}</p>\n{jump}</div>\n</header>\n",
        v = verdict.as_str(),
        V = verdict.as_str().to_ascii_uppercase(),
        name = esc(run.scenario_name),
        seed = run.seed,
        replay = esc(&run.replay_command),
        tool = esc(run.tool_version),
    ));
}

fn counts(out: &mut String, run: &RunRecord<'_>) {
    let c = &run.report.counts;
    let a = &run.report.attribution;
    out.push_str(&format!(
        "<section id=\"counts\">\n<h2>Counts</h2>\n<table class=\"counts\">\n\
         <tr><th>events</th><th>invoke</th><th>ok</th><th>fail</th><th>info</th>\
         <th>replies checked</th><th>violations</th></tr>\n\
         <tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n\
         </table>\n</section>\n",
        c.events,
        c.invoke,
        c.ok,
        c.fail,
        c.info,
        a.checked,
        a.violations.len()
    ));
}

fn violations(out: &mut String, run: &RunRecord<'_>, wire: &WireIndex<'_>) {
    let all = &run.report.attribution.violations;
    out.push_str(&format!(
        "<section id=\"violations\">\n<h2>Reply attribution: {} violation{}</h2>\n",
        all.len(),
        if all.len() == 1 { "" } else { "s" }
    ));
    if all.is_empty() {
        out.push_str(&format!(
            "<p class=\"note\">Every one of the {} checked replies belonged to its own request.</p>\n",
            run.report.attribution.checked
        ));
    }
    for (i, v) in all.iter().take(MAX_VIOLATIONS_LISTED).enumerate() {
        violation(out, i, v, wire);
    }
    if all.len() > MAX_VIOLATIONS_LISTED {
        out.push_str(&format!(
            "<p class=\"note\">… and {} more, not listed here; every violation is in results.json.</p>\n",
            all.len() - MAX_VIOLATIONS_LISTED
        ));
    }
    out.push_str("</section>\n");
}

fn violation(out: &mut String, i: usize, v: &Violation, wire: &WireIndex<'_>) {
    let n = i + 1;
    out.push_str(&format!(
        "<article class=\"violation\" id=\"{}\">\n<h3><span class=\"n\">{n}</span> {}</h3>\n<dl>\n\
         <dt>expected</dt><dd>{}</dd>\n<dt>got</dt><dd><code>{}</code></dd>\n\
         <dt>operation</dt><dd><a href=\"#op-{}\">{} by process {}</a>, events {} to {}</dd>\n\
         <dt>connection</dt><dd>{}</dd>\n",
        violation_anchor(i),
        esc(&v.summary),
        esc(&v.expected),
        esc(&v.got.to_string()),
        v.invoke_index,
        esc(&v.f.to_ascii_uppercase()),
        v.process,
        v.invoke_index,
        v.completion_index,
        v.conn
            .as_deref()
            .map_or("not recorded".to_string(), |c| format!(
                "<code>{}</code>",
                esc(c)
            )),
    ));
    if let Some(c) = &v.belonged_to {
        let sender = c.process.map_or("connection set-up".to_string(), |p| {
            format!("sent for process {p}")
        });
        let link = if i < MAX_TIMELINES {
            format!(
                "<a href=\"#{}\">request #{}</a>",
                request_anchor(n, c.req),
                c.req
            )
        } else {
            format!("request #{}", c.req)
        };
        out.push_str(&format!(
            "<dt>really the reply to</dt><dd>{link}: {} #{} ({sender})</dd>\n",
            esc(&c.command.to_ascii_uppercase()),
            c.nth_of_command
        ));
    }
    out.push_str("</dl>\n");
    if i < MAX_TIMELINES {
        timeline(out, n, v, wire);
    } else {
        out.push_str(&format!(
            "<p class=\"note\">Timelines are drawn for the first {MAX_TIMELINES} violations only; \
             grep history.txt for this connection.</p>\n"
        ));
    }
    out.push_str("</article>\n");
}

/// The wire events of the violation's connection, the misattributed reply
/// in red linking to the request it belonged to, that request in amber.
fn timeline(out: &mut String, n: usize, v: &Violation, wire: &WireIndex<'_>) {
    let Some(conn) = v.conn.as_deref() else {
        out.push_str("<p class=\"note\">No connection was recorded for this operation, so there is no wire timeline.</p>\n");
        return;
    };
    let events = wire.events(conn);
    if events.is_empty() {
        out.push_str(&format!(
            "<p class=\"note\">No wire events were recorded on <code>{}</code>.</p>\n",
            esc(conn)
        ));
        return;
    }
    let recv = wire.deciding_recv(conn, v.process, v.invoke_index, v.completion_index);
    let culprit_index = v.belonged_to.as_ref().map(|c| c.send_index);
    let own_req = recv.and_then(|r| r.req);
    let own_send_index = own_req
        .and_then(|req| wire.send(conn, req))
        .map(|e| e.index);
    let window = if events.len() <= FULL_TIMELINE_EVENTS {
        0..events.len()
    } else {
        let first = [culprit_index, own_send_index, Some(v.invoke_index)]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(v.invoke_index);
        let last = recv.map_or(v.completion_index, |r| r.index);
        let lo = events
            .partition_point(|e| e.index < first)
            .saturating_sub(TIMELINE_CONTEXT);
        let hi = (events.partition_point(|e| e.index <= last) + TIMELINE_CONTEXT).min(events.len());
        lo..hi
    };
    out.push_str(&format!(
        "<table class=\"timeline\">\n<caption>connection <code>{}</code>: {} wire events</caption>\n\
         <thead><tr><th>#</th><th>time ms</th><th></th><th>req / reply</th><th>command / value</th>\
         <th>for</th><th></th></tr></thead>\n<tbody>\n",
        esc(conn),
        events.len()
    ));
    if window.start > 0 {
        gap_row(out, window.start, "earlier");
    }
    for e in &events[window.clone()] {
        let (class, note) = if recv.is_some_and(|r| r.index == e.index) {
            let note = match e.reply.filter(|&r| Some(r) != e.req) {
                Some(reply) if culprit_index.is_some() => format!(
                    "<a class=\"belongs\" href=\"#{}\">belongs to request #{reply} ↑</a>",
                    request_anchor(n, reply)
                ),
                Some(reply) => {
                    format!("<span class=\"belongs\">belongs to request #{reply}</span>")
                }
                None => "the wrong result".to_string(),
            };
            ("bad", note)
        } else if culprit_index == Some(e.index) {
            let taker = own_req.map_or(String::new(), |r| format!(" #{r}"));
            ("culprit", format!("its reply was taken by request{taker}"))
        } else if own_send_index == Some(e.index) {
            ("own", "this operation's request".to_string())
        } else if e.ty == EventType::Recv && e.reply.is_some() && e.reply != e.req {
            ("skew", "reply read by the wrong request".to_string())
        } else {
            ("", String::new())
        };
        wire_row(out, n, e, class, &note);
    }
    if window.end < events.len() {
        gap_row(out, events.len() - window.end, "later");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn gap_row(out: &mut String, count: usize, which: &str) {
    out.push_str(&format!(
        "<tr class=\"gap\"><td colspan=\"7\">… {count} {which} events on this connection not shown …</td></tr>\n"
    ));
}

fn wire_row(out: &mut String, n: usize, e: &Event, class: &str, note: &str) {
    let (id, arrow, number, what) = match e.ty {
        EventType::Send => {
            let req = e.req.unwrap_or_default();
            let args = e
                .value
                .as_ref()
                .map(|v| format!(" {v}"))
                .unwrap_or_default();
            (
                format!(" id=\"{}\"", request_anchor(n, req)),
                "→",
                format!("req {req}"),
                format!("{}{args}", e.f.to_ascii_uppercase()),
            )
        }
        EventType::Recv => {
            let number = match (e.reply, e.req) {
                (Some(reply), Some(req)) if reply != req => {
                    format!("reply {reply} · read by req {req}")
                }
                (Some(reply), _) => format!("reply {reply}"),
                (None, Some(req)) => format!("read by req {req}"),
                (None, None) => String::new(),
            };
            let what = match (&e.error, &e.value) {
                (Some(err), _) => format!("error: {err}"),
                (None, Some(v)) => v.to_string(),
                (None, None) => String::new(),
            };
            (String::new(), "←", number, what)
        }
        _ => {
            let detail = e.error.as_deref().or(e.note.as_deref());
            let what = detail.map_or(e.f.clone(), |d| format!("{}: {d}", e.f));
            (String::new(), "•", String::new(), what)
        }
    };
    let class = if class.is_empty() {
        String::new()
    } else {
        format!(" class=\"{class}\"")
    };
    out.push_str(&format!(
        "<tr{id}{class}><td>{}</td><td>{}</td><td class=\"dir\">{arrow}</td><td>{}</td><td>{}</td><td>{}</td><td>{note}</td></tr>\n",
        e.index,
        ms(e.time),
        esc(&number),
        esc(&what),
        esc(&process_label(e)),
    ));
}

fn operations(out: &mut String, run: &RunRecord<'_>) {
    let ops = run.history.operations();
    let flagged: BTreeMap<u64, usize> = run
        .report
        .attribution
        .violations
        .iter()
        .enumerate()
        .take(MAX_VIOLATIONS_LISTED)
        .map(|(i, v)| (v.invoke_index, i))
        .collect();
    out.push_str(&format!(
        "<section id=\"operations\">\n<h2>Operations ({})</h2>\n",
        ops.len()
    ));
    if ops.len() > MAX_OPERATION_ROWS {
        out.push_str(&format!(
            "<p class=\"note\">Showing the first {MAX_OPERATION_ROWS} of {} operations; \
             every operation is in history.txt and history.jsonl.</p>\n",
            ops.len()
        ));
    }
    out.push_str(
        "<table class=\"ops\">\n<thead><tr><th>#</th><th>process</th><th>f</th><th>key</th>\
         <th>argument</th><th>outcome</th><th>result</th><th>conn</th></tr></thead>\n<tbody>\n",
    );
    for op in ops.iter().take(MAX_OPERATION_ROWS) {
        let invoke = op.invoke;
        let (outcome, result, conn) = match op.completion {
            Some(c) => {
                let outcome = match c.ty {
                    EventType::Ok => "ok",
                    EventType::Fail => "fail",
                    _ => "info",
                };
                let result = match (&c.error, &c.value) {
                    (Some(err), _) => err.clone(),
                    (None, Some(v)) => v.to_string(),
                    (None, None) => String::new(),
                };
                (outcome, result, c.conn.as_ref().or(invoke.conn.as_ref()))
            }
            None => ("pending", String::new(), invoke.conn.as_ref()),
        };
        let (class, link) = match flagged.get(&invoke.index) {
            Some(&i) => (
                format!("{outcome} bad"),
                format!(
                    " <a href=\"#{}\">violation {}</a>",
                    violation_anchor(i),
                    i + 1
                ),
            ),
            None => (outcome.to_string(), String::new()),
        };
        out.push_str(&format!(
            "<tr id=\"op-{}\" class=\"{class}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{outcome}</td><td>{}{link}</td><td>{}</td></tr>\n",
            invoke.index,
            invoke.index,
            esc(&process_label(invoke)),
            esc(&invoke.f),
            esc(invoke.key.as_deref().unwrap_or("")),
            esc(&invoke.value.as_ref().map(ToString::to_string).unwrap_or_default()),
            esc(&result),
            esc(conn.map_or("", String::as_str)),
        ));
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

const CSS: &str = r#":root { --valid: #1a7f37; --invalid: #cf222e; --unknown: #6e7781; --red: #ffd7d5; --amber: #ffe8a3; --blue: #ddf4ff; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #fff; }
code, table.timeline, table.ops { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
.banner { display: flex; flex-wrap: wrap; gap: 28px; align-items: center; padding: 20px 28px; color: #fff; }
.banner.valid { background: var(--valid); }
.banner.invalid { background: var(--invalid); }
.banner.unknown { background: var(--unknown); }
.banner .verdict { font-size: 48px; font-weight: 800; letter-spacing: .04em; }
.banner h1 { margin: 0; font-size: 24px; }
.banner p { margin: 4px 0; }
.banner a { color: #fff; font-weight: 700; }
.banner code { background: rgba(0, 0, 0, .25); padding: 2px 6px; border-radius: 4px; }
.banner .seed { font-weight: 400; opacity: .9; }
.banner .mismatch { font-weight: 800; text-decoration: underline; }
.banner .small { font-size: 12px; opacity: .9; }
main { padding: 4px 28px 48px; }
table { border-collapse: collapse; margin: 8px 0; }
caption { text-align: left; padding: 4px 0; }
th, td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.dir { text-align: center; font-weight: 700; }
tr.bad td { background: var(--red); }
tr.culprit td { background: var(--amber); }
tr.own td { background: var(--blue); }
tr.skew td { color: #a40e26; }
tr.gap td { color: #57606a; font-style: italic; text-align: center; }
tr:target td { outline: 2px solid #0969da; }
table.ops tr.fail td, table.ops tr.info td, table.ops tr.pending td { color: #57606a; }
article.violation { border: 1px solid #d0d7de; border-left: 6px solid var(--invalid); border-radius: 6px; padding: 4px 16px 8px; margin: 16px 0; }
article.violation:target { box-shadow: 0 0 0 3px #0969da; }
article.violation h3 .n { display: inline-block; min-width: 1.6em; color: var(--invalid); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; }
dt { color: #57606a; }
dd { margin: 0; }
.belongs { font-weight: 700; color: #a40e26; }
.note { color: #57606a; }
"#;

const SCRIPT: &str = r#"<script>
function copyReplay() {
  var code = document.getElementById("replay");
  var button = document.getElementById("copy");
  function select() {
    var range = document.createRange();
    range.selectNodeContents(code);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    button.textContent = "selected: press Ctrl+C";
  }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(code.textContent).then(function () { button.textContent = "copied"; }, select);
  } else {
    select();
  }
}
</script>
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Sample;
    use anarcho_checker::{History, Value, fixtures};

    const PAYLOAD: &str = r#"<script>alert("pwned")</script>"#;

    #[test]
    fn issue_1113_page_names_the_misattributed_echo_and_links_its_real_request() {
        let sample = Sample::issue_1113("message");
        let html = render_html(&sample.record());
        let summary =
            r#"ECHO "message" returned "OK" (the reply to READONLY #2 on conn client-1/redis-1#2)"#;
        assert!(html.contains(&esc(summary)), "summary missing");
        assert!(html.contains("<header class=\"banner invalid\">"));
        assert!(html.contains("href=\"#first-error\""), "jump link");
        assert!(html.contains("id=\"first-error\""));
        // The red reply row links to the amber send row of READONLY #2 (req 3).
        assert!(
            html.contains("<a class=\"belongs\" href=\"#v1-req-3\">belongs to request #3"),
            "{html}"
        );
        assert!(
            html.contains("<tr id=\"v1-req-3\" class=\"culprit\">"),
            "{html}"
        );
        assert!(html.contains("class=\"bad\""));
        assert!(html.contains("anarcho run scenarios/issue-1113.toml --seed 1"));
        assert!(html.contains("as expected: the scenario expects invalid"));
    }

    #[test]
    fn user_text_is_escaped() {
        let sample = Sample::issue_1113(PAYLOAD);
        let mut record = sample.record();
        record.scenario_name = "<b>name</b>";
        let html = render_html(&record);
        // Values print Redis-style (`"<script>alert(\"pwned\")..."`), so look
        // for the tag itself rather than the exact payload.
        assert!(!html.contains("<script>alert"), "raw payload in the page");
        assert!(!html.contains("<b>name</b>"));
        assert!(html.contains("&lt;script&gt;alert("));
        assert!(html.contains("&lt;b&gt;name&lt;/b&gt;"));
        // The page's own single script is the only one.
        assert_eq!(html.matches("<script").count(), 1);
    }

    #[test]
    fn html_is_deterministic_and_self_contained() {
        let a = Sample::issue_1113("message");
        let b = Sample::issue_1113("message");
        let html = render_html(&a.record());
        assert_eq!(html, render_html(&b.record()));
        for external in ["http://", "https://", "src=", "@import", "<link"] {
            assert!(!html.contains(external), "{external} in the page");
        }
    }

    #[test]
    fn a_clean_run_is_green_without_a_jump_link() {
        let sample = Sample::of(fixtures::clean());
        let mut record = sample.record();
        record.expected = None;
        let html = render_html(&record);
        assert!(html.contains("<header class=\"banner valid\">"));
        assert!(!html.contains("first-error"));
        assert!(html.contains("no expectation"));
    }

    #[test]
    fn operations_table_is_capped_and_says_so() {
        let mut history = History::new();
        for i in 0..(MAX_OPERATION_ROWS as u64 + 5) {
            let mut e = Event::new(i, EventType::Invoke, "echo");
            e.process = Some(1);
            e.value = Some(Value::Str(format!("p1-{i}")));
            history.push(e.clone());
            e.ty = EventType::Ok;
            history.push(e);
        }
        let html = render_html(&Sample::of(history).record());
        assert_eq!(html.matches("<tr id=\"op-").count(), MAX_OPERATION_ROWS);
        assert!(html.contains(&format!(
            "Showing the first {MAX_OPERATION_ROWS} of {} operations",
            MAX_OPERATION_ROWS + 5
        )));
    }

    #[test]
    fn a_long_connection_is_drawn_around_the_violation() {
        // 300 clean echoes on one connection, then one whose reply is its
        // predecessor's: the culprit and the bad reply must both be drawn.
        let c = "client-1/redis-1#1";
        let mut history = History::new();
        let mut push = |ty: EventType,
                        f: &str,
                        process: Option<u64>,
                        value: &str,
                        wire: Option<(u64, Option<u64>)>| {
            let mut e = Event::new(0, ty, f);
            e.process = process;
            e.value = Some(Value::Str(value.into()));
            if let Some((req, reply)) = wire {
                e.conn = Some(c.into());
                e.req = Some(req);
                e.reply = reply;
            }
            if ty == EventType::Ok {
                e.conn = Some(c.into());
            }
            history.push(e);
        };
        for req in 1..=300u64 {
            let payload = format!("p1-{req}");
            push(EventType::Invoke, "echo", Some(1), &payload, None);
            push(
                EventType::Send,
                "ECHO",
                Some(1),
                &payload,
                Some((req, None)),
            );
            if req == 300 {
                push(
                    EventType::Recv,
                    "reply",
                    Some(1),
                    "p1-299",
                    Some((req, Some(299))),
                );
                push(EventType::Ok, "echo", Some(1), "p1-299", None);
            } else {
                push(
                    EventType::Recv,
                    "reply",
                    Some(1),
                    &payload,
                    Some((req, Some(req))),
                );
                push(EventType::Ok, "echo", Some(1), &payload, None);
            }
        }
        let html = render_html(&Sample::of(history).record());
        assert!(html.contains("<tr id=\"v1-req-299\" class=\"culprit\">"));
        assert!(html.contains("href=\"#v1-req-299\">belongs to request #299"));
        assert!(html.contains("earlier events on this connection not shown"));
        assert!(
            !html.contains("id=\"v1-req-2\""),
            "the start of the connection is cut"
        );
    }
}
