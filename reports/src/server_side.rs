//! The server's side of the story: which commands fake-redis executed for
//! which client operation.
//!
//! fake-redis numbers its connections in accept order (`redis-1#2`) and the
//! client numbers its own per node (`client-1/redis-1#2`); the two agree
//! only by luck. The link is the client's `CLIENT SETNAME`: the client
//! sends a name that maps back to its connection, and the server records
//! the name on its own connection. Then request *n* on the server's
//! connection is request *n* on the client's (both count requests in the
//! order written), whose `send` event names the process, and the process's
//! operation in flight at that `send` is the operation the command served.
//!
//! A write whose reply was lost, or came after the client's timeout, still
//! shows here as executed: that is how the page shows an indeterminate
//! (`info`) write that did take effect.

use std::collections::{BTreeSet, HashMap};

use anarcho_checker::{Event, EventType, History};

use crate::faults::node_of;

/// One command fake-redis executed, and whom it served.
#[derive(Clone, Debug)]
pub struct ServerCommand<'h> {
    /// The `server` event.
    pub event: &'h Event,
    /// The node (`redis-1`).
    pub node: &'h str,
    /// The client connection it arrived on, when `CLIENT SETNAME` told.
    pub client_conn: Option<&'h str>,
    /// The operation it served (its invoke's history index), when the wire
    /// events tell; `None` for connection set-up, background work (repair,
    /// anti-entropy) and runs recorded without wire events.
    pub op: Option<u64>,
}

impl ServerCommand<'_> {
    /// The command's reply summary (`+OK`, `(nil)`, `[+OK, +OK]`), from the
    /// event's `reply ...` note.
    pub fn reply(&self) -> Option<&str> {
        self.event.note.as_deref()?.strip_prefix("reply ")
    }

    /// Whether this looks like a write that took effect: a write command
    /// whose reply is not an error, not nil, not `+QUEUED` (a `MULTI`
    /// block takes effect at its `EXEC`) and not a script's `:0` ("nothing
    /// written"). A heuristic for people; no verdict depends on it.
    pub fn applied_write(&self) -> bool {
        let cmd = self.event.f.to_ascii_uppercase();
        let writes = [
            "SET", "DEL", "UNLINK", "HSET", "HDEL", "HINCRBY", "LPUSH", "RPUSH", "LSET", "LREM",
            "LTRIM", "INCR", "INCRBY", "DECR", "DECRBY", "MSET", "SETNX", "GETSET", "APPEND",
            "EXPIRE", "PEXPIRE", "EXEC", "EVAL", "EVALSHA", "SADD", "SREM", "ZADD", "ZREM",
        ];
        if !writes.contains(&cmd.as_str()) {
            return false;
        }
        match self.reply() {
            None => false,
            Some(r) => {
                !(r.starts_with('-')
                    || r == "(nil)"
                    || r == "+QUEUED"
                    || (cmd.starts_with("EVAL") && r == ":0"))
            }
        }
    }

    /// `EXEC → [+OK, +OK]` (arguments left out: they are in history.txt).
    pub fn short(&self) -> String {
        match self.reply() {
            Some(r) => format!("{} → {}", self.event.f, cut(r, 60)),
            None => self.event.f.clone(),
        }
    }
}

/// Cuts `s` to at most `max` characters, marking the cut with `…`.
pub(crate) fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// Every executed command of a run, linked to operations where possible.
#[derive(Clone, Debug, Default)]
pub struct ServerSide<'h> {
    /// Executed commands in history order.
    pub commands: Vec<ServerCommand<'h>>,
    /// Indices into `commands` per operation (by invoke index). A lookup
    /// table (never iterated, so its order cannot reach output).
    pub by_op: HashMap<u64, Vec<usize>>,
    /// The client connection of each server connection named by
    /// `CLIENT SETNAME`. A lookup table.
    pub client_conn_of: HashMap<&'h str, &'h str>,
}

impl<'h> ServerSide<'h> {
    /// Reads the executed commands out of `history` and links them.
    ///
    /// Two passes over the history; every per-event lookup is one hash of
    /// a connection name (this runs over millions of events).
    pub fn new(history: &'h History) -> Self {
        // Pass 1: the client's requests per connection, in request order,
        // as (req, process, send index); CLIENT SETNAME on both sides; each
        // process's operations as (invoke index, completion index).
        let mut conn_id: HashMap<&str, usize> = HashMap::new();
        let mut sends: Vec<Vec<(u64, Option<u64>, u64)>> = Vec::new();
        let mut by_name: HashMap<&str, &str> = HashMap::new();
        let mut server_name: Vec<(&str, String)> = Vec::new();
        let mut ops: HashMap<u64, Vec<(u64, u64)>> = HashMap::new();
        let mut open: HashMap<u64, u64> = HashMap::new();
        for e in history.events() {
            match e.ty {
                EventType::Send => {
                    if let (Some(conn), Some(req)) = (e.conn.as_deref(), e.req) {
                        let next = sends.len();
                        let id = *conn_id.entry(conn).or_insert(next);
                        if id == sends.len() {
                            sends.push(Vec::new());
                        }
                        sends[id].push((req, e.process, e.index));
                        if e.f.eq_ignore_ascii_case("CLIENT SETNAME")
                            && let Some(name) = e.value.as_ref().and_then(|v| v.as_str())
                        {
                            by_name.insert(name, conn);
                        }
                    }
                }
                EventType::Server if e.f.eq_ignore_ascii_case("CLIENT") => {
                    if let (Some(conn), Some(name)) = (e.conn.as_deref(), setname_arg(e)) {
                        server_name.push((conn, name));
                    }
                }
                EventType::Invoke => {
                    if let Some(p) = e.process {
                        open.insert(p, e.index);
                        ops.entry(p).or_default().push((e.index, u64::MAX));
                    }
                }
                t if t.is_completion() => {
                    if let Some(p) = e.process
                        && open.remove(&p).is_some()
                        && let Some(last) = ops.get_mut(&p).and_then(|v| v.last_mut())
                    {
                        last.1 = e.index;
                    }
                }
                _ => {}
            }
        }
        // Requests are numbered in the order written; keep them sorted for
        // the binary search below even if a recorder interleaved them.
        for list in &mut sends {
            if !list.is_sorted_by_key(|s| s.0) {
                list.sort_by_key(|s| s.0);
            }
        }
        let mut side = ServerSide::default();
        let mut resolved: HashMap<&str, (&'h str, usize)> = HashMap::new();
        for (server_conn, name) in &server_name {
            if let Some(&client) = by_name.get(name.as_str())
                && let Some(&id) = conn_id.get(client)
            {
                side.client_conn_of.insert(server_conn, client);
                resolved.insert(server_conn, (client, id));
            }
        }
        // Pass 2: every executed command, linked through its request.
        for e in history.events() {
            let (EventType::Server, Some(server_conn)) = (e.ty, e.conn.as_deref()) else {
                continue;
            };
            if !e.note.as_deref().is_some_and(|n| n.starts_with("reply ")) {
                continue;
            }
            let link = resolved.get(server_conn).copied();
            let op = link.zip(e.req).and_then(|((_, id), req)| {
                let list = &sends[id];
                let k = list.binary_search_by_key(&req, |s| s.0).ok()?;
                let (_, process, at) = list[k];
                let list = ops.get(&process?)?;
                let i = list.partition_point(|&(invoke, _)| invoke <= at);
                let (invoke, completion) = *list.get(i.checked_sub(1)?)?;
                (at <= completion).then_some(invoke)
            });
            if let Some(op) = op {
                side.by_op.entry(op).or_default().push(side.commands.len());
            }
            side.commands.push(ServerCommand {
                event: e,
                node: node_of(server_conn),
                client_conn: link.map(|(c, _)| c),
                op,
            });
        }
        side
    }

    /// The commands executed for operation `invoke_index`.
    pub fn for_op(&self, invoke_index: u64) -> impl Iterator<Item = &ServerCommand<'h>> {
        self.by_op
            .get(&invoke_index)
            .into_iter()
            .flatten()
            .map(|&i| &self.commands[i])
    }
}

/// What fake-redis recorded about each request (executed with which
/// reply, which fault fired) on a few client connections: built only for
/// the connections the page draws request by request.
#[derive(Clone, Debug, Default)]
pub struct RequestNotes<'h> {
    by_request: HashMap<&'h str, HashMap<u64, Vec<&'h Event>>>,
}

impl<'h> RequestNotes<'h> {
    /// The server events about requests on the client connections `conns`.
    pub fn new(history: &'h History, side: &ServerSide<'h>, conns: &BTreeSet<&str>) -> Self {
        let mut notes = RequestNotes::default();
        if conns.is_empty() {
            return notes;
        }
        for e in history.events() {
            let (EventType::Server, Some(server_conn), Some(req)) =
                (e.ty, e.conn.as_deref(), e.req)
            else {
                continue;
            };
            if let Some(&client) = side.client_conn_of.get(server_conn)
                && conns.contains(client)
            {
                notes
                    .by_request
                    .entry(client)
                    .or_default()
                    .entry(req)
                    .or_default()
                    .push(e);
            }
        }
        notes
    }

    /// What the server recorded about request `req` on client connection
    /// `conn`: fault notes and the executed command, in order.
    pub fn get(&self, conn: &str, req: u64) -> &[&'h Event] {
        self.by_request
            .get(conn)
            .and_then(|m| m.get(&req))
            .map_or(&[], Vec::as_slice)
    }
}

/// The name in a server-side `CLIENT` event's arguments `"SETNAME" "name"`.
fn setname_arg(e: &Event) -> Option<String> {
    let args = e.value.as_ref()?.as_str()?;
    let mut words = args.split_whitespace().map(|w| w.trim_matches('"'));
    if !words.next()?.eq_ignore_ascii_case("SETNAME") {
        return None;
    }
    Some(words.next()?.to_string())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use anarcho_checker::Value;

    /// p1 sets k; the client sends SET on its conn #1 (server conn #7); the
    /// reply never comes and the op ends `info`, but the server ran it.
    pub(crate) fn timed_out_write() -> History {
        let mut h = History::new();
        let c = "client-1/redis-1#1";
        let mut e = Event::new(0, EventType::Send, "CLIENT SETNAME");
        e.conn = Some(c.into());
        e.req = Some(1);
        e.value = Some(Value::Str("client-1-redis-1-1".into()));
        h.push(e);
        let mut e = Event::new(1, EventType::Server, "CLIENT");
        e.conn = Some("redis-1#7".into());
        e.req = Some(1);
        e.value = Some(Value::Str("\"SETNAME\" \"client-1-redis-1-1\"".into()));
        e.note = Some("reply +OK".into());
        h.push(e);
        let mut e = Event::new(2, EventType::Invoke, "set");
        e.process = Some(1);
        e.key = Some("k".into());
        h.push(e);
        let mut e = Event::new(2, EventType::Send, "SET");
        e.process = Some(1);
        e.conn = Some(c.into());
        e.req = Some(2);
        h.push(e);
        let mut e = Event::new(3, EventType::Server, "SET");
        e.conn = Some("redis-1#7".into());
        e.req = Some(2);
        e.key = Some("k".into());
        e.note = Some("reply +OK".into());
        h.push(e);
        let mut e = Event::new(100, EventType::Info, "set");
        e.process = Some(1);
        e.key = Some("k".into());
        h.push(e);
        h
    }

    #[test]
    fn a_timed_out_write_is_linked_to_the_command_the_server_ran() {
        let h = timed_out_write();
        let side = ServerSide::new(&h);
        assert_eq!(side.commands.len(), 2);
        assert_eq!(side.commands[0].op, None, "set-up serves no operation");
        assert_eq!(side.commands[0].client_conn, Some("client-1/redis-1#1"));
        let served: Vec<_> = side.for_op(2).collect();
        assert_eq!(served.len(), 1);
        assert_eq!(served[0].node, "redis-1");
        assert!(served[0].applied_write());
        assert_eq!(served[0].short(), "SET → +OK");
        let notes = RequestNotes::new(&h, &side, &["client-1/redis-1#1"].into());
        assert_eq!(notes.get("client-1/redis-1#1", 2).len(), 1);
        assert!(notes.get("client-1/redis-1#1", 9).is_empty());
        let none = RequestNotes::new(&h, &side, &["client-9/redis-1#1"].into());
        assert!(none.get("client-1/redis-1#1", 2).is_empty());
    }

    #[test]
    fn replies_that_apply_nothing_are_not_applied_writes() {
        for (f, reply, applied) in [
            ("EXEC", "reply (nil)", false),
            ("EXEC", "reply [+OK, +OK]", true),
            ("SET", "reply +QUEUED", false),
            ("EVAL", "reply :0", false),
            ("EVAL", "reply :1", true),
            ("GET", "reply \"v\"", false),
            ("SET", "reply -ERR wrong", false),
        ] {
            let mut e = Event::new(0, EventType::Server, f);
            e.note = Some(reply.into());
            let cmd = ServerCommand {
                event: &e,
                node: "redis-1",
                client_conn: None,
                op: None,
            };
            assert_eq!(cmd.applied_write(), applied, "{f} {reply}");
        }
    }
}
