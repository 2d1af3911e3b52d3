//! Decoded replies, before typing.
//!
//! Bytes are decoded by the maintained `redis-protocol` crate; this module
//! only maps its frames onto a small tree that keeps server errors distinct
//! (even nested inside EXEC arrays), and onto `redis::Value` for typing with
//! `FromRedisValue`.

use redis_protocol::resp2::types::BytesFrame;

use crate::error::{Certainty, Error, ErrorKind, Result};
use crate::observer::ObservedReply;

/// One decoded reply.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Reply {
    /// A well-formed value.
    Value(redis::Value),
    /// A server error reply, e.g. `ERR unknown command`.
    Error(String),
}

impl Reply {
    /// Maps a RESP2 frame. Errors nested in arrays (EXEC results) make the
    /// whole reply an error, naming the first one: the client never hands a
    /// partial transaction result to a caller as if it were a value.
    pub(crate) fn from_frame(frame: BytesFrame) -> Reply {
        match frame_to_value(frame) {
            Ok(v) => Reply::Value(v),
            Err(e) => Reply::Error(e),
        }
    }

    /// What the wire observer is shown.
    pub(crate) fn observed(&self) -> ObservedReply {
        match self {
            Reply::Value(v) => ObservedReply::Value(v.clone()),
            Reply::Error(e) => ObservedReply::ServerError(e.clone()),
        }
    }

    /// The value, or the server error as a not-applied [`Error`].
    pub(crate) fn into_value(self) -> Result<redis::Value> {
        match self {
            Reply::Value(v) => Ok(v),
            Reply::Error(e) => Err(Error::new(ErrorKind::Server, Certainty::NotApplied, e)),
        }
    }
}

fn frame_to_value(frame: BytesFrame) -> std::result::Result<redis::Value, String> {
    Ok(match frame {
        BytesFrame::SimpleString(s) if &s[..] == b"OK" => redis::Value::Okay,
        BytesFrame::SimpleString(s) => {
            redis::Value::SimpleString(String::from_utf8_lossy(&s).into_owned())
        }
        BytesFrame::Error(e) => return Err(e.to_string()),
        BytesFrame::Integer(i) => redis::Value::Int(i),
        BytesFrame::BulkString(b) => redis::Value::BulkString(b.to_vec()),
        BytesFrame::Array(items) => redis::Value::Array(
            items
                .into_iter()
                .map(frame_to_value)
                .collect::<std::result::Result<_, _>>()?,
        ),
        BytesFrame::Null => redis::Value::Nil,
    })
}

/// Types a value with `FromRedisValue`; a mismatch is an unexpected reply.
pub(crate) fn typed<T: redis::FromRedisValue>(value: redis::Value, command: &str) -> Result<T> {
    let shown = format!("{value:?}");
    T::from_redis_value(value).map_err(|e| {
        Error::new(
            ErrorKind::UnexpectedReply,
            Certainty::Indeterminate,
            format!("{command}: unexpected reply {shown}: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn ok_status_maps_to_okay_and_errors_stay_errors() {
        assert_eq!(
            Reply::from_frame(BytesFrame::SimpleString(Bytes::from_static(b"OK"))),
            Reply::Value(redis::Value::Okay)
        );
        assert_eq!(
            Reply::from_frame(BytesFrame::Error("ERR boom".into())),
            Reply::Error("ERR boom".into())
        );
    }

    #[test]
    fn an_error_nested_in_an_array_fails_the_whole_reply() {
        let frame = BytesFrame::Array(vec![
            BytesFrame::Integer(1),
            BytesFrame::Error("WRONGTYPE x".into()),
        ]);
        assert_eq!(Reply::from_frame(frame), Reply::Error("WRONGTYPE x".into()));
    }

    #[test]
    fn typing_a_mismatched_reply_is_an_unexpected_reply_error() {
        let err = typed::<i64>(redis::Value::Okay, "INCR").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnexpectedReply);
    }
}
