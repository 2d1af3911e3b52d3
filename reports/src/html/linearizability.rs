//! The linearizability evidence, after Porcupine's visualisation: for each
//! partition (key) no order of which the model accepts, the operations
//! around the failure in one lane per process on a compressed time axis
//! (every invoke and completion gets its own slot, so concurrency is
//! visible however short the operations were), with
//! - the longest partial linearisation the search found as numbered points,
//!   joined in order, each placed inside its operation's interval; hovering
//!   a point shows the model state after it;
//! - the operations that could not be placed next in red, the stuck one
//!   (whose completion came before it could take effect) outlined, with the
//!   model's reason on hover;
//! - a "jump to first error" link that scrolls the view to the stuck
//!   operation (anchor `lin-N-stuck`).
//!
//! Other operations on the key in the same stretch of time are drawn grey.

use std::collections::{BTreeMap, BTreeSet};

use anarcho_checker::Operation;
use anarcho_checker::linearizability::{OpRef, OpStatus, PartitionFailure};

use super::svg::{group, line, n, rect, text};
use super::{Page, describe, esc, filter_attrs, op_tip};
use crate::history_txt::{ms, time_of};

/// Failing partitions drawn; the rest are listed by key only.
const MAX_VIEWS: usize = 10;
/// Grey operations (neither placed nor unplaceable) drawn per view.
const MAX_OTHERS: usize = 120;
/// Width of one event slot, px: wide when there are few, so the labels
/// fit; never narrower than [`MIN_STEP`].
const MAX_STEP: f64 = 110.0;
const MIN_STEP: f64 = 22.0;
/// The lane-label column, px (a separate SVG left of the scrolled view, so
/// the labels stay put).
const LABEL_W: f64 = 56.0;
/// Left margin inside the scrolled view, px.
const PAD: f64 = 8.0;
/// Lane height, px.
const LANE_H: f64 = 30.0;
/// Room above the lanes for the time labels, px.
const TOP: f64 = 22.0;

/// The anchor of failure `i`'s (0-based) stuck operation.
pub(super) fn stuck_anchor(i: usize) -> String {
    format!("lin-{}-stuck", i + 1)
}

pub(super) fn section(out: &mut String, page: &Page<'_, '_>) {
    let l = &page.run.report.linearizability;
    out.push_str(&format!(
        "<section id=\"linearizability\">\n<h2>Linearizability: <span class=\"chip {v}\">{v}</span></h2>\n",
        v = l.verdict.as_str()
    ));
    let mut facts = format!(
        "Model <code>{}</code>: {} operations in {} partition{} ({} linearizable, {} not, {} undecided), \
         {} skipped as constraining nothing; {} configurations explored.",
        esc(&l.model),
        l.operations,
        l.partitions,
        if l.partitions == 1 { "" } else { "s" },
        l.valid_partitions,
        l.invalid_partitions,
        l.unknown_partitions,
        l.skipped,
        l.explored_states
    );
    if !l.judged {
        facts.push_str(
            " <b>Measured, not judged:</b> the scenario promises eventual consistency, \
             so these failures do not decide the verdict.",
        );
    }
    out.push_str(&format!("<p>{facts}</p>\n"));
    if let Some(note) = &l.note {
        out.push_str(&format!("<p class=\"note\">{}</p>\n", esc(note)));
    }
    let by_invoke: BTreeMap<u64, &Operation<'_>> =
        page.ops.iter().map(|op| (op.invoke.index, op)).collect();
    for (i, f) in l.failures.iter().enumerate().take(MAX_VIEWS) {
        view(out, page, &by_invoke, i, f);
    }
    let unshown: Vec<String> = l
        .failures
        .iter()
        .skip(MAX_VIEWS)
        .map(|f| esc(f.key.as_deref().unwrap_or("(no key)")))
        .collect();
    if !unshown.is_empty() || l.failures_omitted > 0 {
        out.push_str(&format!(
            "<p class=\"note\">Not drawn here: {} more failing partitions{}{}; every \
             counterexample is in results.json.</p>\n",
            unshown.len() as u64 + l.failures_omitted,
            if unshown.is_empty() { "" } else { ": " },
            unshown.join(", ")
        ));
    }
    if !l.unknowns.is_empty() {
        out.push_str("<table class=\"small\"><caption>Undecided partitions</caption><tr><th>key</th><th>operations</th><th>why</th><th>explored</th></tr>\n");
        for u in &l.unknowns {
            out.push_str(&format!(
                "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                filter_attrs(u.key.as_deref(), None),
                esc(u.key.as_deref().unwrap_or("")),
                u.operations,
                esc(&u.reason),
                u.explored_states
            ));
        }
        out.push_str("</table>\n");
    }
    out.push_str("</section>\n");
}

/// How a drawn operation relates to the counterexample.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Placed,
    Unplaceable,
    Stuck,
    Other,
}

struct Drawn<'h> {
    op: &'h Operation<'h>,
    role: Role,
    label: String,
    tip: String,
}

fn view(
    out: &mut String,
    page: &Page<'_, '_>,
    by_invoke: &BTreeMap<u64, &Operation<'_>>,
    i: usize,
    f: &PartitionFailure,
) {
    let ce = &f.counterexample;
    let key = f.key.as_deref();
    let anchor = format!("lin-{}", i + 1);
    let stuck = stuck_anchor(i);
    out.push_str(&format!(
        "<article class=\"lin\" id=\"{anchor}\"{}>\n<h3>key <code>{}</code>: not linearizable \
         ({} operations)</h3>\n<p>{}</p>\n<p><a class=\"jump\" href=\"#{stuck}\">jump to first error →</a> \
         · model state where it failed: <code>{}</code>{}</p>\n",
        filter_attrs(key, None),
        esc(key.unwrap_or("(none)")),
        f.operations,
        esc(&ce.explanation),
        esc(&ce.state),
        if ce.linearized_omitted > 0 {
            format!(
                " · the first {} steps of the partial linearisation are not drawn",
                ce.linearized_omitted
            )
        } else {
            String::new()
        }
    ));

    // The operations to draw, by invoke index.
    let mut drawn: BTreeMap<u64, Drawn<'_>> = BTreeMap::new();
    let mut steps: Vec<(u64, u64, &str, &OpRef)> = Vec::new();
    for (k, step) in ce.linearized.iter().enumerate() {
        let number = ce.linearized_omitted + k as u64 + 1;
        if let Some(op) = by_invoke.get(&step.op.invoke_index) {
            steps.push((number, step.op.invoke_index, &step.state_after, &step.op));
            drawn.insert(
                step.op.invoke_index,
                Drawn {
                    op,
                    role: Role::Placed,
                    label: format!("{number}. {}", step.op.description),
                    tip: format!(
                        "{}\nplaced as step {number}; state after: {}",
                        op_tip(op, Some(&step.op.description)),
                        step.state_after
                    ),
                },
            );
        }
    }
    for (k, attempt) in ce.could_not_place.iter().enumerate() {
        if let Some(op) = by_invoke.get(&attempt.op.invoke_index) {
            let role = if k == 0 {
                Role::Stuck
            } else {
                Role::Unplaceable
            };
            let verb = if attempt.possible_here {
                "possible here, but every continuation after it fails"
            } else {
                "cannot be placed next"
            };
            drawn.insert(
                attempt.op.invoke_index,
                Drawn {
                    op,
                    role,
                    label: format!("✗ {}", attempt.op.description),
                    tip: format!(
                        "{}\n{verb}: {}",
                        op_tip(op, Some(&attempt.op.description)),
                        attempt.reason
                    ),
                },
            );
        }
    }
    if drawn.is_empty() {
        out.push_str("<p class=\"note\">The operations of this counterexample are not in the history.</p>\n</article>\n");
        return;
    }
    let lo = drawn.keys().next().copied().unwrap_or(0);
    let hi = drawn
        .values()
        .filter(|d| d.role != Role::Placed)
        .map(|d| d.op.completion.map_or(d.op.invoke.index, |c| c.index))
        .max()
        .unwrap_or(lo);
    let mut others = 0;
    for op in page.ops.iter() {
        if others >= MAX_OTHERS || op.invoke.index > hi {
            break;
        }
        let ends = op.completion.map_or(u64::MAX, |c| c.index);
        if op.invoke.key.as_deref() != key
            || ends < lo
            || drawn.contains_key(&op.invoke.index)
            || op.invoke.f == "echo"
        {
            continue;
        }
        drawn.insert(
            op.invoke.index,
            Drawn {
                op,
                role: Role::Other,
                label: describe(op),
                tip: format!("{}\nnot part of the counterexample", op_tip(op, None)),
            },
        );
        others += 1;
    }

    // The compressed axis: one slot per distinct event index.
    let mut slots: BTreeSet<u64> = BTreeSet::new();
    for d in drawn.values() {
        slots.insert(d.op.invoke.index);
        if let Some(c) = d.op.completion {
            slots.insert(c.index);
        }
    }
    let slot: BTreeMap<u64, usize> = slots.iter().enumerate().map(|(k, &ix)| (ix, k)).collect();
    let last_slot = slots.len();
    let step = (1000.0 / (last_slot as f64 + 1.0)).clamp(MIN_STEP, MAX_STEP);
    let x = |s: f64| PAD + s * step + step / 2.0;
    let lanes: Vec<Option<u64>> = drawn
        .values()
        .map(|d| d.op.invoke.process)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let lane = |p: Option<u64>| lanes.iter().position(|&q| q == p).unwrap_or(0) as f64;
    let width = PAD + (last_slot as f64 + 1.0) * step + 16.0;
    let height = TOP + lanes.len() as f64 * LANE_H + 8.0;

    let mut labels = format!(
        "<div class=\"lin-wrap\"><svg class=\"lin-view lin-lanes\" width=\"{}\" height=\"{}\">",
        n(LABEL_W),
        n(height)
    );
    let mut svg = format!(
        "<div class=\"lin-scroll\"><svg class=\"lin-view\" width=\"{}\" height=\"{}\">",
        n(width),
        n(height)
    );
    for (k, p) in lanes.iter().enumerate() {
        let y = TOP + k as f64 * LANE_H;
        let class = if k % 2 == 0 { "lane" } else { "lane alt" };
        svg.push_str(&rect(0.0, y, width, LANE_H, class));
        labels.push_str(&rect(0.0, y, LABEL_W, LANE_H, class));
        let name = p.map_or("-".to_string(), |p| format!("p{p}"));
        labels.push_str(&text(
            6.0,
            y + LANE_H / 2.0 + 4.0,
            "lane-label",
            "start",
            &name,
        ));
    }
    labels.push_str("</svg>");
    out.push_str(&labels);
    // Time labels every few slots.
    let every = (slots.len() / 12).max(4);
    for (k, &ix) in slots.iter().enumerate().step_by(every) {
        if let Some(t) = time_of(page.run.history, ix) {
            svg.push_str(&line(x(k as f64), TOP - 4.0, x(k as f64), height, "tick"));
            svg.push_str(&text(
                x(k as f64),
                TOP - 8.0,
                "tick-label",
                "middle",
                &format!("{} ms", ms(t)),
            ));
        }
    }
    // Bars, grey first so the counterexample draws on top.
    let mut order: Vec<&Drawn<'_>> = drawn.values().collect();
    order.sort_by_key(|d| (std::cmp::Reverse(d.role == Role::Other), d.op.invoke.index));
    for d in order {
        let a = slot[&d.op.invoke.index] as f64;
        let b =
            d.op.completion
                .map_or(last_slot as f64, |c| slot[&c.index] as f64);
        let (x0, x1) = (x(a) - 4.0, x(b) + 4.0);
        let y = TOP + lane(d.op.invoke.process) * LANE_H + 5.0;
        let class = match d.role {
            Role::Placed => "op placed",
            Role::Unplaceable => "op cnp",
            Role::Stuck => "op cnp stuck",
            Role::Other => "op other",
        };
        let id = (d.role == Role::Stuck).then_some(stuck.as_str());
        svg.push_str(&group(class, &d.tip, id));
        svg.push_str(&rect(x0, y, x1 - x0, LANE_H - 10.0, "bar"));
        let room = ((x1 - x0 - 6.0) / 6.5) as usize;
        if room >= 3 {
            let label: String = if d.label.chars().count() > room {
                let mut l: String = d.label.chars().take(room.saturating_sub(1)).collect();
                l.push('…');
                l
            } else {
                d.label.clone()
            };
            svg.push_str(&text(
                x0 + 4.0,
                y + LANE_H / 2.0 - 1.0,
                "bar-label",
                "start",
                &label,
            ));
        }
        svg.push_str("</g>");
    }
    // The linearisation points, each inside its operation's interval and
    // after the previous one.
    let mut points: Vec<(f64, f64, u64, &str, &OpRef)> = Vec::new();
    let mut prev = f64::MIN;
    for &(number, invoke, state, op_ref) in &steps {
        let d = &drawn[&invoke];
        let a = slot[&d.op.invoke.index] as f64;
        let b =
            d.op.completion
                .map_or(last_slot as f64, |c| slot[&c.index] as f64);
        let s = (prev + 0.35).max(a + 0.25).min(b);
        prev = s;
        let y = TOP + lane(d.op.invoke.process) * LANE_H + LANE_H / 2.0;
        points.push((x(s), y, number, state, op_ref));
    }
    if points.len() > 1 {
        let path: Vec<String> = points
            .iter()
            .map(|p| format!("{},{}", n(p.0), n(p.1)))
            .collect();
        svg.push_str(&format!(
            "<polyline class=\"lin-path\" points=\"{}\"/>",
            path.join(" ")
        ));
    }
    for (px, py, number, state, op_ref) in &points {
        let who = op_ref
            .process
            .map_or(String::new(), |p| format!(" by p{p}"));
        svg.push_str(&group(
            "pt",
            &format!(
                "step {number}: {}{who}\nstate after: {state}",
                op_ref.description
            ),
            None,
        ));
        svg.push_str(&format!(
            "<circle cx=\"{}\" cy=\"{}\" r=\"7\"/>",
            n(*px),
            n(*py)
        ));
        svg.push_str(&text(
            *px,
            py + 3.5,
            "pt-label",
            "middle",
            &number.to_string(),
        ));
        svg.push_str("</g>");
    }
    svg.push_str("</svg></div></div>\n");
    out.push_str(&svg);

    // The same in words, for reading and for search.
    out.push_str("<table class=\"cnp small\"><caption>Could not be placed next</caption><tr><th>operation</th><th>process</th><th>events</th><th>status</th><th>why</th></tr>\n");
    for a in &ce.could_not_place {
        let status = match a.op.status {
            OpStatus::Ok => "ok",
            OpStatus::Fail => "fail",
            OpStatus::Info => "info",
        };
        out.push_str(&format!(
            "<tr{}><td><code>{}</code></td><td>{}</td><td>{}–{}</td><td>{status}</td><td>{}</td></tr>\n",
            filter_attrs(a.op.key.as_deref(), a.op.process),
            esc(&a.op.description),
            a.op.process.map_or("-".to_string(), |p| format!("p{p}")),
            a.op.invoke_index,
            a.op.completion_index.map_or("…".to_string(), |c| c.to_string()),
            esc(&a.reason)
        ));
    }
    out.push_str("</table>\n");
    if ce.could_not_place_omitted > 0 {
        out.push_str(&format!(
            "<p class=\"note\">… and {} more operations in flight there.</p>\n",
            ce.could_not_place_omitted
        ));
    }
    out.push_str("</article>\n");
}
