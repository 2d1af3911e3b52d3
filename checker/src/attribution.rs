//! Reply attribution: every reply must belong to its own request.
//!
//! This checker does not ask whether the history is linearizable; it asks a
//! narrower question that catches a whole class of client bugs (go-redis
//! #1113 is the flagship): *could this result have been the answer to this
//! request at all?*
//!
//! - `echo` must return its own payload;
//! - `get` must return nil, or a value some `set` to the same key carried,
//!   among sets invoked before the get completed (whatever their outcome: an
//!   indeterminate write may have been applied). A key that an `incr` touched
//!   may also hold an integer string. Being generous here is deliberate:
//!   stale reads are the linearizability checker's business, not this one's;
//! - `set` must return `"OK"`; `incr` and `del` must return an integer.
//!
//! When a result is wrong, the wire events say whose reply it really was:
//! Redis answers in order, so reply *n* on a connection is the answer to
//! request *n*. The `recv` that produced the result carries both its `reply`
//! number and the `req` whose read consumed it; when they differ, the
//! [`Culprit`] is the `send` with `req == reply`. Histories without wire
//! events (imported ones) get a weaker hint: an earlier `echo` whose payload
//! the wrong value equals.
//!
//! Only `ok` completions are judged: a `fail` or `info` carries no result.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::history::{Event, EventType, History, Operation, Value};
use crate::verdict::Verdict;

/// The attribution checker's findings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttributionReport {
    /// How many `ok` operations were judged.
    pub checked: u64,
    /// Every wrongly attributed result, ordered by completion (the moment the
    /// wrong value was observed).
    pub violations: Vec<Violation>,
}

impl AttributionReport {
    /// `Invalid` when any violation was found, else `Valid`.
    pub fn verdict(&self) -> Verdict {
        if self.violations.is_empty() {
            Verdict::Valid
        } else {
            Verdict::Invalid
        }
    }
}

/// One operation whose result cannot have been the answer to its request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// History index of the operation's `invoke`.
    pub invoke_index: u64,
    /// History index of its `ok` completion.
    pub completion_index: u64,
    /// The process that ran it.
    pub process: u64,
    /// The operation (`echo`, `get`, ...).
    pub f: String,
    /// The key it touched, if any.
    pub key: Option<String>,
    /// What would have been acceptable, in words.
    pub expected: String,
    /// What it returned.
    pub got: Value,
    /// The connection the result was read from, if recorded.
    pub conn: Option<String>,
    /// Whose reply the result really was, when the wire events tell.
    pub belonged_to: Option<Culprit>,
    /// One line for people, naming the culprit when known.
    pub summary: String,
}

/// The request whose reply an operation wrongly took as its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Culprit {
    /// The connection both requests went over.
    pub conn: String,
    /// The culprit's request number on that connection.
    pub req: u64,
    /// Its Redis command, as recorded on the `send`.
    pub command: String,
    /// Which `command` it was on that connection, 1-based: "READONLY #2".
    pub nth_of_command: u64,
    /// Its arguments, as recorded on the `send`.
    pub args: Option<Value>,
    /// The process it was sent for; `None` for connection set-up.
    pub process: Option<u64>,
    /// History index of its `send`.
    pub send_index: u64,
}

/// The wire events (`send`, `recv`, `conn`) of a history, grouped by
/// connection, each group in history order.
///
/// Built once per check so that explaining many violations on one long-lived
/// connection costs a lookup each rather than a scan of the whole history.
/// The reports use it too, to draw a connection's timeline.
#[derive(Clone, Debug, Default)]
pub struct WireIndex<'h> {
    by_conn: BTreeMap<&'h str, Vec<&'h Event>>,
}

impl<'h> WireIndex<'h> {
    /// Groups the wire events of `history` by connection.
    pub fn new(history: &'h History) -> Self {
        let mut by_conn: BTreeMap<&str, Vec<&Event>> = BTreeMap::new();
        for event in history.events() {
            if matches!(
                event.ty,
                EventType::Send | EventType::Recv | EventType::Conn
            ) && let Some(conn) = event.conn.as_deref()
            {
                by_conn.entry(conn).or_default().push(event);
            }
        }
        WireIndex { by_conn }
    }

    /// Every wire event on `conn`, in history order (empty if none).
    pub fn events(&self, conn: &str) -> &[&'h Event] {
        self.by_conn.get(conn).map_or(&[], Vec::as_slice)
    }

    /// The `recv` that produced an operation's result: the last `recv` on
    /// `conn` for `process` strictly between the invoke (`after`) and the
    /// completion (`before`).
    pub fn deciding_recv(
        &self,
        conn: &str,
        process: u64,
        after: u64,
        before: u64,
    ) -> Option<&'h Event> {
        let events = self.events(conn);
        let lo = events.partition_point(|e| e.index <= after);
        let hi = events.partition_point(|e| e.index < before);
        events[lo..hi.max(lo)]
            .iter()
            .rev()
            .find(|e| e.ty == EventType::Recv && e.process == Some(process))
            .copied()
    }

    /// The `send` of request number `req` on `conn`.
    pub fn send(&self, conn: &str, req: u64) -> Option<&'h Event> {
        self.events(conn)
            .iter()
            .find(|e| e.ty == EventType::Send && e.req == Some(req))
            .copied()
    }

    /// The `send` of request number `req` on `conn`, as a [`Culprit`].
    pub fn culprit(&self, conn: &str, req: u64) -> Option<Culprit> {
        let send = self.send(conn, req)?;
        let events = self.events(conn);
        let pos = events.partition_point(|e| e.index < send.index);
        let nth_of_command = events[..=pos]
            .iter()
            .filter(|e| e.ty == EventType::Send && e.f == send.f)
            .count() as u64;
        Some(Culprit {
            conn: conn.to_string(),
            req,
            command: send.f.clone(),
            nth_of_command,
            args: send.value.clone(),
            process: send.process,
            send_index: send.index,
        })
    }
}

/// Judges every `ok` operation of `history`. See the module docs.
pub fn check_attribution(history: &History) -> AttributionReport {
    let ops = history.operations();
    let writes = Writes::collect(&ops);
    let echoes = Echoes::collect(&ops);
    let wire = WireIndex::new(history);
    let mut checked = 0;
    let mut violations = Vec::new();
    for op in &ops {
        let Some(completion) = op.completion.filter(|c| c.ty == EventType::Ok) else {
            continue;
        };
        let Some(kind) = OpKind::parse(&op.invoke.f) else {
            continue;
        };
        checked += 1;
        let got = completion.value.clone().unwrap_or(Value::Nil);
        if let Some(expected) = kind.judge(op.invoke, completion, &got, &writes) {
            violations.push(explain(
                &wire, &echoes, op.invoke, completion, expected, got,
            ));
        }
    }
    violations.sort_by_key(|v| v.completion_index);
    AttributionReport {
        checked,
        violations,
    }
}

/// The operations this checker knows how to judge.
#[derive(Clone, Copy)]
enum OpKind {
    Echo,
    Get,
    Set,
    Incr,
    Del,
}

impl OpKind {
    fn parse(f: &str) -> Option<Self> {
        match f.to_ascii_lowercase().as_str() {
            "echo" => Some(OpKind::Echo),
            "get" => Some(OpKind::Get),
            "set" => Some(OpKind::Set),
            "incr" => Some(OpKind::Incr),
            "del" => Some(OpKind::Del),
            _ => None,
        }
    }

    /// `None` when `got` is acceptable, else what would have been, in words.
    fn judge(
        self,
        invoke: &Event,
        completion: &Event,
        got: &Value,
        writes: &Writes<'_>,
    ) -> Option<String> {
        let ok = match self {
            OpKind::Echo => invoke.value.as_ref().unwrap_or(&Value::Nil) == got,
            OpKind::Get => {
                *got == Value::Nil
                    || writes.could_hold(invoke.key.as_deref(), got, completion.index)
            }
            // anarchoredis' DEL is a replicated tombstone write: acknowledged
            // with "OK" like SET.
            OpKind::Set | OpKind::Del => got.as_str() == Some("OK"),
            OpKind::Incr => matches!(got, Value::Int(_)),
        };
        if ok {
            return None;
        }
        Some(match self {
            OpKind::Echo => format!(
                "its own payload {}",
                invoke.value.as_ref().unwrap_or(&Value::Nil)
            ),
            OpKind::Get => {
                let mut words = match invoke.key.as_deref() {
                    Some(key) => format!("nil or a value written to key {key:?} by some SET"),
                    None => "nil or a value written by some SET".to_string(),
                };
                if writes.incremented_before(invoke.key.as_deref(), completion.index) {
                    words.push_str(", or an integer left by INCR");
                }
                words
            }
            OpKind::Set | OpKind::Del => "\"OK\"".to_string(),
            OpKind::Incr => "an integer".to_string(),
        })
    }
}

/// What a key may hold: every value a `set` carried and when the first such
/// set was invoked, plus when the first `incr` on it was invoked.
struct Writes<'h> {
    sets: BTreeMap<(Option<&'h str>, &'h Value), u64>,
    incrs: BTreeMap<Option<&'h str>, u64>,
}

impl<'h> Writes<'h> {
    fn collect(ops: &[Operation<'h>]) -> Self {
        let mut sets = BTreeMap::new();
        let mut incrs = BTreeMap::new();
        // Operations come in invoke order, so the first insert is the earliest.
        for op in ops {
            let invoke = op.invoke;
            match OpKind::parse(&invoke.f) {
                Some(OpKind::Set) => {
                    if let Some(value) = &invoke.value {
                        sets.entry((invoke.key.as_deref(), value))
                            .or_insert(invoke.index);
                    }
                }
                Some(OpKind::Incr) => {
                    incrs.entry(invoke.key.as_deref()).or_insert(invoke.index);
                }
                _ => {}
            }
        }
        Writes { sets, incrs }
    }

    /// Could `key` hold `value` for a read that completed at `before`?
    fn could_hold(&self, key: Option<&str>, value: &Value, before: u64) -> bool {
        let set = self.sets.get(&(key, value)).is_some_and(|&i| i < before);
        // A counter read returns an integer (anarchoredis' `get_counter`)
        // or Redis' integer string (`GET` after `INCR`).
        let integer = matches!(value, Value::Int(_))
            || value.as_str().is_some_and(|s| s.parse::<i64>().is_ok());
        let incr = integer && self.incremented_before(key, before);
        set || incr
    }

    fn incremented_before(&self, key: Option<&str>, before: u64) -> bool {
        self.incrs.get(&key).is_some_and(|&i| i < before)
    }
}

/// Every `echo` payload and who sent it: the fallback hint for histories
/// without wire events.
struct Echoes<'h> {
    by_payload: BTreeMap<&'h Value, Vec<(u64, Option<u64>)>>,
}

impl<'h> Echoes<'h> {
    fn collect(ops: &[Operation<'h>]) -> Self {
        let mut by_payload: BTreeMap<&Value, Vec<(u64, Option<u64>)>> = BTreeMap::new();
        for op in ops {
            if let (Some(OpKind::Echo), Some(payload)) =
                (OpKind::parse(&op.invoke.f), &op.invoke.value)
            {
                by_payload
                    .entry(payload)
                    .or_default()
                    .push((op.invoke.index, op.invoke.process));
            }
        }
        Echoes { by_payload }
    }

    /// The process of the latest other `echo` of `payload` invoked before
    /// `before`. The outer `Option` says whether there is one.
    fn lookalike(&self, payload: &Value, this_invoke: u64, before: u64) -> Option<Option<u64>> {
        self.by_payload
            .get(payload)?
            .iter()
            .rev()
            .find(|&&(index, _)| index != this_invoke && index < before)
            .map(|&(_, process)| process)
    }
}

fn explain(
    wire: &WireIndex<'_>,
    echoes: &Echoes<'_>,
    invoke: &Event,
    completion: &Event,
    expected: String,
    got: Value,
) -> Violation {
    let conn = completion.conn.clone().or_else(|| invoke.conn.clone());
    let process = invoke.process.unwrap_or_default();
    let recv = conn
        .as_deref()
        .and_then(|c| wire.deciding_recv(c, process, invoke.index, completion.index));
    // Reply n answers request n: a reply number other than the reading
    // request's own names the request it really belonged to.
    let misread = recv.and_then(|r| r.reply.filter(|&reply| Some(reply) != r.req));
    let belonged_to = misread
        .zip(conn.as_deref())
        .and_then(|(reply, c)| wire.culprit(c, reply));
    let cause = match (&belonged_to, misread, conn.as_deref()) {
        (Some(culprit), _, _) => describe_culprit(culprit),
        (None, Some(reply), Some(conn)) => format!("the reply to request #{reply} on conn {conn}"),
        _ if recv.is_none() => match echoes.lookalike(&got, invoke.index, completion.index) {
            Some(Some(p)) => format!("looks like the reply to ECHO by process {p}"),
            Some(None) => "looks like the reply to an earlier ECHO".to_string(),
            None => format!("expected {expected}"),
        },
        _ => format!("expected {expected}"),
    };
    Violation {
        invoke_index: invoke.index,
        completion_index: completion.index,
        process,
        f: invoke.f.clone(),
        key: invoke.key.clone(),
        summary: format!("{} returned {got} ({cause})", describe_op(invoke)),
        expected,
        got,
        conn,
        belonged_to,
    }
}

/// `ECHO "message"`, `GET "k1"`, `SET "k1" "v1"`.
fn describe_op(invoke: &Event) -> String {
    let mut text = invoke.f.to_ascii_uppercase();
    if let Some(key) = &invoke.key {
        text.push_str(&format!(" {key:?}"));
    }
    if let Some(value) = &invoke.value {
        text.push_str(&format!(" {value}"));
    }
    text
}

/// `the reply to READONLY #2 on conn c`, or for a user request
/// `the reply to ECHO #3 "p1-7" on conn c, sent for process 1`.
fn describe_culprit(c: &Culprit) -> String {
    let mut text = format!(
        "the reply to {} #{}",
        c.command.to_ascii_uppercase(),
        c.nth_of_command
    );
    if let Some(args) = &c.args {
        text.push_str(&format!(" {args}"));
    }
    text.push_str(&format!(" on conn {}", c.conn));
    if let Some(p) = c.process {
        text.push_str(&format!(", sent for process {p}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{self, Builder, ISSUE_1113_CONN};

    fn text(s: &str) -> Option<Value> {
        Some(Value::Str(s.into()))
    }

    /// process, f, key, argument, outcome, result.
    type Op<'a> = (
        u64,
        &'a str,
        Option<&'a str>,
        Option<Value>,
        EventType,
        Option<Value>,
    );

    /// Operations only, no wire events: the shape of an imported history.
    fn ops(list: &[Op<'_>]) -> History {
        let mut b = Builder::new();
        for (p, f, key, arg, outcome, result) in list {
            b.op(EventType::Invoke, *p, f, *key, arg.clone());
            b.op(*outcome, *p, f, None, result.clone());
        }
        b.build()
    }

    #[test]
    fn clean_history_passes() {
        let report = check_attribution(&fixtures::clean());
        assert_eq!(report.checked, 7);
        assert_eq!(report.violations, vec![]);
        assert_eq!(report.verdict(), Verdict::Valid);
    }

    #[test]
    fn issue_1113_echo_reads_the_reply_to_the_retried_readonly() {
        let history = fixtures::issue_1113("message");
        let report = check_attribution(&history);
        assert_eq!(report.verdict(), Verdict::Invalid);
        assert_eq!(report.violations.len(), 1, "{report:#?}");
        let v = &report.violations[0];
        assert_eq!(v.f, "echo");
        assert_eq!(v.process, 1);
        assert_eq!(v.got, Value::Str("OK".into()));
        assert_eq!(v.expected, r#"its own payload "message""#);
        assert_eq!(v.conn.as_deref(), Some(ISSUE_1113_CONN));
        let send = history
            .events()
            .iter()
            .find(|e| e.ty == EventType::Send && e.req == Some(3))
            .unwrap();
        assert_eq!(
            v.belonged_to,
            Some(Culprit {
                conn: ISSUE_1113_CONN.into(),
                req: 3,
                command: "READONLY".into(),
                nth_of_command: 2,
                args: None,
                process: None,
                send_index: send.index,
            })
        );
        assert_eq!(
            v.summary,
            r#"ECHO "message" returned "OK" (the reply to READONLY #2 on conn client-1/redis-1#2)"#
        );
    }

    #[test]
    fn a_user_request_culprit_is_named_with_its_args_and_process() {
        // Reply 1 (to ECHO "p1-1") is read by request 2 (ECHO "p1-2").
        let c = "client-1/redis-1#1";
        let mut b = Builder::new();
        b.op(EventType::Invoke, 1, "echo", None, text("p1-1"));
        b.send(c, Some(1), "ECHO", 1, text("p1-1"));
        b.op(EventType::Info, 1, "echo", None, None).error = Some("timeout".into());
        b.op(EventType::Invoke, 1, "echo", None, text("p1-2"));
        b.send(c, Some(1), "ECHO", 2, text("p1-2"));
        b.recv(c, Some(1), 2, 1, text("p1-1"));
        b.op(EventType::Ok, 1, "echo", None, text("p1-1")).conn = Some(c.into());
        let report = check_attribution(&b.build());
        assert_eq!(report.violations.len(), 1);
        assert_eq!(
            report.violations[0].summary,
            r#"ECHO "p1-2" returned "p1-1" (the reply to ECHO #1 "p1-1" on conn client-1/redis-1#1, sent for process 1)"#
        );
    }

    #[test]
    fn get_of_a_never_written_value_is_flagged() {
        let h = ops(&[
            (1, "set", Some("k1"), text("v1"), EventType::Ok, text("OK")),
            (1, "get", Some("k1"), None, EventType::Ok, text("v9")),
        ]);
        let report = check_attribution(&h);
        assert_eq!(report.violations.len(), 1);
        let v = &report.violations[0];
        assert_eq!(
            v.expected,
            r#"nil or a value written to key "k1" by some SET"#
        );
        assert_eq!(
            v.summary,
            r#"GET "k1" returned "v9" (expected nil or a value written to key "k1" by some SET)"#
        );
    }

    #[test]
    fn get_of_a_value_written_to_a_different_key_is_flagged() {
        let h = ops(&[
            (1, "set", Some("k2"), text("v1"), EventType::Ok, text("OK")),
            (1, "get", Some("k1"), None, EventType::Ok, text("v1")),
        ]);
        assert_eq!(check_attribution(&h).violations.len(), 1);
    }

    #[test]
    fn get_of_a_value_set_only_after_the_get_completed_is_flagged() {
        let h = ops(&[
            (1, "get", Some("k1"), None, EventType::Ok, text("v1")),
            (1, "set", Some("k1"), text("v1"), EventType::Ok, text("OK")),
        ]);
        assert_eq!(check_attribution(&h).violations.len(), 1);
    }

    #[test]
    fn get_may_return_nil_or_an_indeterminate_or_concurrent_write() {
        let mut b = Builder::new();
        b.op(EventType::Invoke, 1, "set", Some("k1"), text("maybe"));
        b.op(EventType::Info, 1, "set", None, None);
        b.op(EventType::Invoke, 3, "set", Some("k1"), text("failed"));
        b.op(EventType::Fail, 3, "set", None, None);
        b.op(EventType::Invoke, 2, "get", Some("k1"), None);
        // Invoked while the get is in flight, never completed.
        b.op(EventType::Invoke, 4, "set", Some("k1"), text("concurrent"));
        b.op(EventType::Ok, 2, "get", None, text("concurrent"));
        for result in [text("maybe"), text("failed"), Some(Value::Nil)] {
            b.op(EventType::Invoke, 2, "get", Some("k1"), None);
            b.op(EventType::Ok, 2, "get", None, result);
        }
        let report = check_attribution(&b.build());
        assert_eq!(report.checked, 4);
        assert_eq!(report.violations, vec![]);
    }

    #[test]
    fn get_of_a_key_touched_by_incr_may_return_an_integer_string() {
        let h = ops(&[
            (
                1,
                "incr",
                Some("k1"),
                None,
                EventType::Ok,
                Some(Value::Int(1)),
            ),
            (1, "get", Some("k1"), None, EventType::Ok, text("1")),
            (1, "get", Some("k2"), None, EventType::Ok, text("1")),
        ]);
        let report = check_attribution(&h);
        assert_eq!(report.violations.len(), 1);
        assert_eq!(report.violations[0].key.as_deref(), Some("k2"));
    }

    #[test]
    fn incr_returning_a_string_is_flagged() {
        let h = ops(&[(1, "incr", Some("k1"), None, EventType::Ok, text("OK"))]);
        let report = check_attribution(&h);
        assert_eq!(report.violations.len(), 1);
        assert_eq!(report.violations[0].expected, "an integer");
    }

    #[test]
    fn set_and_del_must_return_ok() {
        let h = ops(&[
            (1, "set", Some("k1"), text("v1"), EventType::Ok, text("v1")),
            (1, "del", Some("k1"), None, EventType::Ok, text("OK")),
            (1, "set", Some("k1"), text("v1"), EventType::Ok, text("OK")),
            (
                1,
                "del",
                Some("k1"),
                None,
                EventType::Ok,
                Some(Value::Int(0)),
            ),
        ]);
        let flagged: Vec<_> = check_attribution(&h)
            .violations
            .iter()
            .map(|v| v.f.clone())
            .collect();
        assert_eq!(flagged, ["set", "del"]);
    }

    #[test]
    fn fail_and_info_completions_and_unknown_ops_are_not_judged() {
        let h = ops(&[
            (1, "echo", None, text("a"), EventType::Fail, text("b")),
            (2, "echo", None, text("a"), EventType::Info, text("b")),
            (3, "cas", Some("k1"), text("a"), EventType::Ok, text("b")),
        ]);
        let report = check_attribution(&h);
        assert_eq!(report.checked, 0);
        assert_eq!(report.verdict(), Verdict::Valid);
    }

    #[test]
    fn without_wire_events_the_fallback_names_an_earlier_echo() {
        let h = ops(&[
            (3, "echo", None, text("p3-1"), EventType::Info, None),
            (1, "echo", None, text("p1-1"), EventType::Ok, text("p3-1")),
            (
                1,
                "echo",
                None,
                text("p1-2"),
                EventType::Ok,
                text("nobody's"),
            ),
        ]);
        let report = check_attribution(&h);
        let summaries: Vec<_> = report
            .violations
            .iter()
            .map(|v| v.summary.as_str())
            .collect();
        assert_eq!(
            summaries,
            [
                r#"ECHO "p1-1" returned "p3-1" (looks like the reply to ECHO by process 3)"#,
                r#"ECHO "p1-2" returned "nobody's" (expected its own payload "p1-2")"#,
            ]
        );
        assert!(report.violations.iter().all(|v| v.belonged_to.is_none()));
    }

    #[test]
    fn violations_come_out_in_completion_order() {
        let mut b = Builder::new();
        b.op(EventType::Invoke, 1, "echo", None, text("a"));
        b.op(EventType::Invoke, 2, "echo", None, text("b"));
        b.op(EventType::Ok, 2, "echo", None, text("x"));
        b.op(EventType::Ok, 1, "echo", None, text("y"));
        let report = check_attribution(&b.build());
        let procs: Vec<_> = report.violations.iter().map(|v| v.process).collect();
        assert_eq!(procs, [2, 1]);
    }
}
