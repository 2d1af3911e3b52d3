//! What a firing rule does: [`FaultAction`] and its parts ([`Delay`],
//! [`Split`], [`ErrorReply`]), shaped for serde.
//!
//! Each action is one key of the `action` table, or a bare string for the
//! actions without parameters:
//!
//! ```toml
//! action = { delay = "150ms" }                          # or { between = ["10ms", "50ms"] },
//!                                                       #    { exponential = "20ms" }
//! action = "drop"                                       # execute, lose the reply
//! action = "duplicate"                                  # execute, send the reply twice
//! action = { split = { parts = 3, gap = "5ms" } }       # reply in pieces
//! action = { truncate = 3 }                             # first 3 bytes of the reply, then close
//! action = { garbage = 16 }                             # 16 random bytes instead of the reply
//! action = "reset-before"                               # close before executing
//! action = "reset-after"                                # execute, then close
//! action = "hang"                                       # execute, then never answer again
//! action = { error = "MOVED" }                          # refuse with a realistic error
//! action = { error = "MOVED 3999 10.0.0.2:6381" }       # ... or exactly this one
//! ```

use std::fmt;
use std::num::NonZeroUsize;
use std::time::Duration;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

/// What a firing rule does to the request it fired on.
///
/// Except where said otherwise the command is executed, so its effect is
/// real even when the client never learns of it: exactly the ambiguity a
/// client must report honestly.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultAction {
    /// Execute, then wait before writing the reply. Replies stay in order,
    /// so later replies on the connection wait too, exactly like a slow
    /// Redis; replies that were ready before are written first.
    Delay(Delay),
    /// Execute, and never send this reply; later replies on the connection
    /// are sent, so a client that does not count replies reads the next
    /// one as this one's.
    Drop,
    /// Execute, and send the reply twice.
    Duplicate,
    /// Execute, and send the reply in several writes with pauses between,
    /// so the client sees partial frames.
    Split(Split),
    /// Execute, send only the first this-many bytes of the reply (at most
    /// all but the last byte), then close the connection.
    Truncate(usize),
    /// Execute, and send this many pseudo-random bytes (from the seeded
    /// generator) instead of the reply. The first byte is never a RESP type
    /// byte, so no client can mistake the garbage for a reply. The
    /// connection stays open.
    Garbage(NonZeroUsize),
    /// Close the connection abruptly *before* executing: the command
    /// certainly did not run. Replies to earlier requests are sent first;
    /// on TCP the close is a reset (RST).
    ResetBefore,
    /// Execute, then close the connection abruptly without replying: the
    /// command certainly ran. Replies to earlier requests are sent first.
    ResetAfter,
    /// Execute, then never answer or execute anything on this connection
    /// again, while keeping it open: a connection that went half-open
    /// after the write was applied. Later requests are read and discarded.
    Hang,
    /// Do not execute; answer this error instead, like a cluster node that
    /// redirects or a server that refuses. Inside `MULTI` the transaction is
    /// then aborted at `EXEC`, as Redis does for rejected commands.
    Error(ErrorReply),
}

impl FaultAction {
    /// A short description for logs and histories, e.g.
    /// `delay reply to READONLY by 150ms`.
    pub fn describe(&self, command: &str) -> String {
        match self {
            FaultAction::Delay(delay) => format!("delay reply to {command} by {delay}"),
            FaultAction::Drop => format!("drop the reply to {command}"),
            FaultAction::Duplicate => format!("send the reply to {command} twice"),
            FaultAction::Split(split) => format!(
                "split the reply to {command} into {} writes {} apart",
                split.parts,
                humantime::format_duration(split.gap)
            ),
            FaultAction::Truncate(bytes) => {
                format!("cut the reply to {command} after {bytes} bytes, then close")
            }
            FaultAction::Garbage(bytes) => {
                format!("answer {command} with {bytes} garbage bytes")
            }
            FaultAction::ResetBefore => {
                format!("reset the connection before executing {command}")
            }
            FaultAction::ResetAfter => {
                format!("reset the connection after executing {command}")
            }
            FaultAction::Hang => {
                format!("execute {command}, then never answer on this connection again")
            }
            FaultAction::Error(error) => {
                format!("refuse {command} with -{error} (not executed)")
            }
        }
    }

    /// Whether the command runs at all under this action.
    pub fn executes(&self) -> bool {
        !matches!(self, FaultAction::ResetBefore | FaultAction::Error(_))
    }
}

/// How long a `delay` action waits: a fixed time, or a draw from the
/// server's seeded generator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delay {
    /// Always this long: `delay = "150ms"`.
    Fixed(Duration),
    /// Uniform between the two, both included:
    /// `delay = { between = ["10ms", "50ms"] }`.
    Between(Duration, Duration),
    /// Exponentially distributed with this mean:
    /// `delay = { exponential = "20ms" }` (a long tail of slow replies).
    Exponential(Duration),
}

impl From<Duration> for Delay {
    fn from(duration: Duration) -> Delay {
        Delay::Fixed(duration)
    }
}

impl fmt::Display for Delay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = humantime::format_duration;
        match self {
            Delay::Fixed(d) => write!(f, "{}", show(*d)),
            Delay::Between(low, high) => write!(f, "between {} and {}", show(*low), show(*high)),
            Delay::Exponential(mean) => write!(f, "an exponential delay of mean {}", show(*mean)),
        }
    }
}

impl Serialize for Delay {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = |d: &Duration| humantime::format_duration(*d).to_string();
        match self {
            Delay::Fixed(d) => serializer.serialize_str(&text(d)),
            Delay::Between(low, high) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("between", &[text(low), text(high)])?;
                map.end()
            }
            Delay::Exponential(mean) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("exponential", &text(mean))?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Delay {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Delay, D::Error> {
        deserializer.deserialize_any(DelayVisitor)
    }
}

/// Reads a duration string or a one-key distribution table.
struct DelayVisitor;

impl<'de> Visitor<'de> for DelayVisitor {
    type Value = Delay;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a duration like \"150ms\", { between = [\"10ms\", \"50ms\"] } or { exponential = \"20ms\" }",
        )
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Delay, E> {
        super::duration::parse(text)
            .map(Delay::Fixed)
            .map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Delay, A::Error> {
        let Some(kind) = map.next_key::<String>()? else {
            return Err(de::Error::custom(
                "empty delay: expected { between = [\"10ms\", \"50ms\"] } or { exponential = \"20ms\" }",
            ));
        };
        let parse = |text: &str| super::duration::parse(text).map_err(de::Error::custom);
        let delay = match kind.as_str() {
            "between" => {
                let [low, high] = map.next_value::<[String; 2]>()?;
                let (low, high) = (parse(&low)?, parse(&high)?);
                if low > high {
                    return Err(de::Error::custom(
                        "invalid delay: `between` needs the shorter duration first",
                    ));
                }
                Delay::Between(low, high)
            }
            "exponential" => Delay::Exponential(parse(&map.next_value::<String>()?)?),
            other => {
                return Err(de::Error::unknown_field(other, &["between", "exponential"]));
            }
        };
        if let Some(extra) = map.next_key::<String>()? {
            return Err(de::Error::custom(format!(
                "a delay has one key, `between` or `exponential`; found `{extra}` too"
            )));
        }
        Ok(delay)
    }
}

/// How a `split` action cuts a reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Split {
    /// Into how many writes (at least 2; a reply shorter than this is cut
    /// into single bytes). Default 2.
    #[serde(default = "Split::default_parts")]
    pub parts: u32,
    /// The pause between writes. Default 1ms.
    #[serde(default = "Split::default_gap", with = "super::duration")]
    pub gap: Duration,
}

impl Split {
    fn default_parts() -> u32 {
        2
    }

    fn default_gap() -> Duration {
        Duration::from_millis(1)
    }
}

impl Default for Split {
    fn default() -> Split {
        Split {
            parts: Split::default_parts(),
            gap: Split::default_gap(),
        }
    }
}

/// The error an `error` action answers: one of Redis' codes with Redis'
/// own text, or an exact text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorReply {
    /// A known code; the text is filled in as Redis 7 writes it (for
    /// `MOVED` and `ASK`: the slot of the command's first key and the
    /// server's announced address from `ServerConfig::cluster`).
    Code(ErrorCode),
    /// This exact text after the `-`, e.g. `MOVED 3999 10.0.0.2:6381`.
    Text(String),
}

/// The error codes an `error` action knows by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `MOVED <slot> <host>:<port>`: the slot lives on another node.
    Moved,
    /// `ASK <slot> <host>:<port>`: the slot is migrating.
    Ask,
    /// `TRYAGAIN Multiple keys request during rehashing of slot`.
    TryAgain,
    /// `CLUSTERDOWN The cluster is down`.
    ClusterDown,
    /// `LOADING Redis is loading the dataset in memory`.
    Loading,
    /// `BUSY Redis is busy running a script. ...`.
    Busy,
    /// `READONLY You can't write against a read only replica.`.
    ReadOnly,
    /// `OOM command not allowed when used memory > 'maxmemory'.`.
    Oom,
}

impl ErrorCode {
    /// Every code, for error messages and tests.
    pub const ALL: [ErrorCode; 8] = [
        ErrorCode::Moved,
        ErrorCode::Ask,
        ErrorCode::TryAgain,
        ErrorCode::ClusterDown,
        ErrorCode::Loading,
        ErrorCode::Busy,
        ErrorCode::ReadOnly,
        ErrorCode::Oom,
    ];

    /// The code as written: `MOVED`, `TRYAGAIN`, ...
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::Moved => "MOVED",
            ErrorCode::Ask => "ASK",
            ErrorCode::TryAgain => "TRYAGAIN",
            ErrorCode::ClusterDown => "CLUSTERDOWN",
            ErrorCode::Loading => "LOADING",
            ErrorCode::Busy => "BUSY",
            ErrorCode::ReadOnly => "READONLY",
            ErrorCode::Oom => "OOM",
        }
    }

    /// Redis 7's full error text (without the leading `-`), given the slot
    /// and announced address for `MOVED` and `ASK`.
    pub fn text(self, slot: u16, host: &str, port: u16) -> String {
        match self {
            ErrorCode::Moved => format!("MOVED {slot} {host}:{port}"),
            ErrorCode::Ask => format!("ASK {slot} {host}:{port}"),
            ErrorCode::TryAgain => "TRYAGAIN Multiple keys request during rehashing of slot".into(),
            ErrorCode::ClusterDown => "CLUSTERDOWN The cluster is down".into(),
            ErrorCode::Loading => "LOADING Redis is loading the dataset in memory".into(),
            ErrorCode::Busy => {
                "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
                    .into()
            }
            ErrorCode::ReadOnly => "READONLY You can't write against a read only replica.".into(),
            ErrorCode::Oom => "OOM command not allowed when used memory > 'maxmemory'.".into(),
        }
    }
}

impl fmt::Display for ErrorReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorReply::Code(code) => f.write_str(code.name()),
            ErrorReply::Text(text) => f.write_str(text),
        }
    }
}

impl std::str::FromStr for ErrorReply {
    type Err = String;

    /// A bare word must be a known code (so `"MOVD"` is caught); text with a
    /// space is used as is, and must start with an uppercase code word.
    fn from_str(text: &str) -> Result<ErrorReply, String> {
        let known = || {
            ErrorCode::ALL
                .iter()
                .map(|code| format!("\"{}\"", code.name()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let text = text.trim();
        if text.contains(['\r', '\n']) {
            return Err("an error text cannot contain line breaks".to_string());
        }
        match text.split_once(' ') {
            None => ErrorCode::ALL
                .into_iter()
                .find(|code| code.name().eq_ignore_ascii_case(text))
                .map(ErrorReply::Code)
                .ok_or_else(|| {
                    format!(
                        "unknown error code {text:?}: expected one of {}, or a full error text like \"MOVED 3999 127.0.0.1:6381\"",
                        known()
                    )
                }),
            Some((code, _)) => {
                if code.is_empty() || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                    return Err(format!(
                        "error text {text:?} must start with an uppercase code like ERR or MOVED"
                    ));
                }
                Ok(ErrorReply::Text(text.to_string()))
            }
        }
    }
}

impl Serialize for ErrorReply {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ErrorReply {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ErrorReply, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(de::Error::custom)
    }
}
