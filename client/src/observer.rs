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

/// One wire-level event. Every variant names its connection (`conn`).
#[derive(Clone, Debug, PartialEq)]
pub enum WireEvent {
    /// A connection was dialled successfully.
    Open {
        /// The connection.
        conn: ConnId,
    },
    /// A request was written.
    Send {
        /// The connection.
        conn: ConnId,
        /// The request's number on the connection (1-based).
        req: u64,
        /// Set-up traffic or a user command.
        purpose: Purpose,
        /// The command name (`GET`, `CLIENT SETNAME`, ...).
        command: String,
        /// The arguments after the command name.
        args: Vec<Vec<u8>>,
    },
    /// A reply was decoded. On a healthy connection `reply == req`.
    Recv {
        /// The connection.
        conn: ConnId,
        /// The request whose read consumed this reply.
        req: u64,
        /// This reply's number on the connection (1-based).
        reply: u64,
        /// Set-up traffic or a user command.
        purpose: Purpose,
        /// The decoded reply.
        reply_value: ObservedReply,
    },
    /// The connection was poisoned and will never be reused.
    Poison {
        /// The connection.
        conn: ConnId,
        /// Why.
        reason: String,
    },
    /// A request failed on this connection but the connection was kept for
    /// reuse because a known-bug switch suppressed poisoning.
    PoisonSuppressed {
        /// The connection.
        conn: ConnId,
        /// The failure that should have poisoned it.
        reason: String,
    },
    /// The connection was closed (dropped) by the client.
    Close {
        /// The connection.
        conn: ConnId,
    },
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
