//! Known-bug switches: deliberate re-creations of bugs that shipped in real
//! Redis clients, so the harness can prove it catches them.
//!
//! Everything here that can *enable* a bug exists only with the `known-bugs`
//! cargo feature. Without it, [`Bugs`] is an empty type whose every query
//! answers `false`, so production builds cannot reach the old behaviour.

/// A named known-bug switch.
#[cfg(feature = "known-bugs")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KnownBug {
    /// `reuse-conn-after-timeout`: go-redis v6.15.3 (issue #1113) and
    /// redis-rs #1252. A connection whose request timed out is not poisoned:
    /// the pool's removal of a failed set-up connection does nothing, so the
    /// retry runs on the *same* connection and the late reply to the first
    /// attempt is read as the answer to a later request. Every later reply on
    /// that connection is off by one.
    ReuseConnAfterTimeout,
}

#[cfg(feature = "known-bugs")]
impl KnownBug {
    /// Every switch, in a fixed order.
    pub const ALL: &'static [KnownBug] = &[KnownBug::ReuseConnAfterTimeout];

    /// The switch's name as written in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            KnownBug::ReuseConnAfterTimeout => "reuse-conn-after-timeout",
        }
    }

    /// The real-world issue the switch re-creates.
    pub fn origin(self) -> &'static str {
        match self {
            KnownBug::ReuseConnAfterTimeout => "go-redis #1113 (v6.15.3), redis-rs #1252",
        }
    }
}

#[cfg(feature = "known-bugs")]
impl std::str::FromStr for KnownBug {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        KnownBug::ALL
            .iter()
            .copied()
            .find(|b| b.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = KnownBug::ALL.iter().map(|b| b.name()).collect();
                format!(
                    "unknown known-bug switch {s:?}; expected one of: {}",
                    names.join(", ")
                )
            })
    }
}

/// The set of enabled known-bug switches. Off by default; always empty
/// without the `known-bugs` feature.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bugs {
    #[cfg(feature = "known-bugs")]
    enabled: std::collections::BTreeSet<KnownBug>,
}

impl Bugs {
    /// Turns a switch on.
    #[cfg(feature = "known-bugs")]
    pub fn enable(&mut self, bug: KnownBug) {
        self.enabled.insert(bug);
    }

    /// True when `reuse-conn-after-timeout` is on.
    pub fn reuse_conn_after_timeout(&self) -> bool {
        #[cfg(feature = "known-bugs")]
        {
            self.enabled.contains(&KnownBug::ReuseConnAfterTimeout)
        }
        #[cfg(not(feature = "known-bugs"))]
        {
            false
        }
    }

    /// True when no switch is on.
    pub fn is_empty(&self) -> bool {
        #[cfg(feature = "known-bugs")]
        {
            self.enabled.is_empty()
        }
        #[cfg(not(feature = "known-bugs"))]
        {
            true
        }
    }
}

#[cfg(all(test, feature = "known-bugs"))]
mod tests {
    use super::*;

    #[test]
    fn switch_names_round_trip_and_unknown_names_are_rejected() {
        for bug in KnownBug::ALL {
            assert_eq!(bug.name().parse::<KnownBug>().unwrap(), *bug);
        }
        let err = "reuse-conn".parse::<KnownBug>().unwrap_err();
        assert!(err.contains("reuse-conn-after-timeout"), "{err}");
    }

    #[test]
    fn bugs_are_off_by_default() {
        let bugs = Bugs::default();
        assert!(bugs.is_empty());
        assert!(!bugs.reuse_conn_after_timeout());
    }
}
