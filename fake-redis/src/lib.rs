//! `fake-redis`: a Redis-compatible RESP server with a fault plan.
//!
//! It answers the Redis 7 commands that clients and the anarchoredis
//! workloads use, with Redis' exact replies and error texts in RESP2 and
//! RESP3 (a differential test holds it to a real `redis-server`), and it
//! misbehaves on purpose: a [`FaultRule`] delays, drops, duplicates, splits,
//! truncates or garbles the replies to chosen requests, resets or hangs
//! their connections, or refuses them with cluster and availability errors;
//! the [`Server`] can be paused, crashed and restarted at run time. Every
//! executed command is reported to an observer ([`ServerEvent`]), so a
//! harness sees what the server really did.
//!
//! The transport is generic: [`Server::serve`] takes any
//! `AsyncRead + AsyncWrite` stream, so the same code runs inside a
//! deterministic `turmoil` simulation and on real TCP ([`serve_tcp`]).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use fake_redis::{Server, ServerConfig, serve_tcp};
//!
//! let rule = "command = \"READONLY\", connections = \"2..\", \
//!             occurrence = \"first\", action = { delay = \"150ms\" }";
//! let config = ServerConfig {
//!     faults: vec![rule.parse().expect("a valid rule")],
//!     ..ServerConfig::default()
//! };
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:6379").await?;
//! serve_tcp(listener, Server::new(config)).await
//! # }
//! ```
//!
//! # Layout
//!
//! Modelled on tokio-rs/mini-redis; each module holds one concern.
//!
//! - `server`: [`Server`] (the shared handle and its run-time controls:
//!   faults, pause, crash, snapshot) and the TCP accept loop [`serve_tcp`].
//! - `config`: [`ServerConfig`], [`ClusterConfig`], and the settings
//!   commands read.
//! - `event`: [`ServerEvent`], [`ServerEventKind`], the [`Observer`] type and
//!   the argument and reply summaries.
//! - `clock`: the server's monotonic time (tokio's clock, or a [`Clock`]),
//!   for expiry, fault windows and events.
//! - `handler`: the per-connection loop: read a request, wait out a pause,
//!   consult the fault plan, run the command, deliver the reply or what a
//!   fault makes of it; every wait also watches for a crash.
//! - `session`: what one connection remembers between commands: its number,
//!   name, protocol version, authentication, open transaction and watches.
//! - `connection`: buffered I/O only: decode requests from the stream, encode
//!   replies as RESP2 or RESP3.
//! - `request`: the incremental request decoder (flat arrays of bulk strings)
//!   on top of the `redis-protocol` codec, with the size limit.
//! - `frame`: the reply value, independent of the protocol version.
//! - `db`: the state behind one lock: the keyspace (a `BTreeMap`, expiry,
//!   the `SCAN` order), the `WATCH` registry, up/down and [`Persistence`].
//! - `glob`: Redis' glob dialect, for `KEYS`, `SCAN` and rule key patterns.
//! - `cmd`: one file per command (or small family), each with parse, apply
//!   and reply steps; `cmd/table.rs` holds the command table (arity, key
//!   positions, flags) and `cmd/mod.rs` the dispatch.
//! - `fault`: the fault plan: the serde-shaped rule and action types, the
//!   `--fault` string syntax, and the run-time matcher with its seeded
//!   generator.

mod clock;
mod cmd;
mod config;
mod connection;
mod db;
mod event;
mod fault;
mod frame;
mod glob;
mod handler;
mod request;
pub mod scripts;
mod server;
mod session;

pub use clock::Clock;
pub use config::{ClusterConfig, DEFAULT_MAX_REQUEST_BYTES, ServerConfig};
pub use db::{Persistence, Value};
pub use event::{Observer, ServerEvent, ServerEventKind};
pub use fault::{
    ConnSelector, ConnSelectorParseError, Delay, ErrorCode, ErrorReply, FaultAction, FaultRule,
    FaultRuleParseError, Occurrence, Probability, Split, Window,
};
pub use server::{Server, serve_tcp};

/// The README's examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
