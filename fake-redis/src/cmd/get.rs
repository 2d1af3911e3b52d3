//! `GET key`: the string under a key, or null.

use bytes::Bytes;

use super::parse::Parse;
use crate::db::{Keyspace, Value};
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

    /// Apply and reply: a bulk string, or null for a missing key.
    pub(crate) fn apply(self, keyspace: &Keyspace) -> Reply {
        match keyspace.get(&self.key) {
            None => Reply::Null,
            Some(Value::String(value)) => Reply::Bulk(value.clone()),
        }
    }
}
