//! Counterexamples: what a person needs to see why a partition is not
//! linearizable, computed from the furthest point the search reached.
//!
//! Porcupine's verbose mode keeps every partial linearisation to draw them
//! all, and runs out of memory on big histories. Here the search keeps one
//! snapshot (the furthest point, replaced when a further one is reached), so
//! a counterexample costs one re-run of the search and memory proportional
//! to the partition, whatever the history's size.

use serde::{Deserialize, Serialize};

use super::Recorded;
use super::model::Model;
use super::model::Outcome;
use super::search::{PartOp, Stuck};

/// How many operations of the partial linearisation a counterexample keeps
/// (the last ones, nearest the failure).
pub const MAX_LINEARIZED: usize = 200;
/// How many unplaceable operations a counterexample lists.
pub const MAX_ATTEMPTS: usize = 20;

/// How an operation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpStatus {
    /// Completed and took effect.
    Ok,
    /// Completed without taking effect (kept only when the model reads an
    /// observation into it, as etcd's failed compare-and-set).
    Fail,
    /// Indeterminate: may have taken effect, or not.
    Info,
}

/// One operation of the history, as a counterexample names it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpRef {
    /// The process that ran it.
    pub process: Option<u64>,
    /// The operation's name, as recorded.
    pub f: String,
    /// Its key.
    pub key: Option<String>,
    /// History index of its invoke.
    pub invoke_index: u64,
    /// History index of its completion (`null`: it never completed).
    pub completion_index: Option<u64>,
    /// How it ended.
    pub status: OpStatus,
    /// The model's words for it: `read() -> 3`, `cas(1, 2) -> fail`.
    pub description: String,
}

/// One step of the partial linearisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearizedOp {
    /// The operation placed.
    pub op: OpRef,
    /// The model state after it.
    pub state_after: String,
}

/// An operation that was in flight where the search got stuck, and why it
/// could not be placed next.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// The operation.
    pub op: OpRef,
    /// Whether the model allows it in the stuck state. If it does, every
    /// way of continuing after it failed further on.
    pub possible_here: bool,
    /// Why not, in words.
    pub reason: String,
}

/// Why one partition is not linearizable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Counterexample {
    /// The longest partial linearisation the search found (the furthest in
    /// real time, then the longest there), in order: its last
    /// 200 operations.
    pub linearized: Vec<LinearizedOp>,
    /// Earlier operations of the partial linearisation left out of
    /// `linearized`.
    pub linearized_omitted: u64,
    /// The operation whose completion came before it could take effect:
    /// where every order the search tried broke.
    pub stuck: OpRef,
    /// The model state at the end of the partial linearisation.
    pub state: String,
    /// The operations still in flight there that could not be placed next
    /// (the stuck one first), at most 20.
    pub could_not_place: Vec<Attempt>,
    /// In-flight operations left out of `could_not_place`.
    pub could_not_place_omitted: u64,
    /// One paragraph in plain words.
    pub explanation: String,
}

/// Builds the counterexample for a failed partition.
pub(crate) fn build<M: Model>(
    model: &M,
    ops: &[PartOp<M::Op>],
    recorded: &[Recorded<'_>],
    sources: &[u32],
    stuck: &Stuck<M::State>,
) -> Counterexample {
    let op_ref = |i: u32| {
        op_ref(
            model,
            &ops[i as usize].op,
            &recorded[sources[i as usize] as usize],
        )
    };
    let skip = stuck.linearized.len().saturating_sub(MAX_LINEARIZED);
    let linearized: Vec<LinearizedOp> = stuck.linearized[skip..]
        .iter()
        .map(|(i, after)| LinearizedOp {
            op: op_ref(*i),
            state_after: model.describe_state(after),
        })
        .collect();

    // In flight at the stuck point: invoked before the stuck operation's
    // completion and not yet placed. The stuck operation comes first, then
    // the determinate ones by completion, then the indeterminate ones.
    let deadline = ops[stuck.op as usize].complete.unwrap_or(u64::MAX);
    let mut pending: Vec<u32> = (0..ops.len() as u32)
        .filter(|&i| {
            i != stuck.op && !stuck.placed[i as usize] && ops[i as usize].invoke < deadline
        })
        .collect();
    pending.sort_by_key(|&i| {
        let o = &ops[i as usize];
        (o.complete.is_none(), o.complete, o.invoke)
    });
    pending.insert(0, stuck.op);
    let omitted = pending.len().saturating_sub(MAX_ATTEMPTS) as u64;
    let attempts: Vec<Attempt> = pending
        .iter()
        .take(MAX_ATTEMPTS)
        .map(|&i| {
            let op = &ops[i as usize].op;
            let possible = model.step(&stuck.state, op).is_some();
            Attempt {
                op: op_ref(i),
                possible_here: possible,
                reason: if possible {
                    "possible here, but every way of continuing after it fails later".to_string()
                } else {
                    model.why_not(&stuck.state, op)
                },
            }
        })
        .collect();

    let state = model.describe_state(&stuck.state);
    let explanation = explain(model, ops.len(), stuck, &linearized, &attempts, &state);
    Counterexample {
        linearized,
        linearized_omitted: skip as u64,
        stuck: attempts[0].op.clone(),
        state,
        could_not_place: attempts,
        could_not_place_omitted: omitted,
        explanation,
    }
}

fn op_ref<M: Model>(model: &M, op: &M::Op, source: &Recorded<'_>) -> OpRef {
    let status = match source.call.outcome {
        Outcome::Ok(_) => OpStatus::Ok,
        Outcome::Fail(_) => OpStatus::Fail,
        Outcome::Info => OpStatus::Info,
    };
    OpRef {
        process: source.call.process,
        f: source.call.f.to_string(),
        key: source.call.key.map(str::to_string),
        invoke_index: source.invoke,
        completion_index: source.complete,
        status,
        description: model.describe_op(op),
    }
}

fn who(op: &OpRef) -> String {
    match op.process {
        Some(p) => format!("`{}` by process {p}", op.description),
        None => format!("`{}`", op.description),
    }
}

fn explain<M: Model>(
    model: &M,
    total: usize,
    stuck: &Stuck<M::State>,
    linearized: &[LinearizedOp],
    attempts: &[Attempt],
    state: &str,
) -> String {
    let placed = stuck.linearized.len();
    let mut text = format!(
        "No order of these {total} operations is consistent with the {} model while respecting real time. ",
        model.name()
    );
    match linearized.last() {
        Some(last) => text.push_str(&format!(
            "The longest consistent prefix found places {placed} of them, ending with {}, and leaves the state at {state}. ",
            who(&last.op)
        )),
        None => text.push_str(&format!(
            "Not even the first operation can be placed: the state is the initial {state}. "
        )),
    }
    let first = &attempts[0];
    let span = match first.op.completion_index {
        Some(c) => format!("history indices {} to {c}", first.op.invoke_index),
        None => format!("invoked at history index {}", first.op.invoke_index),
    };
    if first.possible_here {
        text.push_str(&format!(
            "Next, {} ({span}) had to take effect before it completed; it could, but no way of continuing after it works. ",
            who(&first.op)
        ));
    } else {
        text.push_str(&format!(
            "Next, {} ({span}) had to take effect before it completed, and cannot: {}. ",
            who(&first.op),
            first.reason
        ));
    }
    let others = &attempts[1..];
    if others.is_empty() {
        text.push_str("No other operation was in flight that could have been placed first.");
    } else {
        let named: Vec<String> = others.iter().take(3).map(|a| who(&a.op)).collect();
        let more = others.len().saturating_sub(3);
        let list = if more > 0 {
            format!("{} and {more} more", named.join(", "))
        } else {
            named.join(", ")
        };
        let possible = others.iter().filter(|a| a.possible_here).count();
        text.push_str(&format!(
            "Placing one of the {} other operations in flight first ({list}) does not help: ",
            others.len()
        ));
        if possible == 0 {
            text.push_str("none of them is possible in that state either.");
        } else {
            text.push_str(&format!(
                "{possible} of them are possible there, but every continuation after them fails later."
            ));
        }
    }
    text
}
