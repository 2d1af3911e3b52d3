//! Wire-level observation: a hook that sees every request written and every
//! reply decoded on every connection.
//!
//! The client itself never interprets these events. The simulator records
//! them in the history, which lets the attribution checker say whose reply a
//! wrong value really was. A production user can log them, or leave the hook
//! unset (the default) at the cost of one branch per request.

use std::fmt;
use std::sync::Arc;

/// Identifies one connection: the client's name, the node's name, and the
/// connection's number among this client's connections to that node
/// (1-based, in dial order). Displays as `client-1/redis-1#2`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConnId {
    /// The client's name (its `CLIENT SETNAME` prefix).
    pub client: Arc<str>,
    /// The node's name.
    pub node: Arc<str>,
    /// The connection's number for this client and node.
    pub number: u64,
}

impl fmt::Display for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}#{}", self.client, self.node, self.number)
    }
}

/// Why a request was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Connection set-up (CLIENT SETNAME, READONLY, ...), not a user command.
    Setup,
    /// A user command.
    Command,
}

/// A reply as the observer sees it: decoded, not yet typed.
#[derive(Clone, Debug, PartialEq)]
pub enum ObservedReply {
    /// A well-formed reply value.
    Value(redis::Value),
    /// A server error reply (`-ERR ...`).
    ServerError(String),
}

/// One wire-level event.
#[derive(Clone, Debug, PartialEq)]
pub enum WireEvent {
    /// A connection was dialled successfully.
    Open { conn: ConnId },
    /// A request was written. `req` is its number on the connection.
    Send {
        conn: ConnId,
        req: u64,
        purpose: Purpose,
        command: String,
        args: Vec<Vec<u8>>,
    },
    /// A reply was decoded. `reply` is its number on the connection; `req` is
    /// the request whose read consumed it. On a healthy connection they are
    /// equal.
    Recv {
        conn: ConnId,
        req: u64,
        reply: u64,
        purpose: Purpose,
        reply_value: ObservedReply,
    },
    /// The connection was poisoned and will never be reused.
    Poison { conn: ConnId, reason: String },
    /// A request failed on this connection but the connection was kept for
    /// reuse because a known-bug switch suppressed poisoning.
    PoisonSuppressed { conn: ConnId, reason: String },
    /// The connection was closed (dropped) by the client.
    Close { conn: ConnId },
}

/// Receives wire events. Called synchronously, inline with the I/O; keep it
/// cheap and never block.
pub trait WireObserver: Send + Sync {
    /// Called once per event.
    fn on_event(&self, event: WireEvent);
}

/// The shared handle the client keeps.
pub(crate) type ObserverHandle = Option<Arc<dyn WireObserver>>;

pub(crate) fn emit(observer: &ObserverHandle, event: impl FnOnce() -> WireEvent) {
    if let Some(o) = observer {
        o.on_event(event());
    }
}
