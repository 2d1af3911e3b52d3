//! One Redis key (`--model redis`): the model for the simulator's own
//! histories. Each key is an independent partition holding nothing (nil),
//! a string, an integer or a list:
//! - `get` returns the string (or integer, as Redis prints it) or nil;
//! - `set v` replies `OK`; `del` replies how many keys it removed (1 or
//!   0), or `OK` (anarchoredis' replicated delete, a tombstone write);
//! - `incr` replies the new integer (a missing key counts as 0);
//! - `rpush`/`lpush v...` reply the new length (or nothing: anarchoredis'
//!   replicated push acknowledges without a length); `lrange [start stop]`
//!   replies that slice (Redis's inclusive, negative-from-the-end indices;
//!   the whole list without arguments);
//! - `echo` is stateless and left out (the attribution checker judges it).
//!
//! Strings that are canonical integers ("42", not "042") and integers are
//! the same value, as in Redis. A reply of the wrong shape (a `set` that
//! did not reply `OK`, an `incr` that replied a string) makes the operation
//! impossible: its reply belonged to some other request. A failed
//! operation is left out; an indeterminate read is left out; an
//! indeterminate write may have happened, with any reply.

use std::sync::Arc;

use crate::history::Value;
use crate::linearizability::{Call, Model, Outcome, Prepared};

/// What a Redis key holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RedisValue {
    /// The key does not exist.
    Nil,
    /// A string that is a canonical integer.
    Int(i64),
    /// Any other string.
    Str(Arc<str>),
    /// A list.
    List(Arc<Vec<Arc<str>>>),
}

impl std::fmt::Display for RedisValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RedisValue::Nil => write!(f, "nil"),
            RedisValue::Int(i) => write!(f, "{i}"),
            RedisValue::Str(s) => write!(f, "{s:?}"),
            RedisValue::List(items) => {
                let parts: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
                write!(f, "[{}]", parts.join(", "))
            }
        }
    }
}

/// A Redis command on one key, with its observed reply.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RedisOp {
    /// `GET` replied this (nil, a string or an integer).
    Get(RedisValue),
    /// `SET` this value.
    Set(RedisValue),
    /// `DEL`, which replied this count when known.
    Del(Option<i64>),
    /// `INCR`, which replied this new value when known.
    Incr(Option<i64>),
    /// `RPUSH` (or `LPUSH` when `front`), which replied this length when
    /// known.
    Push {
        /// `LPUSH`: elements go to the front, each ahead of the last.
        front: bool,
        /// The elements pushed.
        elements: Arc<Vec<Arc<str>>>,
        /// The reply: the list's new length.
        len: Option<i64>,
    },
    /// `LRANGE start stop`, which replied these elements.
    Range {
        /// First index (negative counts from the end).
        start: i64,
        /// Last index, inclusive.
        stop: i64,
        /// The reply.
        seen: Arc<Vec<Arc<str>>>,
    },
    /// A reply this command can never give (it answered another request).
    Wrong {
        /// The command.
        command: String,
        /// What it replied, and what it should have.
        reply: String,
    },
}

/// The Redis key model. See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct RedisModel;

/// A scalar the way Redis stores it: canonical integers are integers.
pub(crate) fn scalar(v: &Value) -> Option<RedisValue> {
    Some(match v {
        Value::Nil => RedisValue::Nil,
        Value::Int(i) => RedisValue::Int(*i),
        Value::Str(s) => match s.parse::<i64>() {
            Ok(i) if i.to_string() == *s => RedisValue::Int(i),
            _ => RedisValue::Str(Arc::from(s.as_str())),
        },
        Value::List(_) => return None,
    })
}

fn text(v: &Value) -> Arc<str> {
    match v {
        Value::Str(s) => Arc::from(s.as_str()),
        other => Arc::from(other.to_string()),
    }
}

fn elements(v: Option<&Value>) -> Option<Arc<Vec<Arc<str>>>> {
    match v? {
        Value::List(items) => Some(Arc::new(items.iter().map(text).collect())),
        Value::Nil => None,
        one => Some(Arc::new(vec![text(one)])),
    }
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Str(s) => s.parse().ok(),
        _ => None,
    }
}

fn wrong(command: &str, got: &Value, want: &str) -> RedisOp {
    RedisOp::Wrong {
        command: command.to_ascii_uppercase(),
        reply: format!(
            "replied {got}, but {} replies {want}",
            command.to_ascii_uppercase()
        ),
    }
}

/// `[start, stop]` of an `LRANGE`; the whole list when absent.
fn range_args(v: Option<&Value>) -> Result<(i64, i64), String> {
    match v {
        None | Some(Value::Nil) => Ok((0, -1)),
        Some(Value::List(a)) if a.len() == 2 => match (int(&a[0]), int(&a[1])) {
            (Some(s), Some(e)) => Ok((s, e)),
            _ => Err(format!(
                "lrange needs integer indices, got {}",
                Value::List(a.clone())
            )),
        },
        Some(other) => Err(format!("lrange needs [start stop], got {other}")),
    }
}

/// Redis's LRANGE slice of `list`.
fn slice(list: &[Arc<str>], start: i64, stop: i64) -> &[Arc<str>] {
    let len = list.len() as i64;
    let start = if start < 0 {
        (len + start).max(0)
    } else {
        start
    };
    let stop = if stop < 0 {
        len + stop
    } else {
        stop.min(len - 1)
    };
    if start > stop || start >= len {
        return &[];
    }
    &list[start as usize..=stop as usize]
}

impl Model for RedisModel {
    type Op = RedisOp;
    type State = RedisValue;

    fn name(&self) -> &'static str {
        "redis"
    }

    fn prepare(&self, call: &Call<'_>) -> Result<Prepared<RedisOp>, String> {
        let f = call.f.to_ascii_lowercase();
        if f == "echo" {
            return Ok(Prepared::Skip);
        }
        let reply = match call.outcome {
            Outcome::Fail(_) => return Ok(Prepared::Skip),
            Outcome::Ok(v) => Some(v),
            Outcome::Info => None,
        };
        let op = match f.as_str() {
            "get" => match reply {
                None => return Ok(Prepared::Skip),
                Some(v) => match scalar(v) {
                    Some(x) => RedisOp::Get(x),
                    None => wrong(&f, v, "a string or nil"),
                },
            },
            "lrange" => {
                let (start, stop) = range_args(call.input)?;
                match reply {
                    None => return Ok(Prepared::Skip),
                    Some(Value::List(items)) => RedisOp::Range {
                        start,
                        stop,
                        seen: Arc::new(items.iter().map(text).collect()),
                    },
                    Some(Value::Nil) => RedisOp::Range {
                        start,
                        stop,
                        seen: Arc::default(),
                    },
                    Some(v) => wrong(&f, v, "a list"),
                }
            }
            "set" => {
                let value = call
                    .input
                    .and_then(scalar)
                    .ok_or("set needs a string value")?;
                match reply {
                    Some(v) if v.as_str() != Some("OK") => wrong(&f, v, "OK"),
                    _ => RedisOp::Set(value),
                }
            }
            // Redis replies with the count of keys removed; anarchoredis'
            // replicated DEL writes a tombstone and replies OK.
            "del" => match reply {
                None => RedisOp::Del(None),
                Some(Value::Int(n)) => RedisOp::Del(Some(*n)),
                Some(v) if v.as_str() == Some("OK") => RedisOp::Del(None),
                Some(v) => wrong(&f, v, "an integer or OK"),
            },
            "incr" => match reply {
                None => RedisOp::Incr(None),
                Some(Value::Int(n)) => RedisOp::Incr(Some(*n)),
                Some(v) => wrong(&f, v, "an integer"),
            },
            "rpush" | "lpush" => {
                let elements = elements(call.input).ok_or("push needs elements")?;
                let front = f == "lpush";
                match reply {
                    // No length: indeterminate, or anarchoredis' replicated
                    // push, which acknowledges without one (recorded as no
                    // value, read back as nil).
                    None | Some(Value::Nil) => RedisOp::Push {
                        front,
                        elements,
                        len: None,
                    },
                    Some(Value::Int(n)) => RedisOp::Push {
                        front,
                        elements,
                        len: Some(*n),
                    },
                    Some(v) => wrong(&f, v, "an integer"),
                }
            }
            _ => {
                return Err(
                    "the redis model knows get, set, del, incr, rpush, lpush, lrange and echo"
                        .to_string(),
                );
            }
        };
        Ok(Prepared::Check(op))
    }

    fn init(&self) -> RedisValue {
        RedisValue::Nil
    }

    fn step(&self, state: &RedisValue, op: &RedisOp) -> Option<RedisValue> {
        match op {
            RedisOp::Get(v) => {
                let ok = !matches!(state, RedisValue::List(_)) && state == v;
                ok.then(|| state.clone())
            }
            RedisOp::Set(v) => Some(v.clone()),
            RedisOp::Del(n) => {
                let existed = i64::from(*state != RedisValue::Nil);
                n.is_none_or(|n| n == existed).then_some(RedisValue::Nil)
            }
            RedisOp::Incr(n) => {
                let next = match state {
                    RedisValue::Nil => 1,
                    RedisValue::Int(i) => i.checked_add(1)?,
                    _ => return None,
                };
                n.is_none_or(|n| n == next).then_some(RedisValue::Int(next))
            }
            RedisOp::Push {
                front,
                elements,
                len,
            } => {
                let current: &[Arc<str>] = match state {
                    RedisValue::Nil => &[],
                    RedisValue::List(items) => items,
                    _ => return None,
                };
                let mut next = Vec::with_capacity(current.len() + elements.len());
                if *front {
                    next.extend(elements.iter().rev().cloned());
                    next.extend_from_slice(current);
                } else {
                    next.extend_from_slice(current);
                    next.extend(elements.iter().cloned());
                }
                len.is_none_or(|l| l == next.len() as i64)
                    .then(|| RedisValue::List(Arc::new(next)))
            }
            RedisOp::Range { start, stop, seen } => {
                let current: &[Arc<str>] = match state {
                    RedisValue::Nil => &[],
                    RedisValue::List(items) => items,
                    _ => return None,
                };
                (slice(current, *start, *stop) == seen.as_slice()).then(|| state.clone())
            }
            RedisOp::Wrong { .. } => None,
        }
    }

    fn read_only(&self, op: &RedisOp) -> bool {
        matches!(op, RedisOp::Get(_) | RedisOp::Range { .. })
    }

    fn describe_op(&self, op: &RedisOp) -> String {
        match op {
            RedisOp::Get(v) => format!("GET -> {v}"),
            RedisOp::Set(v) => format!("SET {v}"),
            RedisOp::Del(Some(n)) => format!("DEL -> {n}"),
            RedisOp::Del(None) => "DEL -> ?".to_string(),
            RedisOp::Incr(Some(n)) => format!("INCR -> {n}"),
            RedisOp::Incr(None) => "INCR -> ?".to_string(),
            RedisOp::Push {
                front,
                elements,
                len,
            } => format!(
                "{} {} -> {}",
                if *front { "LPUSH" } else { "RPUSH" },
                RedisValue::List(elements.clone()),
                len.map_or("?".to_string(), |l| l.to_string())
            ),
            RedisOp::Range { start, stop, seen } => {
                format!(
                    "LRANGE {start} {stop} -> {}",
                    RedisValue::List(seen.clone())
                )
            }
            RedisOp::Wrong { command, reply } => format!("{command} ({reply})"),
        }
    }

    fn describe_state(&self, state: &RedisValue) -> String {
        state.to_string()
    }

    fn why_not(&self, state: &RedisValue, op: &RedisOp) -> String {
        match op {
            RedisOp::Get(v) => format!("it read {v}, but the key holds {state}"),
            RedisOp::Del(Some(n)) => format!("it removed {n} keys, but the key holds {state}"),
            RedisOp::Incr(Some(n)) => {
                format!("it replied {n}, but the key holds {state} before it")
            }
            RedisOp::Range { seen, .. } => format!(
                "it read {}, but the key holds {state}",
                RedisValue::List(seen.clone())
            ),
            RedisOp::Push { len: Some(l), .. } => {
                format!("it replied length {l}, but the key holds {state} before it")
            }
            RedisOp::Wrong { reply, .. } => format!("it {reply}"),
            _ => format!("the key holds {state}, of the wrong type"),
        }
    }

    fn state_heap_bytes(&self, state: &RedisValue) -> usize {
        match state {
            RedisValue::Str(s) => s.len() + 16,
            RedisValue::List(items) => items.iter().map(|s| s.len() + 32).sum::<usize>() + 16,
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<Arc<str>> {
        items.iter().map(|s| Arc::from(*s)).collect()
    }

    #[test]
    fn lrange_slices_like_redis() {
        let l = strings(&["a", "b", "c"]);
        assert_eq!(slice(&l, 0, -1), &l[..]);
        assert_eq!(slice(&l, 1, 1), &l[1..2]);
        assert_eq!(slice(&l, -2, -1), &l[1..]);
        assert_eq!(slice(&l, 2, 10), &l[2..]);
        assert!(slice(&l, 3, 5).is_empty());
        assert!(slice(&l, 2, 1).is_empty());
        assert!(slice(&[], 0, -1).is_empty());
    }

    #[test]
    fn canonical_integer_strings_are_integers() {
        assert_eq!(scalar(&Value::Str("42".into())), Some(RedisValue::Int(42)));
        assert_eq!(
            scalar(&Value::Str("042".into())),
            Some(RedisValue::Str(Arc::from("042")))
        );
        assert_eq!(scalar(&Value::Int(7)), Some(RedisValue::Int(7)));
    }

    #[test]
    fn incr_counts_from_nil_and_refuses_strings() {
        let m = RedisModel;
        assert_eq!(
            m.step(&RedisValue::Nil, &RedisOp::Incr(Some(1))),
            Some(RedisValue::Int(1))
        );
        assert_eq!(m.step(&RedisValue::Int(1), &RedisOp::Incr(Some(1))), None);
        assert_eq!(
            m.step(&RedisValue::Str(Arc::from("x")), &RedisOp::Incr(None)),
            None
        );
    }

    #[test]
    fn lpush_puts_each_element_ahead_of_the_last() {
        let m = RedisModel;
        let op = RedisOp::Push {
            front: true,
            elements: Arc::new(strings(&["a", "b"])),
            len: Some(3),
        };
        let state = RedisValue::List(Arc::new(strings(&["z"])));
        assert_eq!(
            m.step(&state, &op),
            Some(RedisValue::List(Arc::new(strings(&["b", "a", "z"]))))
        );
    }
}
