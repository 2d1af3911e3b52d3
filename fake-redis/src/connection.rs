//! Buffered I/O for one client connection: decode requests from the stream,
//! encode replies into the stream. No command logic lives here.
//!
//! Replies are buffered and written by [`Connection::flush`], which the
//! handler calls when no complete request is left in the read buffer (so a
//! pipeline is answered with one write) and before it deliberately sleeps.
//! Encoding uses the `redis-protocol` codec for whichever protocol version the
//! session has negotiated.

use std::io;

use bytes::{Bytes, BytesMut};
use redis_protocol::resp2::encode::extend_encode as resp2_encode;
use redis_protocol::resp2::types::BytesFrame as Resp2Frame;
use redis_protocol::resp3::encode::complete::extend_encode as resp3_encode;
use redis_protocol::resp3::types::{BytesFrame as Resp3Frame, FrameMap, VerbatimStringFormat};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::frame::Reply;
use crate::request::{ProtocolError, RequestDecoder};

/// How many bytes to make room for before each read.
const READ_CHUNK: usize = 16 * 1024;

/// The RESP version replies are encoded in; `HELLO` switches it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// RESP2, the default for a new connection.
    #[default]
    Resp2,
    /// RESP3, after `HELLO 3`.
    Resp3,
}

impl Protocol {
    /// The number `HELLO` reports as `proto`.
    pub(crate) fn version(self) -> i64 {
        match self {
            Protocol::Resp2 => 2,
            Protocol::Resp3 => 3,
        }
    }
}

/// A client stream with its read and write buffers.
#[derive(Debug)]
pub(crate) struct Connection<S> {
    stream: S,
    read_buf: BytesMut,
    write_buf: BytesMut,
    decoder: RequestDecoder,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    /// Wraps `stream`; requests larger than `max_request_bytes` are refused.
    pub(crate) fn new(stream: S, max_request_bytes: usize) -> Connection<S> {
        Connection {
            stream,
            read_buf: BytesMut::with_capacity(READ_CHUNK),
            write_buf: BytesMut::new(),
            decoder: RequestDecoder::new(max_request_bytes),
        }
    }

    /// The next complete request already in the read buffer, without I/O.
    /// `Ok(None)` means: call [`Connection::fill`] for more bytes.
    pub(crate) fn buffered_request(&mut self) -> Result<Option<Vec<Bytes>>, ProtocolError> {
        self.decoder.decode(&mut self.read_buf)
    }

    /// Forgets every byte read but not yet decoded, and any half-decoded
    /// request (a hung connection reads and ignores its input).
    pub(crate) fn discard_input(&mut self) {
        self.read_buf.clear();
        self.decoder.reset();
    }

    /// Reads more bytes from the peer. Returns `false` at end of stream.
    pub(crate) async fn fill(&mut self) -> io::Result<bool> {
        self.read_buf.reserve(READ_CHUNK);
        let read = self.stream.read_buf(&mut self.read_buf).await?;
        Ok(read > 0)
    }

    /// Encodes `reply` into the write buffer in the given protocol version.
    pub(crate) fn write_reply(&mut self, reply: &Reply, protocol: Protocol) -> io::Result<()> {
        encode(&mut self.write_buf, reply, protocol)
    }

    /// Appends raw bytes (an encoded reply a fault has changed) to the write
    /// buffer.
    pub(crate) fn write_bytes(&mut self, bytes: &[u8]) {
        self.write_buf.extend_from_slice(bytes);
    }

    /// Writes all buffered replies to the peer.
    pub(crate) async fn flush(&mut self) -> io::Result<()> {
        if !self.write_buf.is_empty() {
            self.stream.write_all(&self.write_buf).await?;
            self.write_buf.clear();
        }
        self.stream.flush().await
    }

    /// Flushes, then closes the write side so the peer sees end of stream.
    pub(crate) async fn close(&mut self) -> io::Result<()> {
        self.flush().await?;
        self.stream.shutdown().await
    }

    /// The underlying stream, for a last word before it is dropped (the TCP
    /// accept loop sets a zero linger so that a reset fault sends a RST).
    pub(crate) fn stream(&self) -> &S {
        &self.stream
    }
}

/// Encodes `reply` onto the end of `buf` in the given protocol version.
///
/// The RESP2 null array (`*-1`) has no frame in `redis-protocol`, whose RESP2
/// null is the null bulk string (`$-1`), so that one reply is written as its
/// five literal bytes. Commands only ever answer it at the top level (`EXEC`
/// after a watched key changed); nested, it would be encoded as `$-1`.
pub(crate) fn encode(buf: &mut BytesMut, reply: &Reply, protocol: Protocol) -> io::Result<()> {
    let encoded = match (protocol, reply) {
        (Protocol::Resp2, Reply::NullArray) => {
            buf.extend_from_slice(b"*-1\r\n");
            return Ok(());
        }
        (Protocol::Resp2, _) => resp2_encode(buf, &to_resp2(reply), false),
        (Protocol::Resp3, _) => resp3_encode(buf, &to_resp3(reply), false),
    };
    encoded
        .map(drop)
        .map_err(|e| io::Error::other(e.to_string()))
}

/// A reply as a RESP2 frame: maps flatten to key, value, ... arrays.
fn to_resp2(reply: &Reply) -> Resp2Frame {
    match reply {
        Reply::Simple(text) => Resp2Frame::SimpleString(Bytes::from(text.clone())),
        Reply::Error(text) => Resp2Frame::Error(text.clone().into()),
        Reply::Integer(n) => Resp2Frame::Integer(*n),
        Reply::Bulk(bytes) => Resp2Frame::BulkString(bytes.clone()),
        Reply::Null | Reply::NullArray => Resp2Frame::Null,
        Reply::Verbatim(bytes) => Resp2Frame::BulkString(bytes.clone()),
        Reply::Array(items) => Resp2Frame::Array(items.iter().map(to_resp2).collect()),
        Reply::Map(pairs) => Resp2Frame::Array(
            pairs
                .iter()
                .flat_map(|(key, value)| [to_resp2(key), to_resp2(value)])
                .collect(),
        ),
    }
}

/// A reply as a RESP3 frame. `FrameMap` is an `IndexMap` (the `index-map`
/// feature), so a map keeps the order the command chose.
fn to_resp3(reply: &Reply) -> Resp3Frame {
    match reply {
        Reply::Simple(text) => Resp3Frame::SimpleString {
            data: Bytes::from(text.clone()),
            attributes: None,
        },
        Reply::Error(text) => Resp3Frame::SimpleError {
            data: text.clone().into(),
            attributes: None,
        },
        Reply::Integer(n) => Resp3Frame::Number {
            data: *n,
            attributes: None,
        },
        Reply::Bulk(bytes) => Resp3Frame::BlobString {
            data: bytes.clone(),
            attributes: None,
        },
        Reply::Null | Reply::NullArray => Resp3Frame::Null,
        Reply::Verbatim(bytes) => Resp3Frame::VerbatimString {
            data: bytes.clone(),
            format: VerbatimStringFormat::Text,
            attributes: None,
        },
        Reply::Array(items) => Resp3Frame::Array {
            data: items.iter().map(to_resp3).collect(),
            attributes: None,
        },
        Reply::Map(pairs) => Resp3Frame::Map {
            data: pairs
                .iter()
                .map(|(key, value)| (to_resp3(key), to_resp3(value)))
                .collect::<FrameMap<_, _>>(),
            attributes: None,
        },
    }
}
