//! Linearizability: is there one order of the operations, consistent with
//! real time, that a sequential [`Model`] accepts?
//!
//! - [`model`]: the [`Model`] trait users implement for their own types.
//! - `search`: the WGL search for one partition (memo, prunings).
//! - `memo`: the explored-configurations table.
//! - `counterexample`: turns a failed search into [`Counterexample`]s people
//!   can read.
//!
//! [`check_linearizability`] splits the history into independent partitions
//! ([`Model::partition`], per key by default: P-compositionality), searches
//! them in parallel on `std::thread::scope` threads, and assembles the
//! results in partition order, so the report does not depend on thread
//! timing. The deterministic budget (memo bytes per partition) decides
//! `unknown` the same way on every run; the optional wall-clock deadline
//! does not, and exists for people checking files by hand.

mod counterexample;
mod memo;
pub mod model;
mod search;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub use counterexample::{
    Attempt, Counterexample, LinearizedOp, MAX_ATTEMPTS, MAX_LINEARIZED, OpRef, OpStatus,
};
pub use model::{Call, Model, Outcome, Prepared};

pub(crate) use memo::mix as mix64;

use crate::history::{EventType, History, Operation, Value};
use crate::verdict::Verdict;
use search::{Found, GaveUp, Limits, PartOp};

/// How much a linearizability check may spend before answering `unknown`.
///
/// Partitions are searched with escalating memo budgets: 16 MiB each first,
/// then 4 times more for those that ran out, up to
/// `max_memo_bytes_per_partition`. Once some partition is found not
/// linearizable the history is invalid, and the escalation stops: the
/// others stay undecided (and say why) instead of costing seconds that
/// cannot change the verdict. All of it is deterministic.
#[derive(Clone, Debug, PartialEq)]
pub struct Budget {
    /// The most memory one partition's memo may hold, in bytes, by a fixed
    /// formula (bitset, state and index bytes per explored configuration).
    /// Deterministic: the same history gives the same verdict on every run
    /// and any number of threads.
    pub max_memo_bytes_per_partition: u64,
    /// Give up after this much wall-clock time, counted from the start of
    /// the check. Not deterministic; `None` for simulator runs.
    pub time_limit: Option<Duration>,
    /// Threads to search partitions on; `None` uses every core.
    pub threads: Option<usize>,
}

/// The default memo budget per partition: 256 MiB. Two partitions searched
/// at once on a 2-core machine stay well under 1 GiB.
pub const DEFAULT_MAX_MEMO_BYTES: u64 = 256 << 20;

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_memo_bytes_per_partition: DEFAULT_MAX_MEMO_BYTES,
            time_limit: None,
            threads: None,
        }
    }
}

/// The budget a check ran with, as recorded in the report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BudgetReport {
    /// [`Budget::max_memo_bytes_per_partition`].
    pub max_memo_bytes_per_partition: u64,
    /// [`Budget::time_limit`] in milliseconds, or `null`.
    pub time_limit_ms: Option<u64>,
}

/// The linearizability checker's findings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearizabilityReport {
    /// `invalid` if any partition is not linearizable; else `unknown` if
    /// any could not be decided (budget, unknown operations, no model);
    /// else `valid`.
    pub verdict: Verdict,
    /// Whether this verdict counts toward the run's: false when the
    /// system only promises eventual consistency (see
    /// [`crate::report::Consistency`]).
    pub judged: bool,
    /// The model checked against (`redis`, `cas-register`, ...), or
    /// `none` when no model applied.
    pub model: String,
    /// Operations the search considered, over all partitions.
    pub operations: u64,
    /// Operations left out because they constrain nothing (an `echo`, a
    /// failed write, a timed-out read).
    pub skipped: u64,
    /// Independent partitions (keys, for most models).
    pub partitions: u64,
    /// Partitions found linearizable.
    pub valid_partitions: u64,
    /// Partitions found not linearizable.
    pub invalid_partitions: u64,
    /// Partitions left undecided.
    pub unknown_partitions: u64,
    /// Configurations explored (memo entries), summed over partitions: the
    /// work the search did.
    pub explored_states: u64,
    /// One entry per non-linearizable partition, in partition order, at
    /// most [`MAX_FAILURES`]; each with its counterexample.
    pub failures: Vec<PartitionFailure>,
    /// Non-linearizable partitions left out of `failures`.
    pub failures_omitted: u64,
    /// One entry per undecided partition (at most [`MAX_FAILURES`]).
    pub unknowns: Vec<PartitionUnknown>,
    /// Why the whole check could not run, when it could not (no model fits
    /// the operations).
    pub note: Option<String>,
    /// The budget the check ran with.
    pub budget: BudgetReport,
}

/// How many failing (or undecided) partitions a report details.
pub const MAX_FAILURES: usize = 20;

impl Default for LinearizabilityReport {
    fn default() -> Self {
        LinearizabilityReport {
            verdict: Verdict::Valid,
            judged: true,
            model: "none".into(),
            operations: 0,
            skipped: 0,
            partitions: 0,
            valid_partitions: 0,
            invalid_partitions: 0,
            unknown_partitions: 0,
            explored_states: 0,
            failures: Vec::new(),
            failures_omitted: 0,
            unknowns: Vec::new(),
            note: None,
            budget: BudgetReport::default(),
        }
    }
}

/// A partition no order of which the model accepts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PartitionFailure {
    /// The partition's key; `null` for a model that does not partition.
    pub key: Option<String>,
    /// Operations in the partition.
    pub operations: u64,
    /// Where and why the search got stuck.
    pub counterexample: Counterexample,
}

/// A partition the check could not decide.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PartitionUnknown {
    /// The partition's key.
    pub key: Option<String>,
    /// Operations in the partition.
    pub operations: u64,
    /// Why, in words: the memory budget, the time limit, or an operation
    /// the model does not know.
    pub reason: String,
    /// Configurations explored before giving up.
    pub explored_states: u64,
}

/// One operation as the search takes it, without a [`History`]: what
/// Porcupine calls an `Operation`. Positions order events in real time
/// (history indices, or any increasing clock with distinct values).
#[derive(Clone, Copy, Debug)]
pub struct Recorded<'a> {
    /// The operation.
    pub call: Call<'a>,
    /// Position of its invoke.
    pub invoke: u64,
    /// Position of its completion; `None` when it never completed.
    pub complete: Option<u64>,
}

impl<'a> Recorded<'a> {
    /// A history operation.
    pub fn of(op: &Operation<'a>) -> Self {
        Recorded {
            call: call_of(op),
            invoke: op.invoke.index,
            complete: op.completion.map(|c| c.index),
        }
    }
}

/// Checks `history` against `model`. See the module docs.
pub fn check_linearizability<M: Model>(
    model: &M,
    history: &History,
    budget: &Budget,
) -> LinearizabilityReport {
    let ops: Vec<Recorded<'_>> = history
        .operations()
        .iter()
        .filter(|op| op.invoke.ty == EventType::Invoke)
        .map(Recorded::of)
        .collect();
    check_recorded(model, &ops, budget)
}

/// Checks operations given directly against `model` (the same search as
/// [`check_linearizability`], for callers that hold no [`History`]).
pub fn check_recorded<M: Model>(
    model: &M,
    ops: &[Recorded<'_>],
    budget: &Budget,
) -> LinearizabilityReport {
    // The clock is read only when the caller asked for a time limit.
    let deadline = budget.time_limit.map(|t| Instant::now() + t);
    let mut skipped = 0u64;
    let mut parts: BTreeMap<Option<&str>, Part<M::Op>> = BTreeMap::new();
    for (n, recorded) in ops.iter().enumerate() {
        let call = &recorded.call;
        let key = model.partition(call);
        match model.prepare(call) {
            Ok(Prepared::Skip) => skipped += 1,
            Ok(Prepared::Check(op)) => {
                let complete = match call.outcome {
                    Outcome::Info => None,
                    _ => recorded.complete,
                };
                let part = parts.entry(key).or_default();
                part.ops.push(PartOp {
                    op,
                    invoke: recorded.invoke,
                    complete,
                });
                part.sources.push(n as u32);
            }
            Err(message) => {
                let part = parts.entry(key).or_default();
                if part.unsupported.is_none() {
                    part.unsupported = Some(format!(
                        "operation {} (history index {}): {message}",
                        call.f, recorded.invoke
                    ));
                }
            }
        }
    }
    let parts: Vec<(Option<&str>, Part<M::Op>)> = parts.into_iter().collect();
    let outcomes = run_escalating(model, ops, &parts, budget, deadline);

    let mut report = LinearizabilityReport {
        model: model.name().to_string(),
        skipped,
        partitions: parts.len() as u64,
        budget: BudgetReport {
            max_memo_bytes_per_partition: budget.max_memo_bytes_per_partition,
            time_limit_ms: budget.time_limit.map(|t| t.as_millis() as u64),
        },
        ..LinearizabilityReport::default()
    };
    for ((key, part), outcome) in parts.iter().zip(outcomes) {
        let n = part.ops.len() as u64;
        report.operations += n;
        report.explored_states += outcome.states;
        let key = key.map(str::to_string);
        match outcome.kind {
            PartOutcome::Valid => report.valid_partitions += 1,
            PartOutcome::Invalid(counterexample) => {
                report.invalid_partitions += 1;
                if report.failures.len() < MAX_FAILURES {
                    report.failures.push(PartitionFailure {
                        key,
                        operations: n,
                        counterexample: *counterexample,
                    });
                } else {
                    report.failures_omitted += 1;
                }
            }
            PartOutcome::Unknown(reason) => {
                report.unknown_partitions += 1;
                if report.unknowns.len() < MAX_FAILURES {
                    report.unknowns.push(PartitionUnknown {
                        key,
                        operations: n,
                        reason,
                        explored_states: outcome.states,
                    });
                }
            }
        }
    }
    report.verdict = if report.invalid_partitions > 0 {
        Verdict::Invalid
    } else if report.unknown_partitions > 0 {
        Verdict::Unknown
    } else {
        Verdict::Valid
    };
    report
}

/// One partition's operations, with the indices of the [`Recorded`]
/// operations they came from.
struct Part<O> {
    ops: Vec<PartOp<O>>,
    sources: Vec<u32>,
    unsupported: Option<String>,
}

impl<O> Default for Part<O> {
    fn default() -> Self {
        Part {
            ops: Vec::new(),
            sources: Vec::new(),
            unsupported: None,
        }
    }
}

enum PartOutcome {
    Valid,
    Invalid(Box<Counterexample>),
    Unknown(String),
}

struct Checked {
    kind: PartOutcome,
    states: u64,
}

/// The [`Call`] a model sees for a history operation.
pub(crate) fn call_of<'h>(op: &Operation<'h>) -> Call<'h> {
    static NIL: Value = Value::Nil;
    let outcome = match op.completion {
        Some(c) if c.ty == EventType::Ok => Outcome::Ok(c.value.as_ref().unwrap_or(&NIL)),
        Some(c) if c.ty == EventType::Fail => Outcome::Fail(c.value.as_ref()),
        _ => Outcome::Info,
    };
    Call {
        process: op.invoke.process,
        f: &op.invoke.f,
        key: op.invoke.key.as_deref(),
        input: op.invoke.value.as_ref(),
        outcome,
    }
}

/// The memo budgets the search tries in turn, each 4 times the last, up
/// to the budget's maximum.
fn levels(max: u64) -> Vec<u64> {
    let mut levels = Vec::new();
    let mut level = FIRST_LEVEL_BYTES;
    while level < max {
        levels.push(level);
        level = level.saturating_mul(4);
    }
    levels.push(max);
    levels
}

/// The first memo budget tried: 16 MiB (about 100,000 configurations of a
/// Porcupine kv key; every c50-ok key fits, so a valid history is rarely
/// searched twice).
const FIRST_LEVEL_BYTES: u64 = 16 << 20;

/// Checks every partition with escalating budgets (see [`Budget`]): all
/// undecided partitions are searched with a small memo budget, then the
/// ones that ran out with a 4 times larger one, and so on up to the
/// maximum. As soon as a level finds a partition not linearizable, the
/// history is invalid whatever the others hold, so the escalation stops
/// and the partitions still undecided say so. Every decision depends only
/// on the partitions' deterministic searches, never on thread timing.
fn run_escalating<M: Model>(
    model: &M,
    recorded: &[Recorded<'_>],
    parts: &[(Option<&str>, Part<M::Op>)],
    budget: &Budget,
    deadline: Option<Instant>,
) -> Vec<Checked> {
    let mut out: Vec<Option<Checked>> = (0..parts.len()).map(|_| None).collect();
    let mut pending: Vec<usize> = Vec::new();
    for (i, (_, part)) in parts.iter().enumerate() {
        match &part.unsupported {
            Some(reason) => {
                out[i] = Some(Checked {
                    kind: PartOutcome::Unknown(format!(
                        "the {} model cannot check {reason}",
                        model.name()
                    )),
                    states: 0,
                })
            }
            None => pending.push(i),
        }
    }
    let levels = levels(budget.max_memo_bytes_per_partition);
    let mut states = vec![0u64; parts.len()];
    for (n, &level) in levels.iter().enumerate() {
        if pending.is_empty() {
            break;
        }
        let limits = Limits {
            max_memo_bytes: level,
            deadline,
        };
        let results = run_all(model, recorded, parts, &pending, &limits, budget.threads);
        let mut still = Vec::new();
        let mut found_invalid = out.iter().any(|c| {
            matches!(
                c,
                Some(Checked {
                    kind: PartOutcome::Invalid(_),
                    ..
                })
            )
        });
        for (i, result) in pending.iter().copied().zip(results) {
            states[i] += result.states;
            match result.kind {
                LevelOutcome::Decided(kind) => {
                    found_invalid |= matches!(kind, PartOutcome::Invalid(_));
                    out[i] = Some(Checked {
                        kind,
                        states: states[i],
                    });
                }
                LevelOutcome::OutOfMemory if n + 1 < levels.len() => still.push(i),
                LevelOutcome::OutOfMemory => {
                    out[i] = Some(Checked {
                        kind: PartOutcome::Unknown(format!(
                            "the search used up its memory budget ({} of explored configurations)",
                            mib(level)
                        )),
                        states: states[i],
                    })
                }
            }
        }
        pending = still;
        if found_invalid {
            for &i in &pending {
                out[i] = Some(Checked {
                    kind: PartOutcome::Unknown(format!(
                        "undecided within {} of explored configurations; not searched further, \
                         because another partition is not linearizable, so the history is \
                         invalid whatever this one holds",
                        mib(level)
                    )),
                    states: states[i],
                });
            }
            pending.clear();
        }
    }
    out.into_iter()
        .map(|c| c.expect("every partition is decided or given up"))
        .collect()
}

fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes >> 20)
}

/// One partition's result at one budget level.
enum LevelOutcome {
    Decided(PartOutcome),
    OutOfMemory,
}

struct LevelResult {
    kind: LevelOutcome,
    states: u64,
}

/// Checks the partitions `which`, on up to `threads` threads, largest
/// first, and returns their results in the order of `which`.
fn run_all<M: Model>(
    model: &M,
    recorded: &[Recorded<'_>],
    parts: &[(Option<&str>, Part<M::Op>)],
    which: &[usize],
    limits: &Limits,
    threads: Option<usize>,
) -> Vec<LevelResult> {
    let mut order: Vec<usize> = (0..which.len()).collect();
    order.sort_by_key(|&k| std::cmp::Reverse(parts[which[k]].1.ops.len()));
    let threads = threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, which.len().max(1));
    let one = |k: usize| check_part(model, recorded, &parts[which[k]].1, limits);
    if threads == 1 {
        let mut out: Vec<Option<LevelResult>> = (0..which.len()).map(|_| None).collect();
        for &k in &order {
            out[k] = Some(one(k));
        }
        return out
            .into_iter()
            .map(|c| c.expect("every partition ran"))
            .collect();
    }
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, LevelResult)>> = Mutex::new(Vec::with_capacity(which.len()));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&k) = order.get(n) else { break };
                    let result = one(k);
                    done.lock()
                        .expect("no worker panics holding it")
                        .push((k, result));
                }
            });
        }
    });
    let mut done = done.into_inner().expect("no worker panicked");
    done.sort_by_key(|(k, _)| *k);
    done.into_iter().map(|(_, r)| r).collect()
}

fn check_part<M: Model>(
    model: &M,
    recorded: &[Recorded<'_>],
    part: &Part<M::Op>,
    limits: &Limits,
) -> LevelResult {
    let first = search::search(model, &part.ops, limits, false);
    let kind = match first.found {
        Found::Linearizable => LevelOutcome::Decided(PartOutcome::Valid),
        Found::GaveUp(GaveUp::Memory) => LevelOutcome::OutOfMemory,
        Found::GaveUp(GaveUp::Time) => LevelOutcome::Decided(PartOutcome::Unknown(
            "the search ran out of time".to_string(),
        )),
        Found::NotLinearizable(_) => {
            // Search again, recording the furthest point reached: the same
            // deterministic search, so it fails the same way.
            let tracked = search::search(model, &part.ops, limits, true);
            LevelOutcome::Decided(match tracked.found {
                Found::NotLinearizable(Some(stuck)) => PartOutcome::Invalid(Box::new(
                    counterexample::build(model, &part.ops, recorded, &part.sources, &stuck),
                )),
                Found::GaveUp(GaveUp::Time) => PartOutcome::Unknown(
                    "not linearizable, but the time ran out while recording the counterexample"
                        .to_string(),
                ),
                // Unreachable for a deterministic search; reported honestly
                // rather than asserted.
                other => PartOutcome::Unknown(format!(
                    "the search disagreed with itself on a second run ({other:?})"
                )),
            })
        }
    };
    LevelResult {
        kind,
        states: first.states,
    }
}
