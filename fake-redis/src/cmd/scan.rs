//! `SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]`: walk the
//! keyspace a few keys at a time.
//!
//! The cursor is the next key sequence number to look at (see `db::keyspace`
//! for why), so a key present for the whole walk is returned exactly once.
//! Keys come back in creation order, not Redis' hash order: a client (and
//! the differential test) must treat a full walk as a set, as Redis
//! documents. `COUNT` is how many keys a step looks at before `MATCH` and
//! `TYPE` filter them, as in Redis.

use bytes::Bytes;

use super::parse::{Parse, not_an_integer, parse_i64, syntax_error};
use crate::db::Keyspace;
use crate::frame::Reply;
use crate::glob;

/// Redis' default `COUNT`.
const DEFAULT_COUNT: usize = 10;

/// A parsed `SCAN`.
#[derive(Debug)]
pub(crate) struct Scan {
    cursor: u64,
    pattern: Option<Bytes>,
    count: usize,
    type_name: Option<Bytes>,
}

impl Scan {
    /// Parse: the cursor (Redis' `strtoul` rules), then options in any
    /// order; a later option of the same name wins.
    pub(crate) fn parse(parse: &mut Parse) -> Result<Scan, Reply> {
        let cursor =
            parse_cursor(&parse.next_bytes()?).ok_or_else(|| Reply::error("ERR invalid cursor"))?;
        let mut scan = Scan {
            cursor,
            pattern: None,
            count: DEFAULT_COUNT,
            type_name: None,
        };
        while let Some(option) = parse.next_optional() {
            let Some(value) = parse.next_optional() else {
                return Err(syntax_error());
            };
            if option.eq_ignore_ascii_case(b"COUNT") {
                let count = parse_i64(&value).ok_or_else(not_an_integer)?;
                if count < 1 {
                    return Err(syntax_error());
                }
                scan.count = usize::try_from(count).unwrap_or(usize::MAX);
            } else if option.eq_ignore_ascii_case(b"MATCH") {
                scan.pattern = Some(value);
            } else if option.eq_ignore_ascii_case(b"TYPE") {
                scan.type_name = Some(value);
            } else {
                return Err(syntax_error());
            }
        }
        Ok(scan)
    }

    /// Apply and reply: `[next cursor as a bulk string, [keys...]]`.
    pub(crate) fn apply(self, keyspace: &Keyspace) -> Reply {
        let (found, next) = keyspace.scan(self.cursor, self.count);
        let keys = found
            .into_iter()
            .filter(|(key, _)| {
                self.pattern
                    .as_deref()
                    .is_none_or(|pattern| glob::matches_key(pattern, key))
            })
            .filter(|(_, value)| {
                self.type_name
                    .as_deref()
                    .is_none_or(|wanted| wanted.eq_ignore_ascii_case(value.type_name().as_bytes()))
            })
            .map(|(key, _)| Reply::Bulk(key.clone()))
            .collect();
        Reply::Array(vec![Reply::bulk(next.to_string()), Reply::Array(keys)])
    }
}

/// Redis' cursor parsing (`strtoul` base 10, then: no leading space,
/// nothing after the digits, no overflow): an optional sign, digits. A
/// negative cursor wraps as `strtoul` does; an empty one is 0.
fn parse_cursor(given: &[u8]) -> Option<u64> {
    let (negative, digits) = match given.first() {
        Some(b'-') => (true, &given[1..]),
        Some(b'+') => (false, &given[1..]),
        _ => (false, given),
    };
    if digits.is_empty() {
        // `strtoul` converted nothing: only the empty string ends at NUL.
        return given.is_empty().then_some(0);
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value: u64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

#[cfg(test)]
mod tests {
    use super::parse_cursor;

    #[test]
    fn cursors_parse_like_strtoul_with_redis_checks() {
        assert_eq!(parse_cursor(b"0"), Some(0));
        assert_eq!(parse_cursor(b"17"), Some(17));
        assert_eq!(parse_cursor(b""), Some(0));
        assert_eq!(parse_cursor(b"+5"), Some(5));
        assert_eq!(parse_cursor(b"-1"), Some(u64::MAX));
        assert_eq!(parse_cursor(b"abc"), None);
        assert_eq!(parse_cursor(b" 1"), None);
        assert_eq!(parse_cursor(b"1x"), None);
        assert_eq!(parse_cursor(b"-"), None);
        assert_eq!(parse_cursor(b"99999999999999999999"), None);
    }
}
