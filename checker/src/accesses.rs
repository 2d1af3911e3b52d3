//! The history seen as reads and writes of keys: the common input of the
//! staleness and lost-write checkers.
//!
//! Each key gets a kind from the operations on it:
//! - **list** when anything appends to it (`append`, `rpush`, `lpush`):
//!   reads return the whole list, or (Porcupine's kv) the concatenated
//!   string, and an element is visible when the read contains it; `set`,
//!   `put` and `del` on such a key reset it;
//! - **counter** when anything increments it (`incr`, `add`);
//! - **register** otherwise: `set`/`put`/`write` store a value, `del`
//!   stores nil, an `ok` `cas [from to]` stores `to`; `get`/`read` read it.
//!
//! Positions are history indices (real-time order); times are the events'
//! `time` in nanoseconds. Failed operations are left out: they took no
//! effect. An indeterminate write (`info`, or never completed) may take
//! effect at any time after its invoke, so nothing is ever certainly newer
//! than it: its completion position is [`NEVER`].

use std::collections::BTreeMap;

use crate::history::{EventType, History, Value};
use crate::models::{as_int, scalar};

/// The position of a completion that never certainly happened.
pub(crate) const NEVER: i64 = i64::MAX;
/// The position of the initial value, before everything.
pub(crate) const INITIAL: i64 = -1;

/// What kind of object a key is. See the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Register,
    List,
    Counter,
}

/// One write to a key.
#[derive(Clone, Debug)]
pub(crate) struct Write {
    /// The value stored (registers), the element appended (lists), the
    /// increment (counters). Canonical: integer strings are integers.
    pub(crate) value: Value,
    pub(crate) process: Option<u64>,
    pub(crate) invoke: i64,
    /// Completion position when acknowledged; [`NEVER`] otherwise.
    pub(crate) complete: i64,
    /// Position of the completion event whatever its type (`ok` or
    /// `info`); [`NEVER`] when the run ended first.
    pub(crate) ended: i64,
    pub(crate) complete_time: u64,
    /// Completed `ok`.
    pub(crate) acked: bool,
    /// A `set`/`put`/`del` on a list key: it empties or replaces the list.
    pub(crate) reset: bool,
}

/// One `ok` read of a key.
#[derive(Clone, Debug)]
pub(crate) struct Read {
    /// What it returned, canonical.
    pub(crate) value: Value,
    pub(crate) process: Option<u64>,
    pub(crate) invoke: i64,
    pub(crate) complete: i64,
    pub(crate) invoke_time: u64,
}

/// Everything done to one key, in invoke order.
#[derive(Clone, Debug)]
pub(crate) struct Key {
    pub(crate) kind: KeyKind,
    pub(crate) writes: Vec<Write>,
    pub(crate) reads: Vec<Read>,
}

/// A value with integer strings made integers, so that a `get` of "3"
/// matches an `incr` that replied 3.
pub(crate) fn canonical(v: &Value) -> Value {
    match v {
        Value::Str(_) => match scalar(v) {
            Some(crate::models::RedisValue::Int(i)) => Value::Int(i),
            _ => v.clone(),
        },
        Value::List(items) => Value::List(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// Whether a list read `seen` contains `element`: a list holds it as an
/// item; a string (Porcupine's kv) holds it as a substring.
pub(crate) fn contains(seen: &Value, element: &Value) -> bool {
    match (seen, element) {
        (Value::List(items), e) => items.contains(e),
        (Value::Str(s), Value::Str(e)) => s.contains(e.as_str()),
        (Value::Str(s), Value::Int(i)) => s.contains(&i.to_string()),
        _ => false,
    }
}

enum Access {
    Read,
    Store(Value),
    Append(Vec<Value>),
    Increment(i64),
}

/// Every key's accesses, keys in order, keys borrowed from the history.
pub(crate) type Keys<'h> = BTreeMap<&'h str, Key>;

/// Splits `history` into per-key accesses, keys in order.
pub(crate) fn collect(history: &History) -> Keys<'_> {
    let mut keys: Keys<'_> = BTreeMap::new();
    for op in history.operations() {
        let invoke = op.invoke;
        let Some(key) = invoke.key.as_deref() else {
            continue;
        };
        let ty = op.completion.map(|c| c.ty);
        if ty == Some(EventType::Fail) || invoke.ty != EventType::Invoke {
            continue;
        }
        let acked = ty == Some(EventType::Ok);
        let arg = invoke
            .value
            .as_ref()
            .filter(|v| **v != Value::Nil)
            .or_else(|| op.completion.and_then(|c| c.value.as_ref()));
        let f = invoke.f.to_ascii_lowercase();
        let access = match f.as_str() {
            "get" | "read" | "lrange" | "r" => Access::Read,
            "set" | "put" | "write" | "w" => match arg {
                Some(v) => Access::Store(canonical(v)),
                None => continue,
            },
            "del" | "delete" => Access::Store(Value::Nil),
            // An acknowledged cas stored `to`; an indeterminate one may have.
            "cas" => match arg {
                Some(Value::List(pair)) if pair.len() == 2 => Access::Store(canonical(&pair[1])),
                _ => continue,
            },
            "append" | "rpush" | "lpush" => match invoke.value.as_ref() {
                Some(Value::List(items)) if f != "append" => {
                    Access::Append(items.iter().map(canonical).collect())
                }
                Some(v) => Access::Append(vec![canonical(v)]),
                None => continue,
            },
            "incr" | "add" => {
                let delta = invoke
                    .value
                    .as_ref()
                    .filter(|v| **v != Value::Nil)
                    .map_or(Some(1), as_int);
                match delta {
                    Some(d) => Access::Increment(d),
                    None => continue,
                }
            }
            _ => continue,
        };
        let entry = keys.entry(key).or_insert_with(|| Key {
            kind: KeyKind::Register,
            writes: Vec::new(),
            reads: Vec::new(),
        });
        let complete = op.completion.map(|c| c.index as i64);
        let write = |value: Value, reset: bool| Write {
            value,
            process: invoke.process,
            invoke: invoke.index as i64,
            complete: if acked {
                complete.unwrap_or(NEVER)
            } else {
                NEVER
            },
            ended: complete.unwrap_or(NEVER),
            complete_time: op.completion.map_or(u64::MAX, |c| c.time),
            acked,
            reset,
        };
        match access {
            Access::Read => {
                if let (true, Some(c)) = (acked, op.completion) {
                    entry.reads.push(Read {
                        value: canonical(c.value.as_ref().unwrap_or(&Value::Nil)),
                        process: invoke.process,
                        invoke: invoke.index as i64,
                        complete: c.index as i64,
                        invoke_time: invoke.time,
                    });
                }
            }
            Access::Store(v) => entry.writes.push(write(v, true)),
            Access::Append(elements) => {
                entry.kind = KeyKind::List;
                for e in elements {
                    entry.writes.push(write(e, false));
                }
            }
            Access::Increment(d) => {
                if entry.kind == KeyKind::Register {
                    entry.kind = KeyKind::Counter;
                }
                entry.writes.push(write(Value::Int(d), false));
            }
        }
    }
    // Stores on a register are its writes; only on a list do they reset.
    for key in keys.values_mut() {
        if key.kind != KeyKind::List {
            for w in &mut key.writes {
                w.reset = false;
            }
        }
    }
    keys
}
