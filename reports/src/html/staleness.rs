//! Staleness, drawn on the page as small SVG charts: the k histogram (how
//! many newer acknowledged writes each read missed) and the t-visibility
//! curve (the chance a read is fresh, against the time since the newest
//! acknowledged write), then the session-guarantee violations and the
//! stalest reads. Measurements: nothing here changes the verdict.

use anarcho_checker::staleness::StalenessReport;

use super::svg::{group, line, n, rect, text};
use super::{Page, esc, filter_attrs};
use crate::history_txt::ms;

/// Rows of the stalest-reads and session tables.
const MAX_ROWS: usize = 20;
const W: f64 = 560.0;
const H: f64 = 240.0;
/// Plot area margins: left, right, top, bottom.
const M: (f64, f64, f64, f64) = (56.0, 16.0, 16.0, 44.0);

pub(super) fn section(out: &mut String, page: &Page<'_, '_>) {
    let s = &page.run.report.staleness;
    out.push_str("<section id=\"staleness\">\n<h2>Staleness</h2>\n");
    out.push_str(&format!(
        "<p>{} reads of registers and lists measured: {} fresh, {} stale (k ≥ 1), {} unexplained; \
         largest k {}.{}{} Measurements only: they never change the verdict.</p>\n",
        s.reads,
        s.fresh,
        s.stale,
        s.unexplained,
        s.max_k,
        s.t_staleness_ns
            .as_ref()
            .map(|q| format!(
                " Stale reads began {} ms (median) to {} ms (max) after the first write they missed completed.",
                ms(q.p50),
                ms(q.max)
            ))
            .unwrap_or_default(),
        match (s.visibility.t99_ns, s.visibility.t999_ns) {
            (Some(a), Some(b)) => format!(
                " 99% of reads were fresh from {} ms after a commit on, 99.9% from {} ms.",
                ms(a),
                ms(b)
            ),
            (Some(a), None) => format!(" 99% of reads were fresh from {} ms after a commit on.", ms(a)),
            _ => String::new(),
        }
    ));
    if s.reads > 0 {
        out.push_str("<div class=\"charts\">");
        k_histogram(out, s);
        visibility(out, s);
        out.push_str("</div>\n");
    }
    sessions(out, page, s);
    stalest(out, page, s);
    out.push_str("</section>\n");
}

fn frame(out: &mut String, title: &str) {
    out.push_str(&format!(
        "<figure class=\"chart\"><figcaption>{}</figcaption><svg width=\"{W}\" height=\"{H}\">",
        esc(title)
    ));
    out.push_str(&line(M.0, H - M.3, W - M.1, H - M.3, "axis"));
    out.push_str(&line(M.0, M.2, M.0, H - M.3, "axis"));
}

fn k_histogram(out: &mut String, s: &StalenessReport) {
    frame(out, "k-staleness: reads per k (log scale)");
    let max_reads = s
        .k_histogram
        .iter()
        .map(|b| b.reads)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let slots = (s.max_k + 1) as f64;
    let pw = W - M.0 - M.1;
    let ph = H - M.2 - M.3;
    let bw = pw / slots;
    // Heights on log10(reads + 1), so k = 0's thousands do not flatten the rest.
    let h = |reads: u64| ph * ((reads as f64 + 1.0).log10() / (max_reads + 1.0).log10());
    for b in &s.k_histogram {
        let x = M.0 + b.k as f64 * bw;
        let bh = h(b.reads);
        let class = if b.k == 0 { "bar fresh" } else { "bar stale" };
        out.push_str(&group(
            "hbar",
            &format!(
                "k = {}: {} read{}",
                b.k,
                b.reads,
                if b.reads == 1 { "" } else { "s" }
            ),
            None,
        ));
        out.push_str(&rect(x + bw * 0.1, H - M.3 - bh, bw * 0.8, bh, class));
        if bw >= 18.0 {
            out.push_str(&text(
                x + bw / 2.0,
                H - M.3 - bh - 3.0,
                "chart-label",
                "middle",
                &b.reads.to_string(),
            ));
        }
        out.push_str("</g>");
    }
    let every = ((slots / 12.0).ceil() as u64).max(1);
    for k in (0..=s.max_k).step_by(every as usize) {
        out.push_str(&text(
            M.0 + (k as f64 + 0.5) * bw,
            H - M.3 + 14.0,
            "chart-label",
            "middle",
            &k.to_string(),
        ));
    }
    out.push_str(&text(
        M.0 + pw / 2.0,
        H - 8.0,
        "chart-label",
        "middle",
        "k: newer acknowledged writes completed before the read",
    ));
    out.push_str("</svg></figure>");
}

fn visibility(out: &mut String, s: &StalenessReport) {
    frame(
        out,
        "t-visibility: P(read is fresh) against time since commit",
    );
    let pts = &s.visibility.points;
    let pw = W - M.0 - M.1;
    let ph = H - M.2 - M.3;
    let mid = |t: u64, t_end: u64| ((t.max(t_end / 2) as f64) * t_end as f64).sqrt().max(1.0);
    let xs: Vec<f64> = pts
        .iter()
        .map(|p| mid(p.t_ns, p.t_end_ns).log10())
        .collect();
    let lo = xs.iter().copied().fold(f64::MAX, f64::min).floor().min(3.0);
    let hi = xs.iter().copied().fold(0.0, f64::max).ceil().max(lo + 1.0);
    let x = |v: f64| M.0 + (v - lo) / (hi - lo) * pw;
    let y = |p: f64| H - M.3 - p * ph;
    for tick in [0.0, 0.5, 1.0] {
        out.push_str(&line(M.0, y(tick), W - M.1, y(tick), "grid"));
        out.push_str(&text(
            M.0 - 6.0,
            y(tick) + 4.0,
            "chart-label",
            "end",
            &format!("{tick:.1}"),
        ));
    }
    for decade in (lo as i64)..=(hi as i64) {
        let label = decade_label(decade);
        out.push_str(&line(
            x(decade as f64),
            M.2,
            x(decade as f64),
            H - M.3,
            "grid",
        ));
        out.push_str(&text(
            x(decade as f64),
            H - M.3 + 14.0,
            "chart-label",
            "middle",
            &label,
        ));
    }
    out.push_str(&text(
        M.0 + pw / 2.0,
        H - 8.0,
        "chart-label",
        "middle",
        "time since the newest acknowledged write completed (log)",
    ));
    let line_of = |f: &dyn Fn(usize) -> f64| -> String {
        xs.iter()
            .enumerate()
            .map(|(i, v)| format!("{},{}", n(x(*v)), n(y(f(i)))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    out.push_str(&format!(
        "<polyline class=\"cdf\" points=\"{}\"/>",
        line_of(&|i| pts[i].p_fresh_from_here)
    ));
    out.push_str(&format!(
        "<polyline class=\"pfresh\" points=\"{}\"/>",
        line_of(&|i| pts[i].p_fresh)
    ));
    for (p, v) in pts.iter().zip(&xs) {
        out.push_str(&group(
            "vpt",
            &format!(
                "t in [{} ms, {} ms): {} of {} reads fresh ({:.1}%); from here on {:.1}%",
                ms(p.t_ns),
                ms(p.t_end_ns),
                p.fresh,
                p.reads,
                p.p_fresh * 100.0,
                p.p_fresh_from_here * 100.0
            ),
            None,
        ));
        out.push_str(&format!(
            "<circle cx=\"{}\" cy=\"{}\" r=\"4\"/></g>",
            n(x(*v)),
            n(y(p.p_fresh))
        ));
    }
    out.push_str(&text(
        W - M.1 - 4.0,
        H - M.3 - 22.0,
        "chart-label pfresh-label",
        "end",
        "● P(fresh | t in bucket)",
    ));
    out.push_str(&text(
        W - M.1 - 4.0,
        H - M.3 - 8.0,
        "chart-label cdf-label",
        "end",
        "— P(fresh | t ≥ bucket start)",
    ));
    out.push_str("</svg></figure>");
}

/// `1 µs`, `10 ms`, `100 s` for 10^d nanoseconds.
fn decade_label(d: i64) -> String {
    let (unit, base) = match d {
        ..=2 => ("ns", 0),
        3..=5 => ("µs", 3),
        6..=8 => ("ms", 6),
        _ => ("s", 9),
    };
    format!("{} {unit}", 10u64.pow((d.max(0) - base) as u32))
}

fn sessions(out: &mut String, page: &Page<'_, '_>, s: &StalenessReport) {
    if s.session_examples.is_empty() {
        out.push_str(&format!(
            "<p>Session guarantees: {} monotonic-read and {} read-your-writes violations.</p>\n",
            s.monotonic_read_violations, s.read_your_writes_violations
        ));
        return;
    }
    out.push_str(&format!(
        "<table class=\"small\"><caption>Session guarantees: {} monotonic-read and {} read-your-writes \
         violations (the first {})</caption><tr><th>read</th><th>process</th><th>key</th><th>what</th></tr>\n",
        s.monotonic_read_violations,
        s.read_your_writes_violations,
        s.session_examples.len().min(MAX_ROWS)
    ));
    for v in s.session_examples.iter().take(MAX_ROWS) {
        out.push_str(&format!(
            "<tr{}><td>{}</td><td>p{}</td><td>{}</td><td>{}</td></tr>\n",
            filter_attrs(Some(&v.key), Some(v.process)),
            page.op_link(v.read_index),
            v.process,
            esc(&v.key),
            esc(&v.summary)
        ));
    }
    out.push_str("</table>\n");
}

fn stalest(out: &mut String, page: &Page<'_, '_>, s: &StalenessReport) {
    let stale: Vec<_> = s
        .stalest_reads
        .iter()
        .filter(|r| r.k > 0)
        .take(MAX_ROWS)
        .collect();
    if stale.is_empty() {
        return;
    }
    out.push_str("<table class=\"small\"><caption>The stalest reads</caption><tr><th>read</th><th>process</th><th>key</th><th>returned</th><th>k</th><th>t ms</th></tr>\n");
    for r in stale {
        out.push_str(&format!(
            "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            filter_attrs(Some(&r.key), r.process),
            page.op_link(r.invoke_index),
            r.process.map_or("-".to_string(), |p| format!("p{p}")),
            esc(&r.key),
            esc(&r.value.to_string()),
            r.k,
            r.t_ns.map(ms).unwrap_or_default()
        ));
    }
    out.push_str("</table>\n");
}
