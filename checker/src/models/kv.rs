//! A string key-value store with `get`, `put` and `append`
//! (`--model kv`), after Porcupine's kv model: each key is an independent
//! partition holding a string, `""` when missing; `get` returns it, `put v`
//! replaces it, `append v` concatenates `v` onto it.
//!
//! States are `Arc<str>`, so a state is shared by every configuration that
//! reaches it through the same step, and counted by length against the
//! memory budget.

use std::sync::Arc;

use crate::history::Value;
use crate::linearizability::{Call, Model, Outcome, Prepared};

/// A kv operation on one key, with its observed output.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KvOp {
    /// `get` returned this string.
    Get(Arc<str>),
    /// `put` this string.
    Put(Arc<str>),
    /// `append` this string.
    Append(Arc<str>),
}

/// The kv model. See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct KvModel;

/// A value as the string a kv store holds: nil is the empty string.
fn text(v: &Value) -> Arc<str> {
    match v {
        Value::Nil => Arc::from(""),
        Value::Str(s) => Arc::from(s.as_str()),
        other => Arc::from(other.to_string()),
    }
}

impl Model for KvModel {
    type Op = KvOp;
    type State = Arc<str>;

    fn name(&self) -> &'static str {
        "kv"
    }

    fn prepare(&self, call: &Call<'_>) -> Result<Prepared<KvOp>, String> {
        let f = call.f;
        if f.eq_ignore_ascii_case("get") {
            return Ok(match call.outcome {
                Outcome::Ok(v) => Prepared::Check(KvOp::Get(text(v))),
                _ => Prepared::Skip,
            });
        }
        let write: fn(Arc<str>) -> KvOp = if f.eq_ignore_ascii_case("put") {
            KvOp::Put
        } else if f.eq_ignore_ascii_case("append") {
            KvOp::Append
        } else {
            return Err("a kv store knows only get, put and append".to_string());
        };
        if let Outcome::Fail(_) = call.outcome {
            return Ok(Prepared::Skip);
        }
        let arg = call
            .argument()
            .ok_or_else(|| format!("{f} needs a value"))?;
        Ok(Prepared::Check(write(text(arg))))
    }

    fn init(&self) -> Arc<str> {
        Arc::from("")
    }

    fn step(&self, state: &Arc<str>, op: &KvOp) -> Option<Arc<str>> {
        match op {
            KvOp::Get(v) => (state == v).then(|| state.clone()),
            KvOp::Put(v) => Some(v.clone()),
            KvOp::Append(v) => {
                let mut s = String::with_capacity(state.len() + v.len());
                s.push_str(state);
                s.push_str(v);
                Some(Arc::from(s))
            }
        }
    }

    fn read_only(&self, op: &KvOp) -> bool {
        matches!(op, KvOp::Get(_))
    }

    fn describe_op(&self, op: &KvOp) -> String {
        match op {
            KvOp::Get(v) => format!("get() -> {v:?}"),
            KvOp::Put(v) => format!("put({v:?})"),
            KvOp::Append(v) => format!("append({v:?})"),
        }
    }

    fn describe_state(&self, state: &Arc<str>) -> String {
        format!("{state:?}")
    }

    fn why_not(&self, state: &Arc<str>, op: &KvOp) -> String {
        match op {
            KvOp::Get(v) => format!("it read {v:?}, but the key holds {state:?}"),
            _ => "a write is always possible".to_string(),
        }
    }

    fn state_heap_bytes(&self, state: &Arc<str>) -> usize {
        state.len() + 16
    }
}
