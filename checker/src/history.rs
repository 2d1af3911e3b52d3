//! The history model: what happened during a run, as an ordered list of events.
//!
//! A history is the single hand-off between whoever *ran* something (the
//! simulator, or an importer of a Jepsen file) and whoever *judges* it (the
//! checkers, the reports). It is deliberately flat, Jepsen-style: every event
//! is one JSON object on one line of `history.jsonl`, with optional fields left
//! out. Nothing here knows about tokio, turmoil or Redis clients.
//!
//! Event kinds (`type`):
//! - `invoke` / `ok` / `fail` / `info`: a client operation. A process runs one
//!   operation at a time, so an operation is the `invoke` and the next
//!   completion with the same `process`. `info` means *indeterminate*: the
//!   operation may or may not have taken effect (Jepsen's `:info`).
//! - `send` / `recv`: wire-level events on one client connection. `req` counts
//!   requests written on that connection (1-based); `reply` counts replies
//!   decoded from it. Redis answers in order, so reply *n* on a connection is
//!   the answer to request *n*, whatever the client believed. That is what lets
//!   the attribution checker say whose reply a wrong value really was.
//! - `conn`: a connection life-cycle note (`f` is `open`, `poison`, `close`).
//! - `nemesis`: a fault injected by the harness (`f` names it).
//! - `server`: a note from a fake-redis node (for example a fault rule firing).
//! - `node_state`: what one replica held at one moment, for the convergence
//!   checker. `f` names the node (`redis-1`), `key` and `value` one entry of
//!   its keyspace (`nil` = absent). All `node_state` events of one node with
//!   the same `time` form one snapshot of that node; keys a snapshot does not
//!   mention are absent on that node. A `node_state` event without a `key`
//!   records a snapshot (possibly empty) without adding an entry. Histories
//!   without `node_state` events simply have no convergence verdict.

use serde::{Deserialize, Serialize};

/// A value carried by an operation: an argument on `invoke`, a result on `ok`.
///
/// Untagged so that the JSON stays natural: `null`, `42`, `"v1"`, `[..]`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// Redis nil (a missing key).
    Nil,
    /// An integer reply.
    Int(i64),
    /// A string reply, or a string argument.
    Str(String),
    /// A list or array.
    List(Vec<Value>),
}

impl Value {
    /// The value as a string slice, when it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl std::fmt::Display for Value {
    /// Renders a value the way a person reads a Redis reply: `nil`, `42`,
    /// `"text"`, `[a, b]`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Nil => write!(f, "nil"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Str(s) => write!(f, "{s:?}"),
            Value::List(items) => {
                write!(f, "[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{item}")?;
                }
                write!(f, "]")
            }
        }
    }
}

/// What kind of event a history line is. See the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// A client operation started.
    Invoke,
    /// It completed and certainly took effect (for reads: returned `value`).
    Ok,
    /// It completed and certainly did *not* take effect.
    Fail,
    /// Indeterminate: it may or may not have taken effect.
    Info,
    /// A request was written on a client connection.
    Send,
    /// A reply was decoded from a client connection.
    Recv,
    /// A connection life-cycle note: `f` is `open`, `poison` or `close`.
    Conn,
    /// A fault injected by the harness.
    Nemesis,
    /// A note from a server node.
    Server,
    /// One entry of one replica's keyspace at one moment (see the module
    /// docs): `f` is the node, `key`/`value` the entry.
    NodeState,
}

impl EventType {
    /// True for the completion types `ok`, `fail` and `info`.
    pub fn is_completion(self) -> bool {
        matches!(self, EventType::Ok | EventType::Fail | EventType::Info)
    }
}

/// One line of a history. Fields that do not apply to a type are `None` and
/// are left out of the JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Position in the history, 0-based, strictly increasing.
    pub index: u64,
    /// Simulated (or recorded) time since the start of the run, in nanoseconds.
    pub time: u64,
    /// The event kind.
    #[serde(rename = "type")]
    pub ty: EventType,
    /// The logical process (operations) or the process on whose behalf a
    /// wire request was sent. `None` for connection set-up traffic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process: Option<u64>,
    /// The operation (`echo`, `get`, `set`, `incr`, `del`), the Redis command
    /// name (`send`), the life-cycle step (`conn`) or the fault (`nemesis`).
    pub f: String,
    /// The key an operation touches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Argument (`invoke`, `send`) or result (`ok`, `recv`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Error text (`fail`, `info`, an error `recv`, a `poison` reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Connection id, such as `client-1/redis-1#2`: the client host, the node
    /// and the connection's number on that client for that node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conn: Option<String>,
    /// `send`: this request's number on its connection. `recv`: the number of
    /// the request whose read consumed this reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub req: Option<u64>,
    /// `recv`: this reply's number on its connection (1-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<u64>,
    /// Free-form detail for people (nemesis targets, server notes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Event {
    /// A new event of type `ty` for `f`, with every optional field empty.
    /// `index` is set when the event is pushed into a [`History`].
    pub fn new(time: u64, ty: EventType, f: impl Into<String>) -> Self {
        Event {
            index: 0,
            time,
            ty,
            process: None,
            f: f.into(),
            key: None,
            value: None,
            error: None,
            conn: None,
            req: None,
            reply: None,
            note: None,
        }
    }
}

/// An operation: an `invoke` paired with its completion, if any.
#[derive(Clone, Debug, PartialEq)]
pub struct Operation<'h> {
    /// The invoke event.
    pub invoke: &'h Event,
    /// The completion (`ok`, `fail` or `info`); `None` if the run ended first,
    /// which counts as indeterminate.
    pub completion: Option<&'h Event>,
}

impl Operation<'_> {
    /// True when the operation certainly completed with a value.
    pub fn is_ok(&self) -> bool {
        self.completion.is_some_and(|c| c.ty == EventType::Ok)
    }
}

/// An ordered list of events: the unit every checker consumes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    events: Vec<Event>,
}

/// A line of a JSONL history that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column number.
    pub column: usize,
    /// What was wrong, in words.
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

impl History {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends an event, assigning its `index`. Times must not go backwards;
    /// a recorder that breaks this has a bug, so the time is clamped up and
    /// the order of recording wins.
    pub fn push(&mut self, mut event: Event) -> u64 {
        let index = self.events.len() as u64;
        event.index = index;
        if let Some(last) = self.events.last() {
            event.time = event.time.max(last.time);
        }
        self.events.push(event);
        index
    }

    /// All events, in order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True when there are no events.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Pairs every `invoke` with the next completion of the same process.
    /// Operations come out in invoke order.
    pub fn operations(&self) -> Vec<Operation<'_>> {
        let mut open: std::collections::BTreeMap<u64, usize> = Default::default();
        let mut ops: Vec<Operation<'_>> = Vec::new();
        for event in &self.events {
            match event.ty {
                EventType::Invoke => {
                    if let Some(p) = event.process {
                        open.insert(p, ops.len());
                    }
                    ops.push(Operation {
                        invoke: event,
                        completion: None,
                    });
                }
                t if t.is_completion() => {
                    if let Some(slot) = event.process.and_then(|p| open.remove(&p)) {
                        ops[slot].completion = Some(event);
                    }
                }
                _ => {}
            }
        }
        ops
    }

    /// Serialises as JSONL: one event per line, each line ending in `\n`.
    /// The output is a pure function of the events (byte-identical for equal
    /// histories).
    pub fn to_jsonl(&self) -> String {
        let mut out = String::new();
        for event in &self.events {
            // Serialising plain data with string keys cannot fail.
            out.push_str(&serde_json::to_string(event).expect("event serialises"));
            out.push('\n');
        }
        out
    }

    /// Parses JSONL, as written by [`History::to_jsonl`]. Blank lines are
    /// skipped. Errors carry the line and column.
    pub fn from_jsonl(text: &str) -> Result<Self, ParseError> {
        let mut history = History::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let event: Event = serde_json::from_str(line).map_err(|e| ParseError {
                line: i + 1,
                column: e.column().max(1),
                message: e.to_string(),
            })?;
            history.events.push(event);
        }
        Ok(history)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> History {
        let mut h = History::new();
        let mut e = Event::new(0, EventType::Invoke, "echo");
        e.process = Some(1);
        e.value = Some(Value::Str("hello".into()));
        h.push(e);
        let mut e = Event::new(5, EventType::Ok, "echo");
        e.process = Some(1);
        e.value = Some(Value::Str("hello".into()));
        e.conn = Some("client-1/redis-1#1".into());
        h.push(e);
        h
    }

    #[test]
    fn jsonl_round_trips_byte_identically() {
        let h = sample();
        let text = h.to_jsonl();
        let back = History::from_jsonl(&text).unwrap();
        assert_eq!(back, h);
        assert_eq!(back.to_jsonl(), text);
        assert!(
            !text.contains("\"key\""),
            "absent fields are left out: {text}"
        );
    }

    #[test]
    fn operations_pair_invoke_with_completion_of_same_process() {
        let h = sample();
        let ops = h.operations();
        assert_eq!(ops.len(), 1);
        assert!(ops[0].is_ok());
    }

    #[test]
    fn malformed_jsonl_reports_line_and_column() {
        let err = History::from_jsonl("\n{\"index\":0,\"time\":0,\"type\":\"bogus\",\"f\":\"x\"}")
            .unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.column > 1, "{err}");
        assert!(err.message.contains("bogus"), "{err}");
    }

    #[test]
    fn nil_and_values_serialise_naturally() {
        let v = vec![Value::Nil, Value::Int(3), Value::Str("a".into())];
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"[null,3,"a"]"#);
    }
}
