//! Lists you append to (`--model list-append`): `append v` adds `v` at the
//! end of the key's list, `read` returns the whole list. Per key; every
//! list starts empty. (Elle's transactional list-append needs a different
//! checker; this is the single-object version.)

use std::sync::Arc;

use crate::history::Value;
use crate::linearizability::{Call, Model, Outcome, Prepared};

/// A list operation with its observed output.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ListOp {
    /// Appended this element.
    Append(Value),
    /// Read this list.
    Read(Arc<Vec<Value>>),
}

/// The list-append model. See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct ListAppendModel;

/// A read's list: nil is the empty list.
pub(crate) fn as_list(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::Nil => Some(Vec::new()),
        Value::List(items) => Some(items.clone()),
        _ => None,
    }
}

impl Model for ListAppendModel {
    type Op = ListOp;
    type State = Arc<Vec<Value>>;

    fn name(&self) -> &'static str {
        "list-append"
    }

    fn prepare(&self, call: &Call<'_>) -> Result<Prepared<ListOp>, String> {
        let f = call.f;
        if f.eq_ignore_ascii_case("read") || f.eq_ignore_ascii_case("r") {
            return match call.outcome {
                Outcome::Ok(v) => as_list(v)
                    .map(|l| Prepared::Check(ListOp::Read(Arc::new(l))))
                    .ok_or_else(|| format!("a list read returned {v}, not a list")),
                _ => Ok(Prepared::Skip),
            };
        }
        if !f.eq_ignore_ascii_case("append") {
            return Err("a list-append object knows only append and read".to_string());
        }
        if let Outcome::Fail(_) = call.outcome {
            return Ok(Prepared::Skip);
        }
        let v = call.argument().ok_or("append needs a value")?;
        Ok(Prepared::Check(ListOp::Append(v.clone())))
    }

    fn init(&self) -> Arc<Vec<Value>> {
        Arc::new(Vec::new())
    }

    fn step(&self, state: &Arc<Vec<Value>>, op: &ListOp) -> Option<Arc<Vec<Value>>> {
        match op {
            ListOp::Read(list) => (state == list).then(|| state.clone()),
            ListOp::Append(v) => {
                let mut next = Vec::with_capacity(state.len() + 1);
                next.extend_from_slice(state);
                next.push(v.clone());
                Some(Arc::new(next))
            }
        }
    }

    fn read_only(&self, op: &ListOp) -> bool {
        matches!(op, ListOp::Read(_))
    }

    fn describe_op(&self, op: &ListOp) -> String {
        match op {
            ListOp::Append(v) => format!("append({v})"),
            ListOp::Read(list) => format!("read() -> {}", Value::List(list.to_vec())),
        }
    }

    fn describe_state(&self, state: &Arc<Vec<Value>>) -> String {
        Value::List(state.to_vec()).to_string()
    }

    fn state_heap_bytes(&self, state: &Arc<Vec<Value>>) -> usize {
        state.len() * std::mem::size_of::<Value>() + 16
    }
}
