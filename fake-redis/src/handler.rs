//! The per-connection loop: read a request, consult the fault plan, run the
//! command, write (or delay) the reply.
//!
//! Requests on one connection are handled strictly one after another, as
//! Redis does; that is what makes a delayed reply also delay every later
//! reply on the same connection. Replies are flushed when no complete request
//! is left in the read buffer, so a pipeline is answered in one write, and
//! before a deliberate delay, so replies that were ready go out on time.

use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};

use crate::cmd;
use crate::connection::Connection;
use crate::fault::{ConnFaults, FaultAction};
use crate::frame::Reply;
use crate::server::Shared;
use crate::session::Session;

/// Serves connection number `id` to the end, then reports why it closed.
pub(crate) async fn run<S>(shared: Arc<Shared>, id: u64, stream: S)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut connection = Connection::new(stream, shared.max_request_bytes);
    let mut session = Session::new(id);
    let mut faults = shared.faults.connection(id);
    let reason = serve_requests(&shared, &mut connection, &mut session, &mut faults).await;
    shared.emit(id, None, format!("connection closed: {reason}"));
}

/// The request loop; returns the reason the connection ended.
async fn serve_requests<S>(
    shared: &Shared,
    connection: &mut Connection<S>,
    session: &mut Session,
    faults: &mut ConnFaults,
) -> String
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    loop {
        let args = match connection.buffered_request() {
            Ok(Some(args)) => args,
            Ok(None) => {
                if let Err(error) = connection.flush().await {
                    return format!("i/o error: {error}");
                }
                match connection.fill().await {
                    Ok(true) => continue,
                    Ok(false) => return "peer closed".to_string(),
                    Err(error) => return format!("i/o error: {error}"),
                }
            }
            Err(error) => {
                // Like Redis: answer the protocol error, then hang up, since
                // the stream can no longer be trusted to be in sync.
                let reply = Reply::error(format!("ERR Protocol error: {error}"));
                if connection.write_reply(&reply, session.protocol).is_ok() {
                    let _ = connection.close().await;
                }
                return format!("protocol error: {error}");
            }
        };
        let Some(name) = args.first() else {
            // `*0` and `*-1`: Redis ignores them without a reply.
            continue;
        };
        let command = String::from_utf8_lossy(name).to_ascii_uppercase();
        let firing = shared.faults.check(faults, &command);
        if let Some(firing) = &firing {
            shared.emit(session.id, Some(&command), firing.note(&command));
        }

        let reply = cmd::execute(args, &shared.db, session);

        if let Some(firing) = firing {
            match firing.action {
                FaultAction::Delay(delay) => {
                    if let Err(error) = connection.flush().await {
                        return format!("i/o error: {error}");
                    }
                    tokio::time::sleep(delay).await;
                }
            }
        }
        if let Err(error) = connection.write_reply(&reply, session.protocol) {
            return format!("i/o error: {error}");
        }
    }
}
