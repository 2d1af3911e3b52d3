//! Staleness: how far behind the reads were. Measurements, not judgements:
//! nothing here changes the verdict (a stale read in a system that promises
//! linearizability is a linearizability violation, and that checker says
//! so; in an eventually consistent system it is the expected cost, and this
//! is how big it was).
//!
//! For register and list keys (see `accesses`), per `ok` read:
//! - **k-staleness**: how many newer acknowledged writes to the key had
//!   completed before the read began. For a register, "newer" means
//!   certainly after the write the read's value came from (invoked after
//!   that write completed); when several writes stored the value, the one
//!   that makes the read freshest is assumed. For a list, it is the
//!   acknowledged appends completed before the read began that the read
//!   does not contain.
//! - **t-staleness**: for a stale read (k ≥ 1), how long before the read
//!   began the first of those writes completed.
//!
//! Aggregates:
//! - the histogram of k;
//! - the **t-visibility curve**, after Bailis et al., "Probabilistically
//!   Bounded Staleness": each read is paired with the newest acknowledged
//!   write to its key that completed before it began (by completion); t is
//!   the time from that write's completion to the read's start, and the
//!   read is fresh when it returned that write or something newer. The
//!   curve gives, per time bucket, P(fresh | t in the bucket) and
//!   P(fresh | t ≥ the bucket's start); `t99_ns` / `t999_ns` are the
//!   smallest t from which on at least 99% / 99.9% of reads were fresh;
//! - **session guarantees** per process: a monotonic-read violation is a
//!   read that returned a value certainly older than one an earlier read by
//!   the same process returned (for lists: missing an element an earlier
//!   read showed); a read-your-writes violation is a read certainly older
//!   than the process's own last acknowledged write (for lists: missing an
//!   element the process appended).
//!
//! Reads that returned a value no write could have produced are counted
//! as `unexplained` and left out of the rest.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::accesses::{self, INITIAL, Key, KeyKind, Read, Write, contains};
use crate::history::{History, Value};

/// How many stale reads and session violations a report lists.
pub const MAX_LISTED: usize = 100;

/// The staleness measurements of a history.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StalenessReport {
    /// `ok` reads of register and list keys measured.
    pub reads: u64,
    /// Reads with k = 0.
    pub fresh: u64,
    /// Reads with k ≥ 1.
    pub stale: u64,
    /// Reads that returned a value no write could have produced (left out
    /// of everything else).
    pub unexplained: u64,
    /// How many reads had each k, in increasing k (k with no reads left
    /// out).
    pub k_histogram: Vec<KBucket>,
    /// The largest k seen.
    pub max_k: u64,
    /// Quantiles of t-staleness over the stale reads, or `null` when no
    /// read was stale.
    pub t_staleness_ns: Option<Quantiles>,
    /// The t-visibility curve.
    pub visibility: VisibilityCurve,
    /// Session-guarantee violations per process (only processes with any),
    /// by process.
    pub sessions: Vec<ProcessSessions>,
    /// Monotonic-read violations, over all processes.
    pub monotonic_read_violations: u64,
    /// Read-your-writes violations, over all processes.
    pub read_your_writes_violations: u64,
    /// The first [`MAX_LISTED`] session violations, in history order.
    pub session_examples: Vec<SessionViolation>,
    /// The [`MAX_LISTED`] stalest reads (largest k, then earliest).
    pub stalest_reads: Vec<ReadStaleness>,
}

/// One bar of the k histogram.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KBucket {
    /// The k-staleness.
    pub k: u64,
    /// Reads with that k.
    pub reads: u64,
}

/// Nearest-rank quantiles of a set of durations, in nanoseconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quantiles {
    /// How many values.
    pub count: u64,
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
    /// Largest.
    pub max: u64,
}

/// P(read is fresh | time since the newest acknowledged write committed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VisibilityCurve {
    /// Reads with a committed write before them (the curve's samples).
    pub samples: u64,
    /// Buckets of t (1-2-5 steps from 1 µs, the first from 0), only those
    /// with samples.
    pub points: Vec<VisibilityPoint>,
    /// The smallest t from which on at least 99% of reads were fresh;
    /// `null` when the reads never got there.
    pub t99_ns: Option<u64>,
    /// The same for 99.9%.
    pub t999_ns: Option<u64>,
}

/// One bucket of the t-visibility curve.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VisibilityPoint {
    /// The bucket's start (inclusive), in nanoseconds since commit.
    pub t_ns: u64,
    /// Its end (exclusive).
    pub t_end_ns: u64,
    /// Reads in the bucket.
    pub reads: u64,
    /// Fresh reads in the bucket.
    pub fresh: u64,
    /// `fresh / reads`.
    pub p_fresh: f64,
    /// The fraction of fresh reads among all reads with t ≥ `t_ns`.
    pub p_fresh_from_here: f64,
}

/// One process's session-guarantee violations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessSessions {
    /// The process.
    pub process: u64,
    /// Reads older than an earlier read of the same key by this process.
    pub monotonic_read_violations: u64,
    /// Reads older than this process's own acknowledged write.
    pub read_your_writes_violations: u64,
}

/// Which session guarantee a read broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionGuarantee {
    /// Monotonic reads.
    MonotonicReads,
    /// Read your writes.
    ReadYourWrites,
}

/// One session-guarantee violation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionViolation {
    /// Which guarantee.
    pub guarantee: SessionGuarantee,
    /// The process.
    pub process: u64,
    /// The key.
    pub key: String,
    /// History index of the offending read's invoke.
    pub read_index: u64,
    /// What it returned.
    pub value: Value,
    /// History index of the earlier read (monotonic reads) or the
    /// process's write (read your writes) it fell behind.
    pub earlier_index: u64,
    /// One line for people.
    pub summary: String,
}

/// One read's staleness.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadStaleness {
    /// The key.
    pub key: String,
    /// The process.
    pub process: Option<u64>,
    /// History index of the read's invoke.
    pub invoke_index: u64,
    /// History index of its completion.
    pub completion_index: u64,
    /// What it returned.
    pub value: Value,
    /// k-staleness.
    pub k: u64,
    /// t-staleness (k ≥ 1 only).
    pub t_ns: Option<u64>,
}

/// Measures `history`. See the module docs.
pub fn check_staleness(history: &History) -> StalenessReport {
    from_keys(&accesses::collect(history))
}

/// Measures the collected accesses.
pub(crate) fn from_keys(keys: &accesses::Keys<'_>) -> StalenessReport {
    measure(keys).report()
}

/// Every read's staleness, in key order then history order (unexplained
/// reads left out): the data behind the report's aggregates.
pub fn read_staleness(history: &History) -> Vec<ReadStaleness> {
    measure(&accesses::collect(history)).reads
}

fn measure(keys: &accesses::Keys<'_>) -> Measure {
    let mut m = Measure::default();
    for (name, key) in keys {
        match key.kind {
            KeyKind::Register => m.register(name, key),
            KeyKind::List => m.list(name, key),
            KeyKind::Counter => {}
        }
    }
    m
}

#[derive(Default)]
struct Measure {
    reads: Vec<ReadStaleness>,
    unexplained: u64,
    /// (t since the newest commit, fresh) per read.
    samples: Vec<(u64, bool)>,
    sessions: BTreeMap<u64, ProcessSessions>,
    examples: Vec<SessionViolation>,
}

/// A binary indexed tree of counts (Fenwick), for "how many of the
/// inserted writes were invoked after X".
struct Fenwick(Vec<u64>);

impl Fenwick {
    fn new(n: usize) -> Self {
        Fenwick(vec![0; n + 1])
    }

    fn add(&mut self, i: usize) {
        let mut i = i + 1;
        while i < self.0.len() {
            self.0[i] += 1;
            i += i & i.wrapping_neg();
        }
    }

    /// How many inserted positions are `< n`.
    fn prefix(&self, n: usize) -> u64 {
        let mut i = n;
        let mut sum = 0;
        while i > 0 {
            sum += self.0[i];
            i -= i & i.wrapping_neg();
        }
        sum
    }
}

impl Measure {
    fn register(&mut self, name: &str, key: &Key) {
        // Acknowledged writes by completion; their invokes ranked.
        let mut acked: Vec<&Write> = key.writes.iter().filter(|w| w.acked).collect();
        acked.sort_by_key(|w| w.complete);
        let mut invokes: Vec<i64> = acked.iter().map(|w| w.invoke).collect();
        invokes.sort_unstable();
        let rank = |x: i64| invokes.partition_point(|&i| i <= x);
        let mut by_value: BTreeMap<&Value, Vec<&Write>> = BTreeMap::new();
        for w in &key.writes {
            by_value.entry(&w.value).or_default().push(w);
        }
        let mut tree = Fenwick::new(acked.len());
        let mut inserted = 0usize;
        // Per process: (floor of earlier reads' sources, own last write).
        let mut floors: BTreeMap<u64, (i64, Option<u64>)> = BTreeMap::new();
        let mut own: BTreeMap<u64, (i64, u64)> = BTreeMap::new();
        let mut own_writes: Vec<&Write> = key.writes.iter().filter(|w| w.acked).collect();
        own_writes.sort_by_key(|w| w.complete);
        let mut own_next = 0usize;

        for r in &key.reads {
            while inserted < acked.len() && acked[inserted].complete < r.invoke {
                tree.add(rank(acked[inserted].invoke) - 1);
                inserted += 1;
            }
            while own_next < own_writes.len() && own_writes[own_next].complete < r.invoke {
                let w = own_writes[own_next];
                if let Some(p) = w.process {
                    own.insert(p, (w.invoke, w.invoke.max(0) as u64));
                }
                own_next += 1;
            }
            // Candidate sources: (invoke, complete) of writes of the value
            // invoked before the read completed, and the initial nil.
            let mut sources: Vec<(i64, i64)> = by_value
                .get(&r.value)
                .map(|ws| {
                    ws.iter()
                        .filter(|w| w.invoke < r.complete)
                        .map(|w| (w.invoke, w.complete))
                        .collect()
                })
                .unwrap_or_default();
            if r.value == Value::Nil {
                sources.push((INITIAL, INITIAL));
            }
            if sources.is_empty() {
                self.unexplained += 1;
                continue;
            }
            let newer_than = |x: i64| inserted as u64 - tree.prefix(rank(x));
            let (k, x) = sources
                .iter()
                .map(|&(inv, comp)| (newer_than(comp), std::cmp::Reverse(inv), comp))
                .min()
                .map(|(k, _, comp)| (k, comp))
                .expect("at least one source");
            let t_ns = (k > 0)
                .then(|| {
                    // The first newer write to complete.
                    let start = acked[..inserted].partition_point(|w| w.complete <= x);
                    acked[start..inserted]
                        .iter()
                        .find(|w| w.invoke > x)
                        .map(|w| r.invoke_time.saturating_sub(w.complete_time))
                })
                .flatten();
            if inserted > 0 {
                let latest = acked[inserted - 1];
                let fresh = x >= latest.invoke;
                self.samples
                    .push((r.invoke_time.saturating_sub(latest.complete_time), fresh));
            }
            self.push_read(name, r, k, t_ns);

            // Session guarantees, for a process's successive reads.
            let lo = sources.iter().map(|s| s.0).min().unwrap_or(INITIAL);
            let hi = sources.iter().map(|s| s.1).max().unwrap_or(INITIAL);
            if let Some(p) = r.process {
                let floor = floors.entry(p).or_insert((i64::MIN, None));
                if let Some(earlier) = floor.1
                    && hi < floor.0
                {
                    self.violation(
                        SessionGuarantee::MonotonicReads,
                        p,
                        name,
                        r,
                        earlier,
                        "an earlier read by the same process returned a newer value",
                    );
                }
                if lo > floor.0 {
                    *floor = (lo, Some(r.invoke as u64));
                }
                if let Some(&(w_invoke, w_index)) = own.get(&p)
                    && hi < w_invoke
                {
                    self.violation(
                        SessionGuarantee::ReadYourWrites,
                        p,
                        name,
                        r,
                        w_index,
                        "the process's own acknowledged write was newer",
                    );
                }
            }
        }
    }

    fn list(&mut self, name: &str, key: &Key) {
        let appends: Vec<&Write> = key.writes.iter().filter(|w| !w.reset).collect();
        let resets: Vec<&Write> = key.writes.iter().filter(|w| w.reset).collect();
        let mut acked: Vec<&Write> = appends.iter().copied().filter(|w| w.acked).collect();
        acked.sort_by_key(|w| w.complete);
        let mut seen_by: BTreeMap<u64, BTreeMap<Value, u64>> = BTreeMap::new();
        for r in &key.reads {
            let done = acked.partition_point(|w| w.complete < r.invoke);
            // An append a reset may have followed is not owed to the read.
            let owed = |a: &Write| {
                !resets
                    .iter()
                    .any(|z| z.invoke < r.complete && z.complete > a.invoke)
            };
            let list_items: Option<HashSet<&Value>> = match &r.value {
                Value::List(items) => Some(items.iter().collect()),
                _ => None,
            };
            let has = |e: &Value| match &list_items {
                Some(set) => set.contains(e),
                None => contains(&r.value, e),
            };
            let mut k = 0u64;
            let mut first_missing: Option<u64> = None;
            let mut latest: Option<(&Write, bool)> = None;
            for a in acked[..done].iter().copied().filter(|a| owed(a)) {
                let present = has(&a.value);
                if !present {
                    k += 1;
                    first_missing.get_or_insert(a.complete_time);
                }
                latest = Some((a, present));
            }
            if let Some((w, fresh)) = latest {
                self.samples
                    .push((r.invoke_time.saturating_sub(w.complete_time), fresh));
            }
            let t_ns = first_missing.map(|t| r.invoke_time.saturating_sub(t));
            self.push_read(name, r, k, t_ns);

            let Some(p) = r.process else { continue };
            if resets.is_empty() {
                let seen = seen_by.entry(p).or_default();
                if let Some((_, &earlier)) = seen.iter().find(|(e, _)| !has(e)) {
                    self.violation(
                        SessionGuarantee::MonotonicReads,
                        p,
                        name,
                        r,
                        earlier,
                        "it lacks an element an earlier read by the same process showed",
                    );
                }
                let elements: Vec<Value> = match &r.value {
                    Value::List(items) => items.clone(),
                    _ => appends
                        .iter()
                        .filter(|a| has(&a.value))
                        .map(|a| a.value.clone())
                        .collect(),
                };
                for e in elements {
                    seen.entry(e).or_insert(r.invoke as u64);
                }
            }
            if let Some(mine) = acked[..done]
                .iter()
                .find(|a| a.process == Some(p) && owed(a) && !has(&a.value))
            {
                self.violation(
                    SessionGuarantee::ReadYourWrites,
                    p,
                    name,
                    r,
                    mine.invoke as u64,
                    "it lacks an element the same process appended",
                );
            }
        }
    }

    fn push_read(&mut self, name: &str, r: &Read, k: u64, t_ns: Option<u64>) {
        self.reads.push(ReadStaleness {
            key: name.to_string(),
            process: r.process,
            invoke_index: r.invoke as u64,
            completion_index: r.complete as u64,
            value: r.value.clone(),
            k,
            t_ns,
        });
    }

    fn violation(
        &mut self,
        guarantee: SessionGuarantee,
        process: u64,
        key: &str,
        r: &Read,
        earlier: u64,
        why: &str,
    ) {
        let entry = self.sessions.entry(process).or_insert(ProcessSessions {
            process,
            monotonic_read_violations: 0,
            read_your_writes_violations: 0,
        });
        match guarantee {
            SessionGuarantee::MonotonicReads => entry.monotonic_read_violations += 1,
            SessionGuarantee::ReadYourWrites => entry.read_your_writes_violations += 1,
        }
        self.examples.push(SessionViolation {
            guarantee,
            process,
            key: key.to_string(),
            read_index: r.invoke as u64,
            value: r.value.clone(),
            earlier_index: earlier,
            summary: format!(
                "process {process} read {key:?} at history index {} and got {}, but {why} (history index {earlier})",
                r.invoke, r.value
            ),
        });
    }

    fn report(mut self) -> StalenessReport {
        let mut histogram: BTreeMap<u64, u64> = BTreeMap::new();
        let mut ts: Vec<u64> = Vec::new();
        for r in &self.reads {
            *histogram.entry(r.k).or_default() += 1;
            if let Some(t) = r.t_ns {
                ts.push(t);
            }
        }
        let stale = self.reads.iter().filter(|r| r.k > 0).count() as u64;
        self.examples.sort_by_key(|v| {
            (
                v.read_index,
                v.guarantee == SessionGuarantee::ReadYourWrites,
            )
        });
        let monotonic = self
            .sessions
            .values()
            .map(|s| s.monotonic_read_violations)
            .sum();
        let ryw = self
            .sessions
            .values()
            .map(|s| s.read_your_writes_violations)
            .sum();
        let mut stalest: Vec<&ReadStaleness> = self.reads.iter().filter(|r| r.k > 0).collect();
        stalest.sort_by_key(|r| (std::cmp::Reverse(r.k), r.invoke_index, r.key.clone()));
        StalenessReport {
            reads: self.reads.len() as u64,
            fresh: self.reads.len() as u64 - stale,
            stale,
            unexplained: self.unexplained,
            max_k: histogram.keys().next_back().copied().unwrap_or(0),
            k_histogram: histogram
                .into_iter()
                .map(|(k, reads)| KBucket { k, reads })
                .collect(),
            t_staleness_ns: quantiles(&mut ts),
            visibility: visibility(&mut self.samples),
            sessions: self.sessions.into_values().collect(),
            monotonic_read_violations: monotonic,
            read_your_writes_violations: ryw,
            session_examples: self.examples.into_iter().take(MAX_LISTED).collect(),
            stalest_reads: stalest.into_iter().take(MAX_LISTED).cloned().collect(),
        }
    }
}

fn quantiles(values: &mut [u64]) -> Option<Quantiles> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let at =
        |q: f64| values[((q * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1];
    Some(Quantiles {
        count: values.len() as u64,
        p50: at(0.5),
        p90: at(0.9),
        p99: at(0.99),
        max: values[values.len() - 1],
    })
}

/// Bucket boundaries: 0, then 1-2-5 steps from 1 µs until past `max`.
fn boundaries(max: u64) -> Vec<u64> {
    let mut b = vec![0u64];
    let mut decade = 1_000u64;
    loop {
        for step in [1, 2, 5] {
            let edge = decade.saturating_mul(step);
            b.push(edge);
            if edge > max {
                return b;
            }
        }
        decade = decade.saturating_mul(10);
    }
}

fn visibility(samples: &mut [(u64, bool)]) -> VisibilityCurve {
    if samples.is_empty() {
        return VisibilityCurve::default();
    }
    samples.sort_unstable();
    let n = samples.len();
    // suffix_fresh[i]: fresh reads among samples[i..].
    let mut suffix_fresh = vec![0u64; n + 1];
    for i in (0..n).rev() {
        suffix_fresh[i] = suffix_fresh[i + 1] + u64::from(samples[i].1);
    }
    let reached = |q: f64| {
        (0..n)
            .find(|&i| {
                (i == 0 || samples[i].0 != samples[i - 1].0)
                    && suffix_fresh[i] as f64 >= q * (n - i) as f64
            })
            .map(|i| samples[i].0)
    };
    let edges = boundaries(samples[n - 1].0);
    let mut points = Vec::new();
    let mut i = 0;
    for w in edges.windows(2) {
        let (lo, hi) = (w[0], w[1]);
        let start = i;
        while i < n && samples[i].0 < hi {
            i += 1;
        }
        if i > start {
            let fresh = suffix_fresh[start] - suffix_fresh[i];
            let reads = (i - start) as u64;
            points.push(VisibilityPoint {
                t_ns: lo,
                t_end_ns: hi,
                reads,
                fresh,
                p_fresh: fresh as f64 / reads as f64,
                p_fresh_from_here: suffix_fresh[start] as f64 / (n - start) as f64,
            });
        }
    }
    VisibilityCurve {
        samples: n as u64,
        points,
        t99_ns: reached(0.99),
        t999_ns: reached(0.999),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Event, EventType};

    /// (time ms, process, type, f, key, value).
    type Step<'a> = (u64, u64, EventType, &'a str, &'a str, Option<Value>);

    fn history(events: &[Step<'_>]) -> History {
        let mut h = History::new();
        for (t, p, ty, f, key, v) in events {
            let mut e = Event::new(t * 1_000_000, *ty, *f);
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

    use EventType::{Invoke as I, Ok as O};

    #[test]
    fn a_read_behind_two_completed_writes_has_k_2_and_t_from_the_first() {
        let h = history(&[
            (0, 1, I, "set", "k", s("a")),
            (1, 1, O, "set", "k", s("OK")),
            (2, 1, I, "set", "k", s("b")),
            (3, 1, O, "set", "k", s("OK")),
            (4, 1, I, "set", "k", s("c")),
            (5, 1, O, "set", "k", s("OK")),
            (10, 2, I, "get", "k", None),
            (11, 2, O, "get", "k", s("a")),
            (12, 2, I, "get", "k", None),
            (13, 2, O, "get", "k", s("c")),
        ]);
        let r = check_staleness(&h);
        assert_eq!(r.reads, 2);
        assert_eq!(r.stale, 1);
        assert_eq!(
            r.k_histogram,
            vec![KBucket { k: 0, reads: 1 }, KBucket { k: 2, reads: 1 }]
        );
        let stale = &r.stalest_reads[0];
        assert_eq!(stale.k, 2);
        assert_eq!(
            stale.t_ns,
            Some(7_000_000),
            "from b's completion at 3 ms to 10 ms"
        );
        // The newest commit before each read is c (5 ms): one stale sample
        // at 5 ms, one fresh at 7 ms.
        assert_eq!(r.visibility.samples, 2);
        assert_eq!(r.visibility.t99_ns, Some(7_000_000));
    }

    #[test]
    fn going_back_in_time_breaks_monotonic_reads_and_read_your_writes() {
        let h = history(&[
            (0, 1, I, "set", "k", s("a")),
            (1, 1, O, "set", "k", s("OK")),
            (2, 1, I, "set", "k", s("b")),
            (3, 1, O, "set", "k", s("OK")),
            (4, 2, I, "get", "k", None),
            (5, 2, O, "get", "k", s("b")),
            (6, 2, I, "get", "k", None),
            (7, 2, O, "get", "k", s("a")),
            (8, 1, I, "get", "k", None),
            (9, 1, O, "get", "k", s("a")),
        ]);
        let r = check_staleness(&h);
        assert_eq!(r.monotonic_read_violations, 1);
        assert_eq!(r.read_your_writes_violations, 1);
        assert_eq!(r.sessions.len(), 2);
        assert_eq!(
            r.session_examples[0].guarantee,
            SessionGuarantee::MonotonicReads
        );
        assert_eq!(r.session_examples[0].process, 2);
        assert_eq!(
            r.session_examples[1].guarantee,
            SessionGuarantee::ReadYourWrites
        );
    }

    #[test]
    fn concurrent_writes_make_no_read_stale() {
        // b overlaps a: a read of a after both is not certainly stale.
        let h = history(&[
            (0, 1, I, "set", "k", s("a")),
            (1, 2, I, "set", "k", s("b")),
            (2, 1, O, "set", "k", s("OK")),
            (3, 2, O, "set", "k", s("OK")),
            (4, 3, I, "get", "k", None),
            (5, 3, O, "get", "k", s("a")),
        ]);
        let r = check_staleness(&h);
        assert_eq!((r.reads, r.stale), (1, 0));
    }

    #[test]
    fn list_reads_missing_appended_elements_are_stale() {
        let list = |xs: &[&str]| {
            Some(Value::List(
                xs.iter().map(|x| Value::Str((*x).into())).collect(),
            ))
        };
        let h = history(&[
            (0, 1, I, "rpush", "l", s("x")),
            (1, 1, O, "rpush", "l", Some(Value::Int(1))),
            (2, 1, I, "rpush", "l", s("y")),
            (3, 1, O, "rpush", "l", Some(Value::Int(2))),
            (4, 2, I, "lrange", "l", None),
            (5, 2, O, "lrange", "l", list(&["x", "y"])),
            (6, 2, I, "lrange", "l", None),
            (7, 2, O, "lrange", "l", list(&["x"])),
            (8, 1, I, "lrange", "l", None),
            (9, 1, O, "lrange", "l", list(&["x"])),
        ]);
        let r = check_staleness(&h);
        assert_eq!(r.reads, 3);
        assert_eq!(r.stale, 2);
        assert_eq!(r.monotonic_read_violations, 1);
        assert_eq!(r.read_your_writes_violations, 1);
    }

    #[test]
    fn a_never_written_value_is_unexplained() {
        let h = history(&[(0, 1, I, "get", "k", None), (1, 1, O, "get", "k", s("zzz"))]);
        let r = check_staleness(&h);
        assert_eq!((r.reads, r.unexplained), (0, 1));
    }

    #[test]
    fn quantiles_are_nearest_rank() {
        let mut v: Vec<u64> = (1..=100).collect();
        let q = quantiles(&mut v).unwrap();
        assert_eq!((q.p50, q.p90, q.p99, q.max), (50, 90, 99, 100));
        assert_eq!(boundaries(1_500), vec![0, 1_000, 2_000]);
    }
}
