//! The request decoder: turns bytes from a client into argument vectors.
//!
//! A Redis request is a flat RESP array of bulk strings. Decoding it frame by
//! frame with `redis-protocol`'s whole-frame decoder would accept nested
//! arrays, and that decoder recurses once per nesting level: a few megabytes
//! of `*1\r\n*1\r\n...` would overflow the stack and abort the process. So
//! this decoder reads only the outer `*<count>` header itself (one integer
//! line), then hands each element to the codec
//! (`redis_protocol::resp2::decode::decode_bytes_mut`), insisting, as Redis
//! does, that every element is a bulk string. Elements are consumed as they
//! complete, so a large pipelined request is parsed once, not once per read.
//!
//! Error texts follow Redis' `Protocol error: ...` replies.

use bytes::{Buf, Bytes, BytesMut};
use redis_protocol::resp2::{decode::decode_bytes_mut, types::BytesFrame};

/// The longest `*<count>\r\n` header we wait for: `*`, a sign, 19 digits,
/// CRLF, with room to spare. Anything longer is garbage, not a slow header.
const MAX_HEADER_LINE: usize = 32;

/// Redis' own bound on the element count of one request (`INT_MAX`).
const MAX_ARGS: i64 = i32::MAX as i64;

/// Why a request could not be decoded. The connection answers
/// `-ERR Protocol error: <this text>` and closes, like Redis.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ProtocolError {
    /// The request does not start with `*`. Redis would try the inline
    /// protocol here; fake-redis only speaks RESP arrays.
    #[error("expected '*', got '{}' (inline commands are not supported)", show(*.0))]
    NotAnArray(u8),
    /// The `*<count>` header is not a valid count.
    #[error("invalid multibulk length")]
    InvalidMultibulkLength,
    /// An element of the request is not a bulk string.
    #[error("expected '$', got '{}'", show(*.0))]
    ExpectedBulk(u8),
    /// A bulk string header is malformed (or is the null bulk `$-1`).
    #[error("invalid bulk length")]
    InvalidBulkLength,
    /// The request grew past the configured limit before it was complete.
    #[error("request exceeds max_request_bytes ({limit} bytes)")]
    TooLarge {
        /// The configured limit.
        limit: usize,
    },
}

/// Renders a byte the way an error message can show it.
fn show(byte: u8) -> String {
    std::ascii::escape_default(byte).to_string()
}

/// A request whose header has been read but whose elements are still arriving.
#[derive(Debug)]
struct Partial {
    expected: usize,
    args: Vec<Bytes>,
    /// Bytes of this request already consumed from the buffer.
    consumed: usize,
}

/// Decodes requests incrementally from a read buffer.
///
/// Memory is bounded: once the request being decoded (consumed plus still
/// buffered bytes) exceeds `max_request_bytes`, decoding fails instead of
/// waiting for more.
#[derive(Debug)]
pub(crate) struct RequestDecoder {
    max_request_bytes: usize,
    partial: Option<Partial>,
}

impl RequestDecoder {
    /// A decoder that refuses requests larger than `max_request_bytes`.
    pub(crate) fn new(max_request_bytes: usize) -> RequestDecoder {
        RequestDecoder {
            max_request_bytes,
            partial: None,
        }
    }

    /// Forgets a half-decoded request.
    pub(crate) fn reset(&mut self) {
        self.partial = None;
    }

    /// Decodes the next request from `buf`, consuming what it uses.
    ///
    /// Returns `Ok(Some(args))` for a complete request (an empty `args` for
    /// `*0` or `*-1`, which Redis silently ignores), `Ok(None)` when more
    /// bytes are needed, and an error when the bytes can never form a request.
    /// After an error the stream is out of sync; the caller closes it.
    pub(crate) fn decode(
        &mut self,
        buf: &mut BytesMut,
    ) -> Result<Option<Vec<Bytes>>, ProtocolError> {
        let mut partial = match self.partial.take() {
            Some(partial) => partial,
            None => match self.decode_header(buf)? {
                Header::Incomplete => return Ok(None),
                Header::Empty => return Ok(Some(Vec::new())),
                Header::Count(partial) => partial,
            },
        };

        while partial.args.len() < partial.expected {
            let Some(&first) = buf.first() else { break };
            if first != b'$' {
                return Err(ProtocolError::ExpectedBulk(first));
            }
            match decode_bytes_mut(buf) {
                Ok(Some((BytesFrame::BulkString(arg), used, _))) => {
                    partial.args.push(arg);
                    partial.consumed += used;
                }
                // `$-1` decodes as a null: not an argument.
                Ok(Some(_)) | Err(_) => return Err(ProtocolError::InvalidBulkLength),
                Ok(None) => break,
            }
        }

        // The limit is on the request's size, checked whether it arrived in
        // one read or many, so how the network split the bytes never
        // changes the outcome (under turmoil that split is simulated).
        let complete = partial.args.len() == partial.expected;
        let size = if complete {
            partial.consumed
        } else {
            partial.consumed.saturating_add(buf.len())
        };
        if size > self.max_request_bytes {
            return Err(ProtocolError::TooLarge {
                limit: self.max_request_bytes,
            });
        }
        if complete {
            return Ok(Some(partial.args));
        }
        self.partial = Some(partial);
        Ok(None)
    }

    /// Reads the `*<count>\r\n` header at the front of `buf`.
    fn decode_header(&self, buf: &mut BytesMut) -> Result<Header, ProtocolError> {
        let Some(&first) = buf.first() else {
            return Ok(Header::Incomplete);
        };
        if first != b'*' {
            return Err(ProtocolError::NotAnArray(first));
        }
        let window = &buf[..buf.len().min(MAX_HEADER_LINE)];
        let Some(end) = window.windows(2).position(|pair| pair == b"\r\n") else {
            if buf.len() >= MAX_HEADER_LINE {
                return Err(ProtocolError::InvalidMultibulkLength);
            }
            if buf.len() > self.max_request_bytes {
                return Err(ProtocolError::TooLarge {
                    limit: self.max_request_bytes,
                });
            }
            return Ok(Header::Incomplete);
        };
        let count = parse_count(&buf[1..end]).ok_or(ProtocolError::InvalidMultibulkLength)?;
        if count > MAX_ARGS {
            return Err(ProtocolError::InvalidMultibulkLength);
        }
        let header_len = end + 2;
        buf.advance(header_len);
        if count <= 0 {
            return Ok(Header::Empty);
        }
        let expected = usize::try_from(count).map_err(|_| ProtocolError::InvalidMultibulkLength)?;
        Ok(Header::Count(Partial {
            expected,
            // Trust the count only a little: it is attacker-chosen.
            args: Vec::with_capacity(expected.min(1024)),
            consumed: header_len,
        }))
    }
}

/// What the front of the buffer says about the next request.
enum Header {
    /// The header line is not complete yet.
    Incomplete,
    /// `*0` or a negative count: Redis ignores such a request.
    Empty,
    /// A request of this many elements follows.
    Count(Partial),
}

/// Parses a decimal count strictly, like Redis' `string2ll`: an optional
/// `-`, digits, nothing else (no `+`, no spaces).
fn parse_count(digits: &[u8]) -> Option<i64> {
    let unsigned = digits.strip_prefix(b"-").unwrap_or(digits);
    if unsigned.is_empty() || !unsigned.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(input: &[u8], limit: usize) -> Result<Vec<Vec<Bytes>>, ProtocolError> {
        let mut decoder = RequestDecoder::new(limit);
        let mut buf = BytesMut::from(input);
        let mut out = Vec::new();
        while let Some(args) = decoder.decode(&mut buf)? {
            out.push(args);
        }
        Ok(out)
    }

    #[test]
    fn decodes_pipelined_requests_in_order() {
        let got = decode_all(b"*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", 1024).unwrap();
        assert_eq!(
            got,
            vec![
                vec![Bytes::from("PING")],
                vec![Bytes::from("GET"), Bytes::from("k")]
            ]
        );
    }

    #[test]
    fn waits_for_a_request_split_across_reads() {
        let mut decoder = RequestDecoder::new(1024);
        let mut buf = BytesMut::from(&b"*2\r\n$3\r\nGET\r\n$1"[..]);
        assert_eq!(decoder.decode(&mut buf), Ok(None));
        buf.extend_from_slice(b"\r\nk\r\n");
        assert_eq!(
            decoder.decode(&mut buf),
            Ok(Some(vec![Bytes::from("GET"), Bytes::from("k")]))
        );
        assert!(buf.is_empty());
    }

    #[test]
    fn rejects_nested_arrays_without_recursing() {
        let nested = b"*1\r\n".repeat(1_000_000);
        assert_eq!(
            decode_all(&nested, usize::MAX),
            Err(ProtocolError::ExpectedBulk(b'*'))
        );
    }

    #[test]
    fn rejects_a_request_that_outgrows_the_limit() {
        let mut decoder = RequestDecoder::new(16);
        let mut buf = BytesMut::from(&b"*1\r\n$100\r\n0123456789abcdef"[..]);
        assert_eq!(
            decoder.decode(&mut buf),
            Err(ProtocolError::TooLarge { limit: 16 })
        );
    }

    #[test]
    fn the_limit_does_not_depend_on_how_the_bytes_arrived() {
        let request = b"*2\r\n$4\r\nECHO\r\n$20\r\n01234567890123456789\r\n";
        assert_eq!(request.len(), 41);
        assert!(decode_all(request, 41).is_ok());
        assert_eq!(
            decode_all(request, 40),
            Err(ProtocolError::TooLarge { limit: 40 })
        );
        let mut decoder = RequestDecoder::new(40);
        let mut buf = BytesMut::new();
        let mut outcome = Ok(None);
        for byte in request {
            buf.extend_from_slice(&[*byte]);
            outcome = decoder.decode(&mut buf);
            if outcome.is_err() {
                break;
            }
        }
        assert_eq!(outcome, Err(ProtocolError::TooLarge { limit: 40 }));
    }

    #[test]
    fn strict_count_parsing_matches_redis() {
        assert_eq!(parse_count(b"12"), Some(12));
        assert_eq!(parse_count(b"-1"), Some(-1));
        assert_eq!(parse_count(b"+1"), None);
        assert_eq!(parse_count(b""), None);
        assert_eq!(parse_count(b"-"), None);
        assert_eq!(parse_count(b"99999999999999999999"), None);
    }
}
