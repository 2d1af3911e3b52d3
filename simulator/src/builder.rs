//! [`ScenarioBuilder`]: scenarios written in Rust, for users' own
//! `cargo test`s.
//!
//! The builder does not construct a [`Scenario`] field by field: it writes
//! the same TOML document a user would write, and [`ScenarioBuilder::build`]
//! loads it with [`Scenario::from_toml`]. So a built scenario passes exactly
//! the validation a file does, gets the same defaults, and carries its TOML
//! as `source` (embedded in `results.json`, and printable with
//! [`ScenarioBuilder::to_toml`] to save it as a file). Errors name the line
//! and column of that generated text, with the file shown as `<builder>`.
//!
//! ```
//! use std::time::Duration;
//! use anarcho_sim::Scenario;
//! use anarcho_sim::scenario::{NemesisAction, OpKind, WorkloadKind};
//!
//! let scenario = Scenario::builder("isolate-one")
//!     .duration(Duration::from_secs(2))
//!     .nodes(3)
//!     .clients(2)
//!     .workload(WorkloadKind::Register)
//!     .processes(2)
//!     .operations(30)
//!     .nemesis_at(Duration::from_millis(500), NemesisAction::Isolate("redis-1".into()))
//!     .nemesis_at(Duration::from_millis(1500), NemesisAction::Heal)
//!     .expect_seeds([1, 2])
//!     .build()?;
//! assert_eq!(scenario.cluster.nodes, 3);
//! assert_eq!(scenario.nemesis.schedule.len(), 2);
//! let outcome = scenario.run(1)?;
//! assert!(outcome.report.counts.invoke > 0);
//!
//! // Mistakes are caught as in a file, with a line and column.
//! let err = Scenario::builder("bad")
//!     .duration(Duration::from_secs(1))
//!     .nodes(3)
//!     .nemesis_at(Duration::ZERO, NemesisAction::Crash("redis-9".into()))
//!     .build()
//!     .unwrap_err();
//! assert!(err.to_string().contains("unknown node \"redis-9\""), "{err}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::time::Duration;

use anarcho_checker::Verdict;
use toml::{Table, Value};

use crate::scenario::{
    ClientConsistency, ClientReadRepair, JudgedConsistency, KeyDistribution, Mix, NemesisAction,
    OpKind, RandomAction, RandomNemesis, Scenario, ScenarioError, WorkloadKind,
};

/// How errors in a built scenario name their "file".
pub const BUILDER_FILE: &str = "<builder>";

/// Builds a [`Scenario`] in Rust; every method sets the TOML field of the
/// same name (see `scenarios/README.md` for what each means and its
/// default). Start with [`Scenario::builder`].
#[derive(Clone, Debug)]
#[must_use]
pub struct ScenarioBuilder {
    doc: Table,
}

impl Scenario {
    /// A builder for a scenario named `name` (see [`ScenarioBuilder`]).
    pub fn builder(name: impl Into<String>) -> ScenarioBuilder {
        let mut doc = Table::new();
        doc.insert("name".into(), Value::String(name.into()));
        // The two required fields get usable defaults; `duration` is
        // usually set anyway.
        doc.insert("duration".into(), dur(Duration::from_secs(1)));
        doc.insert("workload".into(), Value::Table(Table::new()));
        ScenarioBuilder { doc }
    }
}

fn dur(d: Duration) -> Value {
    Value::String(humantime::format_duration(d).to_string())
}

fn int(n: impl TryInto<i64>) -> Value {
    Value::Integer(n.try_into().unwrap_or(i64::MAX))
}

fn strings<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Value {
    Value::Array(items.into_iter().map(|s| Value::String(s.into())).collect())
}

fn table<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Table(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// Any serde-serialisable value as TOML (fault rules, persistence).
fn serialized<T: serde::Serialize>(what: &T) -> Value {
    Value::try_from(what).expect("fault rules and persistence modes serialise to TOML")
}

impl ScenarioBuilder {
    fn set(mut self, section: Option<&str>, key: &str, value: Value) -> Self {
        let table = match section {
            None => &mut self.doc,
            Some(section) => self
                .doc
                .entry(section)
                .or_insert_with(|| Value::Table(Table::new()))
                .as_table_mut()
                .expect("sections are tables"),
        };
        table.insert(key.to_string(), value);
        self
    }

    fn push(mut self, section: Option<&str>, key: &str, value: Value) -> Self {
        let table = match section {
            None => &mut self.doc,
            Some(section) => self
                .doc
                .entry(section)
                .or_insert_with(|| Value::Table(Table::new()))
                .as_table_mut()
                .expect("sections are tables"),
        };
        table
            .entry(key)
            .or_insert_with(|| Value::Array(Vec::new()))
            .as_array_mut()
            .expect("lists are arrays")
            .push(value);
        self
    }

    // Top level.

    /// `description`.
    pub fn description(self, text: impl Into<String>) -> Self {
        self.set(None, "description", Value::String(text.into()))
    }
    /// `seed`: the default seed.
    pub fn seed(self, seed: u64) -> Self {
        self.set(None, "seed", int(seed))
    }
    /// `duration`: how long the workload invokes operations (default here
    /// 1 s; required in files).
    pub fn duration(self, d: Duration) -> Self {
        self.set(None, "duration", dur(d))
    }

    // [cluster]

    /// `[cluster] nodes`.
    pub fn nodes(self, n: usize) -> Self {
        self.set(Some("cluster"), "nodes", int(n))
    }
    /// `[cluster] min_latency` and `max_latency`.
    pub fn latency(self, min: Duration, max: Duration) -> Self {
        self.set(Some("cluster"), "min_latency", dur(min)).set(
            Some("cluster"),
            "max_latency",
            dur(max),
        )
    }
    /// `[cluster] persistence`.
    pub fn persistence(self, p: fake_redis::Persistence) -> Self {
        self.set(Some("cluster"), "persistence", serialized(&p))
    }
    /// `[cluster] password`.
    pub fn password(self, password: impl Into<String>) -> Self {
        self.set(Some("cluster"), "password", Value::String(password.into()))
    }
    /// `[cluster] server_log`.
    pub fn server_log(self, on: bool) -> Self {
        self.set(Some("cluster"), "server_log", Value::Boolean(on))
    }
    /// `[cluster] scripting`: whether the nodes offer `EVAL`.
    pub fn scripting(self, on: bool) -> Self {
        self.set(Some("cluster"), "scripting", Value::Boolean(on))
    }
    /// `[cluster] snapshot_interval`.
    pub fn snapshot_interval(self, d: Duration) -> Self {
        self.set(Some("cluster"), "snapshot_interval", dur(d))
    }

    // [client]

    /// `[client] count`: client hosts.
    pub fn clients(self, n: usize) -> Self {
        self.set(Some("client"), "count", int(n))
    }
    /// `[client] command_timeout`.
    pub fn command_timeout(self, d: Duration) -> Self {
        self.set(Some("client"), "command_timeout", dur(d))
    }
    /// `[client] connect_timeout`.
    pub fn connect_timeout(self, d: Duration) -> Self {
        self.set(Some("client"), "connect_timeout", dur(d))
    }
    /// `[client] operation_timeout`.
    pub fn operation_timeout(self, d: Duration) -> Self {
        self.set(Some("client"), "operation_timeout", dur(d))
    }
    /// `[client] max_retries`.
    pub fn max_retries(self, n: u32) -> Self {
        self.set(Some("client"), "max_retries", int(n))
    }
    /// `[client] read_from_replicas`.
    pub fn read_from_replicas(self, on: bool) -> Self {
        self.set(Some("client"), "read_from_replicas", Value::Boolean(on))
    }
    /// `[client] pool_size`.
    pub fn pool_size(self, n: usize) -> Self {
        self.set(Some("client"), "pool_size", int(n))
    }
    /// `[client] write_quorum`.
    pub fn write_quorum(self, w: usize) -> Self {
        self.set(Some("client"), "write_quorum", int(w))
    }
    /// `[client] read_quorum`.
    pub fn read_quorum(self, r: usize) -> Self {
        self.set(Some("client"), "read_quorum", int(r))
    }
    /// `[client] consistency`.
    pub fn consistency(self, c: ClientConsistency) -> Self {
        let name = match c {
            ClientConsistency::Eventual => "eventual",
            ClientConsistency::Linearizable => "linearizable",
        };
        self.set(Some("client"), "consistency", Value::String(name.into()))
    }
    /// `[client] read_repair`.
    pub fn read_repair(self, r: ClientReadRepair) -> Self {
        let name = match r {
            ClientReadRepair::Off => "off",
            ClientReadRepair::Async => "async",
            ClientReadRepair::Blocking => "blocking",
        };
        self.set(Some("client"), "read_repair", Value::String(name.into()))
    }
    /// `[client] healer`.
    pub fn healer(self, on: bool) -> Self {
        self.set(Some("client"), "healer", Value::Boolean(on))
    }
    /// `[client] anti_entropy_interval` and `anti_entropy_batch`.
    pub fn anti_entropy(self, interval: Duration, batch: usize) -> Self {
        self.set(Some("client"), "anti_entropy_interval", dur(interval))
            .set(Some("client"), "anti_entropy_batch", int(batch))
    }
    /// `[client] backoff_base` and `backoff_max`.
    pub fn backoff(self, base: Duration, max: Duration) -> Self {
        self.set(Some("client"), "backoff_base", dur(base)).set(
            Some("client"),
            "backoff_max",
            dur(max),
        )
    }
    /// Adds a name to `[client] known_bugs` (checked by `build`).
    pub fn known_bug(self, name: impl Into<String>) -> Self {
        self.push(Some("client"), "known_bugs", Value::String(name.into()))
    }
    /// `[client] wire_log`.
    pub fn wire_log(self, on: bool) -> Self {
        self.set(Some("client"), "wire_log", Value::Boolean(on))
    }

    // [[server_faults]]

    /// Adds a `[[server_faults]]` rule.
    pub fn server_fault(self, rule: fake_redis::FaultRule) -> Self {
        self.push(None, "server_faults", serialized(&rule))
    }

    // [workload]

    /// `[workload] kind`.
    pub fn workload(self, kind: WorkloadKind) -> Self {
        let name = match kind {
            WorkloadKind::Register => "register",
            WorkloadKind::Counter => "counter",
            WorkloadKind::ListAppend => "list-append",
            WorkloadKind::EchoProbe => "echo-probe",
            WorkloadKind::Mixed => "mixed",
        };
        self.set(Some("workload"), "kind", Value::String(name.into()))
    }
    /// `[workload] processes` (per client host).
    pub fn processes(self, n: usize) -> Self {
        self.set(Some("workload"), "processes", int(n))
    }
    /// `[workload] operations` (per client host).
    pub fn operations(self, n: usize) -> Self {
        self.set(Some("workload"), "operations", int(n))
    }
    /// `[workload] think`.
    pub fn think(self, d: Duration) -> Self {
        self.set(Some("workload"), "think", dur(d))
    }
    /// `[workload] rate`: operations per second per client host.
    pub fn rate(self, per_second: f64) -> Self {
        self.set(Some("workload"), "rate", Value::Float(per_second))
    }
    /// `[workload] keys`.
    pub fn keys(self, n: usize) -> Self {
        self.set(Some("workload"), "keys", int(n))
    }
    /// `[workload] key_distribution`.
    pub fn key_distribution(self, d: KeyDistribution) -> Self {
        let value = match d {
            KeyDistribution::Uniform => Value::String("uniform".into()),
            KeyDistribution::Zipf { exponent } => {
                table([("zipf", table([("exponent", Value::Float(exponent))]))])
            }
            KeyDistribution::HotKey { fraction } => {
                table([("hot-key", table([("fraction", Value::Float(fraction))]))])
            }
        };
        self.set(Some("workload"), "key_distribution", value)
    }
    /// `[workload] read_fraction`.
    pub fn read_fraction(self, f: f64) -> Self {
        self.set(Some("workload"), "read_fraction", Value::Float(f))
    }
    /// `[workload] script`: a fixed sequence each process repeats.
    pub fn script(self, ops: impl IntoIterator<Item = OpKind>) -> Self {
        self.set(
            Some("workload"),
            "script",
            strings(ops.into_iter().map(op_name)),
        )
    }
    /// `[workload] mix`: weights for a `mixed` workload.
    pub fn mix(self, mix: Mix) -> Self {
        let value = table([
            ("echo", int(mix.echo)),
            ("get", int(mix.get)),
            ("set", int(mix.set)),
            ("del", int(mix.del)),
            ("incr", int(mix.incr)),
            ("read_counter", int(mix.read_counter)),
            ("rpush", int(mix.rpush)),
            ("lrange", int(mix.lrange)),
        ]);
        self.set(Some("workload"), "mix", value)
    }
    /// `[workload] final_read`.
    pub fn final_read(self, on: bool) -> Self {
        self.set(Some("workload"), "final_read", Value::Boolean(on))
    }
    /// `[workload] quiesce`.
    pub fn quiesce(self, d: Duration) -> Self {
        self.set(Some("workload"), "quiesce", dur(d))
    }

    // [nemesis]

    /// Adds a `[[nemesis.schedule]]` entry: `action` at simulated time `at`.
    pub fn nemesis_at(mut self, at: Duration, action: NemesisAction) -> Self {
        let entry = table([("at", dur(at)), ("action", action_value(&action))]);
        let nemesis = self
            .doc
            .entry("nemesis")
            .or_insert_with(|| Value::Table(Table::new()))
            .as_table_mut()
            .expect("sections are tables");
        nemesis
            .entry("schedule")
            .or_insert_with(|| Value::Array(Vec::new()))
            .as_array_mut()
            .expect("lists are arrays")
            .push(entry);
        self
    }
    /// `[nemesis.random]`.
    pub fn random_nemesis(mut self, random: RandomNemesis) -> Self {
        let mut t = Table::new();
        t.insert("interval".into(), dur(random.interval));
        if let Some(start) = random.start {
            t.insert("start".into(), dur(start));
        }
        if let Some(stop) = random.stop {
            t.insert("stop".into(), dur(stop));
        }
        t.insert(
            "actions".into(),
            strings(random.actions.iter().map(|a| random_action_name(*a))),
        );
        self.doc
            .entry("nemesis")
            .or_insert_with(|| Value::Table(Table::new()))
            .as_table_mut()
            .expect("sections are tables")
            .insert("random".into(), Value::Table(t));
        self
    }

    // [expect]

    /// `[expect] verdict`.
    pub fn expect_verdict(self, v: Verdict) -> Self {
        self.set(Some("expect"), "verdict", Value::String(v.as_str().into()))
    }
    /// `[expect] seeds`.
    pub fn expect_seeds(self, seeds: impl IntoIterator<Item = u64>) -> Self {
        let seeds = seeds.into_iter().map(int).collect();
        self.set(Some("expect"), "seeds", Value::Array(seeds))
    }
    /// `[expect] consistency`: what runs are judged against.
    pub fn judged_consistency(self, c: JudgedConsistency) -> Self {
        let name = match c {
            JudgedConsistency::Linearizable => "linearizable",
            JudgedConsistency::Eventual => "eventual",
        };
        self.set(Some("expect"), "consistency", Value::String(name.into()))
    }

    /// The scenario as a TOML file's text.
    pub fn to_toml(&self) -> String {
        toml::to_string(&self.doc).expect("a TOML table serialises")
    }

    /// Validates and returns the scenario, exactly as if it were read from
    /// a file holding [`to_toml`](Self::to_toml).
    pub fn build(&self) -> Result<Scenario, ScenarioError> {
        let mut scenario = Scenario::from_toml(&self.to_toml(), Some(BUILDER_FILE.into()))?;
        // Not a file the replay command could name.
        scenario.file = None;
        Ok(scenario)
    }
}

/// An operation's name in `script`.
fn op_name(op: OpKind) -> &'static str {
    match op {
        OpKind::Echo => "echo",
        OpKind::Get => "get",
        OpKind::Set => "set",
        OpKind::Del => "del",
        OpKind::Incr => "incr",
        OpKind::ReadCounter => "read_counter",
        OpKind::Rpush => "rpush",
        OpKind::Lrange => "lrange",
    }
}

fn random_action_name(a: RandomAction) -> &'static str {
    match a {
        RandomAction::Isolate => "isolate",
        RandomAction::SplitMajority => "split-majority",
        RandomAction::Bridge => "bridge",
        RandomAction::Crash => "crash",
        RandomAction::SilentCrash => "silent-crash",
        RandomAction::Pause => "pause",
        RandomAction::Latency => "latency",
        RandomAction::Hold => "hold",
    }
}

/// A nemesis action as written in a file: a bare name for unit actions,
/// `{ name = ... }` otherwise.
fn action_value(action: &NemesisAction) -> Value {
    let one = |name: &str, v: Value| table([(name, v)]);
    let host = |name: &str, h: &String| one(name, Value::String(h.clone()));
    let sides = |name: &str, a: &[String], b: &[String], extra: Option<(&str, Value)>| {
        let mut t = Table::new();
        t.insert("a".into(), strings(a.iter().cloned()));
        t.insert("b".into(), strings(b.iter().cloned()));
        if let Some((k, v)) = extra {
            t.insert(k.into(), v);
        }
        one(name, Value::Table(t))
    };
    match action {
        NemesisAction::Partition(groups) => one(
            "partition",
            Value::Array(groups.iter().map(|g| strings(g.iter().cloned())).collect()),
        ),
        NemesisAction::PartitionOneway { from, to } => one(
            "partition_oneway",
            table([
                ("from", strings(from.iter().cloned())),
                ("to", strings(to.iter().cloned())),
            ]),
        ),
        NemesisAction::Isolate(h) => host("isolate", h),
        NemesisAction::SplitMajority => Value::String("split_majority".into()),
        NemesisAction::Bridge => Value::String("bridge".into()),
        NemesisAction::Heal => Value::String("heal".into()),
        NemesisAction::Hold { a, b } => sides("hold", a, b, None),
        NemesisAction::Release { a, b } => sides("release", a, b, None),
        NemesisAction::Latency { a, b, latency } => {
            sides("latency", a, b, Some(("latency", dur(*latency))))
        }
        NemesisAction::Loss { a, b, rate } => {
            sides("loss", a, b, Some(("rate", Value::Float(*rate))))
        }
        NemesisAction::Crash(n) => host("crash", n),
        NemesisAction::Restart(n) => host("restart", n),
        NemesisAction::SilentCrash(n) => host("silent_crash", n),
        NemesisAction::Pause(n) => host("pause", n),
        NemesisAction::Resume(n) => host("resume", n),
        NemesisAction::Save(n) => host("save", n),
        NemesisAction::FaultOn { rule, nodes } => one(
            "fault_on",
            table([
                ("rule", serialized(rule)),
                ("nodes", strings(nodes.iter().cloned())),
            ]),
        ),
        NemesisAction::FaultOff { nodes } => one(
            "fault_off",
            table([("nodes", strings(nodes.iter().cloned()))]),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_nemesis_action_round_trips_through_the_file_format() {
        let rule: fake_redis::FaultRule =
            toml::from_str("command = \"GET\"\ntimes = 2\naction = { delay = \"150ms\" }").unwrap();
        let actions = vec![
            NemesisAction::Partition(vec![hosts(&["client-1", "redis-1"]), hosts(&["redis-2"])]),
            NemesisAction::PartitionOneway {
                from: hosts(&["client-1"]),
                to: hosts(&["redis-2"]),
            },
            NemesisAction::Isolate("redis-1".into()),
            NemesisAction::SplitMajority,
            NemesisAction::Bridge,
            NemesisAction::Heal,
            NemesisAction::Hold {
                a: hosts(&["client-1"]),
                b: hosts(&["redis-1"]),
            },
            NemesisAction::Release {
                a: hosts(&["client-1"]),
                b: hosts(&["redis-1"]),
            },
            NemesisAction::Latency {
                a: hosts(&["client-1"]),
                b: hosts(&["redis-3"]),
                latency: Duration::from_millis(50),
            },
            NemesisAction::Loss {
                a: hosts(&["client-2"]),
                b: hosts(&["redis-1"]),
                rate: 0.25,
            },
            NemesisAction::Crash("redis-1".into()),
            NemesisAction::Restart("redis-1".into()),
            NemesisAction::SilentCrash("redis-2".into()),
            NemesisAction::Pause("redis-3".into()),
            NemesisAction::Resume("redis-3".into()),
            NemesisAction::Save("redis-1".into()),
            NemesisAction::FaultOn {
                rule: rule.clone(),
                nodes: hosts(&["redis-1"]),
            },
            NemesisAction::FaultOff { nodes: vec![] },
        ];
        let mut b = Scenario::builder("all-actions")
            .duration(Duration::from_secs(5))
            .nodes(3)
            .clients(2);
        for (i, a) in actions.iter().enumerate() {
            b = b.nemesis_at(Duration::from_millis(100 * i as u64), a.clone());
        }
        let s = b.build().unwrap_or_else(|e| panic!("{e}\n{}", b.to_toml()));
        let got: Vec<NemesisAction> = s
            .nemesis
            .schedule
            .iter()
            .map(|f| f.action.clone())
            .collect();
        assert_eq!(got, actions);
        assert_eq!(s.nemesis.schedule[3].at, Duration::from_millis(300));
    }

    #[test]
    fn every_field_reaches_the_scenario() {
        let rule: fake_redis::FaultRule =
            toml::from_str("command = \"READONLY\"\naction = { delay = \"1s\" }").unwrap();
        let s = Scenario::builder("fields")
            .description("d")
            .seed(9)
            .duration(Duration::from_millis(1500))
            .nodes(5)
            .latency(Duration::from_millis(2), Duration::from_millis(4))
            .persistence(fake_redis::Persistence::Snapshot)
            .password("pw")
            .server_log(false)
            .snapshot_interval(Duration::from_millis(100))
            .clients(3)
            .command_timeout(Duration::from_millis(100))
            .connect_timeout(Duration::from_millis(200))
            .operation_timeout(Duration::from_secs(3))
            .max_retries(4)
            .read_from_replicas(true)
            .pool_size(2)
            .write_quorum(3)
            .read_quorum(2)
            .consistency(ClientConsistency::Linearizable)
            .read_repair(ClientReadRepair::Blocking)
            .healer(true)
            .anti_entropy(Duration::from_millis(300), 7)
            .backoff(Duration::from_millis(5), Duration::from_millis(50))
            .known_bug("reuse-conn-after-timeout")
            .wire_log(false)
            .server_fault(rule.clone())
            .workload(WorkloadKind::Counter)
            .processes(3)
            .operations(17)
            .think(Duration::from_millis(3))
            .rate(50.0)
            .keys(4)
            .key_distribution(KeyDistribution::Zipf { exponent: 1.5 })
            .read_fraction(0.25)
            .script([OpKind::Incr, OpKind::ReadCounter])
            .mix(Mix {
                echo: 0,
                get: 2,
                set: 3,
                del: 0,
                incr: 1,
                read_counter: 0,
                rpush: 1,
                lrange: 1,
            })
            .final_read(false)
            .quiesce(Duration::from_millis(700))
            .random_nemesis(RandomNemesis {
                interval: Duration::from_millis(400),
                start: Some(Duration::from_millis(100)),
                stop: None,
                actions: vec![RandomAction::SplitMajority, RandomAction::SilentCrash],
            })
            .expect_verdict(Verdict::Valid)
            .expect_seeds([3, 4])
            .judged_consistency(JudgedConsistency::Eventual)
            .build()
            .unwrap();
        assert_eq!((s.description.as_str(), s.seed), ("d", 9));
        assert_eq!(s.duration, Duration::from_millis(1500));
        assert_eq!(s.cluster.nodes, 5);
        assert_eq!(s.cluster.max_latency, Duration::from_millis(4));
        assert_eq!(s.cluster.persistence, fake_redis::Persistence::Snapshot);
        assert_eq!(s.cluster.password.as_deref(), Some("pw"));
        assert!(!s.cluster.server_log);
        assert_eq!(s.client.count, 3);
        assert_eq!(s.client.max_retries, 4);
        assert_eq!(
            (s.client.write_quorum, s.client.read_quorum),
            (Some(3), Some(2))
        );
        assert_eq!(s.client.consistency, ClientConsistency::Linearizable);
        assert_eq!(s.client.read_repair, ClientReadRepair::Blocking);
        assert_eq!(s.client.anti_entropy_batch, 7);
        assert_eq!(s.client.known_bugs.len(), 1);
        assert!(!s.client.wire_log);
        assert_eq!(s.server_faults, vec![rule]);
        assert_eq!(s.workload.kind, WorkloadKind::Counter);
        assert_eq!(s.workload.operations, 17);
        assert_eq!(s.workload.rate, Some(50.0));
        assert_eq!(
            s.workload.key_distribution,
            KeyDistribution::Zipf { exponent: 1.5 }
        );
        assert_eq!(s.workload.script, vec![OpKind::Incr, OpKind::ReadCounter]);
        assert_eq!(s.workload.mix.set, 3);
        assert!(!s.workload.final_read);
        let random = s.nemesis.random.as_ref().unwrap();
        assert_eq!(
            random.actions,
            vec![RandomAction::SplitMajority, RandomAction::SilentCrash]
        );
        assert_eq!(s.expect.verdict, Some(Verdict::Valid));
        assert_eq!(s.expected_seeds(), vec![3, 4]);
        assert_eq!(s.expect.consistency, JudgedConsistency::Eventual);
        assert!(s.source.contains("[workload]"), "{}", s.source);
    }

    #[test]
    fn an_invalid_build_is_an_error_at_the_offending_key() {
        let err = Scenario::builder("q")
            .nodes(3)
            .write_quorum(4)
            .build()
            .unwrap_err();
        assert_eq!(err.file, BUILDER_FILE);
        assert!(err.line.is_some(), "{err}");
        assert!(err.message.contains("write_quorum"), "{err}");
    }
}
