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

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{Semaphore, SemaphorePermit};

use crate::config::{Config, Node};
use crate::connection::{Connection, Request};
use crate::error::{Certainty, Error, ErrorKind, Result};
use crate::observer::{ConnId, Purpose};
use crate::reply::Reply;

/// Connections to one node.
pub(crate) struct NodePool {
    node: Node,
    config: Arc<Config>,
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
    dialled: AtomicU64,
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
        if let Some(conn) = self.conn.take()
            && conn.is_reusable()
        {
            lock(&self.pool.idle).push(conn);
        }
    }
}

impl NodePool {
    pub(crate) fn new(node: Node, config: Arc<Config>) -> Self {
        let permits = Semaphore::new(config.pool_size);
        NodePool {
            node,
            config,
            idle: Mutex::new(Vec::new()),
            permits,
            dialled: AtomicU64::new(0),
        }
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
        let mut steps = vec![Request::new("CLIENT SETNAME").arg(setname(conn))];
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

    /// Opens a new stream to the node, within the connect timeout.
    async fn dial(&self) -> Result<Connection> {
        let connect = self.config.connector.connect(&self.node.addr);
        let stream = match tokio::time::timeout(self.config.connect_timeout, connect).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => {
                return Err(Error::new(
                    ErrorKind::Connect,
                    Certainty::NotApplied,
                    format!("connect to {}: {e}", self.node.addr),
                ));
            }
            Err(_) => {
                return Err(Error::new(
                    ErrorKind::Connect,
                    Certainty::NotApplied,
                    format!(
                        "connect to {}: no answer within {:?}",
                        self.node.addr, self.config.connect_timeout
                    ),
                ));
            }
        };
        let number = self.dialled.fetch_add(1, Ordering::Relaxed) + 1;
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
        ))
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
