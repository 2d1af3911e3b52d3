//! How a server is configured: [`ServerConfig`] (public, built by the
//! binary, the simulator and tests) and the fixed settings commands read
//! (`Settings`, derived from it once).

use std::fmt;

use bytes::Bytes;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::clock::Clock;
use crate::db::Persistence;
use crate::event::Observer;
use crate::fault::FaultRule;

/// The default for [`ServerConfig::max_request_bytes`]: 64 MiB.
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 64 * 1024 * 1024;

/// How a [`Server`](crate::Server) behaves.
#[derive(Clone)]
pub struct ServerConfig {
    /// The fault plan, checked in order for every command; the first
    /// matching rule fires. It can be changed at run time with
    /// [`Server::set_faults`](crate::Server::set_faults) and friends.
    pub faults: Vec<FaultRule>,
    /// The seed for all of the server's randomness: fault rules with a
    /// `probability`, random delays, garbage bytes, and the run and node
    /// ids. Draws happen in command order, so the same commands in the same
    /// order (as under turmoil) give the same faults.
    pub seed: u64,
    /// The largest request accepted; a client that sends more (for one
    /// request) gets `-ERR Protocol error: ...` and is disconnected, so
    /// memory per connection stays bounded. Default 64 MiB.
    pub max_request_bytes: usize,
    /// Called synchronously for every server event: each command executed,
    /// each fault fired, connections accepted and closed, mode changes. The
    /// simulator stamps it with simulated time and puts it in its history.
    /// With no observer, no event is even built.
    pub observer: Option<Observer>,
    /// The password of the `default` user (Redis' `requirepass`); `None`
    /// lets every connection in, like Redis' `nopass` default user.
    pub password: Option<String>,
    /// What `CLUSTER SLOTS` reports and `INFO` calls `tcp_port`.
    pub cluster: ClusterConfig,
    /// What survives [`Server::crash`](crate::Server::crash).
    pub persistence: Persistence,
    /// The server's time source; `None` uses tokio's clock (see
    /// [`Clock`]). Under turmoil, pass
    /// `Some(Arc::new(|| turmoil::sim_elapsed().unwrap_or_default()))` so
    /// that expiry and fault windows follow simulated time across a host
    /// bounce, down time included.
    pub clock: Option<Clock>,
    /// Whether `EVAL` is offered (default `true`, like Redis). fake-redis has
    /// no Lua interpreter: `EVAL` runs the scripts listed in
    /// [`scripts`](crate::scripts) natively and refuses any other. With
    /// `false`, `EVAL` is an unknown command, like a server or proxy with
    /// scripting disabled; anarchoredis then falls back to
    /// `WATCH`/`MULTI`/`EXEC`.
    pub scripting: bool,
    /// Whether the observer hears of every executed command (default
    /// `true`). With `false` it still hears of connections, faults and mode
    /// changes, and the server skips building a summary per command.
    pub command_events: bool,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            faults: Vec::new(),
            seed: 0,
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            observer: None,
            password: None,
            cluster: ClusterConfig::default(),
            persistence: Persistence::None,
            clock: None,
            scripting: true,
            command_events: true,
        }
    }
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("faults", &self.faults)
            .field("seed", &self.seed)
            .field("max_request_bytes", &self.max_request_bytes)
            .field(
                "observer",
                &self.observer.as_ref().map(|_| "Fn(ServerEvent)"),
            )
            .field("password", &self.password.as_ref().map(|_| "<set>"))
            .field("cluster", &self.cluster)
            .field("persistence", &self.persistence)
            .field("scripting", &self.scripting)
            .field("command_events", &self.command_events)
            .field("clock", &self.clock.as_ref().map(|_| "Fn() -> Duration"))
            .finish()
    }
}

/// The single slot range a server claims in `CLUSTER SLOTS`, and the address
/// it announces there. Cluster clients (go-redis' `ClusterClient`,
/// redis-rs' cluster client) read this while connecting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterConfig {
    /// The first slot served (default 0).
    pub first_slot: u16,
    /// The last slot served, inclusive (default 16383).
    pub last_slot: u16,
    /// The host announced (default `127.0.0.1`).
    pub host: String,
    /// The port announced, also `INFO`'s `tcp_port` (default 6379).
    pub port: u16,
    /// The 40-character node id; `None` derives one from the seed.
    pub node_id: Option<String>,
}

impl Default for ClusterConfig {
    fn default() -> ClusterConfig {
        ClusterConfig {
            first_slot: 0,
            last_slot: 16383,
            host: "127.0.0.1".to_string(),
            port: 6379,
            node_id: None,
        }
    }
}

/// What commands read from the configuration, fixed for the server's life.
#[derive(Debug)]
pub(crate) struct Settings {
    /// The `default` user's password.
    pub(crate) password: Option<Bytes>,
    /// The `CLUSTER SLOTS` answer.
    pub(crate) cluster: ClusterConfig,
    /// The node id `CLUSTER SLOTS` and `CLUSTER MYID` report.
    pub(crate) node_id: String,
    /// `INFO`'s `run_id`.
    pub(crate) run_id: String,
    /// Whether `EVAL` is offered.
    pub(crate) scripting: bool,
}

impl Settings {
    /// Derives the settings from `config`; ids come from the seed, so runs
    /// repeat.
    pub(crate) fn new(config: &ServerConfig) -> Settings {
        let mut rng = StdRng::seed_from_u64(config.seed ^ 0x0001_d50f_f4ce);
        let mut hex_id = || -> String {
            (0..40)
                .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)]))
                .collect()
        };
        let run_id = hex_id();
        let derived_node_id = hex_id();
        Settings {
            password: config.password.as_ref().map(|p| Bytes::from(p.clone())),
            node_id: config.cluster.node_id.clone().unwrap_or(derived_node_id),
            cluster: config.cluster.clone(),
            run_id,
            scripting: config.scripting,
        }
    }
}
