//! One connection to one node: buffered RESP I/O, request numbering, and the
//! poisoning rule.
//!
//! Rule 3 of the house: a connection that saw a timeout, a cancellation or a
//! protocol error mid-request is *poisoned*: closed and never reused, because
//! a reply may still be in flight and would be read as the answer to the next
//! request (go-redis #1113, redis-py CVE-2023-28858/28859, redis-rs #1252).
//!
//! Cancellation is covered without any async drop: `in_flight` is set before
//! the request is written and cleared only after its reply is decoded. A
//! future dropped in between leaves it set, and [`Connection::is_reusable`]
//! then refuses the connection.

use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::connector::BoxStream;
use crate::error::{Certainty, Error, ErrorKind, Result};
use crate::known_bugs::Bugs;
use crate::observer::{ConnId, ObserverHandle, Purpose, WireEvent, emit};
use crate::reply::Reply;

/// A request: a command name and its already-encoded arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Request {
    pub(crate) command: &'static str,
    pub(crate) args: Vec<Vec<u8>>,
}

impl Request {
    /// A request for `command` with `args` encoded by `ToRedisArgs`.
    pub(crate) fn new(command: &'static str) -> Self {
        Request {
            command,
            args: Vec::new(),
        }
    }

    /// Appends one argument (which may expand to several, per `ToRedisArgs`).
    pub(crate) fn arg<A: redis::ToRedisArgs>(mut self, arg: A) -> Self {
        self.args.extend(arg.to_redis_args());
        self
    }

    /// The RESP bytes, packed by the `redis` crate.
    fn packed(&self) -> Vec<u8> {
        let mut words = self.command.split(' ');
        let mut cmd = redis::cmd(words.next().unwrap_or_default());
        for word in words {
            cmd.arg(word);
        }
        for arg in &self.args {
            cmd.arg(&arg[..]);
        }
        cmd.get_packed_command()
    }
}

/// A live connection. Owned by exactly one user at a time (via the pool).
pub(crate) struct Connection {
    id: ConnId,
    stream: BoxStream,
    read_buf: BytesMut,
    sent: u64,
    received: u64,
    in_flight: bool,
    poisoned: Option<String>,
    observer: ObserverHandle,
    bugs: Arc<Bugs>,
}

impl Connection {
    pub(crate) fn new(
        id: ConnId,
        stream: BoxStream,
        observer: ObserverHandle,
        bugs: Arc<Bugs>,
    ) -> Self {
        emit(&observer, || WireEvent::Open { conn: id.clone() });
        Connection {
            id,
            stream,
            read_buf: BytesMut::with_capacity(4096),
            sent: 0,
            received: 0,
            in_flight: false,
            poisoned: None,
            observer,
            bugs,
        }
    }

    /// This connection's identity.
    pub(crate) fn id(&self) -> &ConnId {
        &self.id
    }

    /// True when the connection may serve another request: not poisoned, and
    /// no request of a cancelled caller is still outstanding.
    pub(crate) fn is_reusable(&self) -> bool {
        self.poisoned.is_none() && !self.in_flight
    }

    /// Marks the connection as never to be reused.
    pub(crate) fn poison(&mut self, reason: &str) {
        if self.poisoned.is_none() {
            self.poisoned = Some(reason.to_string());
            emit(&self.observer, || WireEvent::Poison {
                conn: self.id.clone(),
                reason: reason.to_string(),
            });
        }
    }

    /// Writes one request and reads one reply, within `timeout`.
    ///
    /// Any failure after the request may have been written is
    /// [`Certainty::Indeterminate`], and poisons the connection. The single
    /// exception is the `reuse-conn-after-timeout` known-bug switch, which
    /// keeps a timed-out connection for reuse, as go-redis v6.15.3 did.
    pub(crate) async fn request(
        &mut self,
        request: &Request,
        purpose: Purpose,
        timeout: Duration,
    ) -> Result<Reply> {
        if let Some(reason) = &self.poisoned {
            // The pool never hands out a poisoned connection; this is a guard.
            return Err(Error::new(
                ErrorKind::Io,
                Certainty::NotApplied,
                format!("{} is poisoned ({reason})", self.id),
            ));
        }
        self.in_flight = true;
        self.sent += 1;
        let req = self.sent;
        emit(&self.observer, || WireEvent::Send {
            conn: self.id.clone(),
            req,
            purpose,
            command: request.command.to_string(),
            args: request.args.clone(),
        });
        let packed = request.packed();
        let outcome = tokio::time::timeout(timeout, async {
            self.stream
                .write_all(&packed)
                .await
                .map_err(|e| io_error("write", e))?;
            self.stream
                .flush()
                .await
                .map_err(|e| io_error("flush", e))?;
            self.read_reply(req, purpose).await
        })
        .await;
        match outcome {
            Ok(Ok(reply)) => {
                self.in_flight = false;
                Ok(reply)
            }
            Ok(Err(e)) => {
                self.poison(e.detail());
                Err(e)
            }
            Err(_elapsed) => {
                let reason = format!(
                    "{} #{req} on {}: no reply within {timeout:?}",
                    request.command, self.id
                );
                if self.bugs.reuse_conn_after_timeout() {
                    // Known bug: the timed-out request's reply is still coming,
                    // yet the connection is treated as clean.
                    self.in_flight = false;
                    emit(&self.observer, || WireEvent::PoisonSuppressed {
                        conn: self.id.clone(),
                        reason: reason.clone(),
                    });
                } else {
                    self.poison(&reason);
                }
                Err(Error::new(
                    ErrorKind::Timeout,
                    Certainty::Indeterminate,
                    reason,
                ))
            }
        }
    }

    /// Reads until one complete reply frame is decoded.
    async fn read_reply(&mut self, req: u64, purpose: Purpose) -> Result<Reply> {
        loop {
            match redis_protocol::resp2::decode::decode_bytes_mut(&mut self.read_buf) {
                Ok(Some((frame, _, _))) => {
                    self.received += 1;
                    let reply = Reply::from_frame(frame);
                    emit(&self.observer, || WireEvent::Recv {
                        conn: self.id.clone(),
                        req,
                        reply: self.received,
                        purpose,
                        reply_value: reply.observed(),
                    });
                    return Ok(reply);
                }
                Ok(None) => {
                    let n = self
                        .stream
                        .read_buf(&mut self.read_buf)
                        .await
                        .map_err(|e| io_error("read", e))?;
                    if n == 0 {
                        return Err(Error::new(
                            ErrorKind::Io,
                            Certainty::Indeterminate,
                            format!("{}: connection closed by the server mid-reply", self.id),
                        ));
                    }
                }
                Err(e) => {
                    return Err(Error::new(
                        ErrorKind::Protocol,
                        Certainty::Indeterminate,
                        format!("{}: garbled reply: {e}", self.id),
                    ));
                }
            }
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        emit(&self.observer, || WireEvent::Close {
            conn: self.id.clone(),
        });
    }
}

fn io_error(step: &str, e: std::io::Error) -> Error {
    Error::new(
        ErrorKind::Io,
        Certainty::Indeterminate,
        format!("{step}: {e}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_word_commands_pack_as_separate_words() {
        let req = Request::new("CLIENT SETNAME").arg("c1");
        assert_eq!(
            req.packed(),
            b"*3\r\n$6\r\nCLIENT\r\n$7\r\nSETNAME\r\n$2\r\nc1\r\n".to_vec()
        );
    }
}
