//! A cursor over a request's arguments, used by each command's parse step.
//!
//! The command table (`cmd/mod.rs`) has already checked arity before a
//! command parses, so a missing argument here means the table and the parser
//! disagree; it still answers the arity error instead of panicking.

use std::vec;

use bytes::Bytes;

use crate::frame::Reply;

/// The arguments after the command name (and subcommand name, if any).
#[derive(Debug)]
pub(crate) struct Parse {
    /// The lowercase full name (`get`, `client|setname`) for error texts.
    fullname: &'static str,
    args: vec::IntoIter<Bytes>,
}

impl Parse {
    /// A cursor over `args` for the command called `fullname`.
    pub(crate) fn new(fullname: &'static str, args: Vec<Bytes>) -> Parse {
        Parse {
            fullname,
            args: args.into_iter(),
        }
    }

    /// The next argument, or the arity error if there is none.
    pub(crate) fn next_bytes(&mut self) -> Result<Bytes, Reply> {
        self.args.next().ok_or_else(|| wrong_arity(self.fullname))
    }

    /// The next argument, if any.
    pub(crate) fn next_optional(&mut self) -> Option<Bytes> {
        self.args.next()
    }

    /// All remaining arguments.
    pub(crate) fn rest(&mut self) -> Vec<Bytes> {
        self.args.by_ref().collect()
    }
}

/// `ERR wrong number of arguments for '<fullname>' command` (Redis 7 text).
pub(crate) fn wrong_arity(fullname: &str) -> Reply {
    Reply::error(format!(
        "ERR wrong number of arguments for '{fullname}' command"
    ))
}

/// `ERR syntax error`.
pub(crate) fn syntax_error() -> Reply {
    Reply::error("ERR syntax error")
}

/// `ERR value is not an integer or out of range`.
pub(crate) fn not_an_integer() -> Reply {
    Reply::error("ERR value is not an integer or out of range")
}

/// Parses a signed 64-bit integer strictly, like Redis' `string2ll`: an
/// optional `-`, then digits without leading zeros (a lone `0` is fine), no
/// `+`, no spaces.
pub(crate) fn parse_i64(bytes: &[u8]) -> Option<i64> {
    let digits = bytes.strip_prefix(b"-").unwrap_or(bytes);
    let well_formed = !digits.is_empty()
        && digits.iter().all(u8::is_ascii_digit)
        && (digits == b"0" || digits[0] != b'0')
        && !(bytes.len() > digits.len() && digits == b"0");
    if !well_formed {
        return None;
    }
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

/// The argument as text for error messages and name matching (lossy: Redis
/// echoes raw bytes, a Rust error string must be UTF-8).
pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::parse_i64;

    #[test]
    fn integers_parse_as_strictly_as_redis() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-12"), Some(-12));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b"+1"[..],
            b"01",
            b"-0",
            b" 1",
            b"1 ",
            b"",
            b"-",
            b"9223372036854775808",
            b"1.5",
        ] {
            assert_eq!(parse_i64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
