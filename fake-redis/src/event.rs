//! What a server reports about itself: [`ServerEvent`]s, given to the
//! [`Observer`] callback synchronously as they happen.
//!
//! Every executed command is reported with its reply, so a harness can put
//! what the server really did next to what the client believed: a write
//! whose reply was lost, delayed past a client timeout or cut off by a reset
//! still shows up here as executed. Building an event costs a few small
//! strings, so nothing is built when no observer is set.

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

/// A request's arguments (after the name): quoted, space-separated, cut to
/// [`SUMMARY_LIMIT`] characters. An `EVAL` of a script fake-redis runs
/// natively shows the script by name (`<script: ...>`), not its text.
pub(crate) fn summarize_args(command: &str, args: &[Bytes]) -> String {
    let likely: usize = args.iter().map(|a| a.len() + 3).sum();
    let mut out = Capped::with_capacity(likely);
    for (i, arg) in args.iter().enumerate() {
        if out.full() {
            break;
        }
        if i > 0 {
            out.push(' ');
        }
        let script = (i == 0 && command == "EVAL")
            .then(|| crate::scripts::label(arg))
            .flatten();
        match script {
            Some(label) => out.push_str(&label),
            None => push_quoted(&mut out, arg),
        }
    }
    out.finish()
}

/// A reply in a short, `redis-cli`-like form.
pub(crate) fn summarize_reply(reply: &Reply) -> String {
    let mut out = Capped::with_capacity(16);
    push_reply(&mut out, reply);
    out.finish()
}

/// A summary being built. It stops taking text once it holds more than
/// [`SUMMARY_LIMIT`] characters, so a long argument (a script, a large
/// value) is never escaped in full only to be cut.
struct Capped {
    out: String,
    chars: usize,
}

impl Capped {
    /// Room for `bytes` (at most what a cut summary can hold), so that
    /// building it rarely reallocates.
    fn with_capacity(bytes: usize) -> Capped {
        Capped {
            out: String::with_capacity(bytes.min(SUMMARY_LIMIT + 8)),
            chars: 0,
        }
    }

    fn full(&self) -> bool {
        self.chars > SUMMARY_LIMIT
    }

    fn push(&mut self, c: char) {
        if !self.full() {
            self.out.push(c);
            self.chars += 1;
        }
    }

    /// Appends printable ASCII, as much as fits before the summary is
    /// full.
    fn push_ascii(&mut self, text: &[u8]) {
        let room = (SUMMARY_LIMIT + 1).saturating_sub(self.chars);
        let taken = &text[..text.len().min(room)];
        // Printable ASCII is always UTF-8.
        if let Ok(taken) = std::str::from_utf8(taken) {
            self.out.push_str(taken);
            self.chars += taken.len();
        }
    }

    fn push_str(&mut self, text: &str) {
        for c in text.chars() {
            if self.full() {
                return;
            }
            self.push(c);
        }
    }

    /// The summary, cut to [`SUMMARY_LIMIT`] characters with an ellipsis
    /// when it is longer.
    fn finish(self) -> String {
        if !self.full() {
            return self.out;
        }
        let mut cut: String = self.out.chars().take(SUMMARY_LIMIT).collect();
        cut.push('…');
        cut
    }
}

fn push_reply(out: &mut Capped, reply: &Reply) {
    if out.full() {
        return;
    }
    match reply {
        Reply::Simple(text) => {
            out.push('+');
            out.push_str(text);
        }
        Reply::Error(text) => {
            out.push('-');
            out.push_str(text);
        }
        Reply::Integer(n) => {
            out.push(':');
            out.push_str(&n.to_string());
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
fn push_quoted(out: &mut Capped, bytes: &[u8]) {
    out.push('"');
    // Printable ASCII, the common case, goes straight in; the first other
    // byte hands the rest to the general path.
    let mut rest = bytes;
    while let Some(&b) = rest.first() {
        if out.full() {
            return;
        }
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => {
                // The whole run of plain characters at once.
                let run = rest
                    .iter()
                    .position(|&c| !(0x20..=0x7e).contains(&c) || c == b'"' || c == b'\\')
                    .unwrap_or(rest.len());
                out.push_ascii(&rest[..run]);
                rest = &rest[run..];
                continue;
            }
            _ => break,
        }
        rest = &rest[1..];
    }
    push_quoted_general(out, rest);
    out.push('"');
}

/// The escapes of [`push_quoted`] for any bytes: control characters as
/// Rust escapes, invalid UTF-8 as `\xNN`.
fn push_quoted_general(out: &mut Capped, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if out.full() {
                return;
            }
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => {
                    for e in c.escape_default() {
                        out.push(e);
                    }
                }
                c => out.push(c),
            }
        }
        for byte in chunk.invalid() {
            out.push_str("\\x");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
    }
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
    fn quoting_escapes_like_redis_cli_on_both_paths() {
        let args = vec![
            Bytes::from("plain \"q\" \\"),
            Bytes::from("tab\there é \u{1}"),
            Bytes::from(b"\xff\xfe".to_vec()),
        ];
        assert_eq!(
            summarize_args("SET", &args),
            r#""plain \"q\" \\" "tab\there é \u{1}" "\xff\xfe""#
        );
    }

    #[test]
    fn an_eval_of_a_known_script_is_summarised_by_name() {
        let args = vec![
            Bytes::from(crate::scripts::ANARCHOREDIS_REGISTER_WRITE),
            Bytes::from("2"),
        ];
        assert_eq!(
            summarize_args("EVAL", &args),
            r#"<script: anarchoredis register write> "2""#
        );
    }

    #[test]
    fn long_arguments_are_cut() {
        let args = vec![Bytes::from("k"), Bytes::from("v".repeat(1000))];
        let summary = summarize_args("SET", &args);
        assert_eq!(summary.chars().count(), SUMMARY_LIMIT + 1);
        assert!(summary.starts_with("\"k\" \"vvv") && summary.ends_with('…'));
    }
}
