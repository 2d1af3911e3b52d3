//! The scenario file format (TOML) and its loading.
//!
//! A scenario is the user's language: which nodes, which clients with which
//! options, which server faults, which workload, and which verdict to expect.
//! Every struct rejects unknown fields, and every error points at the
//! offending key or value as `file:line:col` (see [`ScenarioError`]).
//! The format is documented field by field in `scenarios/README.md`.

mod duration;
mod error;
mod locate;
mod nemesis;

use std::path::Path;
use std::time::Duration;

use anarcho_checker::Verdict;
use serde::Deserialize;

pub use error::ScenarioError;
pub use nemesis::{Nemesis, NemesisAction, RandomAction, RandomNemesis, ScheduledFault};

/// A parsed, validated scenario.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The scenario's name: the directory its runs are written under.
    pub name: String,
    /// One or two sentences on what the scenario shows.
    #[serde(default)]
    pub description: String,
    /// The default seed, used when the command line gives none.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// How long the workload invokes operations, in simulated time.
    #[serde(with = "duration")]
    pub duration: Duration,
    /// The Redis nodes.
    #[serde(default)]
    pub cluster: Cluster,
    /// The client hosts and their anarchoredis options.
    #[serde(default)]
    pub client: ClientOptions,
    /// fake-redis fault rules, active from the start on every node.
    #[serde(default)]
    pub server_faults: Vec<fake_redis::FaultRule>,
    /// What the clients do.
    pub workload: Workload,
    /// Faults injected during the run, scheduled or random.
    #[serde(default)]
    pub nemesis: Nemesis,
    /// What the run should conclude.
    #[serde(default)]
    pub expect: Expect,
    /// The TOML text the scenario was read from (not a TOML field).
    #[serde(skip)]
    pub source: String,
    /// The path it was read from, as given (not a TOML field).
    #[serde(skip)]
    pub file: Option<String>,
}

fn default_seed() -> u64 {
    1
}

/// `[cluster]`: the fake-redis nodes, named `redis-1` .. `redis-N`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    /// How many nodes.
    #[serde(default = "one")]
    pub nodes: usize,
    /// The fastest a network message is delivered.
    #[serde(default = "default_min_latency", with = "duration")]
    pub min_latency: Duration,
    /// The slowest a network message is delivered.
    #[serde(default = "default_max_latency", with = "duration")]
    pub max_latency: Duration,
    /// What a node keeps across a crash: `none` (restart empty), `snapshot`
    /// (the last save) or `always` (every executed write).
    #[serde(default)]
    pub persistence: fake_redis::Persistence,
    /// A password every node requires (clients are given it).
    #[serde(default)]
    pub password: Option<String>,
    /// Record every command each node executes in the history (fault firings
    /// and mode changes are always recorded).
    #[serde(default = "yes")]
    pub server_log: bool,
    /// After the final heal, how often every node's keyspace is snapshotted
    /// into the history (for the convergence check).
    #[serde(default = "default_snapshot_interval", with = "duration")]
    pub snapshot_interval: Duration,
    /// Whether the nodes offer `EVAL` (default `true`, like Redis). With
    /// it, anarchoredis writes a register replica with one conditional
    /// script; without it (`false`, like a server or proxy with scripting
    /// disabled) it falls back to `WATCH`, `GET`, `MULTI`, `SET`, `SET`,
    /// `EXEC`. Scenarios whose faults target that path set `false`.
    #[serde(default = "yes")]
    pub scripting: bool,
}

impl Default for Cluster {
    fn default() -> Self {
        Cluster {
            nodes: 1,
            min_latency: default_min_latency(),
            max_latency: default_max_latency(),
            persistence: fake_redis::Persistence::None,
            password: None,
            server_log: true,
            snapshot_interval: default_snapshot_interval(),
            scripting: true,
        }
    }
}

fn yes() -> bool {
    true
}
fn default_snapshot_interval() -> Duration {
    Duration::from_millis(250)
}

fn one() -> usize {
    1
}
fn default_min_latency() -> Duration {
    Duration::from_millis(1)
}
fn default_max_latency() -> Duration {
    Duration::from_millis(3)
}

/// `[client]`: the client hosts `client-1` .. `client-C`, each running one
/// anarchoredis `Client` with these options (every builder option).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientOptions {
    /// How many client hosts.
    #[serde(default = "one")]
    pub count: usize,
    /// Per-request timeout.
    #[serde(default = "default_command_timeout", with = "duration")]
    pub command_timeout: Duration,
    /// Dial timeout.
    #[serde(default = "default_connect_timeout", with = "duration")]
    pub connect_timeout: Duration,
    /// Whole-operation timeout.
    #[serde(default = "default_operation_timeout", with = "duration")]
    pub operation_timeout: Duration,
    /// Connection set-up retries.
    #[serde(default = "default_max_retries")]
    pub max_retries: u32,
    /// Send READONLY at connection set-up.
    #[serde(default)]
    pub read_from_replicas: bool,
    /// Connections per node.
    #[serde(default = "default_pool_size")]
    pub pool_size: usize,
    /// The write quorum W (default: a majority).
    #[serde(default)]
    pub write_quorum: Option<usize>,
    /// The read quorum R (default: a majority).
    #[serde(default)]
    pub read_quorum: Option<usize>,
    /// `eventual` (Dynamo) or `linearizable` (ABD registers).
    #[serde(default)]
    pub consistency: ClientConsistency,
    /// `off`, `async` or `blocking`.
    #[serde(default)]
    pub read_repair: ClientReadRepair,
    /// Run the anti-entropy healer on every client.
    #[serde(default)]
    pub healer: bool,
    /// The healer's interval between passes.
    #[serde(default = "default_anti_entropy_interval", with = "duration")]
    pub anti_entropy_interval: Duration,
    /// The healer's SCAN batch size.
    #[serde(default = "default_anti_entropy_batch")]
    pub anti_entropy_batch: usize,
    /// Reconnect backoff: first delay.
    #[serde(default = "default_backoff_base", with = "duration")]
    pub backoff_base: Duration,
    /// Reconnect backoff: longest delay.
    #[serde(default = "default_backoff_max", with = "duration")]
    pub backoff_max: Duration,
    /// Known-bug switches to turn on, by name.
    #[serde(default)]
    pub known_bugs: Vec<BugName>,
    /// Record every request and reply on the wire in the history (needed to
    /// say whose reply a misattributed value was).
    #[serde(default = "yes")]
    pub wire_log: bool,
    /// The client under test: anarchoredis, or the stock redis crate's
    /// `MultiplexedConnection` (see `driver.rs`).
    #[serde(default)]
    pub driver: Driver,
}

/// The client a scenario drives, as written in scenario files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum Driver {
    /// `anarchoredis`: the replication client, with every option above.
    #[default]
    #[serde(rename = "anarchoredis")]
    Anarchoredis,
    /// `redis-rs`: redis 1.x's `aio::MultiplexedConnection` on one node,
    /// with `command_timeout` as its response timeout and
    /// `operation_timeout` as the application's own timeout.
    #[serde(rename = "redis-rs")]
    RedisRs,
}

impl Driver {
    /// The name written in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Driver::Anarchoredis => "anarchoredis",
            Driver::RedisRs => "redis-rs",
        }
    }
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            count: 1,
            command_timeout: default_command_timeout(),
            connect_timeout: default_connect_timeout(),
            operation_timeout: default_operation_timeout(),
            max_retries: default_max_retries(),
            read_from_replicas: false,
            pool_size: default_pool_size(),
            write_quorum: None,
            read_quorum: None,
            consistency: ClientConsistency::Eventual,
            read_repair: ClientReadRepair::Async,
            healer: false,
            anti_entropy_interval: default_anti_entropy_interval(),
            anti_entropy_batch: default_anti_entropy_batch(),
            backoff_base: default_backoff_base(),
            backoff_max: default_backoff_max(),
            known_bugs: Vec::new(),
            wire_log: true,
            driver: Driver::Anarchoredis,
        }
    }
}

/// The client's consistency mode, as written in scenario files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientConsistency {
    /// Dynamo-style quorums.
    #[default]
    Eventual,
    /// ABD registers.
    Linearizable,
}

/// The client's read-repair mode, as written in scenario files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientReadRepair {
    /// No read repair.
    Off,
    /// Repair in the background.
    #[default]
    Async,
    /// Repair before returning.
    Blocking,
}

fn default_operation_timeout() -> Duration {
    Duration::from_secs(2)
}
fn default_anti_entropy_interval() -> Duration {
    Duration::from_secs(1)
}
fn default_anti_entropy_batch() -> usize {
    100
}
fn default_backoff_base() -> Duration {
    Duration::from_millis(10)
}
fn default_backoff_max() -> Duration {
    Duration::from_millis(500)
}
fn default_command_timeout() -> Duration {
    Duration::from_millis(500)
}
fn default_connect_timeout() -> Duration {
    Duration::from_millis(500)
}
fn default_max_retries() -> u32 {
    2
}
fn default_pool_size() -> usize {
    8
}

/// A known-bug switch named in a scenario. Checked while parsing, so a typo
/// is reported at its own line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BugName(pub String);

impl<'de> Deserialize<'de> for BugName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A visitor, so the error is raised inside the deserializer and
        // carries the name's own span (an array element's, too).
        struct Name;
        impl serde::de::Visitor<'_> for Name {
            type Value = BugName;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a known-bug switch name")
            }
            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<BugName, E> {
                #[cfg(feature = "known-bugs")]
                {
                    name.parse::<anarchoredis::KnownBug>().map_err(E::custom)?;
                    Ok(BugName(name.to_string()))
                }
                #[cfg(not(feature = "known-bugs"))]
                {
                    Err(E::custom(format!(
                        "known-bug switch {name:?} needs anarcho built with the `known-bugs` feature"
                    )))
                }
            }
        }
        d.deserialize_str(Name)
    }
}

/// The operations a workload can invoke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// `ECHO` with a payload unique to the operation.
    Echo,
    /// `GET` of a register (`k*` keys).
    Get,
    /// `SET` of a register to a value unique to the operation.
    Set,
    /// `DEL` of a register (a tombstone).
    Del,
    /// `INCR` of a counter (`c*` keys).
    Incr,
    /// Read of a counter (recorded as `get` on a `c*` key).
    ReadCounter,
    /// `RPUSH` of a unique element to a list (`l*` keys).
    Rpush,
    /// `LRANGE 0 -1` of a list.
    Lrange,
}

impl OpKind {
    /// The operation's name in histories.
    pub fn name(self) -> &'static str {
        match self {
            OpKind::Echo => "echo",
            OpKind::Get | OpKind::ReadCounter => "get",
            OpKind::Set => "set",
            OpKind::Del => "del",
            OpKind::Incr => "incr",
            OpKind::Rpush => "rpush",
            OpKind::Lrange => "lrange",
        }
    }

    /// The prefix of the keys it touches (`None` for ECHO).
    pub fn key_prefix(self) -> Option<&'static str> {
        match self {
            OpKind::Echo => None,
            OpKind::Get | OpKind::Set | OpKind::Del => Some("k"),
            OpKind::Incr | OpKind::ReadCounter => Some("c"),
            OpKind::Rpush | OpKind::Lrange => Some("l"),
        }
    }
}

/// What kind of workload: which operations, on which keys.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkloadKind {
    /// `get`/`set`/`del` on registers `k*`.
    Register,
    /// `incr` and reads of counters `c*`.
    Counter,
    /// `rpush` of unique elements and `lrange` of lists `l*`.
    ListAppend,
    /// `echo` with unique payloads.
    EchoProbe,
    /// All of the above, weighted by `mix` (or the fixed `script`).
    #[default]
    Mixed,
}

/// How operations pick keys.
#[derive(Clone, Copy, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum KeyDistribution {
    /// Every key equally likely.
    #[default]
    Uniform,
    /// Key `i` with weight `1 / (i + 1)^exponent`.
    Zipf {
        /// The skew; 1.0 is classic Zipf.
        exponent: f64,
    },
    /// Key 0 takes `fraction` of operations; the rest are uniform.
    HotKey {
        /// Share of operations on the hot key, in [0, 1].
        fraction: f64,
    },
}

/// `[workload]`: what every client host does.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    /// Which operations (ignored when `script` is given).
    #[serde(default)]
    pub kind: WorkloadKind,
    /// Concurrent logical processes per client host. Each runs one operation
    /// at a time.
    #[serde(default = "one")]
    pub processes: usize,
    /// The most operations each client host invokes (the run also stops at
    /// `duration`).
    #[serde(default = "default_operations")]
    pub operations: usize,
    /// Each process's pause between operations (used without `rate`).
    #[serde(default = "default_think", with = "duration")]
    pub think: Duration,
    /// Target operations per second per client host: sets each process's
    /// pause to `processes / rate`.
    #[serde(default)]
    pub rate: Option<f64>,
    /// How many keys of each kind (`k0..`, `c0..`, `l0..`).
    #[serde(default = "default_keys")]
    pub keys: usize,
    /// How operations pick keys.
    #[serde(default)]
    pub key_distribution: KeyDistribution,
    /// Share of reads in `register`, `counter` and `list-append` workloads.
    #[serde(default = "default_read_fraction")]
    pub read_fraction: f64,
    /// A fixed sequence of operations each process repeats in order.
    #[serde(default)]
    pub script: Vec<OpKind>,
    /// Relative weights for a `mixed` workload.
    #[serde(default)]
    pub mix: Mix,
    /// After the workload and every fault end, read every key once more
    /// (the final quiescent phase that lost writes are judged by).
    #[serde(default = "yes")]
    pub final_read: bool,
    /// How long to wait after the final heal before the final reads.
    #[serde(default = "default_quiesce", with = "duration")]
    pub quiesce: Duration,
}

fn default_operations() -> usize {
    100
}
fn default_think() -> Duration {
    Duration::from_millis(10)
}
fn default_keys() -> usize {
    3
}
fn default_read_fraction() -> f64 {
    0.5
}
fn default_quiesce() -> Duration {
    Duration::from_millis(500)
}

impl Workload {
    /// The pause between one process's operations.
    pub fn pause(&self) -> Duration {
        match self.rate {
            Some(rate) => Duration::from_secs_f64(self.processes as f64 / rate),
            None => self.think,
        }
    }

    /// The weighted operations this workload draws from.
    pub fn weighted(&self) -> Vec<(OpKind, f64)> {
        let r = self.read_fraction;
        match self.kind {
            WorkloadKind::Register => vec![
                (OpKind::Get, r),
                (OpKind::Set, (1.0 - r) * 0.9),
                (OpKind::Del, (1.0 - r) * 0.1),
            ],
            WorkloadKind::Counter => vec![(OpKind::ReadCounter, r), (OpKind::Incr, 1.0 - r)],
            WorkloadKind::ListAppend => vec![(OpKind::Lrange, r), (OpKind::Rpush, 1.0 - r)],
            WorkloadKind::EchoProbe => vec![(OpKind::Echo, 1.0)],
            WorkloadKind::Mixed => self
                .mix
                .weighted()
                .into_iter()
                .map(|(k, w)| (k, w as f64))
                .collect(),
        }
    }

    /// The operation kinds this workload can invoke.
    pub fn kinds(&self) -> Vec<OpKind> {
        if self.script.is_empty() {
            self.weighted()
                .into_iter()
                .filter(|(_, w)| *w > 0.0)
                .map(|(k, _)| k)
                .collect()
        } else {
            self.script.clone()
        }
    }
}

/// Relative weights of each operation kind in a `mixed` workload.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mix {
    /// Weight of `echo`.
    #[serde(default)]
    pub echo: u32,
    /// Weight of register `get`.
    #[serde(default)]
    pub get: u32,
    /// Weight of `set`.
    #[serde(default)]
    pub set: u32,
    /// Weight of `del`.
    #[serde(default)]
    pub del: u32,
    /// Weight of `incr`.
    #[serde(default)]
    pub incr: u32,
    /// Weight of counter reads.
    #[serde(default)]
    pub read_counter: u32,
    /// Weight of `rpush`.
    #[serde(default)]
    pub rpush: u32,
    /// Weight of `lrange`.
    #[serde(default)]
    pub lrange: u32,
}

impl Default for Mix {
    fn default() -> Self {
        Mix {
            echo: 1,
            get: 1,
            set: 1,
            del: 0,
            incr: 1,
            read_counter: 0,
            rpush: 0,
            lrange: 0,
        }
    }
}

impl Mix {
    /// The kinds with their weights, in a fixed order.
    pub fn weighted(&self) -> Vec<(OpKind, u32)> {
        vec![
            (OpKind::Echo, self.echo),
            (OpKind::Get, self.get),
            (OpKind::Set, self.set),
            (OpKind::Del, self.del),
            (OpKind::Incr, self.incr),
            (OpKind::ReadCounter, self.read_counter),
            (OpKind::Rpush, self.rpush),
            (OpKind::Lrange, self.lrange),
        ]
    }
}

/// `[expect]`: the verdict the scenario should get. Tests assert it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The expected verdict: `valid`, `invalid` or `unknown`.
    pub verdict: Option<Verdict>,
    /// Seeds the scenario test runs (default: the scenario's `seed`).
    #[serde(default)]
    pub seeds: Vec<u64>,
    /// What the run is judged against: `linearizable` (the default: any
    /// linearizability violation is invalid) or `eventual` (linearizability
    /// is measured but only lost writes, divergence and misattributed
    /// replies are violations).
    #[serde(default)]
    pub consistency: JudgedConsistency,
    /// At least this many stale reads (for scenarios that show staleness).
    #[serde(default)]
    pub min_stale_reads: Option<u64>,
    /// At most this many stale reads.
    #[serde(default)]
    pub max_stale_reads: Option<u64>,
    /// At least this many lost acknowledged writes.
    #[serde(default)]
    pub min_lost_writes: Option<u64>,
    /// At most this many lost acknowledged writes.
    #[serde(default)]
    pub max_lost_writes: Option<u64>,
    /// The replicas must agree within this long after the last heal.
    #[serde(default, with = "nemesis::opt_duration")]
    pub converge_within: Option<Duration>,
}

/// The consistency a run is judged against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JudgedConsistency {
    /// Strict: linearizability violations count.
    #[default]
    Linearizable,
    /// Relaxed: they are reported, not counted.
    Eventual,
}

impl Scenario {
    /// Reads and validates a scenario file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::io(path, e))?;
        Self::from_toml(&text, Some(path.display().to_string()))
    }

    /// Parses and validates scenario text. `file` names it in errors.
    pub fn from_toml(text: &str, file: Option<String>) -> Result<Scenario, ScenarioError> {
        let shown = file.clone().unwrap_or_else(|| "<scenario>".to_string());
        let mut scenario: Scenario =
            toml::from_str(text).map_err(|e| ScenarioError::from_toml(&shown, text, &e))?;
        scenario.source = text.to_string();
        scenario.file = file;
        scenario.validate(&shown, text)?;
        Ok(scenario)
    }

    /// Checks what serde cannot: ranges and relations between fields. Errors
    /// point at the key concerned.
    fn validate(&self, shown: &str, text: &str) -> Result<(), ScenarioError> {
        let at = |key: &str, message: String| ScenarioError::at_key(shown, text, key, message);
        if self.name.is_empty()
            || !self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        {
            return Err(at(
                "name",
                "expected a name of letters, digits, '-', '_' or '.' (it names the run directory)"
                    .into(),
            ));
        }
        if self.duration.is_zero() {
            return Err(at(
                "duration",
                "expected a duration greater than zero".into(),
            ));
        }
        if self.cluster.nodes == 0 || self.cluster.nodes > 64 {
            return Err(at(
                "cluster.nodes",
                "expected between 1 and 64 nodes".into(),
            ));
        }
        if self.cluster.min_latency > self.cluster.max_latency {
            return Err(at(
                "cluster.min_latency",
                "expected min_latency <= max_latency".into(),
            ));
        }
        if self.client.count == 0 || self.client.count > 64 {
            return Err(at(
                "client.count",
                "expected between 1 and 64 clients".into(),
            ));
        }
        if self.client.pool_size == 0 {
            return Err(at(
                "client.pool_size",
                "expected a pool_size of at least 1".into(),
            ));
        }
        if self.client.command_timeout.is_zero() {
            return Err(at(
                "client.command_timeout",
                "expected a timeout greater than zero".into(),
            ));
        }
        if self.client.connect_timeout.is_zero() {
            return Err(at(
                "client.connect_timeout",
                "expected a timeout greater than zero".into(),
            ));
        }
        if self.workload.processes == 0 || self.workload.processes > 1024 {
            return Err(at(
                "workload.processes",
                "expected between 1 and 1024 processes".into(),
            ));
        }
        if self.workload.keys == 0 {
            return Err(at("workload.keys", "expected at least 1 key".into()));
        }
        if self.workload.script.is_empty()
            && self.workload.weighted().iter().all(|(_, w)| *w <= 0.0)
        {
            return Err(at(
                "workload.mix",
                "expected at least one operation with a weight above 0".into(),
            ));
        }
        if !(0.0..=1.0).contains(&self.workload.read_fraction) {
            return Err(at(
                "workload.read_fraction",
                "expected a fraction between 0 and 1".into(),
            ));
        }
        if let Some(rate) = self.workload.rate
            && !(rate > 0.0 && rate.is_finite())
        {
            return Err(at(
                "workload.rate",
                "expected a positive number of operations per second".into(),
            ));
        }
        match self.workload.key_distribution {
            KeyDistribution::Zipf { exponent } if !(exponent > 0.0 && exponent.is_finite()) => {
                return Err(at(
                    "workload.key_distribution.zipf.exponent",
                    "expected a positive Zipf exponent".into(),
                ));
            }
            KeyDistribution::HotKey { fraction } if !(0.0..=1.0).contains(&fraction) => {
                return Err(at(
                    "workload.key_distribution.hot-key.fraction",
                    "expected a fraction between 0 and 1".into(),
                ));
            }
            _ => {}
        }
        let n = self.cluster.nodes;
        for (key, q) in [
            ("client.write_quorum", self.client.write_quorum),
            ("client.read_quorum", self.client.read_quorum),
        ] {
            if let Some(q) = q
                && !(1..=n).contains(&q)
            {
                return Err(at(
                    key,
                    format!("expected a quorum between 1 and the node count {n}"),
                ));
            }
        }
        if self.client.anti_entropy_batch == 0 {
            return Err(at(
                "client.anti_entropy_batch",
                "expected a batch of at least 1".into(),
            ));
        }
        if self.client.driver == Driver::RedisRs {
            crate::driver::validate(self).map_err(|m| at("client.driver", m))?;
        }
        self.nemesis.validate(self, shown, text)
    }

    /// Every host name in the world: `redis-1..N`, then `client-1..C`.
    pub fn hosts(&self) -> Vec<String> {
        let nodes = (0..self.cluster.nodes).map(crate::world::node_name);
        let clients = (0..self.client.count).map(crate::world::client_name);
        nodes.chain(clients).collect()
    }

    /// The seeds a scenario test runs.
    pub fn expected_seeds(&self) -> Vec<u64> {
        if self.expect.seeds.is_empty() {
            vec![self.seed]
        } else {
            self.expect.seeds.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "name = \"t\"\nduration = \"1s\"\n[workload]\n";

    #[test]
    fn a_minimal_scenario_gets_defaults() {
        let s = Scenario::from_toml(MINIMAL, None).unwrap();
        assert_eq!(s.cluster.nodes, 1);
        assert_eq!(s.workload.processes, 1);
        assert_eq!(s.expected_seeds(), vec![1]);
    }

    #[test]
    fn an_unknown_field_is_reported_at_its_line_and_column() {
        let text = "name = \"t\"\nduration = \"1s\"\n[cluster]\nnodez = 3\n[workload]\n";
        let err = Scenario::from_toml(text, Some("x.toml".into())).unwrap_err();
        let shown = err.to_string();
        assert!(shown.starts_with("x.toml:4:1:"), "{shown}");
        assert!(shown.contains("nodez"), "{shown}");
    }

    #[test]
    fn a_bad_duration_says_what_was_expected() {
        let text = "name = \"t\"\nduration = \"5 parsecs\"\n[workload]\n";
        let err = Scenario::from_toml(text, Some("x.toml".into())).unwrap_err();
        let shown = err.to_string();
        assert!(shown.starts_with("x.toml:2:12:"), "{shown}");
        assert!(shown.contains("duration"), "{shown}");
    }

    #[test]
    fn documented_key_distributions_and_nemesis_actions_parse() {
        let text = r#"
name = "t"
duration = "3s"
[cluster]
nodes = 3
[client]
count = 2
[workload]
kind = "register"
key_distribution = { zipf = { exponent = 1.1 } }
[[nemesis.schedule]]
at = "1s"
action = { partition = [["client-1", "redis-1"], ["redis-2", "redis-3"]] }
[[nemesis.schedule]]
at = "1s"
action = { partition_oneway = { from = ["redis-1"], to = ["client-1"] } }
[[nemesis.schedule]]
at = "2s"
action = "heal"
[[nemesis.schedule]]
at = "2s"
action = { fault_on = { rule = { command = "GET", action = "drop" } } }
[[nemesis.schedule]]
at = "2s"
action = { fault_off = {} }
[nemesis.random]
interval = "600ms"
actions = ["isolate", "split-majority"]
"#;
        let s = Scenario::from_toml(text, None).unwrap();
        assert_eq!(
            s.workload.key_distribution,
            KeyDistribution::Zipf { exponent: 1.1 }
        );
        assert_eq!(s.nemesis.schedule.len(), 5);
        assert_eq!(s.nemesis.schedule[2].action, NemesisAction::Heal);
        let hot = text.replace(
            "{ zipf = { exponent = 1.1 } }",
            "{ hot-key = { fraction = 0.8 } }",
        );
        let s = Scenario::from_toml(&hot, None).unwrap();
        assert_eq!(
            s.workload.key_distribution,
            KeyDistribution::HotKey { fraction: 0.8 }
        );
    }

    #[test]
    fn an_unknown_node_in_a_partition_is_reported_where_it_is_written() {
        let text = "name = \"t\"\nduration = \"3s\"\n[cluster]\nnodes = 3\n[workload]\n[[nemesis.schedule]]\nat = \"1s\"\naction = { isolate = \"redis-9\" }\n";
        let err = Scenario::from_toml(text, Some("x.toml".into()))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("x.toml:8:22:"), "{err}");
        assert!(err.contains("redis-9") && err.contains("redis-3"), "{err}");
    }

    #[test]
    fn a_semantic_error_points_at_its_key() {
        let text = "name = \"t\"\nduration = \"1s\"\n[cluster]\nnodes = 0\n[workload]\n";
        let err = Scenario::from_toml(text, Some("x.toml".into())).unwrap_err();
        assert!(err.to_string().starts_with("x.toml:4:1:"), "{err}");
    }
}
