//! `DBSIZE`: how many keys exist.

use crate::db::Keyspace;
use crate::frame::Reply;

/// A parsed `DBSIZE` (it takes no arguments).
#[derive(Debug)]
pub(crate) struct DbSize;

impl DbSize {
    /// Apply and reply: the number of keys (expired keys are already gone,
    /// see `db::keyspace`).
    pub(crate) fn apply(self, keyspace: &Keyspace) -> Reply {
        Reply::Integer(i64::try_from(keyspace.len()).unwrap_or(i64::MAX))
    }
}
