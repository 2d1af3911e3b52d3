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
//!
//! Reply verification: RESP carries no request ids, so a reply duplicated or
//! lost by a server, proxy or network would silently shift every later
//! reply. With verification on (the default), every batch written ends with
//! `ECHO <nonce>`; if the last reply read is not that nonce the stream is
//! out of step, the batch fails as indeterminate and the connection is
//! poisoned, before any of its replies reaches a caller. A lost reply and a
//! duplicated one can cancel out in the count, the gap filled by a copy of
//! a later reply; when that copy is a check's nonce (the last reply of every
//! batch), a command's reply equal to a nonce of this connection gives it
//! away and fails the batch the same way.

use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::connector::BoxStream;
use crate::error::{Certainty, Error, ErrorKind, Result};
use crate::known_bugs::Bugs;
use crate::metrics::Metrics;
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
    metrics: Arc<Metrics>,
    verify: bool,
    /// `anarcho-check:<connection number>:`, the start of every check nonce
    /// on this connection.
    check_prefix: String,
}

impl Connection {
    pub(crate) fn new(
        id: ConnId,
        stream: BoxStream,
        observer: ObserverHandle,
        bugs: Arc<Bugs>,
        metrics: Arc<Metrics>,
        verify: bool,
    ) -> Self {
        emit(&observer, || WireEvent::Open { conn: id.clone() });
        let check_prefix = format!("anarcho-check:{}:", id.number);
        Connection {
            check_prefix,
            id,
            stream,
            read_buf: BytesMut::with_capacity(4096),
            sent: 0,
            received: 0,
            in_flight: false,
            poisoned: None,
            observer,
            verify: verify && !bugs.desynchronises(),
            bugs,
            metrics,
        }
    }

    /// This connection's identity.
    pub(crate) fn id(&self) -> &ConnId {
        &self.id
    }

    /// True when the connection may serve another request: not poisoned, and
    /// no request of a cancelled caller is still outstanding (unless the
    /// `cancel-unsafe-read` known-bug switch hands it back regardless).
    pub(crate) fn is_reusable(&self) -> bool {
        self.poisoned.is_none()
            && (!self.in_flight || self.bugs.has(crate::known_bugs::KnownBug::CancelUnsafeRead))
    }

    /// Poisons a connection whose caller was cancelled mid-request (its reply
    /// may still arrive), unless `cancel-unsafe-read` is on.
    pub(crate) fn poison_if_cancelled(&mut self) {
        if self.in_flight && !self.bugs.has(crate::known_bugs::KnownBug::CancelUnsafeRead) {
            self.poison("cancelled mid-request: its reply may still arrive");
        }
    }

    /// Marks the connection as never to be reused.
    pub(crate) fn poison(&mut self, reason: &str) {
        if self.poisoned.is_none() {
            self.poisoned = Some(reason.to_string());
            self.metrics.poisoned.incr();
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
        let mut replies = self
            .pipeline(std::slice::from_ref(request), purpose, timeout)
            .await?;
        Ok(replies.pop().expect("one reply per request"))
    }

    /// Writes `requests` back to back and reads exactly one reply for each,
    /// all within `timeout`. Error replies are returned in place (as
    /// [`Reply::Error`]); every reply is always read, so the connection stays
    /// in step. Failures poison the connection, as for [`Self::request`].
    ///
    /// Under the `pipeline-early-return` known-bug switch (redis-rs #698) the
    /// first error reply ends the read early: the later replies stay unread
    /// on a connection that goes back to the pool.
    pub(crate) async fn pipeline(
        &mut self,
        requests: &[Request],
        purpose: Purpose,
        timeout: Duration,
    ) -> Result<Vec<Reply>> {
        if let Some(reason) = &self.poisoned {
            // The pool never hands out a poisoned connection; this is a guard.
            return Err(Error::new(
                ErrorKind::Io,
                Certainty::NotApplied,
                format!("{} is poisoned ({reason})", self.id),
            ));
        }
        self.in_flight = true;
        let first = self.sent + 1;
        let sentinel = self.verify.then(|| {
            let mut nonce = self.check_prefix.clone();
            nonce.push_str(itoa::Buffer::new().format(first + requests.len() as u64));
            Request::new("ECHO").arg(nonce)
        });
        let mut packed = Vec::new();
        for request in requests.iter().chain(sentinel.as_ref()) {
            self.sent += 1;
            let req = self.sent;
            emit(&self.observer, || WireEvent::Send {
                conn: self.id.clone(),
                req,
                purpose,
                command: request.command.to_string(),
                args: request.args.clone(),
            });
            packed.extend_from_slice(&request.packed());
        }
        let early_return = self.bugs.pipeline_early_return();
        let outcome = tokio::time::timeout(timeout, async {
            self.stream
                .write_all(&packed)
                .await
                .map_err(|e| io_error("write", e))?;
            self.stream
                .flush()
                .await
                .map_err(|e| io_error("flush", e))?;
            let mut replies = Vec::with_capacity(requests.len());
            for i in 0..requests.len() {
                let reply = self.read_reply(first + i as u64, purpose).await?;
                if sentinel.is_some() && self.is_check_reply(&reply) {
                    return Err(Error::new(
                        ErrorKind::Protocol,
                        Certainty::Indeterminate,
                        format!(
                            "{}: reply stream out of step (a reply was lost and a check's duplicated): request #{} read {:?}",
                            self.id,
                            first + i as u64,
                            reply
                        ),
                    ));
                }
                let stop = early_return && matches!(reply, Reply::Error(_));
                replies.push(reply);
                if stop {
                    break;
                }
            }
            if let Some(sentinel) = &sentinel {
                let at = first + requests.len() as u64;
                let got = self.read_reply(at, purpose).await?;
                let expected = redis::Value::BulkString(sentinel.args[0].clone());
                if got != Reply::Value(expected) {
                    return Err(Error::new(
                        ErrorKind::Protocol,
                        Certainty::Indeterminate,
                        format!(
                            "{}: reply stream out of step (a reply was duplicated or lost): the check after request #{} read {:?}",
                            self.id,
                            at - 1,
                            got
                        ),
                    ));
                }
            }
            Ok::<_, Error>(replies)
        })
        .await;
        match outcome {
            Ok(Ok(mut replies)) => {
                self.in_flight = false;
                if replies.len() < requests.len() {
                    // Known bug: report the error, leave the rest unread.
                    let Some(Reply::Error(e)) = replies.pop() else {
                        unreachable!("early return stops only on an error reply")
                    };
                    return Err(Error::new(ErrorKind::Server, Certainty::Indeterminate, e));
                }
                Ok(replies)
            }
            Ok(Err(e)) => {
                self.poison(e.detail());
                Err(e)
            }
            Err(_elapsed) => {
                let what = match requests {
                    [one] => format!("{} #{first}", one.command),
                    _ => format!("pipeline of {} from #{first}", requests.len()),
                };
                let reason = format!("{what} on {}: no reply within {timeout:?}", self.id);
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

    /// True when `reply` is the nonce of a check (`ECHO
    /// anarcho-check:<this connection>:<n>`): only a check's own slot may
    /// hold one.
    fn is_check_reply(&self, reply: &Reply) -> bool {
        matches!(reply, Reply::Value(redis::Value::BulkString(b)) if b.starts_with(self.check_prefix.as_bytes()))
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
