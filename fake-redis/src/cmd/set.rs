//! `SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | KEEPTTL]`:
//! stores a string.
//!
//! Options are parsed the way Redis 7's `parseExtendedStringArgumentsOrReply`
//! does: one token at a time, any order, a repeated option is allowed, a
//! conflicting one is a syntax error. The expiry value is checked after all
//! options parsed (so `SET k v EX abc BOGUS` is a syntax error, not a bad
//! integer), and the old value is checked for `GET` after that.
//!
//! `EXAT` and `PXAT` take absolute Unix times, which would need the wall
//! clock; fake-redis' clock is the server's own (simulated) time, so they are
//! refused with an explicit error rather than guessed at.

use bytes::Bytes;

use super::parse::{Parse, not_an_integer, parse_i64, syntax_error, text};
use super::string_at;
use super::ttl::deadline;
use crate::db::{Keyspace, Stored, Ttl};
use crate::frame::Reply;

/// The pretend Unix time, in milliseconds, that Redis adds a relative expiry
/// to before checking it for overflow (`milliseconds += mstime()`). Pinned,
/// like turmoil's epoch, so the answer never depends on the wall clock.
const PRETEND_UNIX_MS: i64 = 1_700_000_000_000;

/// A parsed `SET`.
#[derive(Debug)]
pub(crate) struct Set {
    key: Bytes,
    value: Bytes,
    options: SetOptions,
}

/// The options after `SET key value`.
#[derive(Debug, Default, PartialEq)]
struct SetOptions {
    /// `NX` or `XX`.
    condition: Option<Condition>,
    /// `GET`: answer the old value instead of `+OK`.
    get: bool,
    /// `EX` or `PX` and its (unchecked) argument, or `KEEPTTL`.
    expiry: Option<Expiry>,
}

/// When `SET` may write.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Condition {
    /// `NX`: only if the key does not exist.
    IfAbsent,
    /// `XX`: only if the key exists.
    IfPresent,
}

/// What `SET` does to the time to live.
#[derive(Debug, Clone, PartialEq)]
enum Expiry {
    /// `EX seconds`.
    Seconds(Bytes),
    /// `PX milliseconds`.
    Millis(Bytes),
    /// `KEEPTTL`.
    Keep,
}

impl Set {
    /// Parse: key, value, then options in any order.
    pub(crate) fn parse(parse: &mut Parse) -> Result<Set, Reply> {
        let key = parse.next_bytes()?;
        let value = parse.next_bytes()?;
        let mut options = SetOptions::default();
        while let Some(token) = parse.next_optional() {
            let upper = token.to_ascii_uppercase();
            match upper.as_slice() {
                b"NX" if options.condition != Some(Condition::IfPresent) => {
                    options.condition = Some(Condition::IfAbsent);
                }
                b"XX" if options.condition != Some(Condition::IfAbsent) => {
                    options.condition = Some(Condition::IfPresent);
                }
                b"GET" => options.get = true,
                b"KEEPTTL" if matches!(options.expiry, None | Some(Expiry::Keep)) => {
                    options.expiry = Some(Expiry::Keep);
                }
                b"EX" if matches!(options.expiry, None | Some(Expiry::Seconds(_))) => {
                    let Some(seconds) = parse.next_optional() else {
                        return Err(syntax_error());
                    };
                    options.expiry = Some(Expiry::Seconds(seconds));
                }
                b"PX" if matches!(options.expiry, None | Some(Expiry::Millis(_))) => {
                    let Some(millis) = parse.next_optional() else {
                        return Err(syntax_error());
                    };
                    options.expiry = Some(Expiry::Millis(millis));
                }
                b"EXAT" | b"PXAT" => {
                    return Err(Reply::error(format!(
                        "ERR fake-redis does not support SET {} (absolute Unix times need the wall clock); use EX or PX",
                        text(&upper)
                    )));
                }
                _ => return Err(syntax_error()),
            }
        }
        Ok(Set {
            key,
            value,
            options,
        })
    }

    /// Apply: check the expiry, answer `GET`'s old value (or `WRONGTYPE`),
    /// then write unless the condition forbids it.
    /// Reply: `+OK` (or null when the condition forbade the write); with
    /// `GET`, the old value or null.
    pub(crate) fn apply(self, keyspace: &mut Keyspace) -> Reply {
        let ttl = match &self.options.expiry {
            None => Ttl::Clear,
            Some(Expiry::Keep) => Ttl::Keep,
            Some(Expiry::Seconds(seconds)) => match expire_millis(seconds, 1000) {
                Ok(millis) => Ttl::At(deadline(keyspace.now(), millis)),
                Err(reply) => return reply,
            },
            Some(Expiry::Millis(millis)) => match expire_millis(millis, 1) {
                Ok(millis) => Ttl::At(deadline(keyspace.now(), millis)),
                Err(reply) => return reply,
            },
        };
        let old = if self.options.get {
            match string_at(keyspace, &self.key) {
                Ok(old) => Some(old.cloned()),
                Err(wrong_type) => return wrong_type,
            }
        } else {
            None
        };
        let exists = keyspace.get(&self.key).is_some();
        let allowed = match self.options.condition {
            None => true,
            Some(Condition::IfAbsent) => !exists,
            Some(Condition::IfPresent) => exists,
        };
        if allowed {
            keyspace.insert(&self.key, Stored::String(self.value), ttl);
        }
        match (old, allowed) {
            (Some(old), _) => old.map_or(Reply::Null, Reply::Bulk),
            (None, true) => Reply::ok(),
            (None, false) => Reply::Null,
        }
    }
}

/// Redis' `getExpireMillisecondsOrReply` for a relative expiry given in
/// units of `unit_ms` milliseconds.
fn expire_millis(given: &[u8], unit_ms: i64) -> Result<u64, Reply> {
    let invalid = || Reply::error("ERR invalid expire time in 'set' command");
    let value = parse_i64(given).ok_or_else(not_an_integer)?;
    if value <= 0 || value > i64::MAX / unit_ms {
        return Err(invalid());
    }
    let millis = value * unit_ms;
    if millis.checked_add(PRETEND_UNIX_MS).is_none() {
        return Err(invalid());
    }
    u64::try_from(millis).map_err(|_| invalid())
}
