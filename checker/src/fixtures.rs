//! Small hand-built histories: a clean run, the shape of go-redis #1113, and
//! a stale read.
//!
//! They exist so that tests here and in `anarcho-reports` share one faithful
//! picture of the bug instead of each drawing its own, and so that a person
//! can try the checker and the reports without running a simulation.

use crate::history::{Event, EventType, History, Value};

/// The connection the #1113 fixture misattributes a reply on.
pub const ISSUE_1113_CONN: &str = "client-1/redis-1#2";

/// A run with no violation: an echo after connection set-up, then set, get,
/// incr and del on a second client, every reply matching its request.
pub fn clean() -> History {
    let mut b = Builder::new();
    let c1 = "client-1/redis-1#1";
    let c2 = "client-2/redis-1#1";
    b.op(EventType::Invoke, 1, "echo", None, text("hello"));
    b.conn(c1, "open");
    b.send(c1, None, "CLIENT", 1, list(&["SETNAME", "client-1"]));
    b.recv(c1, None, 1, 1, text("OK"));
    b.send(c1, Some(1), "ECHO", 2, text("hello"));
    b.recv(c1, Some(1), 2, 2, text("hello"));
    b.op(EventType::Ok, 1, "echo", None, text("hello")).conn = Some(c1.into());
    b.user_op(c2, 2, 1, "set", Some("k1"), text("v1"), text("OK"));
    b.user_op(c2, 2, 2, "get", Some("k1"), None, text("v1"));
    b.user_op(c2, 2, 3, "incr", Some("k2"), None, Some(Value::Int(1)));
    b.user_op(c2, 2, 4, "get", Some("k2"), None, text("1"));
    b.user_op(c2, 2, 5, "del", Some("k1"), None, text("OK"));
    b.user_op(c2, 2, 6, "get", Some("k1"), None, Some(Value::Nil));
    b.build()
}

/// go-redis #1113: a `READONLY` sent during connection set-up times out and
/// is retried on the same connection, so the user's `ECHO payload` reads the
/// reply to the retried `READONLY` and returns `"OK"`.
///
/// Exactly one violation: reply 3 (to request 3, `READONLY #2`) is consumed
/// by request 4 (`ECHO`). Process 2 runs a clean set and get beforehand on
/// another client.
pub fn issue_1113(payload: &str) -> History {
    let mut b = Builder::new();
    let c2 = "client-2/redis-1#1";
    b.conn(c2, "open");
    b.user_op(c2, 2, 1, "set", Some("k1"), text("v1"), text("OK"));
    b.user_op(c2, 2, 2, "get", Some("k1"), None, text("v1"));

    let c = ISSUE_1113_CONN;
    b.op(EventType::Invoke, 1, "echo", None, text(payload));
    b.conn(c, "open");
    b.send(c, None, "CLIENT", 1, list(&["SETNAME", "client-1"]));
    b.recv(c, None, 1, 1, text("OK"));
    b.send(c, None, "READONLY", 2, None);
    // No reply within the set-up timeout; the client retries on the same
    // connection instead of poisoning it. The late reply 2 is still coming.
    b.send(c, None, "READONLY", 3, None);
    b.recv(c, None, 3, 2, text("OK"));
    b.send(c, Some(1), "ECHO", 4, text(payload));
    b.recv(c, Some(1), 4, 3, text("OK"));
    b.op(EventType::Ok, 1, "echo", None, text("OK")).conn = Some(c.into());
    b.build()
}

/// A register history that is not linearizable: `writes` acknowledged
/// `set x` by three processes one after another (some overlapping), then a
/// read of `x` returning the first value written. The longest partial
/// linearisation places every write; the read cannot be placed.
pub fn stale_read(writes: u64) -> History {
    let mut h = History::new();
    let ms = 1_000_000u64;
    for i in 0..writes {
        let mut e = Event::new(i * 10 * ms, EventType::Invoke, "set");
        e.process = Some(i % 3);
        e.key = Some("x".into());
        e.value = Some(Value::Str(format!("v{i}")));
        h.push(e.clone());
        e.time += 4 * ms;
        e.ty = EventType::Ok;
        e.value = Some(Value::Str("OK".into()));
        h.push(e);
    }
    let mut e = Event::new(writes * 10 * ms, EventType::Invoke, "get");
    e.process = Some(0);
    e.key = Some("x".into());
    h.push(e.clone());
    e.time += 3 * ms;
    e.ty = EventType::Ok;
    e.value = Some(Value::Str("v0".into()));
    h.push(e);
    h
}

fn text(s: &str) -> Option<Value> {
    Some(Value::Str(s.into()))
}

fn list(items: &[&str]) -> Option<Value> {
    Some(Value::List(
        items.iter().map(|s| Value::Str((*s).into())).collect(),
    ))
}

/// Appends events 1 ms apart; each method returns the new event so a caller
/// can fill in fields the method does not take.
pub(crate) struct Builder {
    events: Vec<Event>,
}

impl Builder {
    pub(crate) fn new() -> Self {
        Builder { events: Vec::new() }
    }

    pub(crate) fn event(&mut self, ty: EventType, f: &str) -> &mut Event {
        let time = (self.events.len() as u64 + 1) * 1_000_000;
        self.events.push(Event::new(time, ty, f));
        self.events.last_mut().expect("just pushed")
    }

    pub(crate) fn op(
        &mut self,
        ty: EventType,
        process: u64,
        f: &str,
        key: Option<&str>,
        value: Option<Value>,
    ) -> &mut Event {
        let e = self.event(ty, f);
        e.process = Some(process);
        e.key = key.map(str::to_string);
        e.value = value;
        e
    }

    pub(crate) fn conn(&mut self, conn: &str, step: &str) -> &mut Event {
        let e = self.event(EventType::Conn, step);
        e.conn = Some(conn.into());
        e
    }

    pub(crate) fn send(
        &mut self,
        conn: &str,
        process: Option<u64>,
        command: &str,
        req: u64,
        args: Option<Value>,
    ) -> &mut Event {
        let e = self.event(EventType::Send, command);
        e.process = process;
        e.conn = Some(conn.into());
        e.req = Some(req);
        e.value = args;
        e
    }

    pub(crate) fn recv(
        &mut self,
        conn: &str,
        process: Option<u64>,
        req: u64,
        reply: u64,
        value: Option<Value>,
    ) -> &mut Event {
        let e = self.event(EventType::Recv, "reply");
        e.process = process;
        e.conn = Some(conn.into());
        e.req = Some(req);
        e.reply = Some(reply);
        e.value = value;
        e
    }

    /// A whole well-behaved operation on `conn`: invoke, request `req`,
    /// reply `req`, ok with `result`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn user_op(
        &mut self,
        conn: &str,
        process: u64,
        req: u64,
        f: &str,
        key: Option<&str>,
        arg: Option<Value>,
        result: Option<Value>,
    ) {
        self.op(EventType::Invoke, process, f, key, arg.clone());
        let wire_args = match (key, arg) {
            (Some(k), Some(a)) => Some(Value::List(vec![Value::Str(k.into()), a])),
            (Some(k), None) => Some(Value::Str(k.into())),
            (None, a) => a,
        };
        self.send(conn, Some(process), &f.to_ascii_uppercase(), req, wire_args);
        self.recv(conn, Some(process), req, req, result.clone());
        self.op(EventType::Ok, process, f, None, result).conn = Some(conn.into());
    }

    pub(crate) fn build(self) -> History {
        let mut history = History::new();
        for event in self.events {
            history.push(event);
        }
        history
    }
}
