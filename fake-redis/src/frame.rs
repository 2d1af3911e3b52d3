//! The reply value, independent of the protocol version.
//!
//! Commands build a [`Reply`]; only `connection` decides how it looks on the
//! wire (RESP2 or RESP3). Keeping the value protocol-neutral means a command
//! is written once and `HELLO 3` changes nothing but the encoder.

use bytes::Bytes;

/// One reply, as Redis would send it, before encoding.
///
/// `Map` keeps its pairs in a `Vec` so the encoded order is the order the
/// command chose (Redis' order for `HELLO`), never a hash order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Reply {
    /// A status reply such as `+OK` or `+PONG`.
    Simple(String),
    /// An error reply; the text starts with its code, e.g. `ERR syntax error`.
    Error(String),
    /// An integer reply.
    Integer(i64),
    /// A binary-safe string reply.
    Bulk(Bytes),
    /// The null reply (`$-1` in RESP2, `_` in RESP3).
    Null,
    /// The null array (`*-1` in RESP2, `_` in RESP3): `EXEC` when a watched
    /// key changed.
    NullArray,
    /// A text that RESP3 sends as a verbatim string (`=<len>\r\ntxt:...`)
    /// and RESP2 as a bulk string: `INFO`, `CLIENT INFO`.
    Verbatim(Bytes),
    /// An array of replies.
    Array(Vec<Reply>),
    /// A map: a RESP3 map, or a flat key, value, key, value array in RESP2.
    Map(Vec<(Reply, Reply)>),
}

impl Reply {
    /// `+OK`, the most common reply.
    pub(crate) fn ok() -> Reply {
        Reply::Simple("OK".to_string())
    }

    /// An error reply with Redis' hygiene: like `addReplyErrorLength`, line
    /// breaks become spaces so a user-supplied argument echoed in the text can
    /// never break the framing.
    pub(crate) fn error(text: impl Into<String>) -> Reply {
        let text: String = text.into();
        Reply::Error(text.replace(['\r', '\n'], " "))
    }

    /// A bulk string reply from anything that converts to bytes.
    pub(crate) fn bulk(value: impl Into<Bytes>) -> Reply {
        Reply::Bulk(value.into())
    }
}
