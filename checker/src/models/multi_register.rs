//! Several registers changed by transactions (`--model multi-register`),
//! as Knossos models them: an operation is `txn` whose value is a list of
//! micro-operations `[:read k v]` / `[:write k v]`, applied in order. A read
//! of nil is a read whose value is unknown and constrains nothing
//! (Knossos's rule, which is also how an `info` transaction's reads
//! arrive). Transactions span keys, so the whole history is one partition.
//!
//! The registers' initial values are unknown: Jepsen's multi-register
//! tests start from a populated state the history does not record (Knossos's
//! own sample says "a multi-register with x=0 and y=0" in a comment). So a
//! register nobody has written yet takes the value its first read saw, and
//! must keep it until written.
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::history::Value;
use crate::linearizability::{Call, Model, Outcome, Prepared};

/// One micro-operation of a transaction.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Micro {
    /// Read register `.0` and saw `.1` (nil: unknown).
    Read(Value, Value),
    /// Wrote `.1` to register `.0`.
    Write(Value, Value),
}

/// The multi-register model. See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct MultiRegisterModel;

fn micro(v: &Value) -> Result<Micro, String> {
    match v {
        Value::List(parts) if parts.len() == 3 => {
            let (k, x) = (parts[1].clone(), parts[2].clone());
            match parts[0].as_str() {
                Some("read" | "r") => Ok(Micro::Read(k, x)),
                Some("write" | "w") => Ok(Micro::Write(k, x)),
                _ => Err(format!("unknown micro-operation {v}")),
            }
        }
        _ => Err(format!("a micro-operation is [f key value], got {v}")),
    }
}

impl Model for MultiRegisterModel {
    type Op = Arc<Vec<Micro>>;
    type State = Arc<BTreeMap<Value, Value>>;

    fn name(&self) -> &'static str {
        "multi-register"
    }

    fn prepare(&self, call: &Call<'_>) -> Result<Prepared<Self::Op>, String> {
        if !call.f.eq_ignore_ascii_case("txn") {
            return Err("a multi-register knows only txn".to_string());
        }
        let value = match call.outcome {
            Outcome::Fail(_) => return Ok(Prepared::Skip),
            Outcome::Ok(v) if *v != Value::Nil => v,
            _ => call.input.ok_or("txn needs a list of micro-operations")?,
        };
        let Value::List(items) = value else {
            return Err(format!("txn needs a list of micro-operations, got {value}"));
        };
        let mut ops = items.iter().map(micro).collect::<Result<Vec<_>, _>>()?;
        if call.is_info() {
            // An indeterminate transaction's reads are unknown.
            for m in &mut ops {
                if let Micro::Read(_, v) = m {
                    *v = Value::Nil;
                }
            }
        }
        if ops.iter().all(|m| matches!(m, Micro::Read(_, Value::Nil))) {
            return Ok(Prepared::Skip);
        }
        Ok(Prepared::Check(Arc::new(ops)))
    }

    fn partition<'a>(&self, _call: &Call<'a>) -> Option<&'a str> {
        None
    }

    fn init(&self) -> Self::State {
        Arc::default()
    }

    fn step(&self, state: &Self::State, op: &Self::Op) -> Option<Self::State> {
        let mut next: Option<BTreeMap<Value, Value>> = None;
        for m in op.iter() {
            let current = next.as_ref().unwrap_or(state);
            match m {
                Micro::Read(_, Value::Nil) => {}
                Micro::Read(k, v) => match current.get(k) {
                    Some(held) if held != v => return None,
                    Some(_) => {}
                    // Never written nor read: its initial value is what
                    // this read saw.
                    None => {
                        next.get_or_insert_with(|| (**state).clone())
                            .insert(k.clone(), v.clone());
                    }
                },
                Micro::Write(k, v) => {
                    next.get_or_insert_with(|| (**state).clone())
                        .insert(k.clone(), v.clone());
                }
            }
        }
        Some(next.map_or_else(|| state.clone(), Arc::new))
    }

    fn describe_op(&self, op: &Self::Op) -> String {
        let parts: Vec<String> = op
            .iter()
            .map(|m| match m {
                Micro::Read(k, v) => format!("read {k} -> {v}"),
                Micro::Write(k, v) => format!("write {k} {v}"),
            })
            .collect();
        format!("txn[{}]", parts.join(", "))
    }

    fn describe_state(&self, state: &Self::State) -> String {
        let parts: Vec<String> = state.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!(
            "{{{}}} (registers not shown are still unknown)",
            parts.join(", ")
        )
    }

    fn why_not(&self, state: &Self::State, op: &Self::Op) -> String {
        for m in op.iter() {
            if let Micro::Read(k, v) = m
                && *v != Value::Nil
                && let Some(held) = state.get(k)
                && held != v
            {
                return format!("it read {k} = {v}, but {k} holds {held}");
            }
        }
        format!("{} cannot happen here", self.describe_op(op))
    }

    fn state_heap_bytes(&self, state: &Self::State) -> usize {
        state.len() * 2 * std::mem::size_of::<Value>() + 16
    }
}
