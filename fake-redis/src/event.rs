//! What a server reports about itself: [`ServerEvent`]s, given to the
//! [`Observer`] callback synchronously as they happen.
//!
//! Every executed command is reported with its reply, so a harness can put
//! what the server really did next to what the client believed: a write
//! whose reply was lost, delayed past a client timeout or cut off by a reset
//! still shows up here as executed. Building an event costs a few small
//! strings, so nothing is built when no observer is set.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use crate::frame::Reply;

/// The callback type of [`ServerConfig::observer`](crate::ServerConfig::observer).
pub type Observer = Arc<dyn Fn(ServerEvent) + Send + Sync>;

/// The longest argument or reply summary, in characters, before it is cut.
const SUMMARY_LIMIT: usize = 120;

/// What kind of thing a [`ServerEvent`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServerEventKind {
    /// A connection was accepted (`note`: `connection accepted`), or refused
    /// because the server is down.
    Accepted,
    /// A connection ended (`note` says why: `peer closed`, `protocol
    /// error: ...`, `reset by fault`, `server crashed`, ...).
    Closed,
    /// A command was executed (or queued inside `MULTI`) and answered:
    /// `key`, `args` and `reply` are set, `request` numbers it on its
    /// connection. The reply is what the command answered, whatever a fault
    /// then did to it on the wire.
    Command,
    /// A fault rule fired on a command: `note` says what it does, e.g.
    /// `fault fired: delay reply to READONLY by 150ms (rule 1)`.
    Fault,
    /// The whole server changed mode: paused, resumed, crashed, restarted,
    /// or its fault plan was replaced (`conn` is 0).
    Mode,
}

/// Something that happened on the server.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerEvent {
    /// The connection number (1-based, in accept order); 0 for server-wide
    /// events.
    pub conn: u64,
    /// The command involved, uppercase, if any.
    pub command: Option<String>,
    /// What happened, in words: `connection accepted`, `fault fired: ...`,
    /// `SET "k" "v" -> +OK`, `server crashed (all data lost)`.
    pub note: String,
    /// What kind of event this is.
    pub kind: ServerEventKind,
    /// Server time (since the server started; see `ServerConfig::clock`).
    pub at: Duration,
    /// The request's number on its connection (1-based), for commands and
    /// faults.
    pub request: Option<u64>,
    /// The first key the command names, lossily as text.
    pub key: Option<String>,
    /// The arguments after the command name, summarised: quoted, cut after
    /// a few dozen bytes.
    pub args: Option<String>,
    /// The reply, summarised: `+OK`, `"value"`, `(nil)`, `:3`, `-ERR ...`,
    /// `[...]`.
    pub reply: Option<String>,
}

impl ServerEvent {
    /// An event with only the common fields set.
    pub(crate) fn new(kind: ServerEventKind, conn: u64, at: Duration, note: String) -> ServerEvent {
        ServerEvent {
            conn,
            command: None,
            note,
            kind,
            at,
            request: None,
            key: None,
            args: None,
            reply: None,
        }
    }
}

/// Quoted, space-separated arguments, cut to [`SUMMARY_LIMIT`] characters.
pub(crate) fn summarize_args(args: &[Bytes]) -> String {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        push_quoted(&mut out, arg);
        if out.chars().count() > SUMMARY_LIMIT {
            return cut(out);
        }
    }
    out
}

/// A reply in a short, `redis-cli`-like form.
pub(crate) fn summarize_reply(reply: &Reply) -> String {
    let mut out = String::new();
    push_reply(&mut out, reply);
    if out.chars().count() > SUMMARY_LIMIT {
        cut(out)
    } else {
        out
    }
}

fn push_reply(out: &mut String, reply: &Reply) {
    if out.len() > SUMMARY_LIMIT * 4 {
        return;
    }
    match reply {
        Reply::Simple(text) => {
            let _ = write!(out, "+{text}");
        }
        Reply::Error(text) => {
            let _ = write!(out, "-{text}");
        }
        Reply::Integer(n) => {
            let _ = write!(out, ":{n}");
        }
        Reply::Bulk(bytes) | Reply::Verbatim(bytes) => push_quoted(out, bytes),
        Reply::Null | Reply::NullArray => out.push_str("(nil)"),
        Reply::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_reply(out, item);
            }
            out.push(']');
        }
        Reply::Map(pairs) => {
            out.push('{');
            for (i, (key, value)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_reply(out, key);
                out.push_str(": ");
                push_reply(out, value);
            }
            out.push('}');
        }
    }
}

/// `bytes` as a double-quoted string with escapes, like `redis-cli`.
fn push_quoted(out: &mut String, bytes: &[u8]) {
    // Past this many bytes the summary is cut anyway (a character is at most
    // four bytes), so a long argument (a script, a large value) is not
    // escaped in full only to be thrown away.
    const ENOUGH: usize = SUMMARY_LIMIT * 4 + 4;
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if out.len() > ENOUGH {
                return;
            }
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => {
                    let _ = write!(out, "{}", c.escape_default());
                }
                c => out.push(c),
            }
        }
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02x}");
        }
    }
    out.push('"');
}

/// `text` cut to [`SUMMARY_LIMIT`] characters, with an ellipsis.
fn cut(text: String) -> String {
    let mut cut: String = text.chars().take(SUMMARY_LIMIT).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_summarised_like_redis_cli() {
        let reply = Reply::Array(vec![
            Reply::ok(),
            Reply::Integer(2),
            Reply::Null,
            Reply::bulk(b"a\"b\r\n\xff".to_vec()),
            Reply::error("ERR x"),
        ]);
        assert_eq!(
            summarize_reply(&reply),
            r#"[+OK, :2, (nil), "a\"b\r\n\xff", -ERR x]"#
        );
    }

    #[test]
    fn long_arguments_are_cut() {
        let args = vec![Bytes::from("k"), Bytes::from("v".repeat(1000))];
        let summary = summarize_args(&args);
        assert_eq!(summary.chars().count(), SUMMARY_LIMIT + 1);
        assert!(summary.starts_with("\"k\" \"vvv") && summary.ends_with('…'));
    }
}
