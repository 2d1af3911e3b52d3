//! Lost acknowledged writes: a write the system said `ok` to, that no read
//! after the final quiescent phase observes, and that no later write
//! superseded. These make the verdict `invalid`.
//!
//! The final quiescent phase of a key starts once every write to it has
//! completed (an indeterminate write counts as completed at its `info`; one
//! that never completed keeps the key from ever being quiet) and after the
//! last `nemesis` event of the history (faults over). Reads invoked after
//! that point are the key's *final reads*. A key with acknowledged writes
//! but no final read cannot be judged and is counted as unverified.
//!
//! Per key kind (see `accesses`):
//! - **register**: an acknowledged write `w` is observed when some final
//!   read returned a value that `w` itself, or a write not certainly older
//!   than `w` (one that could take effect after it), stored. It is lost
//!   when no final read does: every final read returned something
//!   certainly older.
//! - **list**: an acknowledged append is lost when no final read contains
//!   its element, unless a reset (`set`, `del`) could have come after it.
//! - **counter**: the acknowledged increments add up to at least the
//!   largest final read; the shortfall is lost (a key that was also `set`
//!   or `del`eted is not judged).

use serde::{Deserialize, Serialize};

use crate::accesses::{self, INITIAL, Key, KeyKind, Read, contains};
use crate::history::{EventType, History, Value};
use crate::models::as_int;
use crate::verdict::Verdict;

/// How many lost writes a report lists.
pub const MAX_LOST: usize = 100;
/// How many final reads each lost write cites.
const MAX_CITED: usize = 3;

/// The lost-write checker's findings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LostWritesReport {
    /// `invalid` when an acknowledged write was lost, else `valid` (also
    /// when nothing could be judged: see `keys_unverified`).
    pub verdict: Verdict,
    /// Keys with acknowledged writes and final reads: judged.
    pub keys_checked: u64,
    /// Keys with acknowledged writes but no final read: not judged.
    pub keys_unverified: u64,
    /// Acknowledged writes (appends, increments) on the judged keys.
    pub acknowledged_writes: u64,
    /// Lost writes counted (a counter's shortfall counts each increment).
    pub lost_total: u64,
    /// The first [`MAX_LOST`] lost writes, by key then history order.
    pub lost: Vec<LostWrite>,
}

/// What kind of write was lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LostKind {
    /// A register write (set, put, write, del, cas).
    Write,
    /// An element appended to a list.
    Append,
    /// Increments of a counter.
    Increments,
}

/// One lost write.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LostWrite {
    /// The key.
    pub key: String,
    /// Which kind.
    pub kind: LostKind,
    /// The process that wrote it (`null` for a counter's shortfall).
    pub process: Option<u64>,
    /// History index of the write's invoke (`null` for a counter).
    pub invoke_index: Option<u64>,
    /// History index of its `ok`.
    pub completion_index: Option<u64>,
    /// What it wrote or appended (for a counter, the shortfall).
    pub value: Value,
    /// How many writes this entry stands for (1, or a counter's shortfall).
    pub count: u64,
    /// Some final reads of the key: (history index, value).
    pub final_reads: Vec<FinalRead>,
    /// One line for people.
    pub summary: String,
}

/// A read of the final quiescent phase.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FinalRead {
    /// History index of its invoke.
    pub index: u64,
    /// What it returned.
    pub value: Value,
}

/// Looks for lost acknowledged writes in `history`. See the module docs.
pub fn check_lost_writes(history: &History) -> LostWritesReport {
    from_keys(history, &accesses::collect(history))
}

/// Looks for lost writes in the collected accesses of `history`.
pub(crate) fn from_keys(history: &History, keys: &accesses::Keys<'_>) -> LostWritesReport {
    let last_fault = history
        .events()
        .iter()
        .rev()
        .find(|e| e.ty == EventType::Nemesis)
        .map_or(INITIAL, |e| e.index as i64);
    let mut report = LostWritesReport::default();
    for (name, key) in keys {
        // Acknowledged writes owed to the final reads (a list's resets
        // only clear it; they are not owed).
        let acked = key
            .writes
            .iter()
            .filter(|w| w.acked && (key.kind == KeyKind::Register || !w.reset))
            .count() as u64;
        if acked == 0 {
            continue;
        }
        let quiet = key
            .writes
            .iter()
            .map(|w| w.ended)
            .chain([last_fault])
            .max()
            .unwrap_or(INITIAL);
        let finals: Vec<&Read> = key.reads.iter().filter(|r| r.invoke > quiet).collect();
        if finals.is_empty() || (key.kind == KeyKind::Counter && key.writes.iter().any(|w| w.reset))
        {
            report.keys_unverified += 1;
            continue;
        }
        report.keys_checked += 1;
        report.acknowledged_writes += acked;
        let cited: Vec<FinalRead> = finals
            .iter()
            .take(MAX_CITED)
            .map(|r| FinalRead {
                index: r.invoke as u64,
                value: r.value.clone(),
            })
            .collect();
        match key.kind {
            KeyKind::Register => register(name, key, &finals, &cited, &mut report),
            KeyKind::List => list(name, key, &finals, &cited, &mut report),
            KeyKind::Counter => counter(name, key, &finals, &cited, &mut report),
        }
    }
    report.verdict = if report.lost_total > 0 {
        Verdict::Invalid
    } else {
        Verdict::Valid
    };
    report
}

fn push(report: &mut LostWritesReport, lost: LostWrite) {
    report.lost_total += lost.count;
    if report.lost.len() < MAX_LOST {
        report.lost.push(lost);
    }
}

fn register(
    name: &str,
    key: &Key,
    finals: &[&Read],
    cited: &[FinalRead],
    report: &mut LostWritesReport,
) {
    // The latest a final read's value could have been written: the largest
    // completion among the writes that stored it (nil: also the initial
    // state). Unexplained reads (no such write) say nothing.
    let mut newest = INITIAL;
    let mut explained = false;
    for r in finals {
        let mut best: Option<i64> = (r.value == Value::Nil).then_some(INITIAL);
        for w in key
            .writes
            .iter()
            .filter(|w| w.value == r.value && w.invoke < r.complete)
        {
            best = Some(best.map_or(w.complete, |b| b.max(w.complete)));
        }
        if let Some(b) = best {
            explained = true;
            newest = newest.max(b);
        }
    }
    if !explained {
        return;
    }
    for w in key.writes.iter().filter(|w| w.acked && w.invoke > newest) {
        push(
            report,
            LostWrite {
                key: name.to_string(),
                kind: LostKind::Write,
                process: w.process,
                invoke_index: Some(w.invoke as u64),
                completion_index: Some(w.complete as u64),
                value: w.value.clone(),
                count: 1,
                final_reads: cited.to_vec(),
                summary: format!(
                    "the write of {} to {name:?} (history index {}) was acknowledged, but every final read returned an older value (first: {})",
                    w.value, w.invoke, cited[0].value
                ),
            },
        );
    }
}

fn list(
    name: &str,
    key: &Key,
    finals: &[&Read],
    cited: &[FinalRead],
    report: &mut LostWritesReport,
) {
    let resets: Vec<_> = key.writes.iter().filter(|w| w.reset).collect();
    for a in key.writes.iter().filter(|w| w.acked && !w.reset) {
        let superseded = resets.iter().any(|z| z.complete > a.invoke);
        if superseded || finals.iter().any(|r| contains(&r.value, &a.value)) {
            continue;
        }
        push(
            report,
            LostWrite {
                key: name.to_string(),
                kind: LostKind::Append,
                process: a.process,
                invoke_index: Some(a.invoke as u64),
                completion_index: Some(a.complete as u64),
                value: a.value.clone(),
                count: 1,
                final_reads: cited.to_vec(),
                summary: format!(
                    "the append of {} to {name:?} (history index {}) was acknowledged, but no final read contains it",
                    a.value, a.invoke
                ),
            },
        );
    }
}

fn counter(
    name: &str,
    key: &Key,
    finals: &[&Read],
    cited: &[FinalRead],
    report: &mut LostWritesReport,
) {
    let acked: i64 = key
        .writes
        .iter()
        .filter(|w| w.acked)
        .filter_map(|w| as_int(&w.value))
        .sum();
    let Some(read) = finals.iter().filter_map(|r| as_int(&r.value)).max() else {
        return;
    };
    if read >= acked {
        return;
    }
    let short = (acked - read) as u64;
    push(
        report,
        LostWrite {
            key: name.to_string(),
            kind: LostKind::Increments,
            process: None,
            invoke_index: None,
            completion_index: None,
            value: Value::Int(acked - read),
            count: short,
            final_reads: cited.to_vec(),
            summary: format!(
                "{name:?} was incremented by {acked} in acknowledged operations, but the final reads show at most {read}: {short} lost"
            ),
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Event;

    fn history(events: &[(u64, EventType, &str, &str, Option<Value>)]) -> History {
        let mut h = History::new();
        for (p, ty, f, key, v) in events {
            let mut e = Event::new(0, *ty, *f);
            e.process = Some(*p);
            e.key = Some((*key).to_string());
            e.value = v.clone();
            h.push(e);
        }
        h
    }

    fn s(x: &str) -> Option<Value> {
        Some(Value::Str(x.into()))
    }

    use EventType::{Info, Invoke as I, Ok as O};

    #[test]
    fn an_acknowledged_write_the_final_read_does_not_see_is_lost() {
        let h = history(&[
            (1, I, "set", "k", s("a")),
            (1, O, "set", "k", s("OK")),
            (1, I, "set", "k", s("b")),
            (1, O, "set", "k", s("OK")),
            (2, I, "get", "k", None),
            (2, O, "get", "k", s("a")),
        ]);
        let r = check_lost_writes(&h);
        assert_eq!(r.verdict, Verdict::Invalid);
        assert_eq!(r.lost_total, 1);
        assert_eq!(r.lost[0].value, Value::Str("b".into()));
        assert!(
            r.lost[0].summary.contains("every final read"),
            "{}",
            r.lost[0].summary
        );
    }

    #[test]
    fn a_write_superseded_by_a_concurrent_or_indeterminate_one_is_not_lost() {
        let h = history(&[
            (1, I, "set", "k", s("a")),
            (3, I, "set", "k", s("c")),
            (1, O, "set", "k", s("OK")),
            (3, Info, "set", "k", None),
            (2, I, "get", "k", None),
            (2, O, "get", "k", s("c")),
        ]);
        let r = check_lost_writes(&h);
        assert_eq!((r.verdict, r.keys_checked), (Verdict::Valid, 1));
    }

    #[test]
    fn no_final_read_leaves_the_key_unverified() {
        let h = history(&[
            (2, I, "get", "k", None),
            (2, O, "get", "k", Some(Value::Nil)),
            (1, I, "set", "k", s("a")),
            (1, O, "set", "k", s("OK")),
        ]);
        let r = check_lost_writes(&h);
        assert_eq!(
            (r.verdict, r.keys_checked, r.keys_unverified),
            (Verdict::Valid, 0, 1)
        );
    }

    #[test]
    fn lost_appends_and_increments_are_counted() {
        let h = history(&[
            (1, I, "rpush", "l", s("x")),
            (1, O, "rpush", "l", Some(Value::Int(1))),
            (1, I, "rpush", "l", s("y")),
            (1, O, "rpush", "l", Some(Value::Int(2))),
            (1, I, "incr", "c", None),
            (1, O, "incr", "c", Some(Value::Int(1))),
            (1, I, "incr", "c", None),
            (1, O, "incr", "c", Some(Value::Int(2))),
            (2, I, "lrange", "l", None),
            (
                2,
                O,
                "lrange",
                "l",
                Some(Value::List(vec![Value::Str("x".into())])),
            ),
            (2, I, "get", "c", None),
            (2, O, "get", "c", s("1")),
        ]);
        let r = check_lost_writes(&h);
        assert_eq!(r.lost_total, 2);
        assert_eq!(r.lost[0].kind, LostKind::Increments);
        assert_eq!(r.lost[1].kind, LostKind::Append);
        assert_eq!(r.lost[1].value, Value::Str("y".into()));
    }
}
