//! Property tests of the checker (issue 6):
//! - a random sequential execution, stretched into random overlapping
//!   intervals, is always valid;
//! - injecting a read of a never-written value, or a stale read after a
//!   completed write with no concurrency, is always invalid;
//! - on histories of up to 8 operations the linearizability checker agrees
//!   with a brute-force search over all orders.
//!
//! Case counts are bounded so the suite stays fast.

use std::collections::BTreeMap;

use anarcho_checker::linearizability::{Call, Model, Outcome, Prepared, Recorded};
use anarcho_checker::models::{CasRegisterModel, KvModel};
use anarcho_checker::{
    Budget, CheckOptions, Event, EventType, History, Value, Verdict, check_recorded, check_with,
};
use proptest::prelude::*;

/// One operation of a sequential execution of Redis commands.
#[derive(Clone, Debug)]
struct Step {
    /// Which key: registers `k0..k2`, counters `c0..c1`.
    key: u8,
    /// 0 get, 1 set, 2 del, 3 incr.
    kind: u8,
    /// Completes `info` (took effect, but the client does not know).
    info: bool,
    /// How long before its effect it was invoked.
    before: u64,
    /// How long after its effect it completed.
    after: u64,
}

fn step() -> impl Strategy<Value = Step> {
    // Narrow intervals (no overlap with the neighbours, 100 apart) as often
    // as wide ones (overlapping up to four on each side).
    let stretch = || prop_oneof![0u64..50, 0u64..400];
    (
        0u8..3,
        0u8..4,
        prop::bool::weighted(0.1),
        stretch(),
        stretch(),
    )
        .prop_map(|(key, kind, info, before, after)| Step {
            key,
            kind,
            info,
            before,
            after,
        })
}

/// A timed operation: (invoke time, complete time, process, f, key,
/// argument, outcome type, reply).
type Timed = (
    u64,
    u64,
    u64,
    String,
    String,
    Option<Value>,
    EventType,
    Option<Value>,
);

/// Runs `steps` one after another against a Redis-like store, effect i at
/// time 100 i + 500, and stretches each into its interval. Returns the
/// timed operations and the final store.
fn stretched(steps: &[Step]) -> (Vec<Timed>, BTreeMap<String, Value>) {
    let mut store: BTreeMap<String, Value> = BTreeMap::new();
    let mut ops = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        let at = 100 * i as u64 + 500;
        let counter = s.kind == 3;
        let key = if counter {
            format!("c{}", s.key % 2)
        } else {
            format!("k{}", s.key)
        };
        let (f, arg, reply) = match s.kind {
            0 => ("get", None, store.get(&key).cloned().unwrap_or(Value::Nil)),
            1 => {
                let v = Value::Str(format!("v{i}"));
                store.insert(key.clone(), v.clone());
                ("set", Some(v), Value::Str("OK".into()))
            }
            // anarchoredis' DEL is a replicated tombstone write: it
            // replies OK, as the simulator records it.
            2 => {
                store.remove(&key);
                ("del", None, Value::Str("OK".into()))
            }
            _ => {
                let n = match store.get(&key) {
                    Some(Value::Int(n)) => n + 1,
                    _ => 1,
                };
                store.insert(key.clone(), Value::Int(n));
                ("incr", None, Value::Int(n))
            }
        };
        let (ty, reply) = if s.info {
            (EventType::Info, None)
        } else {
            (EventType::Ok, Some(reply))
        };
        ops.push((
            at - s.before,
            at + s.after,
            i as u64,
            f.to_string(),
            key,
            arg,
            ty,
            reply,
        ));
    }
    (ops, store)
}

/// The timed operations as a history, events in time order.
fn history(ops: &[Timed]) -> History {
    let mut events: Vec<(u64, bool, usize)> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        events.push((op.0, false, i));
        events.push((op.1, true, i));
    }
    events.sort();
    let mut h = History::new();
    for (time, done, i) in events {
        let (_, _, process, f, key, arg, ty, reply) = &ops[i];
        let mut e = Event::new(time, if done { *ty } else { EventType::Invoke }, f.as_str());
        e.process = Some(*process);
        e.key = Some(key.clone());
        e.value = if done { reply.clone() } else { arg.clone() };
        h.push(e);
    }
    h
}

/// A quiet operation after everything else: invoked at `at`, done at
/// `at + 10`.
fn after_all(ops: &[Timed], f: &str, key: &str, arg: Option<Value>, reply: Value) -> Timed {
    let at = ops.iter().map(|o| o.1).max().unwrap_or(0) + 100;
    (
        at,
        at + 10,
        ops.len() as u64 + 1_000,
        f.into(),
        key.into(),
        arg,
        EventType::Ok,
        Some(reply),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn a_stretched_sequential_execution_is_always_valid(steps in prop::collection::vec(step(), 1..60)) {
        let (ops, _) = stretched(&steps);
        let report = check_with(&history(&ops), &CheckOptions::default());
        prop_assert_eq!(report.verdict, Verdict::Valid, "{:#?}", report.linearizability.failures);
        prop_assert_eq!(report.linearizability.model.as_str(), "redis");
    }

    #[test]
    fn a_read_of_a_never_written_value_is_always_invalid(
        steps in prop::collection::vec(step(), 1..40),
        at in 0usize..40,
        key in 0u8..3,
    ) {
        let (mut ops, _) = stretched(&steps);
        let at = 100 * (at.min(steps.len()) as u64) + 450;
        ops.push((at, at + 20, 9_999, "get".into(), format!("k{key}"), None,
                  EventType::Ok, Some(Value::Str("never-written".into()))));
        let report = check_with(&history(&ops), &CheckOptions::default());
        prop_assert_eq!(report.linearizability.verdict, Verdict::Invalid);
        prop_assert_eq!(report.verdict, Verdict::Invalid);
    }

    #[test]
    fn a_stale_read_after_a_completed_write_is_always_invalid(
        steps in prop::collection::vec(step(), 0..40),
        key in 0u8..3,
    ) {
        // No concurrency at all: an indeterminate write may take effect at
        // any later time, so none here.
        let steps: Vec<Step> = steps.into_iter().map(|s| Step { info: false, ..s }).collect();
        let (mut ops, store) = stretched(&steps);
        let key = format!("k{key}");
        let old = store.get(&key).cloned().unwrap_or(Value::Nil);
        let write = after_all(&ops, "set", &key, Some(Value::Str("fresh".into())), Value::Str("OK".into()));
        ops.push(write);
        // Everything has completed, the write too: the read is alone.
        let read = after_all(&ops, "get", &key, None, old);
        ops.push(read);
        let report = check_with(&history(&ops), &CheckOptions::default());
        prop_assert_eq!(report.linearizability.verdict, Verdict::Invalid);
        prop_assert_eq!(report.verdict, Verdict::Invalid);
        // The final read misses an acknowledged write with nothing after it.
        prop_assert_eq!(report.lost_writes.lost_total, 1);
    }
}

/// One operation of a small random cas-register history.
#[derive(Clone, Debug)]
struct Small {
    f: u8,
    a: i64,
    b: i64,
    /// 0 ok, 1 fail, 2 info.
    outcome: u8,
    invoke: u64,
    length: u64,
}

fn small() -> impl Strategy<Value = Small> {
    // Few values and long, overlapping intervals: many orders to consider.
    (0u8..3, -1i64..2, -1i64..2, 0u8..3, 0u64..8, 1u64..10).prop_map(
        |(f, a, b, outcome, invoke, length)| Small {
            f,
            a,
            b,
            outcome,
            invoke,
            length,
        },
    )
}

/// The kv operations: `f` 0 get, 1 put, 2 append; `a` picks the string.
fn kv_owned(ops: &[Small]) -> Vec<Owned> {
    const TEXTS: [&str; 5] = ["", "a", "b", "ab", "ba"];
    ops.iter()
        .enumerate()
        .map(|(i, o)| {
            let text = Value::Str(TEXTS[((o.a + 1) * 3 + o.b + 1) as usize % 5].into());
            let short = Value::Str(TEXTS[1 + (o.b + 1) as usize % 2].into());
            let (f, input, output) = match o.f {
                0 => ("get", None, text),
                1 => ("put", Some(short.clone()), short),
                _ => ("append", Some(short.clone()), short),
            };
            Owned {
                f,
                input,
                output,
                // Porcupine's kv histories have no fail.
                outcome: if o.outcome == 1 { 0 } else { o.outcome },
                invoke: o.invoke * 32 + i as u64,
                complete: (o.invoke + o.length) * 32 + 16 + i as u64,
            }
        })
        .collect()
}

fn value(x: i64) -> Value {
    if x < 0 { Value::Nil } else { Value::Int(x) }
}

/// The operations as calls: distinct processes, positions from times (ties
/// broken by operation, calls before completions).
struct Owned {
    f: &'static str,
    input: Option<Value>,
    output: Value,
    outcome: u8,
    invoke: u64,
    complete: u64,
}

fn owned(ops: &[Small]) -> Vec<Owned> {
    ops.iter()
        .enumerate()
        .map(|(i, o)| {
            let (f, input, output) = match o.f {
                0 => ("read", None, value(o.a)),
                1 => ("write", Some(value(o.a)), value(o.a)),
                _ => {
                    let pair = Value::List(vec![value(o.a), value(o.b)]);
                    ("cas", Some(pair.clone()), pair)
                }
            };
            // Distinct positions: time * 32 + op, completions after calls.
            Owned {
                f,
                input,
                output,
                outcome: o.outcome,
                invoke: o.invoke * 32 + i as u64,
                complete: (o.invoke + o.length) * 32 + 16 + i as u64,
            }
        })
        .collect()
}

fn recorded(ops: &[Owned]) -> Vec<Recorded<'_>> {
    ops.iter()
        .enumerate()
        .map(|(i, o)| Recorded {
            call: Call {
                process: Some(i as u64),
                f: o.f,
                key: None,
                input: o.input.as_ref(),
                outcome: match o.outcome {
                    0 => Outcome::Ok(&o.output),
                    1 => Outcome::Fail(Some(&o.output)),
                    _ => Outcome::Info,
                },
            },
            invoke: o.invoke,
            complete: Some(o.complete),
        })
        .collect()
}

/// Brute force: is there an order of the operations, respecting real time,
/// that `model` accepts, with every determinate operation placed and any
/// subset of the indeterminate ones? Tries every order, no memo.
fn brute_force<M: Model>(model: &M, calls: &[Recorded<'_>]) -> bool {
    struct Op<O> {
        op: O,
        invoke: u64,
        complete: Option<u64>,
    }
    let mut ops = Vec::new();
    for r in calls {
        if let Ok(Prepared::Check(op)) = model.prepare(&r.call) {
            let complete = match r.call.outcome {
                Outcome::Info => None,
                _ => r.complete,
            };
            ops.push(Op {
                op,
                invoke: r.invoke,
                complete,
            });
        }
    }
    fn go<M: Model>(
        model: &M,
        ops: &[Op<M::Op>],
        placed: &mut Vec<bool>,
        state: &M::State,
    ) -> bool {
        if ops
            .iter()
            .zip(placed.iter())
            .all(|(o, &p)| p || o.complete.is_none())
        {
            return true;
        }
        for i in 0..ops.len() {
            if placed[i] {
                continue;
            }
            // Every determinate operation that completed before this one was
            // invoked must come first.
            let ready = ops
                .iter()
                .zip(placed.iter())
                .all(|(o, &p)| p || o.complete.is_none_or(|c| c > ops[i].invoke));
            if !ready {
                continue;
            }
            if let Some(next) = model.step(state, &ops[i].op) {
                placed[i] = true;
                if go(model, ops, placed, &next) {
                    return true;
                }
                placed[i] = false;
            }
        }
        false
    }
    let mut placed = vec![false; ops.len()];
    go(model, &ops, &mut placed, &model.init())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn small_histories_agree_with_brute_force(ops in prop::collection::vec(small(), 1..=8)) {
        let owned = owned(&ops);
        let calls = recorded(&owned);
        for model in [CasRegisterModel::knossos(), CasRegisterModel::etcd()] {
            let expected = brute_force(&model, &calls);
            let report = check_recorded(&model, &calls, &Budget { threads: Some(1), ..Budget::default() });
            let got = match report.verdict {
                Verdict::Valid => true,
                Verdict::Invalid => false,
                Verdict::Unknown => panic!("undecided: {report:#?}"),
            };
            prop_assert_eq!(got, expected, "{} on {:?}", model.name(), ops);
        }
        let owned = kv_owned(&ops);
        let calls = recorded(&owned);
        let expected = brute_force(&KvModel, &calls);
        let report = check_recorded(&KvModel, &calls, &Budget { threads: Some(1), ..Budget::default() });
        prop_assert_eq!(report.verdict == Verdict::Valid, expected, "kv on {:?}", ops);
        prop_assert!(report.verdict != Verdict::Unknown);
    }
}
