//! Durations in rules are humantime strings (`"150ms"`, `"2s"`,
//! `"1m 30s"`), both ways; these are the serde helpers.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serializer, de::Error};

/// Parses a humantime duration, with an error that says what one looks like.
pub(crate) fn parse(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|e| {
        format!(
            "invalid duration {text:?} ({e}): expected a number with a unit, like \"150ms\" or \"2s\""
        )
    })
}

/// `Duration` as a humantime string.
pub(crate) fn serialize<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&humantime::format_duration(*value))
}

/// `Duration` from a humantime string.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Duration, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse(&text).map_err(D::Error::custom)
}

/// `Option<Duration>` as an optional humantime string.
pub(crate) mod optional {
    use std::time::Duration;

    use serde::{Deserializer, Serializer};

    /// Serializes `Some`; `None` is skipped by the field's attributes.
    pub(crate) fn serialize<S: Serializer>(
        value: &Option<Duration>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(duration) => super::serialize(duration, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Deserializes a present value.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Duration>, D::Error> {
        super::deserialize(deserializer).map(Some)
    }
}
