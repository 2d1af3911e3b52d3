//! # anarchoredis
//!
//! A Redis client for N plain Redis nodes, built to be *provably* safe about
//! its connections: a connection that saw a timeout, a cancellation or a
//! protocol error mid-request is poisoned and never reused, and every failure
//! says whether the request may have been applied.
//!
//! ```no_run
//! # async fn demo() -> anarchoredis::Result<()> {
//! let client = anarchoredis::Client::builder().node("127.0.0.1:6379").build()?;
//! client.set("greeting", "hello").await?;
//! let value: Option<String> = client.get("greeting").await?;
//! assert_eq!(value.as_deref(), Some("hello"));
//! # Ok(()) }
//! ```
//!
//! ## Layout
//! - [`client`](Client): typed commands over the node pools.
//! - `config`: [`ClientBuilder`] and [`Config`].
//! - `connector`: [`Connector`], how a stream to a node is obtained
//!   ([`TcpConnector`] for real TCP; the simulator brings its own).
//! - `pool`: per-node pools and connection set-up with retries.
//! - `connection`: one connection's buffered RESP I/O and the poisoning rule.
//! - `reply`: decoded replies (via `redis-protocol`) and typing (via `redis`).
//! - `observer`: [`WireObserver`], a hook on every request and reply.
//! - `error`: [`Error`] with its [`Certainty`].
//! - `known_bugs`: switches that re-create real client bugs, behind the
//!   `known-bugs` cargo feature.

#![warn(missing_docs)]

mod client;
mod config;
mod connection;
mod connector;
mod error;
mod healer;
mod known_bugs;
mod list;
mod metrics;
mod observer;
mod ops;
mod pool;
mod quorum;
mod repair;
mod replica;
mod reply;
mod version;

pub use client::Client;
pub use config::{ClientBuilder, Config, Consistency, Node, ReadRepair};
pub use connector::{BoxStream, ConnectFuture, Connector, Stream, TcpConnector};
pub use error::{Certainty, Error, ErrorKind, Result};
pub use healer::{Healer, PassReport};
pub use known_bugs::Bugs;
#[cfg(feature = "known-bugs")]
pub use known_bugs::KnownBug;
pub use list::{Element, Side};
pub use metrics::MetricsSnapshot;
pub use observer::{ConnId, ObservedReply, Purpose, WireEvent, WireObserver};
pub use replica::REGISTER_WRITE_LUA;
pub use version::{Clock, Kind, SystemClock, Tag, VERSION_PREFIX, Version, version_key};

/// The README's Rust examples, compiled as doctests so they stay true.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
