//! The summary strip: one card per checker with its verdict and the one
//! figure that matters, each linking to its section.

use anarcho_checker::Verdict;

use super::{Page, esc};
use crate::history_txt::ms;

fn plural(n: u64, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

pub(super) fn section(out: &mut String, page: &Page<'_, '_>) {
    let r = page.run.report;
    let c = &r.counts;
    out.push_str("<section id=\"summary\">\n<div class=\"cards\">\n");
    card(
        out,
        "operations",
        None,
        "",
        &format!(
            "{}: {} ok, {} fail, {} info · {} · {}",
            plural(c.invoke, "operation"),
            c.ok,
            c.fail,
            c.info,
            plural(c.events, "event"),
            plural(page.faults.periods.len() as u64, "fault period")
        ),
    );

    let a = &r.attribution;
    let n = a.violations.len() as u64;
    card(
        out,
        "attribution",
        Some(a.verdict()),
        "reply attribution",
        &if n == 0 {
            format!("all {} checked replies were their own", a.checked)
        } else {
            format!(
                "{} of {} checked replies belonged to another request",
                n, a.checked
            )
        },
    );

    let l = &r.linearizability;
    let text = if let Some(note) = &l.note {
        note.clone()
    } else {
        let mut t = format!(
            "model {}: {} of {} linearizable",
            l.model,
            l.valid_partitions,
            plural(l.partitions, "partition")
        );
        if l.invalid_partitions > 0 {
            t.push_str(&format!(", {} not", l.invalid_partitions));
        }
        if l.unknown_partitions > 0 {
            t.push_str(&format!(", {} undecided", l.unknown_partitions));
        }
        if !l.judged {
            t.push_str(" · measured only: the scenario promises eventual consistency");
        }
        t
    };
    card(
        out,
        "linearizability",
        Some(l.verdict),
        "linearizability",
        &text,
    );

    let w = &r.lost_writes;
    card(
        out,
        "lost-writes",
        Some(w.verdict),
        "lost writes",
        &if w.lost_total == 0 {
            format!(
                "none of {} lost ({} checked, {} unverified)",
                plural(w.acknowledged_writes, "acknowledged write"),
                plural(w.keys_checked, "key"),
                w.keys_unverified
            )
        } else {
            format!(
                "{} lost of {}",
                w.lost_total,
                plural(w.acknowledged_writes, "acknowledged write")
            )
        },
    );

    match &r.convergence {
        Some(cv) => {
            let text = if cv.converged {
                let agree = if cv.nodes.len() == 1 {
                    format!("1 replica, {}", plural(cv.keys, "key"))
                } else {
                    format!(
                        "{} replicas agree on {}",
                        cv.nodes.len(),
                        plural(cv.keys, "key")
                    )
                };
                match cv.time_to_converge_ns {
                    Some(t) => format!("{agree}; converged {} ms after the last heal", ms(t)),
                    None => agree,
                }
            } else {
                format!(
                    "{} differ between replicas",
                    plural(cv.divergent_keys, "key")
                )
            };
            card(out, "convergence", Some(cv.verdict), "convergence", &text);
        }
        None => card(
            out,
            "convergence",
            None,
            "convergence",
            "not judged: the history records no replica state",
        ),
    }

    let s = &r.staleness;
    let mut text = format!(
        "{} of {} stale, max k {}",
        s.stale,
        plural(s.reads, "read"),
        s.max_k
    );
    if let Some(t) = s.visibility.t99_ns {
        text.push_str(&format!("; 99% fresh from {} ms after commit", ms(t)));
    }
    let sessions = s.monotonic_read_violations + s.read_your_writes_violations;
    if sessions > 0 {
        text.push_str(&format!("; {}", plural(sessions, "session violation")));
    }
    card(out, "staleness", None, "staleness (measured)", &text);
    out.push_str("</div>\n</section>\n");
}

fn card(out: &mut String, id: &str, verdict: Option<Verdict>, title: &str, text: &str) {
    let (class, chip) = match verdict {
        Some(v) => (
            v.as_str(),
            format!("<b class=\"chip {0}\">{0}</b> ", v.as_str()),
        ),
        None => ("plain", String::new()),
    };
    let title = if title.is_empty() {
        String::new()
    } else {
        format!("<span class=\"title\">{}</span> ", esc(title))
    };
    out.push_str(&format!(
        "<a class=\"card {class}\" href=\"#{id}\">{chip}{title}<span>{}</span></a>\n",
        esc(text)
    ));
}
