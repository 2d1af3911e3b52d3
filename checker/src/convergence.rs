//! Convergence: do the replicas end up holding the same data, and how long
//! after the faults healed did that take?
//!
//! The input is the history's `node_state` events (see
//! [`crate::history`]): snapshots of each replica's keyspace, grouped by
//! node and time. Without any there is nothing to judge and
//! [`check_convergence`] returns `None`: the report's `convergence` is then
//! absent and plays no part in the verdict.
//!
//! The replicas have converged when, in every node's latest snapshot, every
//! key holds the same value (a key missing from a snapshot is nil). When
//! they have not, the verdict is `invalid`: the run ended with replicas
//! that disagree. The time it took is measured from the last healing
//! `nemesis` event (`f` is `heal`, `repair`, `release`, `stop`, `recover`,
//! `resume` or starts with `heal`) to the earliest snapshot time from which
//! on all nodes agreed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::history::{EventType, History, Value};
use crate::verdict::Verdict;

/// How many diverging keys a report lists.
pub const MAX_DIVERGENCES: usize = 50;

/// The convergence checker's findings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConvergenceReport {
    /// `valid` when the final states agree, else `invalid`.
    pub verdict: Verdict,
    /// The nodes that reported state, in order.
    pub nodes: Vec<String>,
    /// Snapshots seen (one per node and time).
    pub snapshots: u64,
    /// Keys present on any node at the end.
    pub keys: u64,
    /// Whether every node's final state is the same.
    pub converged: bool,
    /// Keys whose final values differ between nodes.
    pub divergent_keys: u64,
    /// The first [`MAX_DIVERGENCES`] of them, by key.
    pub divergences: Vec<Divergence>,
    /// Time of the last healing nemesis event, if any.
    pub last_heal_ns: Option<u64>,
    /// Earliest time from which on all nodes agreed (when they do at the
    /// end).
    pub converged_at_ns: Option<u64>,
    /// `converged_at_ns - last_heal_ns` (0 when they already agreed at the
    /// heal); `null` without a heal or without convergence.
    pub time_to_converge_ns: Option<u64>,
}

/// One key the nodes disagree on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Divergence {
    /// The key.
    pub key: String,
    /// Each node's final value, by node.
    pub values: Vec<NodeValue>,
}

/// What one node holds for a key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeValue {
    /// The node.
    pub node: String,
    /// Its value (nil: absent).
    pub value: Value,
}

const HEALS: [&str; 6] = ["heal", "repair", "release", "stop", "recover", "resume"];

fn is_heal(f: &str) -> bool {
    let f = f.to_ascii_lowercase();
    HEALS.contains(&f.as_str()) || f.starts_with("heal")
}

type State = BTreeMap<String, Value>;

/// Judges the replicas' final states; `None` without `node_state` events.
pub fn check_convergence(history: &History) -> Option<ConvergenceReport> {
    // Snapshots by (time, node), in time order.
    let mut snapshots: BTreeMap<(u64, &str), State> = BTreeMap::new();
    for e in history
        .events()
        .iter()
        .filter(|e| e.ty == EventType::NodeState)
    {
        let snap = snapshots.entry((e.time, e.f.as_str())).or_default();
        if let Some(key) = &e.key {
            match &e.value {
                None | Some(Value::Nil) => {}
                Some(v) => {
                    snap.insert(key.clone(), v.clone());
                }
            }
        }
    }
    if snapshots.is_empty() {
        return None;
    }
    let nodes: Vec<String> = {
        let mut n: Vec<&str> = snapshots.keys().map(|(_, node)| *node).collect();
        n.sort_unstable();
        n.dedup();
        n.into_iter().map(str::to_string).collect()
    };
    let mut current: BTreeMap<&str, &State> = BTreeMap::new();
    let mut agree_since: Option<u64> = None;
    let mut iter = snapshots.iter().peekable();
    while let Some((&(time, node), state)) = iter.next() {
        current.insert(node, state);
        // Judge once every snapshot of this instant is in.
        if iter.peek().is_some_and(|((t, _), _)| *t == time) {
            continue;
        }
        let all = current.len() == nodes.len();
        let agree = all
            && current
                .values()
                .all(|s| *s == *current.values().next().expect("non-empty"));
        agree_since = match (agree, agree_since) {
            (true, Some(since)) => Some(since),
            (true, None) => Some(time),
            (false, _) => None,
        };
    }
    let mut keys: BTreeMap<&str, Vec<NodeValue>> = BTreeMap::new();
    for state in current.values() {
        for key in state.keys() {
            keys.entry(key).or_default();
        }
    }
    let mut divergences = Vec::new();
    let mut divergent = 0u64;
    for (key, values) in &mut keys {
        for node in &nodes {
            let value = current
                .get(node.as_str())
                .and_then(|s| s.get(*key))
                .cloned()
                .unwrap_or(Value::Nil);
            values.push(NodeValue {
                node: node.clone(),
                value,
            });
        }
        if values.iter().any(|v| v.value != values[0].value) {
            divergent += 1;
            if divergences.len() < MAX_DIVERGENCES {
                divergences.push(Divergence {
                    key: (*key).to_string(),
                    values: values.clone(),
                });
            }
        }
    }
    let converged = agree_since.is_some();
    let last_heal_ns = history
        .events()
        .iter()
        .rev()
        .find(|e| e.ty == EventType::Nemesis && is_heal(&e.f))
        .map(|e| e.time);
    Some(ConvergenceReport {
        verdict: if converged {
            Verdict::Valid
        } else {
            Verdict::Invalid
        },
        nodes,
        snapshots: snapshots.len() as u64,
        keys: keys.len() as u64,
        converged,
        divergent_keys: divergent,
        divergences,
        last_heal_ns,
        converged_at_ns: agree_since,
        time_to_converge_ns: agree_since
            .zip(last_heal_ns)
            .map(|(at, heal)| at.saturating_sub(heal)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Event;

    fn state(h: &mut History, time: u64, node: &str, key: Option<&str>, value: &str) {
        let mut e = Event::new(time, EventType::NodeState, node);
        e.key = key.map(str::to_string);
        e.value = Some(Value::Str(value.into()));
        h.push(e);
    }

    #[test]
    fn no_node_state_means_no_convergence_verdict() {
        assert_eq!(check_convergence(&History::new()), None);
    }

    #[test]
    fn replicas_that_catch_up_after_the_heal_converge_and_say_when() {
        let mut h = History::new();
        let mut heal = Event::new(10, EventType::Nemesis, "heal");
        heal.note = Some("all".into());
        state(&mut h, 5, "redis-1", Some("k"), "a");
        state(&mut h, 5, "redis-2", None, "");
        h.push(heal);
        state(&mut h, 20, "redis-1", Some("k"), "b");
        state(&mut h, 20, "redis-2", Some("k"), "a");
        state(&mut h, 30, "redis-1", Some("k"), "b");
        state(&mut h, 30, "redis-2", Some("k"), "b");
        let r = check_convergence(&h).unwrap();
        assert!(r.converged);
        assert_eq!(r.verdict, Verdict::Valid);
        assert_eq!(r.nodes, ["redis-1", "redis-2"]);
        assert_eq!(r.snapshots, 6);
        assert_eq!(r.converged_at_ns, Some(30));
        assert_eq!(r.last_heal_ns, Some(10));
        assert_eq!(r.time_to_converge_ns, Some(20));
    }

    #[test]
    fn replicas_that_end_apart_are_invalid_with_the_keys_named() {
        let mut h = History::new();
        state(&mut h, 5, "redis-1", Some("k"), "a");
        state(&mut h, 5, "redis-1", Some("j"), "x");
        state(&mut h, 5, "redis-2", Some("k"), "b");
        state(&mut h, 5, "redis-2", Some("j"), "x");
        let r = check_convergence(&h).unwrap();
        assert!(!r.converged);
        assert_eq!(r.verdict, Verdict::Invalid);
        assert_eq!(r.divergent_keys, 1);
        assert_eq!(r.divergences[0].key, "k");
        assert_eq!(r.divergences[0].values[1].value, Value::Str("b".into()));
        assert_eq!(r.time_to_converge_ns, None);
    }
}
