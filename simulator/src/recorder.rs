//! The history recorder: one shared, append-only log on the simulated clock.
//!
//! Every host in a turmoil world runs on one thread, so events are appended
//! in a deterministic order. Times come from `turmoil::sim_elapsed()`, never
//! from the wall clock. The recorder also implements the client's
//! [`WireObserver`], turning wire events into `send`/`recv`/`conn` history
//! events tagged with the logical process that caused them.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use anarcho_checker::{Event, EventType, History, Value};
use anarchoredis::{ConnId, ObservedReply, Purpose, WireEvent, WireObserver};

tokio::task_local! {
    /// The logical process the current task is running an operation for.
    static PROCESS: u64;
}

/// Runs `fut` as logical process `process`, so its wire traffic is tagged.
pub async fn as_process<F: std::future::Future>(process: u64, fut: F) -> F::Output {
    PROCESS.scope(process, fut).await
}

fn current_process() -> Option<u64> {
    PROCESS.try_with(|p| *p).ok()
}

/// Simulated nanoseconds since the run began.
pub fn now_ns() -> u64 {
    turmoil::sim_elapsed()
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default()
}

#[derive(Default)]
struct State {
    history: History,
    /// The connection each process last sent a user command on.
    last_conn: BTreeMap<u64, ConnId>,
    /// The simulated time to stamp events with while code outside any host
    /// (the nemesis) runs, where `turmoil::sim_elapsed()` does not apply.
    outside: Option<u64>,
}

/// A cheap-to-clone handle to the run's history.
#[derive(Clone, Default)]
pub struct Recorder {
    state: Arc<Mutex<State>>,
}

impl Recorder {
    /// A new, empty recorder.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends an event stamped with the current simulated time.
    pub fn record(&self, mut event: Event) {
        let mut state = self.lock();
        event.time = state.outside.unwrap_or_else(now_ns);
        state.history.push(event);
    }

    /// Stamps events recorded from outside any host (for example by a
    /// fake-redis observer called from the nemesis) with `at`, until
    /// called again with `None`.
    pub fn set_outside_time(&self, at: Option<std::time::Duration>) {
        self.lock().outside = at.map(|d| d.as_nanos() as u64);
    }

    /// Appends an event stamped with an explicit simulated time (for events
    /// recorded outside any host, such as the nemesis').
    pub fn record_at(&self, mut event: Event, at: std::time::Duration) {
        event.time = at.as_nanos() as u64;
        self.lock().history.push(event);
    }

    /// The connection process `p` last sent a command on, if any.
    pub fn last_conn(&self, p: u64) -> Option<String> {
        self.lock().last_conn.get(&p).map(ConnId::to_string)
    }

    /// The history, moved out (the recorder is left empty): for the end of a
    /// run, when nothing records any more, so the history is not copied.
    pub fn take_history(&self) -> History {
        std::mem::take(&mut self.lock().history)
    }
}

/// A request's arguments as a history value. The script of an `EVAL` is
/// shown by the label fake-redis gives it (`<script: NAME>`), as the
/// server's own log shows it, not as its text on every line.
fn show_args(eval: bool, args: Vec<Vec<u8>>) -> Option<Value> {
    let mut vals: Vec<Value> = args
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            let label = (eval && i == 0)
                .then(|| fake_redis::scripts::label(&a))
                .flatten();
            Value::Str(label.unwrap_or_else(|| utf8(a)))
        })
        .collect();
    match vals.len() {
        0 => None,
        1 => vals.pop(),
        _ => Some(Value::List(vals)),
    }
}

/// Bytes as text, without a copy when they are valid UTF-8.
fn utf8(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes)
        .unwrap_or_else(|invalid| String::from_utf8_lossy(invalid.as_bytes()).into_owned())
}

/// `client-1/redis-1#2`: what `ConnId`'s `Display` writes, without the
/// formatting machinery (this runs for every wire event).
fn conn_label(conn: &ConnId) -> String {
    let mut digits = itoa::Buffer::new();
    [
        &*conn.client,
        "/",
        &*conn.node,
        "#",
        digits.format(conn.number),
    ]
    .concat()
}

/// A reply as a history value, moving its bytes.
fn into_value(v: redis::Value) -> Value {
    match v {
        redis::Value::BulkString(b) => Value::Str(utf8(b)),
        redis::Value::Array(items) | redis::Value::Set(items) => {
            Value::List(items.into_iter().map(into_value).collect())
        }
        other => redis_value(&other),
    }
}

/// A reply as a history value.
pub fn redis_value(v: &redis::Value) -> Value {
    match v {
        redis::Value::Nil => Value::Nil,
        redis::Value::Int(i) => Value::Int(*i),
        redis::Value::Okay => Value::Str("OK".into()),
        redis::Value::SimpleString(s) => Value::Str(s.clone()),
        redis::Value::BulkString(b) => Value::Str(String::from_utf8_lossy(b).into_owned()),
        redis::Value::Array(items) | redis::Value::Set(items) => {
            Value::List(items.iter().map(redis_value).collect())
        }
        other => Value::Str(format!("{other:?}")),
    }
}

impl WireObserver for Recorder {
    fn on_event(&self, wire: WireEvent) {
        let process = current_process();
        let mut event;
        match wire {
            WireEvent::Open { conn } => {
                event = Event::new(0, EventType::Conn, "open");
                event.conn = Some(conn_label(&conn));
            }
            WireEvent::Send {
                conn,
                req,
                purpose,
                command,
                args,
            } => {
                let value = show_args(command == "EVAL", args);
                event = Event::new(0, EventType::Send, command);
                event.conn = Some(conn_label(&conn));
                event.req = Some(req);
                event.value = value;
                if purpose == Purpose::Command {
                    event.process = process;
                    if let Some(p) = process {
                        self.lock().last_conn.insert(p, conn);
                    }
                } else {
                    event.note = Some("connection set-up".into());
                }
            }
            WireEvent::Recv {
                conn,
                req,
                reply,
                purpose,
                reply_value,
            } => {
                event = Event::new(0, EventType::Recv, "reply");
                event.conn = Some(conn_label(&conn));
                event.req = Some(req);
                event.reply = Some(reply);
                if purpose == Purpose::Command {
                    event.process = process;
                }
                match reply_value {
                    ObservedReply::Value(v) => event.value = Some(into_value(v)),
                    ObservedReply::ServerError(e) => event.error = Some(e),
                }
            }
            WireEvent::Poison { conn, reason } => {
                event = Event::new(0, EventType::Conn, "poison");
                event.conn = Some(conn_label(&conn));
                event.error = Some(reason);
            }
            WireEvent::PoisonSuppressed { conn, reason } => {
                event = Event::new(0, EventType::Conn, "poison-suppressed");
                event.conn = Some(conn_label(&conn));
                event.error = Some(reason);
                event.note = Some("kept for reuse by a known-bug switch".into());
            }
            WireEvent::Close { conn } => {
                event = Event::new(0, EventType::Conn, "close");
                event.conn = Some(conn_label(&conn));
            }
        }
        self.record(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_labels_match_conn_id_display() {
        for number in [0, 1, 9, 10, 42, 123_456_789, u64::MAX] {
            let id = ConnId {
                client: "client-1".into(),
                node: "redis-3".into(),
                number,
            };
            assert_eq!(conn_label(&id), id.to_string());
        }
    }

    #[test]
    fn arguments_are_moved_into_text_and_the_script_is_named() {
        let args = vec![
            anarchoredis::REGISTER_WRITE_LUA.as_bytes().to_vec(),
            b"2".to_vec(),
            b"k\xff".to_vec(),
        ];
        assert_eq!(
            show_args(true, args.clone()),
            Some(Value::List(vec![
                Value::Str("<script: anarchoredis register write>".into()),
                Value::Str("2".into()),
                Value::Str("k\u{fffd}".into()),
            ]))
        );
        // Only EVAL's first argument is named.
        let shown = show_args(false, args);
        let Some(Value::List(items)) = shown else {
            panic!("{shown:?}")
        };
        assert_eq!(
            items[0],
            Value::Str(anarchoredis::REGISTER_WRITE_LUA.into())
        );
    }
}
