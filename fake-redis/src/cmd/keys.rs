//! `KEYS pattern`: every key matching a glob, in byte order.
//!
//! Redis answers in hash order; fake-redis in byte order, so runs repeat.
//! Clients (and the differential test) must not depend on the order.

use bytes::Bytes;

use super::Parse;
use crate::db::Keyspace;
use crate::frame::Reply;
use crate::glob;

/// A parsed `KEYS`.
#[derive(Debug)]
pub(crate) struct Keys {
    pattern: Bytes,
}

impl Keys {
    /// Parse: the pattern.
    pub(crate) fn parse(parse: &mut Parse) -> Result<Keys, Reply> {
        Ok(Keys {
            pattern: parse.next_bytes()?,
        })
    }

    /// Apply and reply: the matching keys.
    pub(crate) fn apply(self, keyspace: &Keyspace) -> Reply {
        Reply::Array(
            keyspace
                .keys()
                .filter(|key| glob::matches_key(&self.pattern, key))
                .map(|key| Reply::Bulk(key.clone()))
                .collect(),
        )
    }
}
