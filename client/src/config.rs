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
        } else if config.command_timeout.is_zero() || config.connect_timeout.is_zero() {
            Some("timeouts must be greater than zero".to_string())
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
    fn a_client_without_nodes_is_a_config_error() {
        let err = Client::builder().build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
    }
}
