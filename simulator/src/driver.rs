//! The stock `redis` crate (redis-rs 1.x) as a second client under test:
//! `[client] driver = "redis-rs"` makes each client host drive one
//! `redis::aio::MultiplexedConnection` to `redis-1` instead of anarchoredis.
//!
//! The connection is made the only way redis-rs accepts a custom stream:
//! `MultiplexedConnection::new_with_config(&RedisConnectionInfo, stream,
//! AsyncConnectionConfig)` over a turmoil `TcpStream`, with the returned
//! driver future spawned on the client host. Every logical process shares
//! it (clones of one multiplexed connection, as applications use it), and it
//! is kept across errors the way redis-rs' own `ConnectionManager` keeps it:
//! replaced only after an error redis-rs calls unrecoverable
//! (`RedisError::is_unrecoverable_error`: a dropped connection, a parse
//! error), never after a response timeout. `ConnectionManager` itself dials
//! real sockets, so this module re-creates its reconnect rule.
//!
//! Timeouts: the scenario's `command_timeout` is redis-rs' response timeout
//! (`AsyncConnectionConfig::set_response_timeout`); `operation_timeout` is
//! the application's own timeout around each command (dropping the future,
//! which redis-rs documents as cancellation-safe); `connect_timeout` bounds
//! the dial and redis-rs' connection set-up, which has no timeout of its
//! own.
//!
//! What is recorded: the same invoke/completion history as for
//! anarchoredis, with each reply as redis-rs delivered it (read as a raw
//! `redis::Value`, so no typing hides a wrong reply). There are no wire
//! events, so the attribution checker falls back to payload matching. DEL's
//! reply `0` or `1` is recorded as the acknowledgement `"OK"` the checker
//! expects of a DEL (anarchoredis' tombstone answers `OK`); any other DEL
//! reply is recorded as it came. A counter read (`read_counter`, and the
//! final reads of `incr` keys) is `GET`; an integer string is recorded as
//! the integer, as anarchoredis' `get_counter` returns it. A server error reply is a `fail`; a
//! timeout, a dropped connection or an unreadable reply is `info` for a
//! write (it may have been applied) and `fail` for a read.

use std::sync::Arc;
use std::time::Duration;

use anarcho_checker::Value;
use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, RedisConnectionInfo, RedisError};

use crate::recorder::redis_value;
use crate::scenario::{OpKind, Scenario};
use crate::world::{REDIS_PORT, node_name};

/// The operations the redis-rs driver runs.
const SUPPORTED: &[OpKind] = &[
    OpKind::Echo,
    OpKind::Get,
    OpKind::Set,
    OpKind::Incr,
    OpKind::Del,
    OpKind::ReadCounter,
];

/// Checks what a redis-rs scenario may ask for; the message says what was
/// expected.
pub fn validate(s: &Scenario) -> Result<(), String> {
    if s.cluster.nodes != 1 {
        return Err(format!(
            "the redis-rs driver drives one node: expected cluster.nodes = 1, got {}",
            s.cluster.nodes
        ));
    }
    if !s.client.known_bugs.is_empty() {
        return Err(
            "known-bug switches belong to anarchoredis: expected no known_bugs with the redis-rs driver"
                .into(),
        );
    }
    if s.client.healer {
        return Err(
            "the healer belongs to anarchoredis: expected healer = false with the redis-rs driver"
                .into(),
        );
    }
    if let Some(op) = s
        .workload
        .kinds()
        .into_iter()
        .find(|k| !SUPPORTED.contains(k))
    {
        return Err(format!(
            "the redis-rs driver runs echo, get, set, incr, del and read_counter; the workload also has {}",
            op.name()
        ));
    }
    Ok(())
}

/// The client a workload drives.
#[derive(Clone)]
pub enum Target {
    /// The anarchoredis client under test.
    Anarchoredis(anarchoredis::Client),
    /// redis-rs' multiplexed connection.
    RedisRs(RedisRs),
}

/// Why an operation failed, and whether it may have taken effect.
#[derive(Clone, Debug)]
pub struct Failure {
    /// The request may have been applied (recorded as `info`).
    pub indeterminate: bool,
    /// What went wrong, as recorded in the history.
    pub message: String,
}

impl From<anarchoredis::Error> for Failure {
    fn from(e: anarchoredis::Error) -> Self {
        Failure {
            indeterminate: e.is_indeterminate(),
            message: e.to_string(),
        }
    }
}

/// One client host's redis-rs client: a shared multiplexed connection to
/// `redis-1`, made on first use and replaced after an unrecoverable error.
#[derive(Clone)]
pub struct RedisRs {
    inner: Arc<Inner>,
}

struct Inner {
    addr: String,
    info: RedisConnectionInfo,
    connect_timeout: Duration,
    response_timeout: Duration,
    operation_timeout: Duration,
    state: tokio::sync::Mutex<State>,
}

#[derive(Default)]
struct State {
    current: Option<Current>,
    /// Connections made so far (names each one).
    made: u64,
}

struct Current {
    conn: MultiplexedConnection,
    number: u64,
    driver: tokio::task::JoinHandle<()>,
}

impl RedisRs {
    /// A client with the scenario's timeouts and password; it connects on
    /// first use, inside the simulation.
    pub fn new(scenario: &Scenario) -> Self {
        let opts = &scenario.client;
        let mut info = RedisConnectionInfo::default();
        if let Some(p) = &scenario.cluster.password {
            info = info.set_password(p);
        }
        RedisRs {
            inner: Arc::new(Inner {
                addr: format!("{}:{REDIS_PORT}", node_name(0)),
                info,
                connect_timeout: opts.connect_timeout,
                response_timeout: opts.command_timeout,
                operation_timeout: opts.operation_timeout,
                state: tokio::sync::Mutex::new(State::default()),
            }),
        }
    }

    /// Runs one operation the way an application would, under the
    /// application's timeout. `Ok(None)` is never returned: every command
    /// here has a reply value.
    pub async fn perform(
        &self,
        kind: OpKind,
        key: &str,
        arg: &str,
    ) -> Result<Option<Value>, Failure> {
        let write = matches!(kind, OpKind::Set | OpKind::Incr | OpKind::Del);
        let run = async {
            let (mut conn, number) = self.connection().await?;
            let mut cmd = redis::cmd(match kind {
                OpKind::Echo => "ECHO",
                OpKind::Get | OpKind::ReadCounter => "GET",
                OpKind::Set => "SET",
                OpKind::Incr => "INCR",
                OpKind::Del => "DEL",
                other => {
                    return Err(Failure {
                        indeterminate: false,
                        message: format!("the redis-rs driver does not run {}", other.name()),
                    });
                }
            });
            match kind {
                OpKind::Echo => {
                    cmd.arg(arg);
                }
                OpKind::Set => {
                    cmd.arg(key).arg(arg);
                }
                _ => {
                    cmd.arg(key);
                }
            }
            match cmd.query_async::<redis::Value>(&mut conn).await {
                Ok(v) => Ok(v),
                Err(e) => {
                    if e.is_unrecoverable_error() {
                        self.forget(number).await;
                    }
                    Err(failure(&e, write))
                }
            }
        };
        match tokio::time::timeout(self.inner.operation_timeout, run).await {
            Ok(Ok(v)) => Ok(Some(record(kind, &v))),
            Ok(Err(f)) => Err(f),
            Err(_) => Err(Failure {
                indeterminate: write,
                message: format!(
                    "the application's timeout ({:?}) cancelled the command",
                    self.inner.operation_timeout
                ),
            }),
        }
    }

    /// The shared connection, made now if there is none.
    async fn connection(&self) -> Result<(MultiplexedConnection, u64), Failure> {
        let mut state = self.inner.state.lock().await;
        if let Some(c) = &state.current {
            return Ok((c.conn.clone(), c.number));
        }
        let inner = &self.inner;
        let config =
            AsyncConnectionConfig::new().set_response_timeout(Some(inner.response_timeout));
        let made = tokio::time::timeout(inner.connect_timeout, async {
            let stream = turmoil::net::TcpStream::connect(inner.addr.as_str())
                .await
                .map_err(RedisError::from)?;
            MultiplexedConnection::new_with_config(&inner.info, stream, config).await
        })
        .await;
        let (conn, driver) = match made {
            Ok(Ok(made)) => made,
            Ok(Err(e)) => {
                return Err(Failure {
                    indeterminate: false,
                    message: format!("connecting to {}: {e}", inner.addr),
                });
            }
            Err(_) => {
                return Err(Failure {
                    indeterminate: false,
                    message: format!(
                        "connecting to {}: no connection within {:?}",
                        inner.addr, inner.connect_timeout
                    ),
                });
            }
        };
        state.made += 1;
        let number = state.made;
        state.current = Some(Current {
            conn: conn.clone(),
            number,
            driver: tokio::spawn(driver),
        });
        Ok((conn, number))
    }

    /// Drops connection `number` after an unrecoverable error (unless a
    /// newer one already replaced it); the next operation reconnects.
    async fn forget(&self, number: u64) {
        let mut state = self.inner.state.lock().await;
        if state.current.as_ref().is_some_and(|c| c.number == number)
            && let Some(old) = state.current.take()
        {
            old.driver.abort();
        }
    }
}

/// A redis-rs error as the application sees it: a server's error reply
/// means the command was refused; anything else after the command was sent
/// leaves a write ambiguous.
fn failure(e: &RedisError, write: bool) -> Failure {
    let refused = matches!(e.kind(), redis::ErrorKind::Server(_));
    Failure {
        indeterminate: write && !refused,
        message: e.to_string(),
    }
}

/// The history value of a reply (see the module docs for DEL and counter
/// reads).
fn record(kind: OpKind, v: &redis::Value) -> Value {
    match (kind, v) {
        (OpKind::Del, redis::Value::Int(0 | 1)) => Value::Str("OK".into()),
        (OpKind::ReadCounter, redis::Value::BulkString(b)) => {
            match std::str::from_utf8(b)
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
            {
                Some(n) => Value::Int(n),
                None => redis_value(v),
            }
        }
        _ => redis_value(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "name = \"t\"\nduration = \"1s\"\n[client]\ndriver = \"redis-rs\"\n";

    #[test]
    fn a_redis_rs_scenario_with_an_unsupported_operation_is_refused_at_the_driver() {
        let text = format!("{BASE}[workload]\nkind = \"list-append\"\n");
        let err = Scenario::from_toml(&text, Some("x.toml".into()))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("x.toml:4:1:"), "{err}");
        assert!(
            err.contains("echo, get, set, incr, del and read_counter"),
            "{err}"
        );
        assert!(err.contains("rpush") || err.contains("lrange"), "{err}");
    }

    #[test]
    fn a_redis_rs_scenario_drives_one_node() {
        let text = format!("{BASE}[cluster]\nnodes = 3\n[workload]\nkind = \"register\"\n");
        let err = Scenario::from_toml(&text, Some("x.toml".into()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("cluster.nodes = 1"), "{err}");
        let ok = format!(
            "{BASE}[workload]\nmix = {{ echo = 1, get = 1, set = 1, incr = 1, del = 1 }}\n"
        );
        Scenario::from_toml(&ok, None).unwrap();
    }

    #[test]
    fn del_counts_are_acknowledgements_and_other_replies_are_kept() {
        assert_eq!(
            record(OpKind::Del, &redis::Value::Int(1)),
            Value::Str("OK".into())
        );
        assert_eq!(record(OpKind::Del, &redis::Value::Int(7)), Value::Int(7));
        assert_eq!(
            record(OpKind::Incr, &redis::Value::Okay),
            Value::Str("OK".into())
        );
        let five = redis::Value::BulkString(b"5".to_vec());
        assert_eq!(record(OpKind::ReadCounter, &five), Value::Int(5));
        assert_eq!(record(OpKind::Get, &five), Value::Str("5".into()));
    }
}
