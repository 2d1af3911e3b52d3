//! `WATCH key [key ...]` and `UNWATCH`: optimistic locking for `EXEC`.
//!
//! The registry lives in the keyspace (`db::watch`), because a write on any
//! connection must mark this one; the session only remembers which keys it
//! registered, to unregister them.

use bytes::Bytes;

use super::Parse;
use crate::db::Keyspace;
use crate::frame::Reply;
use crate::session::Session;

/// A parsed `WATCH`.
#[derive(Debug)]
pub(crate) struct Watch {
    keys: Vec<Bytes>,
}

impl Watch {
    /// Parse: one or more keys (the table checks there is at least one).
    pub(crate) fn parse(parse: &mut Parse) -> Result<Watch, Reply> {
        Ok(Watch { keys: parse.rest() })
    }

    /// Apply: register the keys. Inside `MULTI` it is an error that does
    /// not abort the transaction (Redis checks it in the command, not as a
    /// rejection).
    pub(crate) fn apply(self, keyspace: &mut Keyspace, session: &mut Session) -> Reply {
        if session.transaction.is_some() {
            return Reply::error("ERR WATCH inside MULTI is not allowed");
        }
        for key in self.keys {
            if session.watched.contains(&key) {
                continue;
            }
            keyspace.watches().watch(session.id, &key);
            session.watched.push(crate::db::own(&key));
        }
        Reply::ok()
    }
}

/// `UNWATCH`: forget every watched key. Always `+OK`.
pub(crate) fn unwatch(keyspace: &mut Keyspace, session: &mut Session) -> Reply {
    unwatch_all(keyspace, session);
    Reply::ok()
}

/// Unregisters every key `session` watches and clears its dirty mark (also
/// used by `EXEC`, `DISCARD` and when the connection closes).
pub(crate) fn unwatch_all(keyspace: &mut Keyspace, session: &mut Session) {
    let watched = std::mem::take(&mut session.watched);
    keyspace.watches().unwatch(session.id, &watched);
}
