//! The rule types, shaped for serde so scenario files and the CLI share one
//! syntax: which requests a rule selects ([`FaultRule`], [`Occurrence`],
//! [`Probability`], [`Window`]). What it does is in `action.rs`.

use std::fmt;
use std::num::NonZeroU64;
use std::time::Duration;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use super::action::FaultAction;
use super::connections::ConnSelector;
use crate::glob;

/// One fault rule: which requests it matches and what it does to them.
///
/// In a scenario file, one `[[server_faults]]` table (on the command line,
/// the same keys as the body of an inline table):
///
/// ```toml
/// command = "READONLY"           # case-insensitive; omitted or "*" = any
/// key = "user:*"                 # glob on the command's keys; omitted = any request
/// connections = "2.."            # "3", "2..", "2..5" (inclusive), "*"
/// occurrence = "first"           # "first", "always", { nth = 3 }, { every = 2 },
///                                # { probability = 0.1 }
/// window = { from = "1s", until = "5s" }   # server time; either end optional
/// times = 1                      # fire at most this often per server; omitted = unlimited
/// action = { delay = "150ms" }   # what happens (see FaultAction)
/// ```
///
/// Unknown keys are errors, so a typo never silently disables a rule.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// The command name this rule matches, case-insensitively. `None` or
    /// `"*"` matches every command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// A Redis glob (`*`, `?`, `[a-z]`, `\` escapes) that at least one of
    /// the command's keys must match. A rule with a key pattern never
    /// matches a command without keys (`PING`). `None` matches every
    /// request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The server connection numbers (1-based, in accept order) it matches.
    #[serde(default)]
    pub connections: ConnSelector,
    /// Which of the matching commands on one connection it fires on.
    #[serde(default)]
    pub occurrence: Occurrence,
    /// When, in server time, the rule is active; outside it the rule does
    /// not match (and does not count occurrences).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// The most times it fires over the server's life; `None` is unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// What it does.
    pub action: FaultAction,
}

impl FaultRule {
    /// A rule that does `action` to every request, to be narrowed with the
    /// public fields.
    pub fn new(action: FaultAction) -> FaultRule {
        FaultRule {
            command: None,
            key: None,
            connections: ConnSelector::Any,
            occurrence: Occurrence::Always,
            window: None,
            times: None,
            action,
        }
    }

    /// Whether this rule's command and connection selectors match; the key
    /// pattern, window, occurrence and budget are checked by the plan.
    pub fn selects(&self, connection: u64, command: &str) -> bool {
        let command_matches = match self.command.as_deref() {
            None | Some("*") => true,
            Some(name) => name.eq_ignore_ascii_case(command),
        };
        command_matches && self.connections.contains(connection)
    }

    /// Whether the rule selects a request: command, connection, key
    /// pattern and window (everything but the occurrence and budget).
    pub(crate) fn selects_request(
        &self,
        connection: u64,
        command: &str,
        keys: &[&[u8]],
        now: Duration,
    ) -> bool {
        self.selects(connection, command)
            && self.window.is_none_or(|window| window.contains(now))
            && self.key.as_deref().is_none_or(|pattern| {
                keys.iter()
                    .any(|key| glob::matches_key(pattern.as_bytes(), key))
            })
    }
}

/// Which of the commands a rule selects on one connection it fires on.
/// Counting is per connection and per rule: the n-th command on this
/// connection that the rule's `command`, `key`, `connections` and `window`
/// select.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Occurrence {
    /// Only the first one (`"first"`).
    First,
    /// Every one (`"always"`, the default).
    #[default]
    Always,
    /// Only the n-th one (`{ nth = 3 }`).
    Nth(NonZeroU64),
    /// The n-th, 2n-th, 3n-th, ... (`{ every = 2 }`).
    Every(NonZeroU64),
    /// Each one with this probability (`{ probability = 0.1 }`), drawn from
    /// the server's seeded generator. A draw is made for every selected
    /// command, whether or not an earlier rule fires, so adding a rule
    /// before this one does not change which commands this one hits.
    Probability(Probability),
}

impl Occurrence {
    /// Whether the `count`-th selected command (1-based) is a hit. Always
    /// false for [`Occurrence::Probability`], which the plan decides with a
    /// draw from its seeded generator instead.
    pub fn matches(self, count: u64) -> bool {
        match self {
            Occurrence::First => count == 1,
            Occurrence::Always => true,
            Occurrence::Nth(n) => count == n.get(),
            Occurrence::Every(n) => count.is_multiple_of(n.get()),
            // Decided by the plan's draw, never by the count.
            Occurrence::Probability(_) => false,
        }
    }
}

/// A probability between 0 and 1 inclusive (never NaN, so it is `Eq`).
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Probability(f64);

impl Eq for Probability {}

impl Probability {
    /// `p` if it is in `[0, 1]`.
    pub fn new(p: f64) -> Option<Probability> {
        (0.0..=1.0).contains(&p).then_some(Probability(p))
    }

    /// The value.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl fmt::Display for Probability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Probability {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.0)
    }
}

impl<'de> Deserialize<'de> for Probability {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Probability, D::Error> {
        let p = f64::deserialize(deserializer)?;
        Probability::new(p).ok_or_else(|| {
            de::Error::custom(format!(
                "invalid probability {p}: expected a number from 0 to 1, like 0.25"
            ))
        })
    }
}

/// A span of server time (since the server started): `from` included,
/// `until` excluded; a missing end is open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// When the rule starts to apply (default: at once).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::duration::optional"
    )]
    pub from: Option<Duration>,
    /// When it stops applying (default: never).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::duration::optional"
    )]
    pub until: Option<Duration>,
}

impl Window {
    /// Whether server time `now` is inside the window.
    pub fn contains(self, now: Duration) -> bool {
        self.from.is_none_or(|from| now >= from) && self.until.is_none_or(|until| now < until)
    }
}
