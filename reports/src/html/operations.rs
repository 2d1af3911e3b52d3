//! The operations table: one row per operation (the first
//! [`MAX_OPERATION_ROWS`]), with the violations it is part of and, for an
//! operation that did not end `ok`, what fake-redis executed for it.

use std::collections::{BTreeMap, BTreeSet};

use super::attribution::MAX_VIOLATIONS_LISTED;
use super::{Page, esc, filter_attrs, outcome};
use crate::history_txt::process_label;
use crate::server_side::ServerSide;

/// Rows of the operations table; beyond this the page says so and points at
/// `history.txt`. Keeps a long run's page small enough to open.
pub(super) const MAX_OPERATION_ROWS: usize = 2_000;

/// For an operation that did not end `ok`: the nodes that executed a write
/// for it, or that executed anything, in words; empty when the wire events
/// do not tell.
pub(super) fn server_words(server: &ServerSide<'_>, invoke_index: u64) -> String {
    let mut wrote = BTreeSet::new();
    let mut ran = BTreeSet::new();
    for c in server.for_op(invoke_index) {
        ran.insert(c.node);
        if c.applied_write() {
            wrote.insert(c.node);
        }
    }
    let list = |s: &BTreeSet<&str>| s.iter().copied().collect::<Vec<_>>().join(", ");
    if !wrote.is_empty() {
        format!("a write took effect on {}", list(&wrote))
    } else if !ran.is_empty() {
        format!("executed commands on {}, no write took effect", list(&ran))
    } else {
        String::new()
    }
}

pub(super) fn section(out: &mut String, page: &Page<'_, '_>) {
    let ops = &page.ops;
    let flagged: BTreeMap<u64, usize> = page
        .run
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
         <th>argument</th><th>outcome</th><th>result</th><th>conn</th><th>fake-redis</th></tr></thead>\n<tbody>\n",
    );
    for op in ops.iter().take(MAX_OPERATION_ROWS) {
        let invoke = op.invoke;
        let outcome = outcome(op);
        let (result, conn) = match op.completion {
            Some(c) => {
                let result = match (&c.error, &c.value) {
                    (Some(err), _) => err.clone(),
                    (None, Some(v)) => v.to_string(),
                    (None, None) => String::new(),
                };
                (result, c.conn.as_ref().or(invoke.conn.as_ref()))
            }
            None => (String::new(), invoke.conn.as_ref()),
        };
        let (class, link) = match flagged.get(&invoke.index) {
            Some(&i) => (
                format!("{outcome} bad"),
                format!(
                    " <a href=\"#{}\">violation {}</a>",
                    if i == 0 {
                        "first-error".to_string()
                    } else {
                        format!("violation-{}", i + 1)
                    },
                    i + 1
                ),
            ),
            None => (outcome.to_string(), String::new()),
        };
        let server = if outcome == "ok" {
            String::new()
        } else {
            server_words(&page.server, invoke.index)
        };
        out.push_str(&format!(
            "<tr id=\"op-{}\" class=\"{class}\"{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{outcome}</td><td>{}{link}</td><td>{}</td><td>{}</td></tr>\n",
            invoke.index,
            filter_attrs(invoke.key.as_deref(), invoke.process),
            invoke.index,
            esc(&process_label(invoke)),
            esc(&invoke.f),
            esc(invoke.key.as_deref().unwrap_or("")),
            esc(&invoke.value.as_ref().map(ToString::to_string).unwrap_or_default()),
            esc(&result),
            esc(conn.map_or("", String::as_str)),
            esc(&server),
        ));
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}
