//! The server handle and the TCP accept loop.
//!
//! [`Server`] is what every connection shares: the state (keyspace, up or
//! down), the fault plan, the clock, the connection counter and the mode
//! channel that tells connections about pauses and crashes. It is an `Arc`
//! inside, so the simulator can clone it into each host task and
//! `serve_tcp` into each connection task. It never spawns on its own:
//! [`Server::serve`] is one future per connection, so under turmoil the
//! caller decides where it runs.
//!
//! Every control method (`pause`, `crash`, `set_faults`, ...) is
//! synchronous and needs no runtime, so a nemesis can call it from a turmoil
//! host, from the simulation loop between steps, or from a test.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::clock::ServerClock;
use crate::config::{ServerConfig, Settings};
use crate::db::{Db, Persistence, Value};
use crate::event::{Observer, ServerEvent, ServerEventKind};
use crate::fault::{FaultPlan, FaultRule};
use crate::handler;

/// A fake Redis server: shared keyspace, fault plan and modes. Cheap to
/// clone; clones serve the same data.
///
/// # Under a simulator
///
/// Call [`Server::serve`] for each accepted stream. To drive faults from a
/// nemesis, keep a clone and call the control methods:
///
/// - [`set_faults`](Server::set_faults), [`add_fault`](Server::add_fault),
///   [`clear_faults`](Server::clear_faults): change the rules; the next
///   request on every connection sees the new plan.
/// - [`pause`](Server::pause) / [`resume`](Server::resume): a stalled server
///   (like `SIGSTOP`): connections are accepted and requests read, but
///   nothing is executed or answered until resumed; then the queued requests
///   run in order.
/// - [`crash`](Server::crash) / [`restart`](Server::restart): every live
///   connection is closed at once (its task ends), data is kept or lost as
///   the [`Persistence`] mode says, and new connections are refused (accepted
///   and closed at once) until `restart`.
///
/// With turmoil, pair the two kinds of crash: `server.crash();
/// sim.crash("redis-1");` then later `server.restart(); sim.bounce("redis-1");`.
/// `sim.crash` alone would drop the host's tasks (the connections) but keep
/// the keyspace, since the `Server` value outlives the host; `server.crash`
/// is what decides what data survives. `sim.bounce` re-runs the host
/// closure, which calls `serve` on the same `Server`. Without turmoil's
/// crash, `server.crash` alone closes connections and refuses new ones,
/// which a client sees as a server that went away and came back.
#[derive(Clone)]
pub struct Server {
    shared: Arc<Shared>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("mode", &*self.shared.mode.borrow())
            .field("next_connection", &self.shared.next_connection)
            .finish_non_exhaustive()
    }
}

/// The server-wide mode every connection watches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Mode {
    /// Requests wait before executing.
    pub(crate) paused: bool,
    /// Incremented by every crash; a connection of an older epoch closes.
    pub(crate) epoch: u64,
    /// Between a crash and the restart.
    pub(crate) down: bool,
}

/// The state behind a [`Server`].
pub(crate) struct Shared {
    /// The keyspace and the up/down state.
    pub(crate) db: Db,
    /// The fault rules, their budgets and the seeded generator.
    pub(crate) faults: FaultPlan,
    /// What commands read from the configuration.
    pub(crate) settings: Settings,
    /// Server time.
    pub(crate) clock: ServerClock,
    /// The limit handed to each connection's decoder.
    pub(crate) max_request_bytes: usize,
    /// Pauses and crashes, watched by every connection.
    pub(crate) mode: watch::Sender<Mode>,
    next_connection: AtomicU64,
    observer: Option<Observer>,
    /// Whether command events are reported (`ServerConfig::command_events`).
    command_events: bool,
}

impl Shared {
    /// Whether anyone listens to command events; when not, callers skip
    /// building their summaries.
    pub(crate) fn observing_commands(&self) -> bool {
        self.command_events && self.observer.is_some()
    }

    /// Builds and reports an event, if there is an observer.
    pub(crate) fn emit(&self, build: impl FnOnce() -> ServerEvent) {
        if let Some(observer) = &self.observer {
            observer(build());
        }
    }

    /// Reports a connection-level event (accepted, closed, mode).
    pub(crate) fn note(&self, kind: ServerEventKind, conn: u64, note: impl FnOnce() -> String) {
        self.emit(|| ServerEvent::new(kind, conn, self.clock.now(), note()));
    }
}

impl Server {
    /// A server with an empty keyspace and nothing fired yet. Created inside
    /// a tokio runtime, its clock starts now; outside one (a simulator
    /// building hosts before the run) it starts at its first connection,
    /// unless `ServerConfig::clock` says otherwise.
    pub fn new(config: ServerConfig) -> Server {
        let settings = Settings::new(&config);
        let server = Server {
            shared: Arc::new(Shared {
                db: Db::new(config.persistence),
                faults: FaultPlan::new(config.faults, config.seed),
                settings,
                clock: ServerClock::new(config.clock),
                max_request_bytes: config.max_request_bytes,
                mode: watch::Sender::new(Mode::default()),
                next_connection: AtomicU64::new(1),
                observer: config.observer,
                command_events: config.command_events,
            }),
        };
        // Anchors the default clock when there is a runtime to read.
        server.shared.clock.now();
        server
    }

    /// Serves one client connection until the peer closes, an I/O error
    /// occurs, a protocol error or a fault closes it, or the server crashes.
    /// Never panics.
    ///
    /// The connection number is taken when `serve` is *called*, not when the
    /// future is first polled, so a caller that calls it in accept order
    /// numbers connections in accept order even if it spawns them. The future
    /// owns what it needs (it does not borrow `self`) and is `Send` when `S`
    /// is. While the server is down (crashed, not yet restarted) the
    /// connection is refused: the future ends at once and drops the stream.
    pub fn serve<S>(&self, stream: S) -> impl Future<Output = ()> + use<S>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        self.serve_with(stream, None)
    }

    /// [`Server::serve`] with a hook run on the stream just before a reset
    /// fault drops it.
    fn serve_with<S>(
        &self,
        stream: S,
        on_reset: Option<fn(&S)>,
    ) -> impl Future<Output = ()> + use<S>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let shared = Arc::clone(&self.shared);
        let id = shared.next_connection.fetch_add(1, Ordering::Relaxed);
        let mode = *shared.mode.borrow();
        let epoch = if mode.down {
            shared.note(ServerEventKind::Accepted, id, || {
                "connection refused: the server is down".to_string()
            });
            None
        } else {
            shared.note(ServerEventKind::Accepted, id, || {
                "connection accepted".to_string()
            });
            Some(mode.epoch)
        };
        handler::run(shared, id, epoch, stream, on_reset)
    }

    /// Replaces every fault rule. Occurrence counts and `times` budgets
    /// start afresh for the new rules.
    pub fn set_faults(&self, rules: Vec<FaultRule>) {
        let count = rules.len();
        self.shared.faults.set(rules);
        self.mode_note(|| format!("fault plan replaced ({count} rules)"));
    }

    /// Appends a fault rule, checked after the existing ones.
    pub fn add_fault(&self, rule: FaultRule) {
        let text = rule.to_string();
        self.shared.faults.add(rule);
        self.mode_note(|| format!("fault rule added: {text}"));
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.shared.faults.set(Vec::new());
        self.mode_note(|| "fault plan cleared".to_string());
    }

    /// The current fault rules, in order.
    pub fn faults(&self) -> Vec<FaultRule> {
        self.shared.faults.rules()
    }

    /// Stalls the server: connections are still accepted and requests
    /// read, but none is executed or answered until [`Server::resume`].
    pub fn pause(&self) {
        self.shared.mode.send_modify(|mode| mode.paused = true);
        self.mode_note(|| "server paused".to_string());
    }

    /// Ends a pause: the requests that waited run in order.
    pub fn resume(&self) {
        self.shared.mode.send_modify(|mode| mode.paused = false);
        self.mode_note(|| "server resumed".to_string());
    }

    /// Whether the server is paused.
    pub fn is_paused(&self) -> bool {
        self.shared.mode.borrow().paused
    }

    /// Crashes the server: every live connection is closed at once (nothing
    /// buffered is sent), the data is replaced by what the
    /// [`Persistence`] mode keeps, and new connections are refused until
    /// [`Server::restart`]. A pause ends with the crash. Crashing a crashed
    /// server loses data again as its mode says.
    pub fn crash(&self) {
        let kept = {
            let mut state = self.shared.db.lock();
            let kept = state.crash();
            let epoch = state.epoch;
            self.shared.mode.send_modify(|mode| {
                mode.epoch = epoch;
                mode.down = true;
                mode.paused = false;
            });
            kept
        };
        self.mode_note(|| format!("server crashed ({kept})"));
    }

    /// Brings a crashed server back: it accepts connections again, with the
    /// data the crash kept. Restarting a server that is up does nothing.
    pub fn restart(&self) {
        {
            let mut state = self.shared.db.lock();
            if !state.down {
                return;
            }
            state.down = false;
            self.shared.mode.send_modify(|mode| mode.down = false);
        }
        self.shared.clock.reanchor();
        self.mode_note(|| "server restarted".to_string());
    }

    /// Whether the server is up (not crashed).
    pub fn is_up(&self) -> bool {
        !self.shared.mode.borrow().down
    }

    /// Takes the snapshot a [`Persistence::Snapshot`] server restarts from,
    /// like Redis' `SAVE`.
    pub fn save(&self) {
        self.shared.db.lock().save();
        self.mode_note(|| "snapshot saved".to_string());
    }

    /// Changes what the next crash keeps.
    pub fn set_persistence(&self, persistence: Persistence) {
        self.shared.db.lock().persistence = persistence;
    }

    /// What the next crash keeps.
    pub fn persistence(&self) -> Persistence {
        self.shared.db.lock().persistence
    }

    /// Every key and value the server holds now, in key order: a node's
    /// final state for a convergence check. Keys whose time to live ran
    /// out by the server's last reading of its clock are left out (outside
    /// a runtime, the default clock cannot be read; see
    /// `ServerConfig::clock`). While crashed, this is the data the restart
    /// will come back with.
    pub fn snapshot(&self) -> BTreeMap<Vec<u8>, Value> {
        let now = self.shared.clock.now();
        let mut state = self.shared.db.lock();
        state.keyspace.begin(now);
        state.snapshot()
    }

    /// Server time: how long the server has been running (see
    /// `ServerConfig::clock`).
    pub fn now(&self) -> Duration {
        self.shared.clock.now()
    }

    /// Reports a server-wide event.
    fn mode_note(&self, note: impl FnOnce() -> String) {
        self.shared.note(ServerEventKind::Mode, 0, note);
    }
}

/// Accept loop on real TCP, used by the binary and by other crates'
/// integration tests: spawns `server.serve` per connection (with
/// `TCP_NODELAY`, as Redis sets it). Reset faults close with a TCP RST.
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
        // Without NODELAY a delayed or split reply could also be held back
        // by Nagle; failing to set it only costs latency.
        let _ = stream.set_nodelay(true);
        tokio::spawn(server.serve_with(stream, Some(reset_tcp)));
    }
}

/// Makes the coming drop of `stream` send a RST instead of a FIN.
fn reset_tcp(stream: &TcpStream) {
    let _ = stream.set_zero_linger();
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
