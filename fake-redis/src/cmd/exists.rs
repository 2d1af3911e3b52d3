//! `EXISTS key [key ...]`: how many of the named keys exist.

use bytes::Bytes;

use super::Parse;
use crate::db::Keyspace;
use crate::frame::Reply;

/// A parsed `EXISTS`.
#[derive(Debug)]
pub(crate) struct Exists {
    keys: Vec<Bytes>,
}

impl Exists {
    /// Parse: one or more keys (the table checks there is at least one).
    pub(crate) fn parse(parse: &mut Parse) -> Result<Exists, Reply> {
        Ok(Exists { keys: parse.rest() })
    }

    /// Apply and reply: the count; a key named twice counts twice, as in
    /// Redis.
    pub(crate) fn apply(self, keyspace: &Keyspace) -> Reply {
        let found = self
            .keys
            .iter()
            .filter(|key| keyspace.get(key).is_some())
            .count();
        Reply::Integer(i64::try_from(found).unwrap_or(i64::MAX))
    }
}
