//! `INCR key`: adds one to the integer stored as a string.

use bytes::Bytes;

use super::parse::{Parse, not_an_integer, parse_i64};
use crate::db::{Keyspace, Value};
use crate::frame::Reply;

/// A parsed `INCR`.
#[derive(Debug)]
pub(crate) struct Incr {
    key: Bytes,
}

impl Incr {
    /// Parse: the key.
    pub(crate) fn parse(parse: &mut Parse) -> Result<Incr, Reply> {
        Ok(Incr {
            key: parse.next_bytes()?,
        })
    }

    /// Apply: a missing key counts as 0; the value must parse as Redis
    /// parses integers (no spaces, no `+`, no leading zeros).
    /// Reply: the new value, or Redis' error.
    pub(crate) fn apply(self, keyspace: &mut Keyspace) -> Reply {
        let current = match keyspace.get(&self.key) {
            None => 0,
            Some(Value::String(value)) => match parse_i64(value) {
                Some(current) => current,
                None => return not_an_integer(),
            },
        };
        let Some(next) = current.checked_add(1) else {
            return Reply::error("ERR increment or decrement would overflow");
        };
        keyspace.set(&self.key, Value::String(Bytes::from(next.to_string())));
        Reply::Integer(next)
    }
}
