//! `MGET key [key ...]`: the strings under several keys.

use bytes::Bytes;

use super::Parse;
use crate::db::{Keyspace, Stored};
use crate::frame::Reply;

/// A parsed `MGET`.
#[derive(Debug)]
pub(crate) struct MGet {
    keys: Vec<Bytes>,
}

impl MGet {
    /// Parse: one or more keys (the table checks there is at least one).
    pub(crate) fn parse(parse: &mut Parse) -> Result<MGet, Reply> {
        Ok(MGet { keys: parse.rest() })
    }

    /// Apply and reply: one entry per key, in order; null for a missing key
    /// and, unlike `GET`, also for a key of another type (never `WRONGTYPE`).
    pub(crate) fn apply(self, keyspace: &Keyspace) -> Reply {
        Reply::Array(
            self.keys
                .iter()
                .map(|key| match keyspace.get(key) {
                    Some(Stored::String(value)) => Reply::Bulk(value.clone()),
                    _ => Reply::Null,
                })
                .collect(),
        )
    }
}
