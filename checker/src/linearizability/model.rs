//! The [`Model`] trait: a sequential specification that the linearizability
//! search checks a history against, after Porcupine's `Model` (`init`,
//! `step`, `partition`, `describe`).
//!
//! A model sees each operation of the history once, as a [`Call`], and
//! [`prepare`](Model::prepare)s it into its own compact `Op` (or leaves it
//! out). The search then only ever calls [`step`](Model::step), so models
//! should make `Op` and `State` cheap to clone, compare and hash: intern
//! strings, share big states behind an `Arc`.
//!
//! Indeterminacy is the search's business, not the model's: an operation
//! that completed `ok` (or `fail`, when the model says a failure carries an
//! observation) must take effect between its invoke and its completion; an
//! `info` operation, or one the run never completed, may take effect at any
//! time after its invoke, or never. A model only has to say what an
//! operation does and which outputs are possible; for an `info` operation it
//! must accept any output (the output is unknown).
//!
//! A model of your own, checked with the same search:
//!
//! ```
//! use anarcho_checker::linearizability::{Call, Model, Outcome, Prepared};
//! use anarcho_checker::{Budget, History, Value, Verdict, check_linearizability};
//!
//! /// A flag that can be raised once: `raise` replies whether it was down.
//! struct Flag;
//!
//! impl Model for Flag {
//!     type Op = Option<bool>; // the reply, when known
//!     type State = bool;
//!
//!     fn name(&self) -> &'static str {
//!         "flag"
//!     }
//!     fn prepare(&self, call: &Call<'_>) -> Result<Prepared<Option<bool>>, String> {
//!         match call.outcome {
//!             Outcome::Ok(Value::Str(s)) => Ok(Prepared::Check(Some(s == "raised"))),
//!             Outcome::Ok(other) => Err(format!("unexpected reply {other}")),
//!             Outcome::Info => Ok(Prepared::Check(None)),
//!             Outcome::Fail(_) => Ok(Prepared::Skip),
//!         }
//!     }
//!     fn init(&self) -> bool {
//!         false
//!     }
//!     fn step(&self, up: &bool, reply: &Option<bool>) -> Option<bool> {
//!         // Raising a raised flag replies "already"; raising it replies "raised".
//!         reply.is_none_or(|raised| raised != *up).then_some(true)
//!     }
//!     fn describe_op(&self, reply: &Option<bool>) -> String {
//!         format!("raise() -> {reply:?}")
//!     }
//!     fn describe_state(&self, up: &bool) -> String {
//!         if *up { "up" } else { "down" }.to_string()
//!     }
//! }
//!
//! // Two processes both claim to have raised it, one after the other.
//! let mut h = History::new();
//! for p in [1, 2] {
//!     let mut invoke = anarcho_checker::Event::new(0, anarcho_checker::EventType::Invoke, "raise");
//!     invoke.process = Some(p);
//!     h.push(invoke);
//!     let mut ok = anarcho_checker::Event::new(0, anarcho_checker::EventType::Ok, "raise");
//!     ok.process = Some(p);
//!     ok.value = Some(Value::Str("raised".into()));
//!     h.push(ok);
//! }
//! let report = check_linearizability(&Flag, &h, &Budget::default());
//! assert_eq!(report.verdict, Verdict::Invalid);
//! ```

use std::fmt::Debug;
use std::hash::Hash;

use crate::history::Value;

/// How an operation ended, as the model sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome<'a> {
    /// It took effect and returned this value (`Value::Nil` when the
    /// completion carried none).
    Ok(&'a Value),
    /// It certainly did not take effect (Jepsen's `:fail`). Most models
    /// leave such operations out; a model may keep one whose failure is an
    /// observation (etcd's compare-and-set that found another value).
    Fail(Option<&'a Value>),
    /// Indeterminate (Jepsen's `:info`, or no completion at all): it may
    /// have taken effect at any time after its invoke, or never.
    Info,
}

/// One operation of the history, as handed to [`Model::prepare`].
#[derive(Clone, Copy, Debug)]
pub struct Call<'a> {
    /// The process that ran it.
    pub process: Option<u64>,
    /// The operation's name (`read`, `cas`, `get`, ...), as recorded.
    pub f: &'a str,
    /// The key it touched, if any.
    pub key: Option<&'a str>,
    /// The argument recorded on the invoke.
    pub input: Option<&'a Value>,
    /// How it ended.
    pub outcome: Outcome<'a>,
}

impl<'a> Call<'a> {
    /// The argument: the invoke's value, or, when the invoke had none, the
    /// completion's (Jepsen fills some arguments in only on completion).
    pub fn argument(&self) -> Option<&'a Value> {
        match (self.input, self.outcome) {
            (Some(v), _) if *v != Value::Nil => Some(v),
            (_, Outcome::Ok(v)) if *v != Value::Nil => Some(v),
            (_, Outcome::Fail(Some(v))) if *v != Value::Nil => Some(v),
            (v, _) => v,
        }
    }

    /// True when the operation ended `info` (or never ended).
    pub fn is_info(&self) -> bool {
        matches!(self.outcome, Outcome::Info)
    }
}

/// What [`Model::prepare`] made of a [`Call`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prepared<Op> {
    /// The operation constrains nothing this model cares about (an `echo`,
    /// a read that timed out, a write that failed): leave it out.
    Skip,
    /// Check this operation.
    Check(Op),
}

/// A sequential specification. Implement it to check histories of your own
/// data type; see `crate::models` for the built-in ones.
pub trait Model: Sync {
    /// One operation, with its arguments and (for determinate operations)
    /// its observed output.
    type Op: Clone + Debug + Eq + Hash + Send + Sync;
    /// The state of the specified object (of one partition). States never
    /// leave the thread searching their partition, so they may share data
    /// through `Rc`.
    type State: Clone + Debug + Eq + Hash;

    /// The model's name, as `--model` spells it.
    fn name(&self) -> &'static str;

    /// Turns one history operation into this model's operation. An `Err`
    /// says the model does not know the operation; the partition holding it
    /// is then reported `unknown` with that message.
    fn prepare(&self, call: &Call<'_>) -> Result<Prepared<Self::Op>, String>;

    /// The independent object an operation acts on (P-compositionality):
    /// operations on different partitions are checked separately. The
    /// default is the operation's key; `None` puts everything in one
    /// partition.
    fn partition<'a>(&self, call: &Call<'a>) -> Option<&'a str> {
        call.key
    }

    /// The state before any operation.
    fn init(&self) -> Self::State;

    /// The state after `op` from `state`, or `None` when `op` (with its
    /// observed output) is impossible there.
    fn step(&self, state: &Self::State, op: &Self::Op) -> Option<Self::State>;

    /// Whether `op` is possible in `state`: `step(state, op).is_some()`,
    /// which is the default. The search asks this of every pending
    /// observation at every step; a model whose `step` clones a state can
    /// answer without the clone.
    fn possible(&self, state: &Self::State, op: &Self::Op) -> bool {
        self.step(state, op).is_some()
    }

    /// True when `op` never changes the state, whatever the state: a read,
    /// a failed compare. The search places such an operation as soon as it
    /// is possible and does not try the alternatives, which is sound only
    /// for operations that are pure observations: a write of the value the
    /// state already holds is *not* one. The default, `false`, is always
    /// safe.
    fn read_only(&self, _op: &Self::Op) -> bool {
        false
    }

    /// `read() -> 3`, `cas(1, 2) -> fail`: one operation for people.
    fn describe_op(&self, op: &Self::Op) -> String;

    /// `3`, `nil`, `"x 0 1 y"`: a state for people.
    fn describe_state(&self, state: &Self::State) -> String;

    /// Why `op` is impossible in `state`, in words. The default names both.
    fn why_not(&self, state: &Self::State, op: &Self::Op) -> String {
        format!(
            "{} cannot happen when the state is {}",
            self.describe_op(op),
            self.describe_state(state)
        )
    }

    /// Heap bytes a state owns beyond `size_of::<State>()`, counted against
    /// the memory budget. Models whose states grow (strings, lists) should
    /// say; the default is 0.
    fn state_heap_bytes(&self, _state: &Self::State) -> usize {
        0
    }
}
