//! `INCR key`, `INCRBY key increment`: add to the integer stored as a
//! string.

use bytes::Bytes;

use super::parse::{Parse, not_an_integer, parse_i64};
use super::string_at;
use crate::db::{Keyspace, Stored, Ttl};
use crate::frame::Reply;

/// A parsed `INCR` or `INCRBY`.
#[derive(Debug)]
pub(crate) struct Incr {
    key: Bytes,
    by: i64,
}

impl Incr {
    /// Parse `INCR key`.
    pub(crate) fn parse_incr(parse: &mut Parse) -> Result<Incr, Reply> {
        Ok(Incr {
            key: parse.next_bytes()?,
            by: 1,
        })
    }

    /// Parse `INCRBY key increment`; the increment is checked before the
    /// key is looked at, as in Redis.
    pub(crate) fn parse_incrby(parse: &mut Parse) -> Result<Incr, Reply> {
        let key = parse.next_bytes()?;
        let by = parse_i64(&parse.next_bytes()?).ok_or_else(not_an_integer)?;
        Ok(Incr { key, by })
    }

    /// Apply: a missing key counts as 0; the value must parse as Redis
    /// parses integers (no spaces, no `+`, no leading zeros). The key keeps
    /// its time to live. Reply: the new value, or Redis' error.
    pub(crate) fn apply(self, keyspace: &mut Keyspace) -> Reply {
        let current = match string_at(keyspace, &self.key) {
            Err(wrong_type) => return wrong_type,
            Ok(None) => 0,
            Ok(Some(value)) => match parse_i64(value) {
                Some(current) => current,
                None => return not_an_integer(),
            },
        };
        let Some(next) = current.checked_add(self.by) else {
            return Reply::error("ERR increment or decrement would overflow");
        };
        let value = Stored::String(Bytes::from(next.to_string()));
        keyspace.insert(&self.key, value, Ttl::Keep);
        Reply::Integer(next)
    }
}
