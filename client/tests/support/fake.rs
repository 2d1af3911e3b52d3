//! Test support: in-process fake-redis nodes reached over `tokio::io::duplex`
//! pipes, so known-bug tests run deterministically under tokio's paused
//! clock, with no sockets and no redis-server.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;

use anarchoredis::{BoxStream, ConnectFuture, Connector};
use fake_redis::{FaultRule, Server, ServerConfig};

/// Nodes by address; connecting spawns `Server::serve` on the far end.
#[derive(Clone, Default)]
pub struct FakeNodes {
    servers: Arc<BTreeMap<String, Server>>,
}

impl FakeNodes {
    /// `n` nodes named `node-1:6379` .. with the given fault rules each.
    pub fn new(rules: Vec<Vec<&str>>) -> FakeNodes {
        FakeNodes::with_scripting(rules, true)
    }

    /// Like [`FakeNodes::new`]; with `scripting == false` the nodes answer
    /// `EVAL` as an unknown command, so register writes take the
    /// `WATCH` / `MULTI` / `EXEC` path.
    pub fn with_scripting(rules: Vec<Vec<&str>>, scripting: bool) -> FakeNodes {
        let servers = rules
            .into_iter()
            .enumerate()
            .map(|(i, rules)| {
                let faults = rules
                    .into_iter()
                    .map(|r| {
                        r.parse::<FaultRule>()
                            .unwrap_or_else(|e| panic!("{r}: {e}"))
                    })
                    .collect();
                let config = ServerConfig {
                    faults,
                    scripting,
                    ..ServerConfig::default()
                };
                (format!("node-{}:6379", i + 1), Server::new(config))
            })
            .collect();
        FakeNodes {
            servers: Arc::new(servers),
        }
    }

    /// The node addresses, in order.
    pub fn addrs(&self) -> Vec<String> {
        self.servers.keys().cloned().collect()
    }

    /// The server behind node `i` (0-based).
    pub fn server(&self, i: usize) -> &Server {
        self.servers.values().nth(i).unwrap()
    }

    /// A client builder for these nodes (all of them).
    pub fn client(&self, name: &str) -> anarchoredis::ClientBuilder {
        self.client_for(name, &(0..self.servers.len()).collect::<Vec<_>>())
    }

    /// A client builder for some of these nodes.
    pub fn client_for(&self, name: &str, nodes: &[usize]) -> anarchoredis::ClientBuilder {
        let addrs = self.addrs();
        let mut b = anarchoredis::Client::builder()
            .name(name)
            .connector(self.clone())
            .command_timeout(std::time::Duration::from_millis(100));
        for &i in nodes {
            b = b.node(addrs[i].clone());
        }
        b
    }
}

impl Connector for FakeNodes {
    fn connect<'a>(&'a self, addr: &'a str) -> ConnectFuture<'a> {
        Box::pin(async move {
            let server = self.servers.get(addr).cloned().ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::ConnectionRefused,
                    format!("no node {addr}"),
                )
            })?;
            let (client_end, server_end) = tokio::io::duplex(1 << 16);
            tokio::spawn(server.serve(server_end));
            Ok(Box::new(client_end) as BoxStream)
        })
    }
}
