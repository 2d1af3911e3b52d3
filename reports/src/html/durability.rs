//! What the replicas kept: lost acknowledged writes (with the final reads
//! that miss them) and convergence (whether the replicas' final states
//! agree, and how long after the last heal they did).

use super::{Page, esc, filter_attrs};
use crate::history_txt::ms;

/// Rows of each table.
const MAX_ROWS: usize = 50;

pub(super) fn lost_writes(out: &mut String, page: &Page<'_, '_>) {
    let w = &page.run.report.lost_writes;
    out.push_str(&format!(
        "<section id=\"lost-writes\">\n<h2>Lost writes: <span class=\"chip {v}\">{v}</span></h2>\n\
         <p>{} acknowledged writes on {} keys read after the final quiescent phase; {} lost. \
         {} keys with acknowledged writes had no such read and are not judged.</p>\n",
        w.acknowledged_writes,
        w.keys_checked,
        w.lost_total,
        w.keys_unverified,
        v = w.verdict.as_str()
    ));
    if !w.lost.is_empty() {
        out.push_str("<table class=\"small lost\"><tr><th>key</th><th>write</th><th>process</th><th>value</th><th>final reads</th><th>what</th></tr>\n");
        for l in w.lost.iter().take(MAX_ROWS) {
            let op = l
                .invoke_index
                .map(|i| page.op_link(i))
                .unwrap_or_else(|| "-".into());
            let mut reads: Vec<String> = l
                .final_reads
                .iter()
                .take(1)
                .map(|r| crate::server_side::cut(&format!("{} → {}", r.index, r.value), 120))
                .collect();
            if l.final_reads.len() > 1 {
                reads.push(format!("and {} more", l.final_reads.len() - 1));
            }
            out.push_str(&format!(
                "<tr{}><td>{}</td><td>{op}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                filter_attrs(Some(&l.key), l.process),
                esc(&l.key),
                l.process.map_or("-".to_string(), |p| format!("p{p}")),
                esc(&l.value.to_string()),
                esc(&reads.join("; ")),
                esc(&l.summary)
            ));
        }
        out.push_str("</table>\n");
    }
    out.push_str("</section>\n");
}

pub(super) fn convergence(out: &mut String, page: &Page<'_, '_>) {
    let Some(c) = &page.run.report.convergence else {
        out.push_str(
            "<section id=\"convergence\">\n<h2>Convergence</h2>\n<p class=\"note\">Not judged: \
             the history records no replica state (no <code>node_state</code> events).</p>\n</section>\n",
        );
        return;
    };
    out.push_str(&format!(
        "<section id=\"convergence\">\n<h2>Convergence: <span class=\"chip {v}\">{v}</span></h2>\n<p>{}</p>\n",
        esc(&format!(
            "{} replicas ({}), {} snapshots, {} keys at the end: {}.{}",
            c.nodes.len(),
            c.nodes.join(", "),
            c.snapshots,
            c.keys,
            if c.converged {
                "every replica holds the same".to_string()
            } else {
                format!("{} keys differ", c.divergent_keys)
            },
            match (c.last_heal_ns, c.converged_at_ns, c.time_to_converge_ns) {
                (Some(h), Some(at), Some(t)) => format!(
                    " Last heal at {} ms; all replicas agreed from {} ms on, {} ms later.",
                    ms(h),
                    ms(at),
                    ms(t)
                ),
                (None, Some(at), _) => format!(" All replicas agreed from {} ms on.", ms(at)),
                _ => String::new(),
            }
        )),
        v = c.verdict.as_str()
    ));
    if !c.divergences.is_empty() {
        out.push_str("<table class=\"small\"><tr><th>key</th><th>values</th></tr>\n");
        for d in c.divergences.iter().take(MAX_ROWS) {
            let values: Vec<String> = d
                .values
                .iter()
                .map(|v| format!("{}: {}", v.node, v.value))
                .collect();
            out.push_str(&format!(
                "<tr{}><td>{}</td><td>{}</td></tr>\n",
                filter_attrs(Some(&d.key), None),
                esc(&d.key),
                esc(&values.join(" · "))
            ));
        }
        out.push_str("</table>\n");
    }
    out.push_str("</section>\n");
}
