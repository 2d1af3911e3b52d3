//! The per-node connection pool, and connection set-up with retries.
//!
//! A caller checks a connection out, uses it for one request, and the guard
//! puts it back on drop *only if it is still reusable* (see
//! `connection.rs`). A poisoned or cancelled connection is simply dropped,
//! which closes it.
//!
//! Set-up (`CLIENT SETNAME`, then `READONLY` when reads may go to replicas) is
//! retried up to `max_retries` times. A failed set-up connection is poisoned
//! by the failure, so each retry dials a *new* connection. Under the
//! `reuse-conn-after-timeout` known-bug switch the timed-out connection stays
//! reusable and the retry resumes on it, which is go-redis #1113.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::config::{Config, Node};
use crate::connection::{Connection, Request};
use crate::error::{Certainty, Error, ErrorKind, Result};
use crate::known_bugs::Bugs;
use crate::metrics::Metrics;
use crate::observer::{ConnId, Purpose};
use crate::reply::Reply;

/// Connections to one node.
pub(crate) struct NodePool {
    node: Node,
    config: Arc<Config>,
    metrics: Arc<Metrics>,
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
    dialled: AtomicU64,
    backoff: Mutex<Backoff>,
    /// Whether the node runs Lua scripts: 0 unknown, 1 yes, 2 no.
    eval: AtomicU8,
}

/// Reconnect backoff after failed dials, with seeded jitter.
struct Backoff {
    failures: u32,
    retry_at: Option<tokio::time::Instant>,
    rng: StdRng,
}

/// A checked-out connection. Returns to the pool on drop if reusable.
pub(crate) struct PooledConn<'a> {
    conn: Option<Connection>,
    pool: &'a NodePool,
    _permit: SemaphorePermit<'a>,
}

impl std::ops::Deref for PooledConn<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("present until drop")
    }
}

impl std::ops::DerefMut for PooledConn<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("present until drop")
    }
}

impl Drop for PooledConn<'_> {
    fn drop(&mut self) {
        // A connection that is not reusable drops here, closing the stream.
        if let Some(mut conn) = self.conn.take() {
            conn.poison_if_cancelled();
            if conn.is_reusable() {
                lock(&self.pool.idle).push(conn);
            }
        }
    }
}

impl NodePool {
    pub(crate) fn new(
        index: usize,
        node: Node,
        config: Arc<Config>,
        metrics: Arc<Metrics>,
    ) -> Self {
        let permits = Semaphore::new(config.pool_size);
        let rng = StdRng::seed_from_u64(
            config.rng_seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        );
        NodePool {
            node,
            config,
            metrics,
            idle: Mutex::new(Vec::new()),
            permits,
            dialled: AtomicU64::new(0),
            eval: AtomicU8::new(0),
            backoff: Mutex::new(Backoff {
                failures: 0,
                retry_at: None,
                rng,
            }),
        }
    }

    /// The node's name.
    pub(crate) fn node_name(&self) -> &str {
        &self.node.name
    }

    /// The per-request timeout.
    pub(crate) fn command_timeout(&self) -> std::time::Duration {
        self.config.command_timeout
    }

    /// The enabled known-bug switches.
    pub(crate) fn bugs(&self) -> &Bugs {
        &self.config.bugs
    }

    /// The client's counters.
    pub(crate) fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Whether the node runs `EVAL`, once known.
    pub(crate) fn eval_supported(&self) -> Option<bool> {
        match self.eval.load(Ordering::Relaxed) {
            1 => Some(true),
            2 => Some(false),
            _ => None,
        }
    }

    /// Records whether the node runs `EVAL`.
    pub(crate) fn set_eval_supported(&self, yes: bool) {
        self.eval.store(if yes { 1 } else { 2 }, Ordering::Relaxed);
    }

    /// Checks out an idle connection, or opens and sets up a new one.
    pub(crate) async fn checkout(&self) -> Result<PooledConn<'_>> {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Error::new(ErrorKind::Config, Certainty::NotApplied, "pool closed"))?;
        let idle = lock(&self.idle).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.open().await?,
        };
        Ok(PooledConn {
            conn: Some(conn),
            pool: self,
            _permit: permit,
        })
    }

    /// The set-up requests every new connection runs, in order.
    fn setup_steps(&self, conn: &ConnId) -> Vec<Request> {
        let mut steps = Vec::new();
        if let Some(password) = &self.config.password {
            steps.push(Request::new("AUTH").arg(password.as_str()));
        }
        steps.push(Request::new("CLIENT SETNAME").arg(setname(conn)));
        if self.config.read_from_replicas {
            steps.push(Request::new("READONLY"));
        }
        steps
    }

    /// Dials and sets up a connection, retrying set-up failures.
    async fn open(&self) -> Result<Connection> {
        let mut failures = 0u32;
        // A connection that failed set-up but is still reusable (only under a
        // known-bug switch), with the index of the step to resume at.
        let mut carried: Option<(Connection, usize)> = None;
        loop {
            let (mut conn, mut step) = match carried.take() {
                Some(c) => c,
                None => (self.dial().await?, 0),
            };
            let steps = self.setup_steps(conn.id());
            let mut failure = None;
            while step < steps.len() {
                match conn
                    .request(&steps[step], Purpose::Setup, self.config.command_timeout)
                    .await
                {
                    Ok(Reply::Value(_)) => step += 1,
                    Ok(Reply::Error(e)) => {
                        // The server refused set-up: retrying will not help.
                        return Err(Error::new(
                            ErrorKind::Setup,
                            Certainty::NotApplied,
                            format!("{} set-up {} refused: {e}", conn.id(), steps[step].command),
                        ));
                    }
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
            }
            let Some(error) = failure else {
                return Ok(conn);
            };
            failures += 1;
            if failures > self.config.max_retries {
                // The caller's own command was never sent.
                return Err(Error::new(
                    ErrorKind::Setup,
                    Certainty::NotApplied,
                    format!(
                        "connection set-up to {} failed after {failures} attempts: {}",
                        self.node.name,
                        error.detail()
                    ),
                ));
            }
            if conn.is_reusable() {
                carried = Some((conn, step));
            }
        }
    }

    /// Opens a new stream to the node, within the connect timeout, unless a
    /// recent failure put the node in backoff.
    async fn dial(&self) -> Result<Connection> {
        if let Some(at) = lock(&self.backoff).retry_at
            && tokio::time::Instant::now() < at
        {
            return Err(Error::new(
                ErrorKind::Connect,
                Certainty::NotApplied,
                format!("{}: backing off after failed connects", self.node.name),
            ));
        }
        let connect = self.config.connector.connect(&self.node.addr);
        let failure = match tokio::time::timeout(self.config.connect_timeout, connect).await {
            Ok(Ok(stream)) => Ok(stream),
            Ok(Err(e)) => Err(format!("connect to {}: {e}", self.node.addr)),
            Err(_) => Err(format!(
                "connect to {}: no answer within {:?}",
                self.node.addr, self.config.connect_timeout
            )),
        };
        let stream = match failure {
            Ok(stream) => {
                let mut b = lock(&self.backoff);
                b.failures = 0;
                b.retry_at = None;
                stream
            }
            Err(detail) => {
                self.back_off();
                return Err(Error::new(
                    ErrorKind::Connect,
                    Certainty::NotApplied,
                    detail,
                ));
            }
        };
        let number = self.dialled.fetch_add(1, Ordering::Relaxed) + 1;
        if number > 1 {
            self.metrics.reconnects.incr();
        }
        let id = ConnId {
            client: self.config.name.clone(),
            node: self.node.name.clone(),
            number,
        };
        Ok(Connection::new(
            id,
            stream,
            self.config.observer.clone(),
            self.config.bugs.clone(),
            self.metrics.clone(),
            self.config.verify_replies,
        ))
    }

    /// Doubles the backoff (up to the maximum), with jitter in [50%, 100%].
    fn back_off(&self) {
        let mut b = lock(&self.backoff);
        b.failures = b.failures.saturating_add(1);
        let exp = self
            .config
            .backoff_base
            .saturating_mul(1u32 << (b.failures - 1).min(20))
            .min(self.config.backoff_max);
        let jitter = 0.5 + b.rng.random::<f64>() * 0.5;
        b.retry_at = Some(tokio::time::Instant::now() + exp.mul_f64(jitter));
    }
}

/// The `CLIENT SETNAME` argument for a connection: Redis names may not
/// contain spaces, and the server-side name must map back to the connection.
fn setname(conn: &ConnId) -> String {
    format!("{}-{}-{}", conn.client, conn.node, conn.number)
        .chars()
        .map(|c| if c.is_ascii_graphic() { c } else { '_' })
        .collect()
}

/// Locks a mutex, recovering from poisoning: the idle list stays valid even
/// if a holder panicked, because every operation on it is a single push/pop.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
