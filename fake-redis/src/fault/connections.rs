//! [`ConnSelector`]: which server connections a rule applies to, written as
//! a short string (`"3"`, `"2.."`, `"2..5"`, `"*"`) in scenario files and
//! on the command line.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A set of connection numbers. Connections are numbered per server, from 1,
/// in accept order; connection 1 is the first a client opened.
///
/// Serialized as the same string it is written as, so a rule read from a
/// scenario prints back unchanged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ConnSelector {
    /// Every connection: `"*"` (the default).
    #[default]
    Any,
    /// Exactly one connection: `"3"`.
    Only(u64),
    /// This connection and every later one: `"2.."`.
    From(u64),
    /// From the first to the last, both included: `"2..5"`.
    Range(u64, u64),
}

impl ConnSelector {
    /// Whether `connection` (1-based) is selected.
    pub fn contains(self, connection: u64) -> bool {
        match self {
            ConnSelector::Any => true,
            ConnSelector::Only(n) => connection == n,
            ConnSelector::From(first) => connection >= first,
            ConnSelector::Range(first, last) => (first..=last).contains(&connection),
        }
    }
}

/// Why a connections string did not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid connections {input:?}: {reason}; expected \"*\", a number like \"3\", \
     an open range like \"2..\" or an inclusive range like \"2..5\" (connections are numbered from 1)"
)]
pub struct ConnSelectorParseError {
    input: String,
    reason: &'static str,
}

impl FromStr for ConnSelector {
    type Err = ConnSelectorParseError;

    fn from_str(input: &str) -> Result<ConnSelector, ConnSelectorParseError> {
        let fail = |reason| ConnSelectorParseError {
            input: input.to_string(),
            reason,
        };
        let number = |text: &str| -> Result<u64, ConnSelectorParseError> {
            let text = text.trim();
            if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
                return Err(fail("not a connection number"));
            }
            match text.parse::<u64>() {
                Ok(0) => Err(fail("connection 0 does not exist")),
                Ok(n) => Ok(n),
                Err(_) => Err(fail("number too large")),
            }
        };
        let text = input.trim();
        if text == "*" {
            return Ok(ConnSelector::Any);
        }
        let Some((first, last)) = text.split_once("..") else {
            return number(text).map(ConnSelector::Only);
        };
        let first = number(first)?;
        let last = last.strip_prefix('=').unwrap_or(last);
        if last.trim().is_empty() {
            return Ok(ConnSelector::From(first));
        }
        let last = number(last)?;
        if last < first {
            return Err(fail("the range is empty"));
        }
        Ok(ConnSelector::Range(first, last))
    }
}

impl fmt::Display for ConnSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnSelector::Any => f.write_str("*"),
            ConnSelector::Only(n) => write!(f, "{n}"),
            ConnSelector::From(first) => write!(f, "{first}.."),
            ConnSelector::Range(first, last) => write!(f, "{first}..{last}"),
        }
    }
}

impl Serialize for ConnSelector {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ConnSelector {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ConnSelector, D::Error> {
        deserializer.deserialize_any(SelectorVisitor)
    }
}

/// Accepts the string forms, and a bare integer (`connections = 2`) as a
/// convenience.
struct SelectorVisitor;

impl Visitor<'_> for SelectorVisitor {
    type Value = ConnSelector;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a connections string like \"*\", \"3\", \"2..\" or \"2..5\"")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<ConnSelector, E> {
        value.parse().map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<ConnSelector, E> {
        self.visit_str(&value.to_string())
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<ConnSelector, E> {
        self.visit_str(&value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::ConnSelector;

    #[test]
    fn every_written_form_parses_and_prints_back() {
        for (text, selector) in [
            ("*", ConnSelector::Any),
            ("3", ConnSelector::Only(3)),
            ("2..", ConnSelector::From(2)),
            ("2..5", ConnSelector::Range(2, 5)),
        ] {
            assert_eq!(text.parse::<ConnSelector>(), Ok(selector));
            assert_eq!(selector.to_string(), text);
        }
        assert_eq!(
            "2..=5".parse::<ConnSelector>(),
            Ok(ConnSelector::Range(2, 5))
        );
    }

    #[test]
    fn nonsense_and_empty_selections_are_refused() {
        for bad in ["", "0", "0..", "5..2", "x", "..3", "2...", "-1", "1..x"] {
            assert!(bad.parse::<ConnSelector>().is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn ranges_are_inclusive() {
        let range = ConnSelector::Range(2, 5);
        assert!(!range.contains(1) && range.contains(2) && range.contains(5) && !range.contains(6));
        assert!(ConnSelector::From(2).contains(u64::MAX));
    }
}
