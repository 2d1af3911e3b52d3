//! The [`Client`]: typed commands over the node pools.
//!
//! This first cut sends each command to the first node. The types already
//! hold N nodes (one [`NodePool`] each) so that quorum fan-out, versions and
//! repair can arrive without changing the public API.

use std::sync::Arc;

use redis::{FromRedisValue, ToRedisArgs};

use crate::config::{ClientBuilder, Config};
use crate::connection::Request;
use crate::error::{Certainty, Error, ErrorKind, Result};
use crate::observer::Purpose;
use crate::pool::NodePool;
use crate::reply::typed;

/// A Redis client over N plain Redis nodes. Cheap to clone; clones share
/// connection pools.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: Arc<Config>,
    nodes: Vec<NodePool>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    pub(crate) fn from_config(config: Config) -> Self {
        let config = Arc::new(config);
        let nodes = config
            .nodes
            .iter()
            .map(|n| NodePool::new(n.clone(), config.clone()))
            .collect();
        Client {
            inner: Arc::new(Inner { config, nodes }),
        }
    }

    /// The client's configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Runs one request on a pooled connection and types its reply. A reply
    /// of the wrong shape fails the command *and* poisons the connection: it
    /// is evidence that the stream is out of step.
    async fn run<T>(
        &self,
        request: Request,
        convert: impl FnOnce(redis::Value) -> Result<T>,
    ) -> Result<T> {
        let pool = &self.inner.nodes[0];
        let mut conn = pool.checkout().await?;
        let reply = conn
            .request(
                &request,
                Purpose::Command,
                self.inner.config.command_timeout,
            )
            .await?;
        match reply.into_value().and_then(convert) {
            Ok(v) => Ok(v),
            Err(e) => {
                if e.kind() == ErrorKind::UnexpectedReply {
                    conn.poison(e.detail());
                }
                Err(e)
            }
        }
    }

    /// `ECHO message`: returns the message. A probe of reply attribution.
    pub async fn echo<M: ToRedisArgs>(&self, message: M) -> Result<String> {
        self.run(Request::new("ECHO").arg(message), |v| typed(v, "ECHO"))
            .await
    }

    /// `PING`: returns `PONG`.
    pub async fn ping(&self) -> Result<String> {
        self.run(Request::new("PING"), |v| typed(v, "PING")).await
    }

    /// `GET key`: the value, or `None` for a missing key.
    pub async fn get<K: ToRedisArgs, T: FromRedisValue>(&self, key: K) -> Result<Option<T>> {
        self.run(Request::new("GET").arg(key), |v| typed(v, "GET"))
            .await
    }

    /// `SET key value`.
    pub async fn set<K: ToRedisArgs, V: ToRedisArgs>(&self, key: K, value: V) -> Result<()> {
        self.run(Request::new("SET").arg(key).arg(value), |v| match v {
            redis::Value::Okay => Ok(()),
            other => Err(Error::new(
                ErrorKind::UnexpectedReply,
                Certainty::Indeterminate,
                format!("SET: expected OK, got {other:?}"),
            )),
        })
        .await
    }

    /// `INCR key`: the new value. Not idempotent: never retried after an
    /// indeterminate failure.
    pub async fn incr<K: ToRedisArgs>(&self, key: K) -> Result<i64> {
        self.run(Request::new("INCR").arg(key), |v| match v {
            redis::Value::Int(i) => Ok(i),
            other => Err(Error::new(
                ErrorKind::UnexpectedReply,
                Certainty::Indeterminate,
                format!("INCR: expected an integer, got {other:?}"),
            )),
        })
        .await
    }

    /// `DEL key`: how many keys were removed.
    pub async fn del<K: ToRedisArgs>(&self, key: K) -> Result<i64> {
        self.run(Request::new("DEL").arg(key), |v| typed(v, "DEL"))
            .await
    }
}
