//! The timeline: one lane per process with every operation as a bar
//! coloured by outcome (ok, fail, info, pending), the fault periods as
//! bands across all lanes, and what fake-redis executed beside the client's
//! view — thin ticks under each operation's bar for the commands the
//! servers ran for it (dark when a write took effect, so an `info` write
//! that did take effect is visible at a glance), and one lane per node with
//! every command it executed (set-up and background traffic included).
//!
//! This module plans what to draw and writes it as one JSON block
//! (`#timeline-data`); `page.js` draws it into an SVG, redrawing only the
//! visible part as the user scrolls, zooms or filters.
//!
//! A run of more than [`MAX_TIMELINE_OPS`] operations is drawn in windows:
//! around each violation first, then around each fault period's start and
//! end, [`WINDOW_OPS`] operations either side, until the budget is used.
//! The page says so, and the gaps are marked on the time axis.
//!
//! JSON layout (times in µs since the start of the run; `-1` = none):
//! ```text
//! {"end": µs, "windowed": bool, "segments": [[from, to], ...],
//!  "procs": [0, 1, ...], "nodes": ["redis-1", ...], "strings": [...],
//!  "ops":    [[invoke index, process, f#, key#, start Δ, duration, outcome, applied, anchor#, argument, result], ...],
//!  "server": [[node#, from Δ, duration, op, commands#, reply#, applied, conn#], ...],
//!  "faults": [[start, end, class, tip], ...],
//!  "marks":  [[time, node#, kind, tip], ...]}
//! ```
//! `#` fields index `strings` (or `nodes` for `node#`); `Δ` times are from
//! the previous row's (rows are in time order); `op` is the position in
//! `ops` of the operation a server row served; outcome is 0 ok, 1
//! fail, 2 info, 3 pending; `applied` is 1 when fake-redis executed a write
//! of the operation that took effect; `conn#` names the connection of
//! traffic that served no operation; mark kind is 0 server fault, 1 nemesis
//! event. Tooltips are composed by the script from these fields, which
//! keeps a 10,000-operation timeline to about 1.5 MB.

use std::collections::{BTreeMap, BTreeSet};

use anarcho_checker::Operation;

use super::{Page, outcome};
use crate::faults::MarkKind;
use crate::history_txt::ms;
use crate::server_side::{ServerCommand, cut};

/// Above this many operations the timeline is drawn in windows.
pub(crate) const MAX_TIMELINE_OPS: usize = 10_000;
/// Operations either side of a point of interest in a window.
pub(crate) const WINDOW_OPS: usize = 150;
/// Server-side groups drawn at most (per operation and node, or per burst
/// on a connection for traffic that served no operation).
const MAX_SERVER_GROUPS: usize = 40_000;
/// Instantaneous marks drawn at most.
const MAX_MARKS: usize = 2_000;
/// Commands named in a server group's tooltip.
const MAX_COMMANDS_NAMED: usize = 8;

/// What the timeline shows of a run.
struct Plan {
    /// Time ranges drawn (ns), sorted and disjoint.
    segments: Vec<(u64, u64)>,
    /// Whether the run was cut into windows.
    windowed: bool,
    /// Points of interest the windows are around, and how many there were.
    used: usize,
    total: usize,
}

fn end_of(op: &Operation<'_>, run_end: u64) -> u64 {
    op.completion.map_or(run_end, |c| c.time)
}

/// The points of interest, most important first: violations, then fault
/// period starts and ends, then marks. Within each kind the order spreads
/// over the run (first, last, middle, quarters, ...), so when the budget
/// runs out the windows drawn are spread too, not bunched at the start.
fn points(page: &Page<'_, '_>) -> Vec<u64> {
    let r = page.run.report;
    let time = |index: u64| crate::history_txt::time_of(page.run.history, index);
    let mut violations: Vec<u64> = Vec::new();
    violations.extend(
        r.attribution
            .violations
            .iter()
            .filter_map(|v| time(v.invoke_index)),
    );
    for f in &r.linearizability.failures {
        violations.extend(time(f.counterexample.stuck.invoke_index));
    }
    violations.extend(
        r.lost_writes
            .lost
            .iter()
            .filter_map(|l| l.invoke_index.and_then(time)),
    );
    violations.extend(
        r.staleness
            .session_examples
            .iter()
            .take(20)
            .filter_map(|s| time(s.read_index)),
    );
    let mut faults: Vec<u64> = Vec::new();
    for p in &page.faults.periods {
        faults.push(p.start);
        if p.ended_by.is_some() {
            faults.push(p.end);
        }
    }
    let marks: Vec<u64> = page.faults.marks.iter().map(|m| m.time).collect();
    let mut out = Vec::new();
    for mut kind in [violations, faults, marks] {
        kind.sort_unstable();
        kind.dedup();
        out.extend(spread(kind.len()).into_iter().map(|i| kind[i]));
    }
    out
}

/// The indices `0..n` in an order that covers the range evenly early on:
/// the first and last, then the middle of each gap, level by level.
fn spread(n: usize) -> Vec<usize> {
    let mut out = Vec::with_capacity(n);
    if n == 0 {
        return out;
    }
    let mut seen = vec![false; n];
    let mut take = |i: usize, out: &mut Vec<usize>| {
        if !seen[i] {
            seen[i] = true;
            out.push(i);
        }
    };
    take(0, &mut out);
    take(n - 1, &mut out);
    let mut gaps = vec![(0, n - 1)];
    while !gaps.is_empty() {
        let mut next = Vec::new();
        for (a, b) in gaps {
            if b > a + 1 {
                let m = a + (b - a) / 2;
                take(m, &mut out);
                next.push((a, m));
                next.push((m, b));
            }
        }
        gaps = next;
    }
    out
}

fn plan(page: &Page<'_, '_>) -> Plan {
    let end = page.faults.end;
    let ops = &page.ops;
    if ops.len() <= MAX_TIMELINE_OPS {
        return Plan {
            segments: vec![(0, end)],
            windowed: false,
            used: 0,
            total: 0,
        };
    }
    let starts: Vec<u64> = ops.iter().map(|op| op.invoke.time).collect();
    let mut points = points(page);
    if points.is_empty() {
        // Nothing happened: show the beginning.
        points.push(0);
    }
    let total = points.len();
    let mut segments: Vec<(u64, u64)> = Vec::new();
    let mut used = 0;
    for &t in &points {
        let p = starts.partition_point(|&s| s < t);
        let lo = p.saturating_sub(WINDOW_OPS);
        let hi = (p + WINDOW_OPS).min(ops.len() - 1);
        let seg = (starts[lo].min(t), starts[hi].max(t));
        let mut candidate = segments.clone();
        candidate.push(seg);
        let candidate = merge(candidate);
        let count: usize = candidate
            .iter()
            .map(|&(a, b)| starts.partition_point(|&s| s <= b) - starts.partition_point(|&s| s < a))
            .sum();
        if count > MAX_TIMELINE_OPS && !segments.is_empty() {
            break;
        }
        segments = candidate;
        used += 1;
    }
    Plan {
        segments,
        windowed: true,
        used,
        total,
    }
}

/// Sorts and merges overlapping or touching ranges.
fn merge(mut ranges: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    ranges.sort_unstable();
    let mut out: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.0 <= last.1 => last.1 = last.1.max(r.1),
            _ => out.push(r),
        }
    }
    out
}

/// Whether `[a, b]` overlaps one of the sorted, disjoint `segments`.
fn overlaps(segments: &[(u64, u64)], a: u64, b: u64) -> bool {
    let i = segments.partition_point(|s| s.1 < a);
    i < segments.len() && segments[i].0 <= b
}

/// A string table: each distinct string once, referred to by position.
#[derive(Default)]
struct Strings {
    index: BTreeMap<String, usize>,
    list: Vec<String>,
}

impl Strings {
    fn id(&mut self, s: &str) -> i64 {
        if let Some(&i) = self.index.get(s) {
            return i as i64;
        }
        self.list.push(s.to_string());
        self.index.insert(s.to_string(), self.list.len() - 1);
        (self.list.len() - 1) as i64
    }
}

/// A JSON string literal.
fn js(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

fn us(ns: u64) -> u64 {
    ns / 1_000
}

/// Commands fake-redis ran for one operation on one node, or one burst of
/// commands on one connection that served no operation.
struct Group<'a, 'h> {
    node: &'h str,
    op: Option<&'a Operation<'h>>,
    conn: &'h str,
    from: u64,
    to: u64,
    commands: Vec<&'a ServerCommand<'h>>,
}

fn groups<'a, 'h>(
    page: &'a Page<'_, 'h>,
    by_invoke: &BTreeMap<u64, &'a Operation<'h>>,
    segments: &[(u64, u64)],
) -> (Vec<Group<'a, 'h>>, usize) {
    let mut groups: Vec<Group<'a, 'h>> = Vec::new();
    let mut open: BTreeMap<(&'h str, Option<u64>, &'h str), usize> = BTreeMap::new();
    let mut left_out = 0;
    for c in &page.server.commands {
        let t = c.event.time;
        if !overlaps(segments, t, t) {
            continue;
        }
        let conn = c
            .client_conn
            .or(c.event.conn.as_deref())
            .unwrap_or_default();
        let key = (c.node, c.op, if c.op.is_some() { "" } else { conn });
        match open.get(&key) {
            // Same operation on the same node; or the same connection's
            // background burst, while commands follow within 1 ms.
            Some(&g) if c.op.is_some() || groups[g].to + 1_000_000 >= t => {
                groups[g].to = t;
                groups[g].commands.push(c);
            }
            _ => {
                if groups.len() >= MAX_SERVER_GROUPS {
                    left_out += 1;
                    continue;
                }
                open.insert(key, groups.len());
                groups.push(Group {
                    node: c.node,
                    op: c.op.and_then(|i| by_invoke.get(&i).copied()),
                    conn,
                    from: t,
                    to: t,
                    commands: vec![c],
                });
            }
        }
    }
    (groups, left_out)
}

/// A group's commands in short: their names (`WATCH GET MULTI SET SET
/// EXEC`) and the reply of the write that took effect, else of the last
/// command (`[+OK, +OK]`). Both repeat across groups, so the page keeps
/// them in its string table.
fn group_summary(g: &Group<'_, '_>) -> (String, Option<String>) {
    let mut names: Vec<&str> = g
        .commands
        .iter()
        .take(MAX_COMMANDS_NAMED)
        .map(|c| c.event.f.as_str())
        .collect();
    if g.commands.len() > MAX_COMMANDS_NAMED {
        names.push("…");
    }
    let decisive = g
        .commands
        .iter()
        .rev()
        .find(|c| c.applied_write())
        .or(g.commands.last());
    let reply = decisive.and_then(|c| c.reply()).map(|r| cut(r, 40));
    (names.join(" "), reply)
}

/// Anchors of the violations each operation is part of, by invoke index.
fn anchors(page: &Page<'_, '_>) -> BTreeMap<u64, String> {
    let r = page.run.report;
    let mut out = BTreeMap::new();
    for (i, f) in r.linearizability.failures.iter().enumerate().rev() {
        for a in &f.counterexample.could_not_place {
            out.insert(a.op.invoke_index, format!("lin-{}", i + 1));
        }
        out.insert(
            f.counterexample.stuck.invoke_index,
            super::linearizability::stuck_anchor(i),
        );
    }
    for l in r.lost_writes.lost.iter() {
        if let Some(i) = l.invoke_index {
            out.insert(i, "lost-writes".to_string());
        }
    }
    for (i, v) in r
        .attribution
        .violations
        .iter()
        .enumerate()
        .take(2_000)
        .rev()
    {
        let a = if i == 0 {
            "first-error".to_string()
        } else {
            format!("violation-{}", i + 1)
        };
        out.insert(v.invoke_index, a);
    }
    out
}

pub(super) fn section(out: &mut String, page: &Page<'_, '_>) {
    let plan = plan(page);
    let run_end = page.faults.end;
    let by_invoke: BTreeMap<u64, &Operation<'_>> =
        page.ops.iter().map(|op| (op.invoke.index, op)).collect();
    let drawn: Vec<&Operation<'_>> = page
        .ops
        .iter()
        .filter(|op| overlaps(&plan.segments, op.invoke.time, end_of(op, run_end)))
        .collect();
    let (groups, groups_left_out) = groups(page, &by_invoke, &plan.segments);

    out.push_str(
        "<section id=\"timeline\">\n<h2>Timeline</h2>\n<p class=\"note\">One lane per process: \
         operations as bars (<span class=\"key ok\">ok</span> <span class=\"key fail\">fail</span> \
         <span class=\"key info\">info</span> <span class=\"key pending\">never completed</span>), \
         fault periods shaded across every lane, and under each bar a tick per node that executed \
         commands for it (<span class=\"key wrote\">dark: a write took effect</span>). Below, one \
         lane per fake-redis node with every command it executed. Hover for details, click a \
         bordered bar to jump to its violation; Ctrl+wheel or the buttons zoom.</p>\n",
    );
    if plan.windowed {
        out.push_str(&format!(
            "<p class=\"windowed\"><b>This run has {} operations, more than {MAX_TIMELINE_OPS}:</b> \
             the timeline shows {} window{} ({} operations) around {} of its {} violations and \
             fault events, {WINDOW_OPS} operations either side; the gaps between windows are \
             marked on the axis. Every operation is in history.txt.</p>\n",
            page.ops.len(),
            plan.segments.len(),
            if plan.segments.len() == 1 { "" } else { "s" },
            drawn.len(),
            plan.used,
            plan.total
        ));
    }
    if groups_left_out > 0 {
        out.push_str(&format!(
            "<p class=\"note\">Server commands are drawn for the first {MAX_SERVER_GROUPS} \
             operations and bursts; {groups_left_out} later commands are left out (see history.txt).</p>\n"
        ));
    }
    out.push_str(
        "<div class=\"tl-controls\"><button type=\"button\" data-zoom=\"out\">−</button>\
         <button type=\"button\" data-zoom=\"in\">+</button>\
         <button type=\"button\" data-zoom=\"fit\">fit</button> <span id=\"tl-scale\"></span></div>\n\
         <div id=\"tl\" class=\"tl-scroll\"><div id=\"tl-spacer\"></div><svg id=\"tl-svg\"></svg></div>\n\
         <noscript><p class=\"note\">The timeline needs JavaScript.</p></noscript>\n",
    );

    // The data.
    let mut strings = Strings::default();
    let procs: BTreeSet<u64> = drawn.iter().filter_map(|op| op.invoke.process).collect();
    let mut nodes: BTreeSet<&str> = groups.iter().map(|g| g.node).collect();
    nodes.extend(page.faults.marks.iter().filter_map(|m| m.node.as_deref()));
    let nodes: Vec<&str> = nodes.into_iter().collect();
    let node_id = |n: &str| nodes.iter().position(|&m| m == n).map_or(-1, |i| i as i64);
    let anchors = anchors(page);
    let mut applied_ops: BTreeSet<u64> = BTreeSet::new();
    for g in &groups {
        if let Some(op) = g.op
            && g.commands.iter().any(|c| c.applied_write())
        {
            applied_ops.insert(op.invoke.index);
        }
    }

    let mut json = String::with_capacity(drawn.len() * 96 + groups.len() * 96);
    json.push_str(&format!(
        "{{\"end\":{},\"windowed\":{},\"segments\":[{}],\"procs\":[{}],\"nodes\":[{}],\n\"ops\":[",
        us(run_end),
        plan.windowed,
        plan.segments
            .iter()
            .map(|(a, b)| format!("[{},{}]", us(*a), us(*b)))
            .collect::<Vec<_>>()
            .join(","),
        procs
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(","),
        nodes.iter().map(|n| js(n)).collect::<Vec<_>>().join(",")
    ));
    // Position of each drawn operation, for the server rows.
    let position: BTreeMap<u64, usize> = drawn
        .iter()
        .enumerate()
        .map(|(k, op)| (op.invoke.index, k))
        .collect();
    let mut previous = 0u64;
    for (k, op) in drawn.iter().enumerate() {
        let i = op.invoke;
        let oc = match outcome(op) {
            "ok" => 0,
            "fail" => 1,
            "info" => 2,
            _ => 3,
        };
        let args = i
            .value
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let result = match op.completion {
            Some(c) => match (&c.error, &c.value) {
                (Some(e), _) => e.clone(),
                (None, Some(v)) => v.to_string(),
                (None, None) => String::new(),
            },
            None => String::new(),
        };
        let start = us(i.time);
        json.push_str(&format!(
            "{}[{},{},{},{},{},{},{},{},{},{},{}]",
            if k == 0 { "" } else { ",\n" },
            i.index,
            i.process.map_or(-1, |p| p as i64),
            strings.id(&i.f),
            i.key.as_deref().map_or(-1, |k| strings.id(k)),
            start - previous,
            op.completion.map_or(-1, |c| (us(c.time) - start) as i64),
            oc,
            u8::from(applied_ops.contains(&i.index)),
            anchors.get(&i.index).map_or(-1, |a| strings.id(a)),
            js(&cut(&args, 60)),
            js(&cut(&result, 100))
        ));
        previous = start;
    }
    json.push_str("],\n\"server\":[");
    let mut previous = 0u64;
    for (k, g) in groups.iter().enumerate() {
        let from = us(g.from);
        let op = g.op.and_then(|op| position.get(&op.invoke.index)).copied();
        let (names, reply) = group_summary(g);
        json.push_str(&format!(
            "{}[{},{},{},{},{},{},{},{}]",
            if k == 0 { "" } else { ",\n" },
            node_id(g.node),
            from - previous,
            us(g.to) - from,
            op.map_or(-1, |p| p as i64),
            strings.id(&names),
            reply.map_or(-1, |r| strings.id(&r)),
            u8::from(g.commands.iter().any(|c| c.applied_write())),
            if op.is_some() { -1 } else { strings.id(g.conn) },
        ));
        previous = from;
    }
    json.push_str("],\n\"faults\":[");
    for (k, p) in page.faults.periods.iter().enumerate() {
        json.push_str(&format!(
            "{}[{},{},{},{}]",
            if k == 0 { "" } else { "," },
            us(p.start),
            us(p.end),
            js(p.class.name()),
            js(&p.describe())
        ));
    }
    json.push_str("],\n\"marks\":[");
    for (k, m) in page.faults.marks.iter().take(MAX_MARKS).enumerate() {
        json.push_str(&format!(
            "{}[{},{},{},{}]",
            if k == 0 { "" } else { "," },
            us(m.time),
            m.node.as_deref().map_or(-1, node_id),
            u8::from(m.kind == MarkKind::Nemesis),
            js(&format!("{} ms: {}", ms(m.time), cut(&m.text, 200)))
        ));
    }
    json.push_str("],\n\"strings\":[");
    json.push_str(
        &strings
            .list
            .iter()
            .map(|s| js(s))
            .collect::<Vec<_>>()
            .join(","),
    );
    json.push_str("]}");
    // Inside <script>, "</script" would end the element and "<!--" would
    // change how it is parsed; "\u003c" is the same JSON string.
    let json = json.replace('<', "\\u003c");
    out.push_str("<script type=\"application/json\" id=\"timeline-data\">");
    out.push_str(&json);
    out.push_str("</script>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_covers_every_index_once_ends_and_middle_first() {
        assert_eq!(spread(0), Vec::<usize>::new());
        assert_eq!(spread(1), [0]);
        assert_eq!(spread(5), [0, 4, 2, 1, 3]);
        let mut all = spread(1000);
        assert_eq!(&all[..3], [0, 999, 499]);
        all.sort_unstable();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn ranges_merge_and_overlap() {
        let m = merge(vec![(5, 9), (0, 2), (2, 3), (8, 12), (20, 21)]);
        assert_eq!(m, [(0, 3), (5, 12), (20, 21)]);
        assert!(overlaps(&m, 3, 4));
        assert!(!overlaps(&m, 4, 4));
        assert!(overlaps(&m, 13, 25));
        assert!(!overlaps(&m, 22, 30));
    }
}
