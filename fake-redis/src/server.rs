//! The server handle, its configuration, its events, and the TCP accept loop.
//!
//! [`Server`] is what every connection shares: the keyspace, the fault plan's
//! server-wide state and the connection counter. It is an `Arc` inside, so
//! the simulator can clone it into each host task and `serve_tcp` into each
//! connection task. It never spawns on its own: [`Server::serve`] is one
//! future per connection, so under turmoil the caller decides where it runs.

use std::fmt;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;

use crate::db::Db;
use crate::fault::{FaultPlan, FaultRule};
use crate::handler;

/// The default for [`ServerConfig::max_request_bytes`]: 64 MiB.
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 64 * 1024 * 1024;

/// The callback type of [`ServerConfig::observer`].
pub type Observer = Arc<dyn Fn(ServerEvent) + Send + Sync>;

/// How a [`Server`] behaves.
#[derive(Clone)]
pub struct ServerConfig {
    /// The fault plan, checked in order for every command; the first
    /// matching rule fires.
    pub faults: Vec<FaultRule>,
    /// The seed for any randomness the server uses, so runs repeat. No
    /// current fault action is random; probabilistic actions will draw from
    /// a `StdRng` seeded with this.
    pub seed: u64,
    /// The largest request accepted; a client that sends more (for one
    /// request) gets `-ERR Protocol error: ...` and is disconnected, so
    /// memory per connection stays bounded. Default 64 MiB.
    pub max_request_bytes: usize,
    /// Called synchronously for every notable server event (a fault rule
    /// firing, a connection accepted/closed). The simulator stamps it with
    /// simulated time and puts it in its history.
    pub observer: Option<Observer>,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            faults: Vec::new(),
            seed: 0,
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            observer: None,
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
            .finish()
    }
}

/// Something notable that happened on the server.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerEvent {
    /// The connection number (1-based, in accept order).
    pub conn: u64,
    /// The command involved, uppercase, if any.
    pub command: Option<String>,
    /// What happened, e.g. `fault fired: delay reply to READONLY by 150ms
    /// (rule 1)`, `connection accepted`, `connection closed: peer closed`.
    pub note: String,
}

/// A fake Redis server: shared keyspace, fault plan state and connection
/// counter. Cheap to clone; clones serve the same data.
#[derive(Clone, Debug)]
pub struct Server {
    shared: Arc<Shared>,
}

/// The state behind a [`Server`].
pub(crate) struct Shared {
    /// The keyspace.
    pub(crate) db: Db,
    /// The fault rules and their server-wide budgets.
    pub(crate) faults: FaultPlan,
    /// The limit handed to each connection's decoder.
    pub(crate) max_request_bytes: usize,
    next_connection: AtomicU64,
    observer: Option<Observer>,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("faults", &self.faults)
            .field("max_request_bytes", &self.max_request_bytes)
            .field("next_connection", &self.next_connection)
            .finish_non_exhaustive()
    }
}

impl Shared {
    /// Reports `event` to the observer, if there is one.
    pub(crate) fn emit(&self, conn: u64, command: Option<&str>, note: String) {
        if let Some(observer) = &self.observer {
            observer(ServerEvent {
                conn,
                command: command.map(str::to_string),
                note,
            });
        }
    }
}

impl Server {
    /// A server with an empty keyspace and nothing fired yet.
    pub fn new(config: ServerConfig) -> Server {
        Server {
            shared: Arc::new(Shared {
                db: Db::default(),
                faults: FaultPlan::new(config.faults),
                max_request_bytes: config.max_request_bytes,
                next_connection: AtomicU64::new(1),
                observer: config.observer,
            }),
        }
    }

    /// Serves one client connection until the peer closes, an I/O error
    /// occurs, or a protocol error closes it. Never panics.
    ///
    /// The connection number is taken when `serve` is *called*, not when the
    /// future is first polled, so a caller that calls it in accept order
    /// numbers connections in accept order even if it spawns them. The future
    /// owns what it needs (it does not borrow `self`) and is `Send` when `S`
    /// is.
    pub fn serve<S>(&self, stream: S) -> impl Future<Output = ()> + use<S>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let shared = Arc::clone(&self.shared);
        let id = shared.next_connection.fetch_add(1, Ordering::Relaxed);
        shared.emit(id, None, "connection accepted".to_string());
        handler::run(shared, id, stream)
    }
}

/// Accept loop on real TCP, used by the binary and by other crates'
/// integration tests: spawns `server.serve` per connection (with
/// `TCP_NODELAY`, as Redis sets it).
///
/// Returns only when accepting fails for a reason other than a client that
/// gave up before it was accepted.
pub async fn serve_tcp(listener: TcpListener, server: Server) -> io::Result<()> {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _peer)) => stream,
            Err(error) if is_per_connection(&error) => continue,
            Err(error) => return Err(error),
        };
        // Without NODELAY a delayed reply could also be held back by Nagle;
        // failing to set it only costs latency.
        let _ = stream.set_nodelay(true);
        tokio::spawn(server.serve(stream));
    }
}

/// Accept errors that concern one would-be connection, not the listener.
fn is_per_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    )
}
