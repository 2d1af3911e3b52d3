//! The per-connection loop: read a request, wait out a pause, consult the
//! fault plan, run the command, and deliver the reply (or what a fault makes
//! of it).
//!
//! Requests on one connection are handled strictly one after another, as
//! Redis does; that is what makes a delayed reply also delay every later
//! reply on the same connection. Replies are flushed when no complete request
//! is left in the read buffer, so a pipeline is answered in one write, and
//! before anything that waits (a delay, a pause, a split), so replies that
//! were ready go out on time.
//!
//! Every wait also watches the server's mode: a crash ends the connection at
//! once, wherever it is, without sending what is buffered.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::watch;

use crate::cmd::{self, Env};
use crate::connection::{self, Connection};
use crate::event::{ServerEvent, ServerEventKind, summarize_args, summarize_reply};
use crate::fault::{ConnFaults, Effect, ErrorReply, Firing, Probe};
use crate::frame::Reply;
use crate::server::{Mode, Shared};
use crate::session::Session;

/// Why a connection ended, for the `connection closed: ...` note.
type Reason = String;

/// Serves connection number `id` to the end, then reports why it closed.
/// `epoch` is the server epoch the connection was accepted in; `None`
/// refuses it (the server is down).
pub(crate) async fn run<S>(
    shared: Arc<Shared>,
    id: u64,
    epoch: Option<u64>,
    stream: S,
    on_reset: Option<fn(&S)>,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let Some(epoch) = epoch else {
        return;
    };
    let authenticated = shared.settings.password.is_none();
    let mut handler = Handler {
        shared: Arc::clone(&shared),
        connection: Connection::new(stream, shared.max_request_bytes),
        session: Session::new(id, authenticated),
        faults: shared.faults.connection(id),
        mode: shared.mode.subscribe(),
        epoch,
        requests: 0,
        on_reset,
    };
    let reason = handler.serve().await;
    drop(handler);
    shared.note(ServerEventKind::Closed, id, || {
        format!("connection closed: {reason}")
    });
}

/// One connection's state while it is served.
struct Handler<S> {
    shared: Arc<Shared>,
    connection: Connection<S>,
    session: Session,
    faults: ConnFaults,
    mode: watch::Receiver<Mode>,
    epoch: u64,
    /// Requests read so far; numbers them in events.
    requests: u64,
    on_reset: Option<fn(&S)>,
}

/// How one request ended for the connection.
enum Next {
    /// Go on with the next request.
    Continue,
    /// Close the connection for this reason.
    Close(Reason),
}

impl<S: AsyncRead + AsyncWrite + Unpin> Handler<S> {
    /// The request loop; returns the reason the connection ended.
    async fn serve(&mut self) -> Reason {
        loop {
            let args = match self.connection.buffered_request() {
                Ok(Some(args)) => args,
                Ok(None) => {
                    if let Err(reason) = self.flush().await {
                        return reason;
                    }
                    match until_crash(&self.mode, self.epoch, self.connection.fill()).await {
                        None => return crashed(),
                        Some(Ok(true)) => continue,
                        Some(Ok(false)) => return "peer closed".to_string(),
                        Some(Err(error)) => return format!("i/o error: {error}"),
                    }
                }
                Err(error) => {
                    // Like Redis: answer the protocol error, then hang up,
                    // since the stream can no longer be trusted to be in sync.
                    let reply = Reply::error(format!("ERR Protocol error: {error}"));
                    if self
                        .connection
                        .write_reply(&reply, self.session.protocol)
                        .is_ok()
                    {
                        let _ = until_crash(&self.mode, self.epoch, self.connection.close()).await;
                    }
                    return format!("protocol error: {error}");
                }
            };
            if args.is_empty() {
                // `*0` and `*-1`: Redis ignores them without a reply.
                continue;
            }
            self.requests += 1;
            match self.handle(args).await {
                Next::Continue => {}
                Next::Close(reason) => return reason,
            }
        }
    }

    /// Runs one request through pause, fault plan, command and delivery.
    async fn handle(&mut self, args: Vec<Bytes>) -> Next {
        if let Err(reason) = self.wait_while_paused().await {
            return Next::Close(reason);
        }
        let command = String::from_utf8_lossy(&args[0]).to_ascii_uppercase();
        let now = self.shared.clock.now();
        let keys: Vec<&[u8]> = cmd::keys_of(&args)
            .into_iter()
            .map(|k| k.as_ref())
            .collect();
        let probe = Probe {
            command: &command,
            keys: &keys,
            now,
        };
        let firing = self.shared.faults.check(&mut self.faults, &probe);
        let first_key = keys.first().map(|key| Bytes::copy_from_slice(key));
        if let Some(firing) = &firing {
            self.report_fault(firing, &command, now);
        }
        let effect = firing.map(|firing| firing.effect);

        match effect {
            Some(Effect::ResetBefore) => {
                return Next::Close(self.reset("reset by fault before executing").await);
            }
            Some(Effect::Error(error)) => {
                return self.refuse(&command, first_key.as_deref(), &error);
            }
            _ => {}
        }

        let summary = self
            .shared
            .observing_commands()
            .then(|| summarize_args(&command, &args[1..]));
        let reply = {
            let mut state = self.shared.db.lock();
            if state.epoch != self.epoch {
                return Next::Close(crashed());
            }
            state.keyspace.begin(now);
            let env = Env {
                settings: &self.shared.settings,
            };
            cmd::execute(args, &mut state.keyspace, &mut self.session, env)
        };
        self.report_command(&command, first_key.as_deref(), summary, &reply, now);
        self.deliver(reply, effect).await
    }

    /// Writes the reply as the fault (if any) says.
    async fn deliver(&mut self, reply: Reply, effect: Option<Effect>) -> Next {
        let protocol = self.session.protocol;
        let Some(effect) = effect else {
            return self.write(&reply);
        };
        match effect {
            Effect::Delay(delay) => {
                if let Err(reason) = self.flush().await {
                    return Next::Close(reason);
                }
                if until_crash(&self.mode, self.epoch, tokio::time::sleep(delay))
                    .await
                    .is_none()
                {
                    return Next::Close(crashed());
                }
                self.write(&reply)
            }
            Effect::Drop => Next::Continue,
            Effect::Duplicate => match self.write(&reply) {
                Next::Continue => self.write(&reply),
                close => close,
            },
            Effect::Split(split) => {
                let bytes = match encoded(&reply, protocol) {
                    Ok(bytes) => bytes,
                    Err(reason) => return Next::Close(reason),
                };
                let parts = usize::try_from(split.parts.max(2)).unwrap_or(2);
                let size = bytes.len().div_ceil(parts).max(1);
                let mut pieces = bytes.chunks(size).peekable();
                while let Some(piece) = pieces.next() {
                    self.connection.write_bytes(piece);
                    if let Err(reason) = self.flush().await {
                        return Next::Close(reason);
                    }
                    if pieces.peek().is_some()
                        && until_crash(&self.mode, self.epoch, tokio::time::sleep(split.gap))
                            .await
                            .is_none()
                    {
                        return Next::Close(crashed());
                    }
                }
                Next::Continue
            }
            Effect::Truncate(keep) => {
                let bytes = match encoded(&reply, protocol) {
                    Ok(bytes) => bytes,
                    Err(reason) => return Next::Close(reason),
                };
                let keep = keep.min(bytes.len().saturating_sub(1));
                self.connection.write_bytes(&bytes[..keep]);
                let _ = until_crash(&self.mode, self.epoch, self.connection.close()).await;
                Next::Close(format!(
                    "closed by fault after {keep} of {} reply bytes",
                    bytes.len()
                ))
            }
            Effect::Garbage(bytes) => {
                self.connection.write_bytes(&bytes);
                Next::Continue
            }
            Effect::ResetAfter => Next::Close(self.reset("reset by fault after executing").await),
            Effect::Hang => Next::Close(self.hang().await),
            // Handled before executing.
            Effect::ResetBefore | Effect::Error(_) => Next::Continue,
        }
    }

    /// Encodes a reply into the write buffer.
    fn write(&mut self, reply: &Reply) -> Next {
        match self.connection.write_reply(reply, self.session.protocol) {
            Ok(()) => Next::Continue,
            Err(error) => Next::Close(format!("i/o error: {error}")),
        }
    }

    /// The error an `error` fault answers instead of running the command,
    /// with Redis' side effects on an open transaction. A cluster
    /// redirection (`MOVED`, `ASK`, `TRYAGAIN`, `CLUSTERDOWN`) marks the
    /// transaction, or discards it when the command is `EXEC`; any other
    /// refusal is a rejection like `NOAUTH` (see `cmd::reject`): `EXEC`
    /// answers `EXECABORT Transaction discarded because of: ...`.
    fn refuse(&mut self, command: &str, key: Option<&[u8]>, error: &ErrorReply) -> Next {
        let text = match error {
            ErrorReply::Text(text) => text.clone(),
            ErrorReply::Code(code) => {
                let cluster = &self.shared.settings.cluster;
                let slot = key.map_or(0, redis_protocol::redis_keyslot);
                code.text(slot, &cluster.host, cluster.port)
            }
        };
        let redirect = ["MOVED ", "ASK ", "TRYAGAIN ", "CLUSTERDOWN "]
            .iter()
            .any(|code| text.starts_with(code));
        let is_exec = command == "EXEC";
        let reply = {
            let mut state = self.shared.db.lock();
            if state.epoch != self.epoch {
                return Next::Close(crashed());
            }
            if redirect && is_exec {
                self.session.transaction = None;
                cmd::unwatch_all(&mut state.keyspace, &mut self.session);
                Reply::error(text)
            } else if redirect {
                self.session.flag_transaction();
                Reply::error(text)
            } else {
                cmd::reject(
                    Reply::error(text),
                    is_exec,
                    &mut state.keyspace,
                    &mut self.session,
                )
            }
        };
        self.write(&reply)
    }

    /// Sends what earlier requests are owed, then drops the connection
    /// abruptly (a RST on TCP). Returns the reason.
    async fn reset(&mut self, reason: &str) -> Reason {
        if let Err(reason) = self.flush().await {
            return reason;
        }
        if let Some(on_reset) = self.on_reset {
            on_reset(self.connection.stream());
        }
        reason.to_string()
    }

    /// Sends what earlier requests are owed, then reads and discards
    /// everything until the peer closes or the server crashes.
    async fn hang(&mut self) -> Reason {
        if let Err(reason) = self.flush().await {
            return reason;
        }
        loop {
            self.connection.discard_input();
            match until_crash(&self.mode, self.epoch, self.connection.fill()).await {
                None => return crashed(),
                Some(Ok(true)) => continue,
                Some(Ok(false)) => {
                    return "peer closed (the connection was hung by a fault)".into();
                }
                Some(Err(error)) => return format!("i/o error: {error}"),
            }
        }
    }

    /// Writes buffered replies, unless the server crashes first.
    async fn flush(&mut self) -> Result<(), Reason> {
        match until_crash(&self.mode, self.epoch, self.connection.flush()).await {
            None => Err(crashed()),
            Some(Ok(())) => Ok(()),
            Some(Err(error)) => Err(format!("i/o error: {error}")),
        }
    }

    /// Waits while the server is paused (after sending the replies that
    /// are ready); fails if it crashes meanwhile.
    async fn wait_while_paused(&mut self) -> Result<(), Reason> {
        let mode = *self.mode.borrow();
        if mode.epoch != self.epoch {
            return Err(crashed());
        }
        if !mode.paused {
            return Ok(());
        }
        self.flush().await?;
        let epoch = self.epoch;
        match self
            .mode
            .wait_for(|mode| !mode.paused || mode.epoch != epoch)
            .await
        {
            Ok(mode) if mode.epoch == epoch => Ok(()),
            _ => Err(crashed()),
        }
    }

    fn report_fault(&self, firing: &Firing, command: &str, now: Duration) {
        self.shared.emit(|| ServerEvent {
            command: Some(command.to_string()),
            request: Some(self.requests),
            ..ServerEvent::new(
                ServerEventKind::Fault,
                self.session.id,
                now,
                firing.note(command),
            )
        });
    }

    fn report_command(
        &self,
        command: &str,
        key: Option<&[u8]>,
        args: Option<String>,
        reply: &Reply,
        now: Duration,
    ) {
        if !self.shared.observing_commands() {
            return;
        }
        self.shared.emit(|| {
            let reply = summarize_reply(reply);
            let args = args.unwrap_or_default();
            // `COMMAND args -> reply`, without the formatting machinery
            // (this runs for every command while someone records them).
            let note = if args.is_empty() {
                [command, " -> ", &reply].concat()
            } else {
                [command, " ", &args, " -> ", &reply].concat()
            };
            ServerEvent {
                command: Some(command.to_string()),
                request: Some(self.requests),
                key: key.map(|key| String::from_utf8_lossy(key).into_owned()),
                args: Some(args),
                reply: Some(reply),
                ..ServerEvent::new(ServerEventKind::Command, self.session.id, now, note)
            }
        });
    }
}

/// Runs `future` unless the server crashes first (`None`): the connection
/// accepted in `epoch` must stop wherever it is waiting.
async fn until_crash<F: Future>(
    mode: &watch::Receiver<Mode>,
    epoch: u64,
    future: F,
) -> Option<F::Output> {
    let mut mode = mode.clone();
    tokio::select! {
        biased;
        _ = mode.wait_for(|mode| mode.epoch != epoch) => None,
        output = future => Some(output),
    }
}

impl<S> Handler<S> {
    /// Unregisters this connection's watched keys, unless a crash already
    /// wiped the registry.
    fn forget_watches(&mut self) {
        if self.session.watched.is_empty() {
            return;
        }
        let mut state = self.shared.db.lock();
        if state.epoch == self.epoch {
            cmd::unwatch_all(&mut state.keyspace, &mut self.session);
        }
    }
}

/// A connection's watches end with it, however it ends: also when its task
/// is dropped mid-await (a turmoil host crash drops every task of the host).
impl<S> Drop for Handler<S> {
    fn drop(&mut self) {
        self.forget_watches();
    }
}

/// The reason a crash gives.
fn crashed() -> Reason {
    "server crashed".to_string()
}

/// A reply's bytes, for the faults that cut or garble them.
fn encoded(reply: &Reply, protocol: connection::Protocol) -> Result<BytesMut, Reason> {
    let mut bytes = BytesMut::new();
    connection::encode(&mut bytes, reply, protocol)
        .map_err(|error| format!("i/o error: {error}"))?;
    Ok(bytes)
}
