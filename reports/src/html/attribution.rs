//! The reply-attribution evidence: for each violation, the wire timeline of
//! its connection, with the reply that was taken by the wrong request in
//! red, linked ("belongs to request #N") to the amber `send` row of the
//! request it really answered, and what fake-redis recorded about each
//! request beside it (when it executed it, what it replied, which fault
//! fired). This is the go-redis #1113 picture: `ECHO "message"` returned
//! `"OK"` because the reply was `READONLY #2`'s.
//!
//! The first violation has the anchor `#first-error`.

use std::collections::BTreeSet;

use anarcho_checker::attribution::WireIndex;
use anarcho_checker::{Event, EventType, Violation};

use super::{Page, esc, filter_attrs};
use crate::history_txt::{ms, process_label};
use crate::server_side::{RequestNotes, cut};

/// Violations listed by summary.
pub(super) const MAX_VIOLATIONS_LISTED: usize = 2_000;
/// Violations that get a connection timeline. An off-by-one connection makes
/// every later operation on it a violation, and each timeline repeats the
/// connection, so drawing them all would grow the page quadratically.
const MAX_TIMELINES: usize = 50;
/// A connection with at most this many wire events is drawn whole; a longer
/// one is drawn around the violation only.
const FULL_TIMELINE_EVENTS: usize = 200;
/// Rows kept on each side of the violation when a timeline is cut.
const TIMELINE_CONTEXT: usize = 20;

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

pub(super) fn section(out: &mut String, page: &Page<'_, '_>) {
    let run = page.run;
    let all = &run.report.attribution.violations;
    out.push_str(&format!(
        "<section id=\"attribution\">\n<h2>Reply attribution: {} violation{}</h2>\n",
        all.len(),
        if all.len() == 1 { "" } else { "s" }
    ));
    if all.is_empty() {
        out.push_str(&format!(
            "<p class=\"note\">Every one of the {} checked replies belonged to its own request.</p>\n",
            run.report.attribution.checked
        ));
    }
    // Indexing the wire events costs a pass over the history: only when
    // there is something to draw.
    let wire = (!all.is_empty()).then(|| WireIndex::new(run.history));
    let drawn: BTreeSet<&str> = all
        .iter()
        .take(MAX_TIMELINES)
        .filter_map(|v| v.conn.as_deref())
        .collect();
    let notes = RequestNotes::new(run.history, &page.server, &drawn);
    for (i, v) in all.iter().take(MAX_VIOLATIONS_LISTED).enumerate() {
        if let Some(wire) = &wire {
            violation(out, i, v, wire, &notes);
        }
    }
    if all.len() > MAX_VIOLATIONS_LISTED {
        out.push_str(&format!(
            "<p class=\"note\">… and {} more, not listed here; every violation is in results.json.</p>\n",
            all.len() - MAX_VIOLATIONS_LISTED
        ));
    }
    out.push_str("</section>\n");
}

fn violation(
    out: &mut String,
    i: usize,
    v: &Violation,
    wire: &WireIndex<'_>,
    server: &RequestNotes<'_>,
) {
    let n = i + 1;
    out.push_str(&format!(
        "<article class=\"violation\" id=\"{}\"{}>\n<h3><span class=\"n\">{n}</span> {}</h3>\n<dl class=\"facts\">\n\
         <dt>expected</dt><dd>{}</dd>\n<dt>got</dt><dd><code>{}</code></dd>\n\
         <dt>operation</dt><dd><a href=\"#op-{}\">{} by process {}</a>, events {} to {}</dd>\n\
         <dt>connection</dt><dd>{}</dd>\n",
        violation_anchor(i),
        filter_attrs(v.key.as_deref(), Some(v.process)),
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
        timeline(out, n, v, wire, server);
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
fn timeline(
    out: &mut String,
    n: usize,
    v: &Violation,
    wire: &WireIndex<'_>,
    server: &RequestNotes<'_>,
) {
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
         <th>for</th><th></th><th>fake-redis saw</th></tr></thead>\n<tbody>\n",
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
        wire_row(out, n, e, class, &note, server);
    }
    if window.end < events.len() {
        gap_row(out, events.len() - window.end, "later");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn gap_row(out: &mut String, count: usize, which: &str) {
    out.push_str(&format!(
        "<tr class=\"gap\"><td colspan=\"8\">… {count} {which} events on this connection not shown …</td></tr>\n"
    ));
}

/// What fake-redis recorded about the request a `send` row wrote: when it
/// executed it and what it replied, and any fault that fired on it.
fn server_cell(e: &Event, server: &RequestNotes<'_>) -> String {
    let (Some(conn), Some(req), EventType::Send) = (e.conn.as_deref(), e.req, e.ty) else {
        return String::new();
    };
    let notes: Vec<String> = server
        .get(conn, req)
        .iter()
        .map(|s| {
            let note = s.note.as_deref().unwrap_or("");
            let what = match note.strip_prefix("reply ") {
                Some(reply) => format!("executed, replied {}", cut(reply, 60)),
                None => cut(note, 90),
            };
            format!("{} ms: {what}", ms(s.time))
        })
        .collect();
    notes.join("; ")
}

fn wire_row(
    out: &mut String,
    n: usize,
    e: &Event,
    class: &str,
    note: &str,
    server: &RequestNotes<'_>,
) {
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
        "<tr{id}{class}><td>{}</td><td>{}</td><td class=\"dir\">{arrow}</td><td>{}</td><td>{}</td><td>{}</td><td>{note}</td><td class=\"srv\">{}</td></tr>\n",
        e.index,
        ms(e.time),
        esc(&number),
        esc(&cut(&what, 160)),
        esc(&process_label(e)),
        esc(&server_cell(e, server)),
    ));
}
