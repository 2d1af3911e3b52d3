//! `TTL key`, `PTTL key`: how long until a key expires.
//!
//! Not in the list, but the only way for a client (and the
//! differential test) to see what `SET ... EX` did.

use std::time::Duration;

use bytes::Bytes;

use super::Parse;
use crate::db::Keyspace;
use crate::frame::Reply;

/// A parsed `TTL` or `PTTL`.
#[derive(Debug)]
pub(crate) struct Ttl {
    key: Bytes,
    millis: bool,
}

impl Ttl {
    /// Parse `TTL key`.
    pub(crate) fn parse_seconds(parse: &mut Parse) -> Result<Ttl, Reply> {
        Ok(Ttl {
            key: parse.next_bytes()?,
            millis: false,
        })
    }

    /// Parse `PTTL key`.
    pub(crate) fn parse_millis(parse: &mut Parse) -> Result<Ttl, Reply> {
        Ok(Ttl {
            key: parse.next_bytes()?,
            millis: true,
        })
    }

    /// Apply and reply: -2 for a missing key, -1 for a key without expiry,
    /// else the time left: milliseconds, or seconds rounded to nearest as
    /// Redis does (`(ms + 500) / 1000`).
    pub(crate) fn apply(self, keyspace: &Keyspace) -> Reply {
        if keyspace.get(&self.key).is_none() {
            return Reply::Integer(-2);
        }
        let Some(at) = keyspace.expires_at(&self.key) else {
            return Reply::Integer(-1);
        };
        let left = at.saturating_sub(keyspace.now());
        let millis = i64::try_from(left.as_millis()).unwrap_or(i64::MAX);
        if self.millis {
            Reply::Integer(millis)
        } else {
            Reply::Integer(millis.saturating_add(500) / 1000)
        }
    }
}

/// A time to live as a server time: `now + ms`.
pub(crate) fn deadline(now: Duration, millis: u64) -> Duration {
    now.saturating_add(Duration::from_millis(millis))
}
