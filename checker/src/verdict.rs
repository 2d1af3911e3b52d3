//! The three-valued verdict of a check, after Jepsen's `:valid?`.
//!
//! `Unknown` is an honest answer, not a failure: the checker gave up (a time
//! or memory budget ran out) or the run could not be completed.

use serde::{Deserialize, Serialize};

/// The outcome of checking a history.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No checker found a violation (the default: nothing judged, nothing
    /// wrong).
    #[default]
    Valid,
    /// At least one checker found a violation.
    Invalid,
    /// A checker could not decide.
    Unknown,
}

impl Verdict {
    /// Folds two verdicts: any `Invalid` wins, then any `Unknown`.
    pub fn and(self, other: Verdict) -> Verdict {
        match (self, other) {
            (Verdict::Invalid, _) | (_, Verdict::Invalid) => Verdict::Invalid,
            (Verdict::Unknown, _) | (_, Verdict::Unknown) => Verdict::Unknown,
            _ => Verdict::Valid,
        }
    }

    /// The lower-case name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Invalid => "invalid",
            Verdict::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Verdict::*;

    #[test]
    fn invalid_dominates_unknown_dominates_valid() {
        assert_eq!(Valid.and(Valid), Valid);
        assert_eq!(Valid.and(Unknown), Unknown);
        assert_eq!(Unknown.and(Invalid), Invalid);
        assert_eq!(Invalid.and(Valid), Invalid);
    }
}
