//! Durations in scenario files, written as people write them: "500ms", "5s",
//! "1m 30s". Parsed by `humantime`; the error says what was expected.

use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// Deserialises a duration string.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(d)?;
    humantime::parse_duration(&text).map_err(|e| {
        serde::de::Error::custom(format!(
            "expected a duration such as \"500ms\" or \"5s\", got {text:?} ({e})"
        ))
    })
}
