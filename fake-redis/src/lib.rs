//! `fake-redis`: a Redis-compatible RESP server with a fault plan.
//!
//! It answers a small set of Redis 7 commands with Redis' exact reply shapes
//! and error texts, and it can misbehave on purpose: a [`FaultRule`] makes
//! chosen commands on chosen connections slow, so a client's handling of a
//! late reply (go-redis #1113, for example) can be reproduced on demand.
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
//! - `server`: [`Server`] (the shared handle: keyspace, fault plan state,
//!   connection counter), [`ServerConfig`], [`ServerEvent`] and the TCP accept
//!   loop [`serve_tcp`].
//! - `handler`: the per-connection loop: read a request, consult the fault
//!   plan, run the command, write (or delay) the reply.
//! - `session`: what one connection remembers between commands: its number,
//!   name, protocol version and open transaction.
//! - `connection`: buffered I/O only: decode requests from the stream, encode
//!   replies as RESP2 or RESP3.
//! - `request`: the incremental request decoder (flat arrays of bulk strings)
//!   on top of the `redis-protocol` codec, with the size limit.
//! - `frame`: the reply value, independent of the protocol version.
//! - `db`: the keyspace state (a `BTreeMap`, so iteration order is stable).
//! - `cmd`: one file per command (or small family), each with parse, apply
//!   and reply steps; `cmd/mod.rs` holds the command table (arity, names).
//! - `fault`: the fault plan: the serde-shaped rule types, the `--fault`
//!   string syntax, and the runtime matcher.

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
