//! The rule types, shaped for serde so scenario files and the CLI share one
//! syntax, and so new actions and selectors slot in as new variants.

use std::num::NonZeroU64;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::connections::ConnSelector;

/// One fault rule: which commands it matches and what it does to them.
///
/// In a scenario file, one `[[server_faults]]` table:
///
/// ```toml
/// command = "READONLY"           # case-insensitive; omitted or "*" = any
/// connections = "2.."            # "3", "2..", "2..5" (inclusive), "*"
/// occurrence = "first"           # "first", "always", { nth = 3 }, { every = 2 }
/// times = 1                      # fire at most this often per server; omitted = unlimited
/// action = { delay = "150ms" }   # what happens
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
    /// The server connection numbers (1-based, in accept order) it matches.
    #[serde(default)]
    pub connections: ConnSelector,
    /// Which of the matching commands on one connection it fires on.
    #[serde(default)]
    pub occurrence: Occurrence,
    /// The most times it fires over the server's life; `None` is unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// What it does.
    pub action: FaultAction,
}

impl FaultRule {
    /// Whether this rule's command and connection selectors match; the
    /// occurrence and budget are the plan's business.
    pub fn selects(&self, connection: u64, command: &str) -> bool {
        let command_matches = match self.command.as_deref() {
            None | Some("*") => true,
            Some(name) => name.eq_ignore_ascii_case(command),
        };
        command_matches && self.connections.contains(connection)
    }
}

/// Which of the commands a rule selects on one connection it fires on.
/// Counting is per connection and per rule: the n-th command on this
/// connection that the rule's `command` and `connections` select.
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
}

impl Occurrence {
    /// Whether the `count`-th selected command (1-based) is a hit.
    pub fn matches(self, count: u64) -> bool {
        match self {
            Occurrence::First => count == 1,
            Occurrence::Always => true,
            Occurrence::Nth(n) => count == n.get(),
            Occurrence::Every(n) => count.is_multiple_of(n.get()),
        }
    }
}

/// What a firing rule does. Externally tagged, so each action is a key:
/// `{ delay = "150ms" }` now; `"drop"` or `{ error = "TRYAGAIN" }` later.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultAction {
    /// Run the command, then wait this long before writing its reply.
    /// Replies stay in order, so later commands on the connection are
    /// answered after it, exactly like a slow Redis. Written with humantime
    /// units: `"150ms"`, `"2s"`, `"1m 30s"`.
    Delay(#[serde(with = "humantime_duration")] Duration),
}

impl FaultAction {
    /// A short description for logs and histories, e.g.
    /// `delay reply to READONLY by 150ms`.
    pub fn describe(&self, command: &str) -> String {
        match self {
            FaultAction::Delay(delay) => format!(
                "delay reply to {command} by {}",
                humantime::format_duration(*delay)
            ),
        }
    }
}

/// Durations as humantime strings (`"150ms"`), both ways.
mod humantime_duration {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(super) fn serialize<S: Serializer>(
        value: &Duration,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&humantime::format_duration(*value))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Duration, D::Error> {
        let text = String::deserialize(deserializer)?;
        humantime::parse_duration(&text).map_err(|e| {
            D::Error::custom(format!(
                "invalid duration {text:?} ({e}): expected a number with a unit, like \"150ms\" or \"2s\""
            ))
        })
    }
}
