//! A counter (`--model counter`): `add n` (Jepsen; `n` defaults to 1) or
//! `incr` (Redis: its `ok` value is the new count) and `read`/`get`, which
//! returns the count. Starts at 0; per key when operations carry keys.

use crate::history::Value;
use crate::linearizability::{Call, Model, Outcome, Prepared};

/// A counter operation with its observed output.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CounterOp {
    /// Added `delta`; `result` is the count it returned, when it did.
    Add {
        /// The increment.
        delta: i64,
        /// The new count the operation returned (Redis `INCR`).
        result: Option<i64>,
    },
    /// Read this count.
    Read(i64),
}

/// The counter model. See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct CounterModel;

/// An integer, or a string holding one; nil counts as 0.
pub(crate) fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Nil => Some(0),
        Value::Int(i) => Some(*i),
        Value::Str(s) => s.parse().ok(),
        Value::List(_) => None,
    }
}

impl Model for CounterModel {
    type Op = CounterOp;
    type State = i64;

    fn name(&self) -> &'static str {
        "counter"
    }

    fn prepare(&self, call: &Call<'_>) -> Result<Prepared<CounterOp>, String> {
        let f = call.f.to_ascii_lowercase();
        match f.as_str() {
            "read" | "get" => match call.outcome {
                Outcome::Ok(v) => as_int(v)
                    .map(|n| Prepared::Check(CounterOp::Read(n)))
                    .ok_or_else(|| format!("a counter read returned {v}, not a number")),
                _ => Ok(Prepared::Skip),
            },
            "add" | "incr" => {
                if let Outcome::Fail(_) = call.outcome {
                    return Ok(Prepared::Skip);
                }
                let delta = match call.input {
                    None | Some(Value::Nil) => 1,
                    Some(v) => as_int(v).ok_or_else(|| format!("{f} by {v}: not a number"))?,
                };
                let result = match (f.as_str(), call.outcome) {
                    ("incr", Outcome::Ok(v)) => as_int(v),
                    _ => None,
                };
                Ok(Prepared::Check(CounterOp::Add { delta, result }))
            }
            _ => Err("a counter knows only add, incr, read and get".to_string()),
        }
    }

    fn init(&self) -> i64 {
        0
    }

    fn step(&self, state: &i64, op: &CounterOp) -> Option<i64> {
        match op {
            CounterOp::Read(n) => (state == n).then_some(*state),
            CounterOp::Add { delta, result } => {
                let next = state.checked_add(*delta)?;
                result.is_none_or(|r| r == next).then_some(next)
            }
        }
    }

    fn read_only(&self, op: &CounterOp) -> bool {
        matches!(op, CounterOp::Read(_))
    }

    fn describe_op(&self, op: &CounterOp) -> String {
        match op {
            CounterOp::Read(n) => format!("read() -> {n}"),
            CounterOp::Add {
                delta,
                result: Some(r),
            } => format!("add({delta}) -> {r}"),
            CounterOp::Add {
                delta,
                result: None,
            } => format!("add({delta})"),
        }
    }

    fn describe_state(&self, state: &i64) -> String {
        state.to_string()
    }

    fn why_not(&self, state: &i64, op: &CounterOp) -> String {
        match op {
            CounterOp::Read(n) => format!("it read {n}, but the count is {state}"),
            CounterOp::Add { delta, result } => format!(
                "it returned {}, but the count after it would be {}",
                result.map_or("nothing".into(), |r| r.to_string()),
                state.saturating_add(*delta)
            ),
        }
    }
}
