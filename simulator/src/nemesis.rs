//! The nemesis at run time: applies scheduled and random faults between
//! simulation steps, records each in the history with its simulated time,
//! heals everything when the workload's duration ends, and then snapshots
//! every node's keyspace for the convergence checker.
//!
//! It remembers exactly which links it cut, held, slowed or made lossy, and
//! which nodes it crashed or paused, so `heal` and the final heal undo
//! precisely that.

use std::collections::BTreeSet;
use std::time::Duration;

use anarcho_checker::{Event, EventType, Value};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::recorder::Recorder;
use crate::scenario::{NemesisAction, RandomAction, Scenario};
use crate::seeds::derive;
use crate::world::node_name;

/// An unordered pair of host names, smaller first.
type Link = (String, String);

fn link(a: &str, b: &str) -> Link {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

/// The nemesis' state across a run.
pub struct NemesisRunner {
    scenario: Scenario,
    servers: Vec<fake_redis::Server>,
    recorder: Recorder,
    schedule: Vec<(Duration, NemesisAction)>,
    next: usize,
    rng: StdRng,
    next_random: Option<Duration>,
    /// The random fault in force and when to undo it.
    random_undo: Option<(Duration, Vec<NemesisAction>)>,
    partitioned: BTreeSet<Link>,
    oneway: BTreeSet<(String, String)>,
    held: BTreeSet<Link>,
    slowed: BTreeSet<Link>,
    lossy: BTreeSet<Link>,
    crashed: BTreeSet<String>,
    paused: BTreeSet<String>,
    healed_all: bool,
    next_snapshot: Duration,
}

impl NemesisRunner {
    /// A nemesis for `scenario`, with its random stream derived from `seed`.
    pub fn new(
        scenario: &Scenario,
        seed: u64,
        servers: Vec<fake_redis::Server>,
        recorder: Recorder,
    ) -> Self {
        let mut schedule: Vec<_> = scenario
            .nemesis
            .schedule
            .iter()
            .map(|f| (f.at, f.action.clone()))
            .collect();
        // Stable: ties keep file order.
        schedule.sort_by_key(|(at, _)| *at);
        let next_random = scenario
            .nemesis
            .random
            .as_ref()
            .map(|r| r.start.unwrap_or(r.interval));
        NemesisRunner {
            scenario: scenario.clone(),
            servers,
            recorder,
            schedule,
            next: 0,
            rng: StdRng::seed_from_u64(derive(seed, &[4])),
            next_random,
            random_undo: None,
            partitioned: BTreeSet::new(),
            oneway: BTreeSet::new(),
            held: BTreeSet::new(),
            slowed: BTreeSet::new(),
            lossy: BTreeSet::new(),
            crashed: BTreeSet::new(),
            paused: BTreeSet::new(),
            healed_all: false,
            next_snapshot: Duration::ZERO,
        }
    }

    /// Called before every simulation step with the current simulated time.
    pub fn tick(&mut self, sim: &mut turmoil::Sim<'_>, now: Duration) {
        // Whatever the servers report while the nemesis acts happens now.
        self.recorder.set_outside_time(Some(now));
        self.act(sim, now);
        self.recorder.set_outside_time(None);
    }

    fn act(&mut self, sim: &mut turmoil::Sim<'_>, now: Duration) {
        if self.healed_all {
            if now >= self.next_snapshot {
                self.snapshot(now);
                self.next_snapshot = now + self.scenario.cluster.snapshot_interval;
            }
            return;
        }
        while self.next < self.schedule.len() && self.schedule[self.next].0 <= now {
            let action = self.schedule[self.next].1.clone();
            self.next += 1;
            self.apply(sim, &action, now, None);
        }
        if let Some((at, undo)) = self.random_undo.take() {
            if now >= at {
                for action in undo {
                    self.apply(sim, &action, now, Some("random"));
                }
            } else {
                self.random_undo = Some((at, undo));
            }
        }
        if let Some(at) = self.next_random
            && now >= at
            && self.random_undo.is_none()
        {
            self.random_fault(sim, now);
        }
        if now >= self.scenario.duration {
            self.heal_all(sim, now);
        }
    }

    /// After the run: one last snapshot of every node.
    pub fn finish(&mut self, now: Duration) {
        self.snapshot(now);
    }

    fn random_fault(&mut self, sim: &mut turmoil::Sim<'_>, now: Duration) {
        let random = self
            .scenario
            .nemesis
            .random
            .clone()
            .expect("random nemesis configured");
        let stop = random.stop.unwrap_or(self.scenario.duration);
        if now >= stop {
            self.next_random = None;
            return;
        }
        self.next_random = Some(now + random.interval);
        let kind = random.actions[self.rng.random_range(0..random.actions.len())];
        let node = node_name(self.rng.random_range(0..self.scenario.cluster.nodes));
        let clients = self.clients();
        let (apply, undo) = match kind {
            RandomAction::Isolate => (
                vec![NemesisAction::Isolate(node)],
                vec![NemesisAction::Heal],
            ),
            RandomAction::SplitMajority => (
                vec![NemesisAction::SplitMajority],
                vec![NemesisAction::Heal],
            ),
            RandomAction::Bridge => (vec![NemesisAction::Bridge], vec![NemesisAction::Heal]),
            RandomAction::Crash => (
                vec![NemesisAction::Crash(node.clone())],
                vec![NemesisAction::Restart(node)],
            ),
            RandomAction::SilentCrash => (
                vec![NemesisAction::SilentCrash(node.clone())],
                vec![NemesisAction::Restart(node)],
            ),
            RandomAction::Pause => (
                vec![NemesisAction::Pause(node.clone())],
                vec![NemesisAction::Resume(node)],
            ),
            RandomAction::Latency => (
                vec![NemesisAction::Latency {
                    a: clients,
                    b: vec![node],
                    latency: Duration::from_millis(50),
                }],
                vec![NemesisAction::Heal],
            ),
            RandomAction::Hold => (
                vec![NemesisAction::Hold {
                    a: clients.clone(),
                    b: vec![node.clone()],
                }],
                vec![NemesisAction::Release {
                    a: clients,
                    b: vec![node],
                }],
            ),
        };
        for action in &apply {
            self.apply(sim, action, now, Some("random"));
        }
        self.random_undo = Some((now + random.interval / 2, undo));
    }

    fn nodes(&self) -> Vec<String> {
        (0..self.scenario.cluster.nodes).map(node_name).collect()
    }

    fn clients(&self) -> Vec<String> {
        (0..self.scenario.client.count)
            .map(crate::world::client_name)
            .collect()
    }

    fn server(&self, node: &str) -> &fake_redis::Server {
        let i = self
            .nodes()
            .iter()
            .position(|n| n == node)
            .expect("validated node name");
        &self.servers[i]
    }

    fn cut(&mut self, sim: &turmoil::Sim<'_>, a: &str, b: &str) {
        if a != b && self.partitioned.insert(link(a, b)) {
            sim.partition(a, b);
        }
    }

    /// Cuts every link between hosts of different groups.
    fn partition_groups(&mut self, sim: &turmoil::Sim<'_>, groups: &[Vec<String>]) {
        for (i, g) in groups.iter().enumerate() {
            for h in groups.iter().skip(i + 1) {
                for a in g {
                    for b in h {
                        self.cut(sim, a, b);
                    }
                }
            }
        }
    }

    fn heal_network(&mut self, sim: &mut turmoil::Sim<'_>) {
        for (a, b) in std::mem::take(&mut self.partitioned) {
            sim.repair(a.as_str(), b.as_str());
        }
        for (from, to) in std::mem::take(&mut self.oneway) {
            sim.repair_oneway(from.as_str(), to.as_str());
        }
        for (a, b) in std::mem::take(&mut self.held) {
            sim.release(a.as_str(), b.as_str());
        }
        let (min, max) = (
            self.scenario.cluster.min_latency,
            self.scenario.cluster.max_latency,
        );
        for (a, b) in std::mem::take(&mut self.slowed) {
            sim.set_link_latency(a.as_str(), b.as_str(), min);
            sim.set_link_max_message_latency(a.as_str(), b.as_str(), max);
        }
        for (a, b) in std::mem::take(&mut self.lossy) {
            sim.set_link_fail_rate(a.as_str(), b.as_str(), 0.0);
        }
    }

    /// Applies one action and records it.
    fn apply(
        &mut self,
        sim: &mut turmoil::Sim<'_>,
        action: &NemesisAction,
        now: Duration,
        source: Option<&str>,
    ) {
        let hosts = self.scenario.hosts();
        let mut note = String::new();
        match action {
            NemesisAction::Partition(groups) => {
                self.partition_groups(sim, groups);
                note = format!("{groups:?}");
            }
            NemesisAction::PartitionOneway { from, to } => {
                for a in from {
                    for b in to {
                        if a != b && self.oneway.insert((a.clone(), b.clone())) {
                            sim.partition_oneway(a.as_str(), b.as_str());
                        }
                    }
                }
                note = format!("{from:?} -> {to:?}");
            }
            NemesisAction::Isolate(host) => {
                for other in &hosts {
                    self.cut(sim, host, other);
                }
                note = host.clone();
            }
            NemesisAction::SplitMajority | NemesisAction::Bridge => {
                let nodes = self.nodes();
                let clients = self.clients();
                let half = clients.len().div_ceil(2);
                let (left_nodes, right_nodes) = if *action == NemesisAction::SplitMajority {
                    let minority = nodes.len() / 2;
                    (nodes[..minority].to_vec(), nodes[minority..].to_vec())
                } else {
                    let mid = nodes.len() / 2;
                    let mut left = nodes[..mid].to_vec();
                    left.push(nodes[mid].clone());
                    (left, nodes[mid..].to_vec())
                };
                for c in &clients[..half] {
                    for n in nodes.iter().filter(|n| !left_nodes.contains(n)) {
                        self.cut(sim, c, n);
                    }
                }
                for c in &clients[half..] {
                    for n in nodes.iter().filter(|n| !right_nodes.contains(n)) {
                        self.cut(sim, c, n);
                    }
                }
                note = format!(
                    "{:?} reach {left_nodes:?}; {:?} reach {right_nodes:?}",
                    &clients[..half],
                    &clients[half..]
                );
            }
            NemesisAction::Heal => self.heal_network(sim),
            NemesisAction::Hold { a, b } => {
                for x in a {
                    for y in b {
                        if x != y && self.held.insert(link(x, y)) {
                            sim.hold(x.as_str(), y.as_str());
                        }
                    }
                }
                note = format!("{a:?} <-> {b:?}");
            }
            NemesisAction::Release { a, b } => {
                for x in a {
                    for y in b {
                        if self.held.remove(&link(x, y)) {
                            sim.release(x.as_str(), y.as_str());
                        }
                    }
                }
                note = format!("{a:?} <-> {b:?}");
            }
            NemesisAction::Latency { a, b, latency } => {
                for x in a {
                    for y in b {
                        if x != y {
                            self.slowed.insert(link(x, y));
                            sim.set_link_latency(x.as_str(), y.as_str(), *latency);
                        }
                    }
                }
                note = format!("{a:?} <-> {b:?}: {latency:?}");
            }
            NemesisAction::Loss { a, b, rate } => {
                for x in a {
                    for y in b {
                        if x != y {
                            self.lossy.insert(link(x, y));
                            sim.set_link_fail_rate(x.as_str(), y.as_str(), *rate);
                        }
                    }
                }
                note = format!("{a:?} <-> {b:?}: {rate}");
            }
            NemesisAction::Crash(node) => {
                self.server(node).crash();
                self.crashed.insert(node.clone());
                note = node.clone();
            }
            NemesisAction::SilentCrash(node) => {
                for other in &hosts {
                    self.cut(sim, node, other);
                }
                self.server(node).crash();
                self.crashed.insert(node.clone());
                note = node.clone();
            }
            NemesisAction::Restart(node) => {
                self.server(node).restart();
                self.crashed.remove(node);
                // A silent crash's partition ends with the restart.
                let links: Vec<Link> = self
                    .partitioned
                    .iter()
                    .filter(|(a, b)| a == node || b == node)
                    .cloned()
                    .collect();
                for l in links {
                    self.partitioned.remove(&l);
                    sim.repair(l.0.as_str(), l.1.as_str());
                }
                note = node.clone();
            }
            NemesisAction::Pause(node) => {
                self.server(node).pause();
                self.paused.insert(node.clone());
                note = node.clone();
            }
            NemesisAction::Resume(node) => {
                self.server(node).resume();
                self.paused.remove(node);
                note = node.clone();
            }
            NemesisAction::Save(node) => {
                self.server(node).save();
                note = node.clone();
            }
            NemesisAction::FaultOn { rule, nodes } => {
                let targets = if nodes.is_empty() {
                    self.nodes()
                } else {
                    nodes.clone()
                };
                for n in &targets {
                    self.server(n).add_fault(rule.clone());
                }
                note = format!("{targets:?}: {rule}");
            }
            NemesisAction::FaultOff { nodes } => {
                let targets = if nodes.is_empty() {
                    self.nodes()
                } else {
                    nodes.clone()
                };
                for n in &targets {
                    self.server(n)
                        .set_faults(self.scenario.server_faults.clone());
                }
                note = format!("{targets:?}");
            }
        }
        let mut event = Event::new(0, EventType::Nemesis, action.name());
        if !note.is_empty() || source.is_some() {
            event.note = Some(match source {
                Some(s) if note.is_empty() => s.to_string(),
                Some(s) => format!("{s}: {note}"),
                None => note,
            });
        }
        self.recorder.record_at(event, now);
    }

    /// The end of the workload: undo every fault, so the final quiescent
    /// phase runs on a healthy cluster.
    fn heal_all(&mut self, sim: &mut turmoil::Sim<'_>, now: Duration) {
        self.next_random = None;
        self.random_undo = None;
        self.heal_network(sim);
        for node in std::mem::take(&mut self.crashed) {
            self.server(&node).restart();
        }
        for node in std::mem::take(&mut self.paused) {
            self.server(&node).resume();
        }
        for s in &self.servers {
            s.clear_faults();
        }
        let mut event = Event::new(0, EventType::Nemesis, "heal-all");
        event.note = Some("end of the workload: every fault undone".into());
        self.recorder.record_at(event, now);
        self.healed_all = true;
        self.next_snapshot = now;
    }

    /// Every node's keyspace, as `node_state` events at `now`.
    fn snapshot(&mut self, now: Duration) {
        let nodes = self.nodes();
        for (i, server) in self.servers.iter().enumerate() {
            let state = server.snapshot();
            if state.is_empty() {
                self.recorder
                    .record_at(Event::new(0, EventType::NodeState, nodes[i].clone()), now);
            }
            for (key, value) in state {
                let mut e = Event::new(0, EventType::NodeState, nodes[i].clone());
                e.key = Some(String::from_utf8_lossy(&key).into_owned());
                e.value = Some(node_value(&value));
                self.recorder.record_at(e, now);
            }
        }
    }
}

/// A node's value as a history value: strings as strings, lists as lists,
/// hashes as sorted `field=value` lists.
fn node_value(v: &fake_redis::Value) -> Value {
    let s = |b: &[u8]| Value::Str(String::from_utf8_lossy(b).into_owned());
    match v {
        fake_redis::Value::String(b) => s(b),
        fake_redis::Value::List(items) => Value::List(items.iter().map(|b| s(b)).collect()),
        fake_redis::Value::Hash(fields) => Value::List(
            fields
                .iter()
                .map(|(f, v)| {
                    Value::Str(format!(
                        "{}={}",
                        String::from_utf8_lossy(f),
                        String::from_utf8_lossy(v)
                    ))
                })
                .collect(),
        ),
    }
}
