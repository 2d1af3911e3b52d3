//! `SET key value [NX | XX] [GET]`: stores a string.
//!
//! Options are parsed into [`SetOptions`] one token at a time, so the expiry
//! options (`EX`, `PX`, `EXAT`, `PXAT`, `KEEPTTL`) can join as new fields.
//! Until keys can expire they are refused with a clear error rather than
//! silently ignored.

use bytes::Bytes;

use super::parse::{Parse, syntax_error, text};
use crate::db::{Keyspace, Value};
use crate::frame::Reply;

/// A parsed `SET`.
#[derive(Debug)]
pub(crate) struct Set {
    key: Bytes,
    value: Bytes,
    options: SetOptions,
}

/// The options after `SET key value`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct SetOptions {
    /// `NX` or `XX`.
    condition: Option<Condition>,
    /// `GET`: answer the old value instead of `+OK`.
    get: bool,
}

/// When `SET` may write.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Condition {
    /// `NX`: only if the key does not exist.
    IfAbsent,
    /// `XX`: only if the key exists.
    IfPresent,
}

impl Set {
    /// Parse: key, value, then options in any order; a repeated or
    /// conflicting condition is a syntax error, as in Redis.
    pub(crate) fn parse(parse: &mut Parse) -> Result<Set, Reply> {
        let key = parse.next_bytes()?;
        let value = parse.next_bytes()?;
        let mut options = SetOptions::default();
        while let Some(token) = parse.next_optional() {
            let upper = token.to_ascii_uppercase();
            match upper.as_slice() {
                b"NX" | b"XX" => {
                    let condition = if upper == b"NX" {
                        Condition::IfAbsent
                    } else {
                        Condition::IfPresent
                    };
                    if options.condition.is_some_and(|c| c != condition) {
                        return Err(syntax_error());
                    }
                    options.condition = Some(condition);
                }
                b"GET" => options.get = true,
                b"EX" | b"PX" | b"EXAT" | b"PXAT" | b"KEEPTTL" => {
                    return Err(Reply::error(format!(
                        "ERR fake-redis does not support SET {} yet (keys never expire)",
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

    /// Apply: write unless the condition forbids it.
    /// Reply: `+OK` (or null when the condition forbade the write); with
    /// `GET`, the old value or null.
    pub(crate) fn apply(self, keyspace: &mut Keyspace) -> Reply {
        // A non-string old value will answer WRONGTYPE here once other
        // types exist; the irrefutable pattern makes the compiler say so.
        let old = keyspace
            .get(&self.key)
            .map(|Value::String(old)| old.clone());
        let allowed = match self.options.condition {
            None => true,
            Some(Condition::IfAbsent) => old.is_none(),
            Some(Condition::IfPresent) => old.is_some(),
        };
        if allowed {
            keyspace.set(&self.key, Value::String(self.value));
        }
        match (self.options.get, allowed) {
            (true, _) => old.map_or(Reply::Null, Reply::Bulk),
            (false, true) => Reply::ok(),
            (false, false) => Reply::Null,
        }
    }
}
