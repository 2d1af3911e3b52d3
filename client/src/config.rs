//! Client configuration and its builder.
//!
//! Everything a user can tune lives here, with defaults that are safe for
//! production. The builder validates; a built [`Config`] is immutable and
//! shared by every node pool.

use std::sync::Arc;
use std::time::Duration;

use crate::client::Client;
use crate::connector::{Connector, TcpConnector};
use crate::error::{Certainty, Error, ErrorKind, Result};
use crate::known_bugs::Bugs;
#[cfg(feature = "known-bugs")]
use crate::known_bugs::KnownBug;
use crate::observer::WireObserver;
use crate::version::{Clock, SystemClock};

/// One Redis node the client talks to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// A short name used in connection ids and logs (`redis-1`).
    pub name: Arc<str>,
    /// The address handed to the connector (`redis-1:6379`, `127.0.0.1:6379`).
    pub addr: String,
}

impl Node {
    /// A node whose name is derived from its address: the host part for a
    /// host name (`redis-1:6379` is `redis-1`), the whole address otherwise.
    pub fn from_addr(addr: impl Into<String>) -> Self {
        let addr = addr.into();
        let name = match addr.rsplit_once(':') {
            Some((host, _)) if host.parse::<std::net::IpAddr>().is_err() => host.to_string(),
            _ => addr.clone(),
        };
        Node {
            name: name.into(),
            addr,
        }
    }
}

/// The immutable configuration of a [`Client`].
#[derive(Clone)]
pub struct Config {
    pub(crate) nodes: Vec<Node>,
    pub(crate) name: Arc<str>,
    pub(crate) connect_timeout: Duration,
    pub(crate) command_timeout: Duration,
    pub(crate) max_retries: u32,
    pub(crate) read_from_replicas: bool,
    pub(crate) pool_size: usize,
    pub(crate) connector: Arc<dyn Connector>,
    pub(crate) observer: Option<Arc<dyn WireObserver>>,
    pub(crate) bugs: Arc<Bugs>,
    pub(crate) write_quorum: Option<usize>,
    pub(crate) read_quorum: Option<usize>,
    pub(crate) operation_timeout: Duration,
    pub(crate) consistency: Consistency,
    pub(crate) read_repair: ReadRepair,
    pub(crate) anti_entropy_interval: Duration,
    pub(crate) anti_entropy_batch: usize,
    pub(crate) anti_entropy_pause: Duration,
    pub(crate) password: Option<String>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) backoff_base: Duration,
    pub(crate) backoff_max: Duration,
    pub(crate) rng_seed: u64,
    pub(crate) verify_replies: bool,
}

/// How strong the guarantees of registers are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Consistency {
    /// Dynamo-style: writes go to W replicas, reads return at R replies and
    /// pick the newest version. Fast; stale reads are possible when
    /// W + R <= N, and even with W + R > N reads are not linearizable.
    #[default]
    Eventual,
    /// ABD: writes read the highest tag from a majority, then write
    /// `(max + 1, id)` to a majority; reads write the newest value back to a
    /// majority before returning. Linearizable registers, slower.
    Linearizable,
}

/// What a read does about replicas it finds stale.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReadRepair {
    /// Nothing: only the healer repairs.
    Off,
    /// Repair in the background after returning.
    #[default]
    Async,
    /// Repair before returning.
    Blocking,
}

impl Config {
    /// The number of nodes.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The write quorum W (default: a majority).
    pub fn write_quorum(&self) -> usize {
        self.write_quorum.unwrap_or(self.nodes.len() / 2 + 1)
    }

    /// The read quorum R (default: a majority).
    pub fn read_quorum(&self) -> usize {
        self.read_quorum.unwrap_or(self.nodes.len() / 2 + 1)
    }

    /// A majority of the nodes.
    pub fn majority(&self) -> usize {
        self.nodes.len() / 2 + 1
    }

    /// The consistency mode.
    pub fn consistency(&self) -> Consistency {
        self.consistency
    }

    /// The read-repair mode.
    pub fn read_repair(&self) -> ReadRepair {
        self.read_repair
    }

    /// The client's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The enabled known-bug switches (always none without the `known-bugs`
    /// feature).
    pub fn bugs(&self) -> &Bugs {
        &self.bugs
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("nodes", &self.nodes)
            .field("name", &self.name)
            .field("connect_timeout", &self.connect_timeout)
            .field("command_timeout", &self.command_timeout)
            .field("max_retries", &self.max_retries)
            .field("read_from_replicas", &self.read_from_replicas)
            .field("pool_size", &self.pool_size)
            .field("bugs", &self.bugs)
            .field("write_quorum", &self.write_quorum())
            .field("read_quorum", &self.read_quorum())
            .field("operation_timeout", &self.operation_timeout)
            .field("consistency", &self.consistency)
            .field("read_repair", &self.read_repair)
            .field("anti_entropy_interval", &self.anti_entropy_interval)
            .field("anti_entropy_batch", &self.anti_entropy_batch)
            .field("password", &self.password.as_ref().map(|_| "<set>"))
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`]. Start with [`Client::builder`].
#[derive(Clone)]
pub struct ClientBuilder {
    config: Config,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            config: Config {
                nodes: Vec::new(),
                name: "anarcho".into(),
                connect_timeout: Duration::from_secs(1),
                command_timeout: Duration::from_secs(1),
                max_retries: 2,
                read_from_replicas: false,
                pool_size: 8,
                connector: Arc::new(TcpConnector),
                observer: None,
                bugs: Arc::new(Bugs::default()),
                write_quorum: None,
                read_quorum: None,
                operation_timeout: Duration::from_secs(5),
                consistency: Consistency::Eventual,
                read_repair: ReadRepair::Async,
                anti_entropy_interval: Duration::from_secs(10),
                anti_entropy_batch: 100,
                anti_entropy_pause: Duration::from_millis(10),
                password: None,
                clock: Arc::new(SystemClock),
                backoff_base: Duration::from_millis(10),
                backoff_max: Duration::from_secs(1),
                rng_seed: 0,
                verify_replies: true,
            },
        }
    }
}

impl ClientBuilder {
    /// Adds a node by address (`host:port`).
    pub fn node(mut self, addr: impl Into<String>) -> Self {
        self.config.nodes.push(Node::from_addr(addr));
        self
    }

    /// Adds a node with an explicit name.
    pub fn named_node(mut self, name: impl Into<String>, addr: impl Into<String>) -> Self {
        let name: String = name.into();
        self.config.nodes.push(Node {
            name: name.into(),
            addr: addr.into(),
        });
        self
    }

    /// The client's name: the prefix of every `CLIENT SETNAME` and of every
    /// connection id. Default `anarcho`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        let name: String = name.into();
        self.config.name = name.into();
        self
    }

    /// How long dialling a node may take. Default 1 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }

    /// How long one request may wait for its reply. Default 1 s. A request
    /// that times out poisons its connection.
    pub fn command_timeout(mut self, timeout: Duration) -> Self {
        self.config.command_timeout = timeout;
        self
    }

    /// How many times connection set-up is retried, each time on a new
    /// connection. Default 2.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.config.max_retries = retries;
        self
    }

    /// Sends `READONLY` at connection set-up, as cluster clients do when reads
    /// may go to replicas. Default off.
    pub fn read_from_replicas(mut self, on: bool) -> Self {
        self.config.read_from_replicas = on;
        self
    }

    /// The most connections kept per node. Default 8.
    pub fn pool_size(mut self, size: usize) -> Self {
        self.config.pool_size = size;
        self
    }

    /// How to dial nodes. Default: [`TcpConnector`].
    pub fn connector(mut self, connector: impl Connector + 'static) -> Self {
        self.config.connector = Arc::new(connector);
        self
    }

    /// A hook that sees every request and reply on the wire.
    pub fn observer(mut self, observer: Arc<dyn WireObserver>) -> Self {
        self.config.observer = Some(observer);
        self
    }

    /// The write quorum W: how many replicas must acknowledge a write.
    /// Default: a majority of the nodes.
    pub fn write_quorum(mut self, w: usize) -> Self {
        self.config.write_quorum = Some(w);
        self
    }

    /// The read quorum R: how many replicas a read waits for. Default: a
    /// majority of the nodes.
    pub fn read_quorum(mut self, r: usize) -> Self {
        self.config.read_quorum = Some(r);
        self
    }

    /// How long a whole operation (all its phases and replicas) may take.
    /// Default 5 s.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.config.operation_timeout = timeout;
        self
    }

    /// Eventual (Dynamo) or linearizable (ABD) registers. Default eventual.
    pub fn consistency(mut self, mode: Consistency) -> Self {
        self.config.consistency = mode;
        self
    }

    /// What reads do about stale replicas. Default async.
    pub fn read_repair(mut self, mode: ReadRepair) -> Self {
        self.config.read_repair = mode;
        self
    }

    /// How often the anti-entropy healer starts a pass. Default 10 s.
    pub fn anti_entropy_interval(mut self, interval: Duration) -> Self {
        self.config.anti_entropy_interval = interval;
        self
    }

    /// How many keys the healer SCANs and compares per batch; it pauses
    /// between batches, which bounds its rate. Default 100.
    pub fn anti_entropy_batch(mut self, batch: usize) -> Self {
        self.config.anti_entropy_batch = batch;
        self
    }

    /// How long the healer pauses between batches: with the batch size,
    /// this caps its rate. Default 10 ms.
    pub fn anti_entropy_pause(mut self, pause: Duration) -> Self {
        self.config.anti_entropy_pause = pause;
        self
    }

    /// A password, sent with `AUTH` at connection set-up.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.config.password = Some(password.into());
        self
    }

    /// The clock that version tags follow. Default: the system clock.
    /// Simulations inject their simulated clock.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.config.clock = Arc::new(clock);
        self
    }

    /// Reconnect backoff after a failed dial: it doubles from `base` up to
    /// `max`, with jitter drawn from an RNG seeded by [`Self::rng_seed`].
    /// Default 10 ms to 1 s.
    pub fn reconnect_backoff(mut self, base: Duration, max: Duration) -> Self {
        self.config.backoff_base = base;
        self.config.backoff_max = max;
        self
    }

    /// The seed of the client's RNG (backoff jitter), so simulations stay
    /// deterministic. Default 0.
    pub fn rng_seed(mut self, seed: u64) -> Self {
        self.config.rng_seed = seed;
        self
    }

    /// End every batch of requests with `ECHO <nonce>` and check its reply,
    /// so a duplicated or lost reply fails the batch (indeterminate) instead
    /// of shifting answers onto other commands. Default on; it costs one
    /// small command per round trip.
    pub fn verify_replies(mut self, on: bool) -> Self {
        self.config.verify_replies = on;
        self
    }

    /// Turns on a known-bug switch. Only with the `known-bugs` feature; for
    /// the harness, never for production.
    #[cfg(feature = "known-bugs")]
    pub fn known_bug(mut self, bug: KnownBug) -> Self {
        Arc::make_mut(&mut self.config.bugs).enable(bug);
        self
    }

    /// Validates the configuration and builds the client. Connections are
    /// opened lazily, on first use.
    pub fn build(self) -> Result<Client> {
        let config = self.config;
        let problem = if config.nodes.is_empty() {
            Some("at least one node is required".to_string())
        } else if config.pool_size == 0 {
            Some("pool_size must be at least 1".to_string())
        } else if config.command_timeout.is_zero()
            || config.connect_timeout.is_zero()
            || config.operation_timeout.is_zero()
        {
            Some("timeouts must be greater than zero".to_string())
        } else if !(1..=config.nodes.len()).contains(&config.write_quorum())
            || !(1..=config.nodes.len()).contains(&config.read_quorum())
        {
            Some(format!(
                "quorums must be between 1 and the node count {}: W = {}, R = {}",
                config.nodes.len(),
                config.write_quorum(),
                config.read_quorum()
            ))
        } else if config.name.is_empty() || config.name.contains([':', ' ']) {
            Some(format!(
                "the client name {:?} must be non-empty, without ':' or spaces (it is part of every version tag)",
                config.name
            ))
        } else if config.anti_entropy_batch == 0 {
            Some("anti_entropy_batch must be at least 1".to_string())
        } else {
            None
        };
        match problem {
            Some(p) => Err(Error::new(ErrorKind::Config, Certainty::NotApplied, p)),
            None => Ok(Client::from_config(config)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_names_come_from_host_names_but_keep_ip_addresses_whole() {
        assert_eq!(&*Node::from_addr("redis-1:6379").name, "redis-1");
        assert_eq!(&*Node::from_addr("127.0.0.1:7000").name, "127.0.0.1:7000");
    }

    #[test]
    fn quorums_default_to_majorities_and_are_validated() {
        let c = Client::builder()
            .node("a:1")
            .node("b:1")
            .node("c:1")
            .build()
            .unwrap();
        assert_eq!(
            (c.config().write_quorum(), c.config().read_quorum()),
            (2, 2)
        );
        let err = Client::builder()
            .node("a:1")
            .write_quorum(2)
            .build()
            .unwrap_err();
        assert!(err.detail().contains("quorums"), "{err}");
        let err = Client::builder()
            .node("a:1")
            .name("a:b")
            .build()
            .unwrap_err();
        assert!(err.detail().contains("name"), "{err}");
    }

    #[test]
    fn a_client_without_nodes_is_a_config_error() {
        let err = Client::builder().build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
    }
}
