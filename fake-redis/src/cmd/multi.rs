//! `MULTI`, `EXEC`, `DISCARD`: transactions, with Redis 7's errors and its
//! optimistic locking.
//!
//! Queuing itself happens in `cmd::execute`, which sees every command while
//! a transaction is open; these three only open, run and drop it. `EXEC`
//! and `DISCARD` also end every `WATCH` of the connection, as in Redis.

use super::{Env, watch};
use crate::db::Keyspace;
use crate::frame::Reply;
use crate::session::{Session, Transaction};

/// `MULTI`: open a transaction. Nesting is an error that leaves the open
/// transaction as it is (Redis does not mark it).
pub(crate) fn multi(session: &mut Session) -> Reply {
    if session.transaction.is_some() {
        return Reply::error("ERR MULTI calls can not be nested");
    }
    session.transaction = Some(Transaction::default());
    Reply::ok()
}

/// `EXEC`: run the queued commands in order, under the one keyspace lock the
/// caller holds (so no other connection sees a half-applied transaction),
/// and answer the array of their replies. A command that fails at run time
/// puts its error in the array; the others still run.
///
/// A rejected command while queuing wins over a changed watched key
/// (`EXECABORT` rather than the null array), as in Redis.
pub(crate) fn exec(keyspace: &mut Keyspace, session: &mut Session, env: Env<'_>) -> Reply {
    let Some(transaction) = session.transaction.take() else {
        return Reply::error("ERR EXEC without MULTI");
    };
    let watched_changed = keyspace.watches().is_dirty(session.id);
    watch::unwatch_all(keyspace, session);
    if transaction.dirty {
        return Reply::error("EXECABORT Transaction discarded because of previous errors.");
    }
    if watched_changed {
        return Reply::NullArray;
    }
    Reply::Array(
        transaction
            .queued
            .into_iter()
            .map(|command| command.apply(keyspace, session, env))
            .collect(),
    )
}

/// `DISCARD`: drop the open transaction and every watch.
pub(crate) fn discard(keyspace: &mut Keyspace, session: &mut Session) -> Reply {
    match session.transaction.take() {
        Some(_) => {
            watch::unwatch_all(keyspace, session);
            Reply::ok()
        }
        None => Reply::error("ERR DISCARD without MULTI"),
    }
}
