//! What one connection remembers between its commands.
//!
//! Kept apart from the I/O (`connection`) and from the shared keyspace (`db`)
//! because commands such as `CLIENT SETNAME`, `HELLO`, `AUTH`, `MULTI` and
//! `WATCH` change only this, and the handler owns exactly one per connection.

use bytes::Bytes;

use crate::cmd::Command;
use crate::connection::Protocol;

/// Per-connection state.
#[derive(Debug)]
pub(crate) struct Session {
    /// The connection number: 1-based, in accept order. `CLIENT ID` and
    /// `HELLO` report it as the client id.
    pub(crate) id: u64,
    /// Set by `CLIENT SETNAME` or `HELLO ... SETNAME`.
    pub(crate) name: Option<Bytes>,
    /// Set by `CLIENT SETINFO LIB-NAME`.
    pub(crate) lib_name: Option<Bytes>,
    /// Set by `CLIENT SETINFO LIB-VER`.
    pub(crate) lib_ver: Option<Bytes>,
    /// The protocol replies are encoded in.
    pub(crate) protocol: Protocol,
    /// False until `AUTH` succeeds when the server has a password.
    pub(crate) authenticated: bool,
    /// The open `MULTI`, if any.
    pub(crate) transaction: Option<Transaction>,
    /// The keys `WATCH` registered, to unregister them later.
    pub(crate) watched: Vec<Bytes>,
}

impl Session {
    /// A fresh session for connection number `id`, speaking RESP2;
    /// `authenticated` is false when the server requires a password.
    pub(crate) fn new(id: u64, authenticated: bool) -> Session {
        Session {
            id,
            name: None,
            lib_name: None,
            lib_ver: None,
            protocol: Protocol::Resp2,
            authenticated,
            transaction: None,
            watched: Vec::new(),
        }
    }

    /// A command was rejected: an open transaction must now fail at `EXEC`.
    pub(crate) fn flag_transaction(&mut self) {
        if let Some(transaction) = self.transaction.as_mut() {
            transaction.dirty = true;
        }
    }
}

/// Commands queued between `MULTI` and `EXEC`.
#[derive(Debug, Default)]
pub(crate) struct Transaction {
    /// Parsed commands, run in order by `EXEC`.
    pub(crate) queued: Vec<Command>,
    /// Set when a command was rejected while queuing (unknown command, wrong
    /// arity, a fault's error reply); `EXEC` then answers `EXECABORT`, as
    /// Redis 7 does.
    pub(crate) dirty: bool,
}
