//! A string key-value store with `get`, `put` and `append`
//! (`--model kv`), after Porcupine's kv model: each key is an independent
//! partition holding a string, `""` when missing; `get` returns it, `put v`
//! replaces it, `append v` concatenates `v` onto it.
//!
//! States are [`Text`]s: appends share the text before them and keep its
//! hash current, so a step costs the same however long the value grows.

use super::text::{Piece, Text};
use crate::history::Value;
use crate::linearizability::{Call, Model, Outcome, Prepared};

/// A kv operation on one key, with its observed output.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KvOp {
    /// `get` returned this string.
    Get(Piece),
    /// `put` this string.
    Put(Piece),
    /// `append` this string.
    Append(Piece),
}

/// The kv model. See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct KvModel;

/// A value as the string a kv store holds: nil is the empty string.
fn text(v: &Value) -> Piece {
    match v {
        Value::Nil => Piece::new(""),
        Value::Str(s) => Piece::new(s),
        other => Piece::new(&other.to_string()),
    }
}

impl Model for KvModel {
    type Op = KvOp;
    type State = Text;

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
        let write: fn(Piece) -> KvOp = if f.eq_ignore_ascii_case("put") {
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

    fn init(&self) -> Text {
        Text::default()
    }

    fn step(&self, state: &Text, op: &KvOp) -> Option<Text> {
        match op {
            KvOp::Get(v) => state.matches(v).then(|| state.clone()),
            KvOp::Put(v) => Some(Text::of(v)),
            KvOp::Append(v) => Some(state.append(v)),
        }
    }

    fn possible(&self, state: &Text, op: &KvOp) -> bool {
        match op {
            KvOp::Get(v) => state.matches(v),
            _ => true,
        }
    }

    fn read_only(&self, op: &KvOp) -> bool {
        matches!(op, KvOp::Get(_))
    }

    fn describe_op(&self, op: &KvOp) -> String {
        match op {
            KvOp::Get(v) => format!("get() -> {:?}", v.as_str()),
            KvOp::Put(v) => format!("put({:?})", v.as_str()),
            KvOp::Append(v) => format!("append({:?})", v.as_str()),
        }
    }

    fn describe_state(&self, state: &Text) -> String {
        format!("{state:?}")
    }

    fn why_not(&self, state: &Text, op: &KvOp) -> String {
        match op {
            KvOp::Get(v) => format!("it read {:?}, but the key holds {state:?}", v.as_str()),
            _ => "a write is always possible".to_string(),
        }
    }

    fn state_heap_bytes(&self, state: &Text) -> usize {
        state.node_bytes()
    }
}
