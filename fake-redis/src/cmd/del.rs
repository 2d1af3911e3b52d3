//! `DEL key [key ...]`: removes keys of any type, answers how many existed.

use bytes::Bytes;

use super::Parse;
use crate::db::Keyspace;
use crate::frame::Reply;

/// A parsed `DEL`.
#[derive(Debug)]
pub(crate) struct Del {
    keys: Vec<Bytes>,
}

impl Del {
    /// Parse: one or more keys (the table checks there is at least one).
    pub(crate) fn parse(parse: &mut Parse) -> Result<Del, Reply> {
        Ok(Del { keys: parse.rest() })
    }

    /// Apply and reply: the number of keys that were removed. A key named
    /// twice counts once, since the second removal finds nothing.
    pub(crate) fn apply(self, keyspace: &mut Keyspace) -> Reply {
        let removed = self.keys.iter().filter(|key| keyspace.remove(key)).count();
        Reply::Integer(i64::try_from(removed).unwrap_or(i64::MAX))
    }
}
