//! A grow-only set (`--model set`): `add v` inserts `v`, `read` returns
//! every element (in any order). Per key when operations carry keys.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::history::Value;
use crate::linearizability::{Call, Model, Outcome, Prepared};

/// A set operation with its observed output.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SetOp {
    /// Added this element.
    Add(Value),
    /// Read these elements.
    Read(Arc<BTreeSet<Value>>),
}

/// The set model. See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct SetModel;

impl Model for SetModel {
    type Op = SetOp;
    type State = Arc<BTreeSet<Value>>;

    fn name(&self) -> &'static str {
        "set"
    }

    fn prepare(&self, call: &Call<'_>) -> Result<Prepared<SetOp>, String> {
        let f = call.f;
        if f.eq_ignore_ascii_case("read") {
            return match call.outcome {
                Outcome::Ok(Value::List(items)) => Ok(Prepared::Check(SetOp::Read(Arc::new(
                    items.iter().cloned().collect(),
                )))),
                Outcome::Ok(Value::Nil) => Ok(Prepared::Check(SetOp::Read(Arc::default()))),
                Outcome::Ok(v) => Err(format!("a set read returned {v}, not a collection")),
                _ => Ok(Prepared::Skip),
            };
        }
        if !f.eq_ignore_ascii_case("add") {
            return Err("a set knows only add and read".to_string());
        }
        if let Outcome::Fail(_) = call.outcome {
            return Ok(Prepared::Skip);
        }
        let v = call.argument().ok_or("add needs a value")?;
        Ok(Prepared::Check(SetOp::Add(v.clone())))
    }

    fn init(&self) -> Arc<BTreeSet<Value>> {
        Arc::default()
    }

    fn step(&self, state: &Arc<BTreeSet<Value>>, op: &SetOp) -> Option<Arc<BTreeSet<Value>>> {
        match op {
            SetOp::Read(seen) => (state == seen).then(|| state.clone()),
            SetOp::Add(v) if state.contains(v) => Some(state.clone()),
            SetOp::Add(v) => {
                let mut next = (**state).clone();
                next.insert(v.clone());
                Some(Arc::new(next))
            }
        }
    }

    fn read_only(&self, op: &SetOp) -> bool {
        matches!(op, SetOp::Read(_))
    }

    fn describe_op(&self, op: &SetOp) -> String {
        match op {
            SetOp::Add(v) => format!("add({v})"),
            SetOp::Read(seen) => {
                format!("read() -> {}", Value::List(seen.iter().cloned().collect()))
            }
        }
    }

    fn describe_state(&self, state: &Arc<BTreeSet<Value>>) -> String {
        Value::List(state.iter().cloned().collect()).to_string()
    }

    fn state_heap_bytes(&self, state: &Arc<BTreeSet<Value>>) -> usize {
        state.len() * (std::mem::size_of::<Value>() + 16) + 16
    }
}
