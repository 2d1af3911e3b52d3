//! `GET key`: the string under a key, or null.

use bytes::Bytes;

use super::{Parse, string_at};
use crate::db::Keyspace;
use crate::frame::Reply;

/// A parsed `GET`.
#[derive(Debug)]
pub(crate) struct Get {
    key: Bytes,
}

impl Get {
    /// Parse: the key.
    pub(crate) fn parse(parse: &mut Parse) -> Result<Get, Reply> {
        Ok(Get {
            key: parse.next_bytes()?,
        })
    }

    /// Apply and reply: a bulk string, null for a missing key, `WRONGTYPE`
    /// for a list or hash.
    pub(crate) fn apply(self, keyspace: &Keyspace) -> Reply {
        match string_at(keyspace, &self.key) {
            Ok(Some(value)) => Reply::Bulk(value.clone()),
            Ok(None) => Reply::Null,
            Err(wrong_type) => wrong_type,
        }
    }
}
