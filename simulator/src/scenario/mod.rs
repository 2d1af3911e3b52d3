//! The scenario file format (TOML) and its loading.
//!
//! A scenario is the user's language: which nodes, which clients with which
//! options, which server faults, which workload, and which verdict to expect.
//! Every struct rejects unknown fields, and every error points at the
//! offending key or value as `file:line:col` (see [`ScenarioError`]).
//! The format is documented field by field in `scenarios/README.md`.

mod duration;
mod error;

use std::path::Path;
use std::time::Duration;

use anarcho_checker::Verdict;
use serde::Deserialize;

pub use error::ScenarioError;

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
}

impl Default for Cluster {
    fn default() -> Self {
        Cluster {
            nodes: 1,
            min_latency: default_min_latency(),
            max_latency: default_max_latency(),
        }
    }
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
/// anarchoredis `Client` with these options.
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
    /// Connection set-up retries.
    #[serde(default = "default_max_retries")]
    pub max_retries: u32,
    /// Send READONLY at connection set-up.
    #[serde(default)]
    pub read_from_replicas: bool,
    /// Connections per node.
    #[serde(default = "default_pool_size")]
    pub pool_size: usize,
    /// Known-bug switches to turn on, by name.
    #[serde(default)]
    pub known_bugs: Vec<BugName>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            count: 1,
            command_timeout: default_command_timeout(),
            connect_timeout: default_connect_timeout(),
            max_retries: default_max_retries(),
            read_from_replicas: false,
            pool_size: default_pool_size(),
            known_bugs: Vec::new(),
        }
    }
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
        let name = String::deserialize(d)?;
        #[cfg(feature = "known-bugs")]
        {
            name.parse::<anarchoredis::KnownBug>()
                .map_err(serde::de::Error::custom)?;
            Ok(BugName(name))
        }
        #[cfg(not(feature = "known-bugs"))]
        {
            Err(serde::de::Error::custom(format!(
                "known-bug switch {name:?} needs anarcho built with the `known-bugs` feature"
            )))
        }
    }
}

/// The operations a workload can invoke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// `ECHO` with a payload unique to the operation.
    Echo,
    /// `GET` of a key.
    Get,
    /// `SET` of a key to a value unique to the operation.
    Set,
    /// `INCR` of a key.
    Incr,
    /// `DEL` of a key.
    Del,
}

impl OpKind {
    /// The operation's name in histories.
    pub fn name(self) -> &'static str {
        match self {
            OpKind::Echo => "echo",
            OpKind::Get => "get",
            OpKind::Set => "set",
            OpKind::Incr => "incr",
            OpKind::Del => "del",
        }
    }
}

/// `[workload]`: what every client host does.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    /// Concurrent logical processes per client host. Each runs one operation
    /// at a time.
    #[serde(default = "one")]
    pub processes: usize,
    /// The most operations each client host invokes (the run also stops at
    /// `duration`).
    #[serde(default = "default_operations")]
    pub operations: usize,
    /// Each process's pause between operations.
    #[serde(default = "default_think", with = "duration")]
    pub think: Duration,
    /// How many keys (`k0` ..) operations draw from, uniformly.
    #[serde(default = "default_keys")]
    pub keys: usize,
    /// A fixed sequence of operations each process repeats in order. When
    /// absent, operations are drawn from `mix`.
    #[serde(default)]
    pub script: Vec<OpKind>,
    /// Relative weights for drawing operations (used without `script`).
    #[serde(default)]
    pub mix: Mix,
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

/// Relative weights of each operation kind.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mix {
    /// Weight of `echo`.
    #[serde(default)]
    pub echo: u32,
    /// Weight of `get`.
    #[serde(default)]
    pub get: u32,
    /// Weight of `set`.
    #[serde(default)]
    pub set: u32,
    /// Weight of `incr`.
    #[serde(default)]
    pub incr: u32,
    /// Weight of `del`.
    #[serde(default)]
    pub del: u32,
}

impl Default for Mix {
    fn default() -> Self {
        Mix {
            echo: 1,
            get: 1,
            set: 1,
            incr: 1,
            del: 0,
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
            (OpKind::Incr, self.incr),
            (OpKind::Del, self.del),
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
            return Err(at("nodes", "expected between 1 and 64 nodes".into()));
        }
        if self.cluster.min_latency > self.cluster.max_latency {
            return Err(at(
                "min_latency",
                "expected min_latency <= max_latency".into(),
            ));
        }
        if self.client.count == 0 || self.client.count > 64 {
            return Err(at("count", "expected between 1 and 64 clients".into()));
        }
        if self.client.pool_size == 0 {
            return Err(at("pool_size", "expected a pool_size of at least 1".into()));
        }
        if self.client.command_timeout.is_zero() {
            return Err(at(
                "command_timeout",
                "expected a timeout greater than zero".into(),
            ));
        }
        if self.client.connect_timeout.is_zero() {
            return Err(at(
                "connect_timeout",
                "expected a timeout greater than zero".into(),
            ));
        }
        if self.workload.processes == 0 || self.workload.processes > 1024 {
            return Err(at(
                "processes",
                "expected between 1 and 1024 processes".into(),
            ));
        }
        if self.workload.keys == 0 {
            return Err(at("keys", "expected at least 1 key".into()));
        }
        if self.workload.script.is_empty()
            && self.workload.mix.weighted().iter().all(|(_, w)| *w == 0)
        {
            return Err(at(
                "mix",
                "expected at least one operation with a weight above 0".into(),
            ));
        }
        Ok(())
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
    fn a_semantic_error_points_at_its_key() {
        let text = "name = \"t\"\nduration = \"1s\"\n[cluster]\nnodes = 0\n[workload]\n";
        let err = Scenario::from_toml(text, Some("x.toml".into())).unwrap_err();
        assert!(err.to_string().starts_with("x.toml:4:1:"), "{err}");
    }
}
