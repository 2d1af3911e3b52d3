//! Deterministic synthetic histories, for benchmarks and tests: runs of a
//! key-value store or a compare-and-set register that are linearizable by
//! construction.
//!
//! Concurrent processes each run one operation at a time, with random
//! think times and durations. Every operation takes effect at a random
//! instant strictly inside its interval; applying the operations to a
//! sequential object in the order of those instants gives their outputs.
//! A fraction of writes can be made indeterminate (`info`): they take
//! effect or not (a coin flip) and their process retires, as in Jepsen.
//!
//! Everything derives from the seed through splitmix64, so the same
//! parameters give the same history on every machine.

use std::collections::{BTreeMap, BinaryHeap};

use crate::history::{Event, EventType, History, Value};
use crate::linearizability::{Call, Outcome, Recorded};

/// One generated operation.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntheticOp {
    /// The process that ran it.
    pub process: u64,
    /// `get`/`put`/`append` (kv) or `read`/`write`/`cas` (register).
    pub f: &'static str,
    /// Its key (kv only).
    pub key: Option<String>,
    /// Its argument.
    pub input: Option<Value>,
    /// Its output; `None` when indeterminate.
    pub output: Option<Value>,
    /// `fail` (a cas whose compare failed).
    pub failed: bool,
    /// Invoke time, ns.
    pub invoke: u64,
    /// Completion time, ns.
    pub complete: u64,
}

/// A generated history. See the module docs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Synthetic {
    /// The operations, in invoke order.
    pub ops: Vec<SyntheticOp>,
}

/// splitmix64: a tiny, well-known deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        crate::linearizability::mix64(self.0)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Parameters of a generated run.
#[derive(Clone, Copy, Debug)]
struct Shape {
    ops: usize,
    processes: usize,
    info_per_mille: u64,
}

/// When one planned operation runs and takes effect.
struct Planned {
    process: u64,
    invoke: u64,
    effect: u64,
    complete: u64,
    info: bool,
}

/// Plans `ops` operations over `processes` processes: when each runs.
fn plan(shape: Shape, rng: &mut Rng) -> Vec<Planned> {
    let mut free: BinaryHeap<std::cmp::Reverse<(u64, u64)>> = (0..shape.processes as u64)
        .map(|slot| std::cmp::Reverse((rng.below(1_000), slot)))
        .collect();
    let mut process_of: Vec<u64> = (0..shape.processes as u64).collect();
    let mut next_process = shape.processes as u64;
    let mut out = Vec::with_capacity(shape.ops);
    while out.len() < shape.ops {
        let std::cmp::Reverse((at, slot)) = free.pop().expect("processes");
        // Strictly after the previous completion: a process runs one
        // operation at a time.
        let invoke = at + 1 + rng.below(2_000);
        let duration = 2 + rng.below(10_000);
        let effect = invoke + 1 + rng.below(duration - 1);
        let info = rng.below(1_000) < shape.info_per_mille;
        out.push(Planned {
            process: process_of[slot as usize],
            invoke,
            effect,
            complete: invoke + duration,
            info,
        });
        if info {
            // A process that timed out never invokes again.
            process_of[slot as usize] = next_process;
            next_process += 1;
        }
        free.push(std::cmp::Reverse((invoke + duration, slot)));
    }
    out
}

impl Synthetic {
    /// A linearizable kv history (`get`/`put`/`append`, Porcupine's kv
    /// model) of `ops` operations over `keys` keys by `processes`
    /// processes: half gets, 30% puts, 20% appends, values unique.
    pub fn kv(ops: usize, keys: usize, processes: usize, seed: u64) -> Self {
        let mut rng = Rng(seed);
        let shape = Shape {
            ops,
            processes,
            info_per_mille: 0,
        };
        let plan = plan(shape, &mut rng);
        let mut out: Vec<SyntheticOp> = plan
            .iter()
            .enumerate()
            .map(|(n, p)| {
                let key = format!("k{}", rng.below(keys as u64));
                let roll = rng.below(10);
                let (f, input) = match roll {
                    0..=4 => ("get", None),
                    5..=7 => ("put", Some(Value::Str(format!("v{n}")))),
                    _ => ("append", Some(Value::Str(format!("a{n};")))),
                };
                SyntheticOp {
                    process: p.process,
                    f,
                    key: Some(key),
                    input,
                    output: None,
                    failed: false,
                    invoke: p.invoke,
                    complete: p.complete,
                }
            })
            .collect();
        let mut order: Vec<usize> = (0..out.len()).collect();
        order.sort_by_key(|&i| (plan[i].effect, i));
        let mut store: BTreeMap<String, String> = BTreeMap::new();
        for i in order {
            let op = &mut out[i];
            let key = op.key.clone().expect("kv ops have keys");
            let slot = store.entry(key).or_default();
            op.output = Some(match (op.f, &op.input) {
                ("get", _) => Value::Str(slot.clone()),
                ("put", Some(Value::Str(v))) => {
                    *slot = v.clone();
                    op.input.clone().expect("put has a value")
                }
                (_, Some(Value::Str(v))) => {
                    slot.push_str(v);
                    op.input.clone().expect("append has a value")
                }
                _ => unreachable!("generated above"),
            });
        }
        Synthetic { ops: out }
    }

    /// A linearizable compare-and-set register history (`read`, `write`,
    /// `cas [from to]` over values 0..5, Jepsen's cas-register) of `ops`
    /// operations by `processes` concurrent processes; `info_per_mille`
    /// of the writes and cas are indeterminate.
    pub fn register(ops: usize, processes: usize, info_per_mille: u64, seed: u64) -> Self {
        let mut rng = Rng(seed);
        let shape = Shape {
            ops,
            processes,
            info_per_mille,
        };
        let plan = plan(shape, &mut rng);
        let mut out: Vec<SyntheticOp> = plan
            .iter()
            .map(|p| {
                let roll = rng.below(10);
                let (f, input) = match roll {
                    0..=4 => ("read", None),
                    5..=7 => ("write", Some(Value::Int(rng.below(5) as i64))),
                    _ => (
                        "cas",
                        Some(Value::List(vec![
                            Value::Int(rng.below(5) as i64),
                            Value::Int(rng.below(5) as i64),
                        ])),
                    ),
                };
                SyntheticOp {
                    process: p.process,
                    f,
                    key: None,
                    input,
                    output: None,
                    failed: false,
                    invoke: p.invoke,
                    complete: p.complete,
                }
            })
            .collect();
        let mut order: Vec<usize> = (0..out.len()).collect();
        order.sort_by_key(|&i| (plan[i].effect, i));
        let mut register = Value::Nil;
        for i in order {
            let info = plan[i].info && out[i].f != "read";
            let takes_effect = !info || rng.below(2) == 0;
            let op = &mut out[i];
            match (op.f, op.input.clone()) {
                ("read", _) => op.output = Some(register.clone()),
                ("write", Some(v)) => {
                    if takes_effect {
                        register = v.clone();
                    }
                    op.output = (!info).then_some(v);
                }
                (_, Some(Value::List(pair))) => {
                    let swapped = register == pair[0];
                    if swapped && takes_effect {
                        register = pair[1].clone();
                    }
                    op.failed = !info && !swapped;
                    op.output = (!info).then_some(Value::List(pair));
                }
                _ => unreachable!("generated above"),
            }
        }
        Synthetic { ops: out }
    }

    /// Event positions: (time, is completion, op), sorted.
    fn positions(&self) -> Vec<(u64, bool, usize)> {
        let mut events: Vec<(u64, bool, usize)> = Vec::with_capacity(self.ops.len() * 2);
        for (i, op) in self.ops.iter().enumerate() {
            events.push((op.invoke, false, i));
            events.push((op.complete, true, i));
        }
        events.sort_unstable();
        events
    }

    /// The operations as [`Recorded`] calls, positions in real-time order,
    /// for [`crate::linearizability::check_recorded`].
    pub fn recorded(&self) -> Vec<Recorded<'_>> {
        let mut at = vec![(0u64, 0u64); self.ops.len()];
        for (pos, &(_, done, i)) in self.positions().iter().enumerate() {
            if done {
                at[i].1 = pos as u64;
            } else {
                at[i].0 = pos as u64;
            }
        }
        self.ops
            .iter()
            .zip(at)
            .map(|(op, (invoke, complete))| Recorded {
                call: Call {
                    process: Some(op.process),
                    f: op.f,
                    key: op.key.as_deref(),
                    input: op.input.as_ref(),
                    outcome: match (&op.output, op.failed) {
                        (None, _) => Outcome::Info,
                        (Some(v), true) => Outcome::Fail(Some(v)),
                        (Some(v), false) => Outcome::Ok(v),
                    },
                },
                invoke,
                complete: Some(complete),
            })
            .collect()
    }

    /// The operations as a [`History`] (events in real-time order).
    pub fn history(&self) -> History {
        let mut h = History::new();
        for (time, done, i) in self.positions() {
            let op = &self.ops[i];
            let ty = match (done, &op.output, op.failed) {
                (false, _, _) => EventType::Invoke,
                (true, None, _) => EventType::Info,
                (true, Some(_), true) => EventType::Fail,
                (true, Some(_), false) => EventType::Ok,
            };
            let mut e = Event::new(time, ty, op.f);
            e.process = Some(op.process);
            e.key = op.key.clone();
            e.value = if done {
                op.output.clone()
            } else {
                op.input.clone()
            };
            h.push(e);
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linearizability::{Budget, check_recorded};
    use crate::models::{CasRegisterModel, KvModel, ModelKind};
    use crate::verdict::Verdict;

    #[test]
    fn generated_histories_are_deterministic_and_linearizable() {
        let kv = Synthetic::kv(2_000, 20, 10, 7);
        assert_eq!(kv, Synthetic::kv(2_000, 20, 10, 7));
        assert_ne!(kv, Synthetic::kv(2_000, 20, 10, 8));
        let r = check_recorded(&KvModel, &kv.recorded(), &Budget::default());
        assert_eq!(r.verdict, Verdict::Valid, "{r:#?}");
        assert_eq!(r.operations, 2_000);
        assert_eq!(
            ModelKind::Kv
                .check(&kv.history(), &Budget::default())
                .verdict,
            Verdict::Valid
        );

        let reg = Synthetic::register(500, 10, 20, 3);
        assert!(reg.ops.iter().any(|o| o.output.is_none()), "some info ops");
        assert!(reg.ops.iter().any(|o| o.failed), "some failed cas");
        let r = check_recorded(
            &CasRegisterModel::knossos(),
            &reg.recorded(),
            &Budget::default(),
        );
        assert_eq!(r.verdict, Verdict::Valid, "{r:#?}");
        let r = check_recorded(
            &CasRegisterModel::etcd(),
            &reg.recorded(),
            &Budget::default(),
        );
        assert_eq!(r.verdict, Verdict::Valid, "{r:#?}");
    }
}
