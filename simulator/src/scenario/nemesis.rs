//! `[nemesis]`: the faults a scenario injects, scheduled at fixed simulated
//! times and/or drawn at random from the seed.
//!
//! ```toml
//! [[nemesis.schedule]]
//! at = "5s"
//! action = { isolate = "redis-1" }
//!
//! [[nemesis.schedule]]
//! at = "12s"
//! action = "heal"
//!
//! [nemesis.random]
//! interval = "2s"
//! actions = ["isolate", "crash", "pause"]
//! ```
//!
//! Replicas never talk to each other (the clients replicate), so network
//! faults that matter cut links between clients and nodes. Host names are
//! `redis-1..N` and `client-1..C`; every name is checked while loading.

use std::time::Duration;

use serde::Deserialize;

use super::{Scenario, ScenarioError, duration};

/// `[nemesis]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Nemesis {
    /// Faults at fixed times, applied in order (ties in file order).
    #[serde(default)]
    pub schedule: Vec<ScheduledFault>,
    /// Faults drawn from the seed at a fixed interval.
    #[serde(default)]
    pub random: Option<RandomNemesis>,
}

/// One `[[nemesis.schedule]]` entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledFault {
    /// When, in simulated time since the start.
    #[serde(with = "duration")]
    pub at: Duration,
    /// What.
    pub action: NemesisAction,
}

/// A fault, or the end of one.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum NemesisAction {
    /// Cut every link between hosts in different groups:
    /// `{ partition = [["client-1", "redis-1"], ["redis-2", "redis-3"]] }`.
    /// Hosts in no group keep all their links.
    Partition(Vec<Vec<String>>),
    /// Drop messages from `from` to `to` only.
    PartitionOneway {
        /// Senders.
        from: Vec<String>,
        /// Receivers.
        to: Vec<String>,
    },
    /// Cut one host from every other host.
    Isolate(String),
    /// Split the cluster: the first half of the clients keep only a
    /// minority of nodes, the rest keep only the majority.
    SplitMajority,
    /// Two halves that share one bridge node: the first half of the clients
    /// reach the first half of the nodes plus the middle node, the rest the
    /// second half plus the middle node.
    Bridge,
    /// Undo every network fault: partitions, holds, latency and loss.
    Heal,
    /// Hold (delay indefinitely) messages between `a` and `b`.
    Hold {
        /// One side.
        a: Vec<String>,
        /// The other side.
        b: Vec<String>,
    },
    /// Deliver held messages between `a` and `b`, and stop holding.
    Release {
        /// One side.
        a: Vec<String>,
        /// The other side.
        b: Vec<String>,
    },
    /// Fix the latency of links between `a` and `b`.
    Latency {
        /// One side.
        a: Vec<String>,
        /// The other side.
        b: Vec<String>,
        /// The latency.
        #[serde(with = "duration")]
        latency: Duration,
    },
    /// Drop messages between `a` and `b` with probability `rate`. A dropped
    /// TCP segment is never retransmitted: the connection hangs (half-open).
    Loss {
        /// One side.
        a: Vec<String>,
        /// The other side.
        b: Vec<String>,
        /// Probability in [0, 1].
        rate: f64,
    },
    /// Crash a node: its connections close at once; it keeps what
    /// `[cluster] persistence` says; it refuses connections until restarted.
    Crash(String),
    /// Restart a crashed node.
    Restart(String),
    /// Partition a node from everyone, then crash it: peers see no FIN.
    /// Restarting it also heals its links.
    SilentCrash(String),
    /// Pause a node: it accepts and reads but answers nothing.
    Pause(String),
    /// Resume a paused node.
    Resume(String),
    /// Take a persistence snapshot on a node (Redis `SAVE`).
    Save(String),
    /// Add a fake-redis fault rule on `nodes` (default: every node).
    FaultOn {
        /// The rule, as in `[[server_faults]]`.
        rule: fake_redis::FaultRule,
        /// Target nodes; empty for all.
        #[serde(default)]
        nodes: Vec<String>,
    },
    /// Restore `nodes`' fault plans to the scenario's `[[server_faults]]`.
    FaultOff {
        /// Target nodes; empty for all.
        #[serde(default)]
        nodes: Vec<String>,
    },
}

impl NemesisAction {
    /// The action's name in histories (`f` of a `nemesis` event).
    pub fn name(&self) -> &'static str {
        match self {
            NemesisAction::Partition(_) => "partition",
            NemesisAction::PartitionOneway { .. } => "partition-oneway",
            NemesisAction::Isolate(_) => "isolate",
            NemesisAction::SplitMajority => "split-majority",
            NemesisAction::Bridge => "bridge",
            NemesisAction::Heal => "heal",
            NemesisAction::Hold { .. } => "hold",
            NemesisAction::Release { .. } => "release",
            NemesisAction::Latency { .. } => "latency",
            NemesisAction::Loss { .. } => "loss",
            NemesisAction::Crash(_) => "crash",
            NemesisAction::Restart(_) => "restart",
            NemesisAction::SilentCrash(_) => "silent-crash",
            NemesisAction::Pause(_) => "pause",
            NemesisAction::Resume(_) => "resume",
            NemesisAction::Save(_) => "save",
            NemesisAction::FaultOn { .. } => "fault-on",
            NemesisAction::FaultOff { .. } => "fault-off",
        }
    }

    /// Host names the action mentions, and whether each must be a node.
    fn names(&self) -> Vec<(&str, bool)> {
        fn hosts(v: &[String]) -> Vec<(&str, bool)> {
            v.iter().map(|s| (s.as_str(), false)).collect()
        }
        match self {
            NemesisAction::Partition(groups) => groups.iter().flat_map(|g| hosts(g)).collect(),
            NemesisAction::PartitionOneway { from, to } => {
                hosts(from).into_iter().chain(hosts(to)).collect()
            }
            NemesisAction::Hold { a, b }
            | NemesisAction::Release { a, b }
            | NemesisAction::Latency { a, b, .. }
            | NemesisAction::Loss { a, b, .. } => hosts(a).into_iter().chain(hosts(b)).collect(),
            NemesisAction::Isolate(h) => vec![(h.as_str(), false)],
            NemesisAction::Crash(n)
            | NemesisAction::Restart(n)
            | NemesisAction::SilentCrash(n)
            | NemesisAction::Pause(n)
            | NemesisAction::Resume(n)
            | NemesisAction::Save(n) => vec![(n.as_str(), true)],
            NemesisAction::FaultOn { nodes, .. } | NemesisAction::FaultOff { nodes } => {
                nodes.iter().map(|s| (s.as_str(), true)).collect()
            }
            NemesisAction::SplitMajority | NemesisAction::Bridge | NemesisAction::Heal => vec![],
        }
    }
}

/// `[nemesis.random]`: a fault drawn from `actions` (and a random target)
/// every `interval`, lasting half of it, between `start` and `stop`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RandomNemesis {
    /// Time between two faults' starts.
    #[serde(with = "duration")]
    pub interval: Duration,
    /// The first fault (default: one interval in).
    #[serde(default, with = "opt_duration")]
    pub start: Option<Duration>,
    /// No fault starts after this (default: the workload's duration).
    #[serde(default, with = "opt_duration")]
    pub stop: Option<Duration>,
    /// The kinds of fault to draw from.
    pub actions: Vec<RandomAction>,
}

/// A kind of fault the random nemesis can draw; it picks the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RandomAction {
    /// Isolate a random node.
    Isolate,
    /// Split the cluster into minority and majority sides.
    SplitMajority,
    /// Partition with a bridge node.
    Bridge,
    /// Crash a random node (restarted when the fault ends).
    Crash,
    /// Silently crash a random node.
    SilentCrash,
    /// Pause a random node.
    Pause,
    /// 50 ms latency between all clients and a random node.
    Latency,
    /// Hold messages between all clients and a random node.
    Hold,
}

/// An optional duration: present means a duration string.
pub(super) mod opt_duration {
    use std::time::Duration;

    use serde::Deserializer;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        super::duration::deserialize(d).map(Some)
    }
}

impl Nemesis {
    /// Checks host names and values; errors point at the offending text.
    pub(super) fn validate(
        &self,
        scenario: &Scenario,
        shown: &str,
        text: &str,
    ) -> Result<(), ScenarioError> {
        let hosts = scenario.hosts();
        let nodes = &hosts[..scenario.cluster.nodes];
        for (i, fault) in self.schedule.iter().enumerate() {
            for (name, node_only) in fault.action.names() {
                let known = if node_only {
                    nodes.iter().any(|n| n == name)
                } else {
                    hosts.iter().any(|h| h == name)
                };
                if !known {
                    let expected = if node_only {
                        nodes.join(", ")
                    } else {
                        hosts.join(", ")
                    };
                    return Err(ScenarioError::at_value(
                        shown,
                        text,
                        &format!("nemesis.schedule.{i}.action"),
                        name,
                        format!(
                            "unknown {} {name:?}; expected one of: {expected}",
                            if node_only { "node" } else { "host" }
                        ),
                    ));
                }
            }
            if let NemesisAction::Loss { rate, .. } = fault.action
                && !(0.0..=1.0).contains(&rate)
            {
                return Err(ScenarioError::at_key(
                    shown,
                    text,
                    &format!("nemesis.schedule.{i}.action.loss.rate"),
                    "expected a loss rate between 0 and 1".into(),
                ));
            }
            if fault.at > scenario.duration {
                return Err(ScenarioError::at_key(
                    shown,
                    text,
                    &format!("nemesis.schedule.{i}.at"),
                    format!(
                        "expected a time within the scenario's duration ({:?})",
                        scenario.duration
                    ),
                ));
            }
        }
        if let Some(random) = &self.random {
            if random.interval.is_zero() {
                return Err(ScenarioError::at_key(
                    shown,
                    text,
                    "nemesis.random.interval",
                    "expected an interval greater than zero".into(),
                ));
            }
            if random.actions.is_empty() {
                return Err(ScenarioError::at_key(
                    shown,
                    text,
                    "nemesis.random.actions",
                    "expected at least one action".into(),
                ));
            }
        }
        Ok(())
    }
}
