//! The [`Client`]: the public operations, and what every operation shares.
//!
//! Each operation runs under the operation timeout, counts in the metrics
//! and opens a `tracing` span. The replication logic lives per data type in
//! `ops/` (registers, counters, lists, probes); repair in `repair.rs`; the
//! healer in `healer.rs`.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use redis::{FromRedisValue, ToRedisArgs};
use tracing::Instrument;

use crate::config::{ClientBuilder, Config};
use crate::error::{Certainty, Error, ErrorKind, Result};
use crate::healer::Healer;
use crate::known_bugs::KnownBug;
use crate::metrics::{Metrics, MetricsSnapshot};
use crate::pool::NodePool;
use crate::version::TagClock;

/// A Redis client over N plain Redis nodes. Cheap to clone; clones share
/// connection pools, metrics and the tag clock.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

/// Shared state of a client.
pub(crate) struct Inner {
    pub(crate) config: Arc<Config>,
    pub(crate) nodes: Vec<Arc<NodePool>>,
    pub(crate) tags: TagClock,
    pub(crate) metrics: Arc<Metrics>,
    /// This client's own counter slots, per key (see `ops/counter.rs`).
    pub(crate) slots: Mutex<BTreeMap<Vec<u8>, BTreeMap<String, i64>>>,
    /// Serialises this client's increments of one key.
    pub(crate) incr_locks: Mutex<BTreeMap<Vec<u8>, Arc<tokio::sync::Mutex<()>>>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// Encodes a key or value argument.
fn bytes_of<A: ToRedisArgs>(arg: A) -> Vec<u8> {
    arg.to_redis_args().concat()
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    pub(crate) fn from_config(config: Config) -> Self {
        let config = Arc::new(config);
        let metrics = Arc::new(Metrics::default());
        let nodes = config
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| Arc::new(NodePool::new(i, n.clone(), config.clone(), metrics.clone())))
            .collect();
        let tags = TagClock::new(config.name.clone(), config.clock.clone());
        Client {
            inner: Arc::new(Inner {
                config,
                nodes,
                tags,
                metrics,
                slots: Mutex::new(BTreeMap::new()),
                incr_locks: Mutex::new(BTreeMap::new()),
            }),
        }
    }

    /// The client's configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// A snapshot of the client's counters.
    pub fn metrics(&self) -> MetricsSnapshot {
        self.inner.metrics.snapshot()
    }

    /// Runs one operation: the operation timeout, metrics, a tracing span,
    /// and (only under the `retry-ambiguous-write` known-bug switch) the
    /// forbidden retry of an indeterminate write.
    async fn operation<T, F, Fut>(&self, name: &'static str, write: bool, op: F) -> Result<T>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        self.inner.metrics.operations.incr();
        let timeout = self.inner.config.operation_timeout;
        let retries = if write && self.inner.config.bugs.has(KnownBug::RetryAmbiguousWrite) {
            self.inner.config.max_retries
        } else {
            0
        };
        let span = tracing::debug_span!("anarcho.op", op = name);
        async {
            let mut attempt = 0;
            loop {
                let result = match tokio::time::timeout(timeout, op()).await {
                    Ok(r) => r,
                    Err(_) => Err(Error::new(
                        ErrorKind::OperationTimeout,
                        if write {
                            Certainty::Indeterminate
                        } else {
                            Certainty::NotApplied
                        },
                        format!("{name}: no result within {timeout:?}"),
                    )),
                };
                match result {
                    Err(e) if e.is_indeterminate() && attempt < retries => {
                        // Known bug: re-run a write that may have been applied.
                        attempt += 1;
                        self.inner.metrics.retries.incr();
                        tracing::debug!(attempt, error = %e, "retrying an ambiguous write");
                    }
                    other => return other,
                }
            }
        }
        .instrument(span)
        .await
    }

    /// `GET key`: the register's newest value among R replicas (in
    /// linearizable mode: a majority, with write-back), or `None` when it is
    /// missing or deleted.
    pub async fn get<K: ToRedisArgs, T: FromRedisValue>(&self, key: K) -> Result<Option<T>> {
        let key = bytes_of(key);
        let value = self
            .operation("get", false, || self.inner.get(&key))
            .await?;
        value
            .map(|v| crate::reply::typed(redis::Value::BulkString(v), "GET"))
            .transpose()
    }

    /// `SET key value`, replicated to W replicas with a fresh version tag.
    pub async fn set<K: ToRedisArgs, V: ToRedisArgs>(&self, key: K, value: V) -> Result<()> {
        let (key, value) = (bytes_of(key), bytes_of(value));
        self.operation("set", true, || self.inner.write(&key, Some(&value)))
            .await
    }

    /// `DEL key`: writes a versioned tombstone, so an older value that
    /// resurfaces on a stale replica loses to the delete.
    pub async fn del<K: ToRedisArgs>(&self, key: K) -> Result<()> {
        let key = bytes_of(key);
        self.operation("del", true, || self.inner.write(&key, None))
            .await
    }

    /// `INCR key`: adds one to a replicated counter and returns the total
    /// this client then sees. See [`Client::incr_by`].
    pub async fn incr<K: ToRedisArgs>(&self, key: K) -> Result<i64> {
        self.incr_by(key, 1).await
    }

    /// `INCRBY key delta` on a replicated PN-counter: every client owns a
    /// slot, and a write is "set my slot to n", which is idempotent — a
    /// replica write can be retried without double-counting. The returned
    /// total is what this client sees after its write; under concurrency it
    /// is not linearizable (see ARCHITECTURE.md).
    pub async fn incr_by<K: ToRedisArgs>(&self, key: K, delta: i64) -> Result<i64> {
        let key = bytes_of(key);
        self.operation("incr", true, || self.inner.incr_by(&key, delta))
            .await
    }

    /// The value of a replicated counter: the merge of R replicas, or `None`
    /// when none of them has seen it incremented (like `GET` of a missing
    /// key).
    pub async fn get_counter<K: ToRedisArgs>(&self, key: K) -> Result<Option<i64>> {
        let key = bytes_of(key);
        self.operation("get_counter", false, || self.inner.get_counter(&key))
            .await
    }

    /// `RPUSH key value` on a merge-able list.
    pub async fn rpush<K: ToRedisArgs, V: ToRedisArgs>(&self, key: K, value: V) -> Result<()> {
        let (key, value) = (bytes_of(key), bytes_of(value));
        self.operation("rpush", true, || {
            self.inner.push(&key, crate::list::Side::Right, &value)
        })
        .await
    }

    /// `LPUSH key value` on a merge-able list.
    pub async fn lpush<K: ToRedisArgs, V: ToRedisArgs>(&self, key: K, value: V) -> Result<()> {
        let (key, value) = (bytes_of(key), bytes_of(value));
        self.operation("lpush", true, || {
            self.inner.push(&key, crate::list::Side::Left, &value)
        })
        .await
    }

    /// `LRANGE key start stop` over the merge of R replicas' lists.
    pub async fn lrange<K: ToRedisArgs, T: FromRedisValue>(
        &self,
        key: K,
        start: i64,
        stop: i64,
    ) -> Result<Vec<T>> {
        let key = bytes_of(key);
        let items = self
            .operation("lrange", false, || self.inner.lrange(&key, start, stop))
            .await?;
        items
            .into_iter()
            .map(|v| crate::reply::typed(redis::Value::BulkString(v), "LRANGE"))
            .collect()
    }

    /// `ECHO message` on the first node: a probe of reply attribution.
    pub async fn echo<M: ToRedisArgs>(&self, message: M) -> Result<String> {
        self.echo_on(0, message).await
    }

    /// `ECHO message` on node `node` (0-based).
    pub async fn echo_on<M: ToRedisArgs>(&self, node: usize, message: M) -> Result<String> {
        let message = bytes_of(message);
        self.operation("echo", false, || self.inner.echo(node, &message))
            .await
    }

    /// `PING` on every node; returns how many answered `PONG`.
    pub async fn ping(&self) -> Result<usize> {
        self.operation("ping", false, || self.inner.ping()).await
    }

    /// Starts the anti-entropy healer: a background task that SCANs the
    /// nodes in batches, compares versions across replicas and repairs the
    /// stale ones. Stop it with [`Healer::stop`] (or by dropping it).
    pub fn start_healer(&self) -> Healer {
        Healer::start(self.inner.clone())
    }

    /// Runs one full healer pass now and returns when it is done.
    pub async fn heal_once(&self) -> crate::healer::PassReport {
        crate::healer::pass(&self.inner).await
    }
}
