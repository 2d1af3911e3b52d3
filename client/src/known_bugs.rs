//! Known-bug switches: deliberate re-creations of bugs that shipped in real
//! Redis clients, so the harness can prove it catches them.
//!
//! Only the `known-bugs` cargo feature can turn a switch on:
//! [`Bugs::enable`] and the public re-export of [`KnownBug`] exist only with
//! it. Without the feature every [`Bugs`] is empty and every query answers
//! `false`, so production builds cannot reach the old behaviour.

use std::collections::BTreeSet;

/// A named known-bug switch. Each names the real-world bug it re-creates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KnownBug {
    /// `reuse-conn-after-timeout`: go-redis v6.15.3 (issue #1113) and
    /// redis-rs #1252. A connection whose request timed out is not poisoned:
    /// the pool's removal of a failed set-up connection does nothing, so the
    /// retry runs on the *same* connection and the late reply to the first
    /// attempt is read as the answer to a later request.
    ReuseConnAfterTimeout,
    /// `cancel-unsafe-read`: redis-py CVE-2023-28858/28859 and redis-rs
    /// `aio::Connection` #325. A command cancelled by the caller (for example
    /// by an application-level timeout) returns its connection to the pool
    /// with the reply still unread; the next command reads it.
    CancelUnsafeRead,
    /// `retry-ambiguous-write`: a write that failed indeterminately (say, a
    /// read timeout) is retried as a fresh operation, so an increment or a
    /// list push that was in fact applied is applied twice.
    RetryAmbiguousWrite,
    /// `pipeline-early-return`: redis-rs #698. An error reply inside a
    /// pipeline returns early and leaves the later replies unread on a
    /// connection that is reused.
    PipelineEarlyReturn,
    /// `unconditional-replica-write`: the version check of a replica write is
    /// skipped, so an older write can overwrite a newer one.
    UnconditionalReplicaWrite,
    /// `no-read-write-back`: linearizable (ABD) reads return without writing
    /// the newest value back to a majority, so a later read can go back in
    /// time.
    NoReadWriteBack,
    /// `count-timeouts-as-acks`: a replica write that timed out is counted
    /// towards the write quorum W.
    CountTimeoutsAsAcks,
}

impl KnownBug {
    /// Every switch, in a fixed order.
    pub const ALL: &'static [KnownBug] = &[
        KnownBug::ReuseConnAfterTimeout,
        KnownBug::CancelUnsafeRead,
        KnownBug::RetryAmbiguousWrite,
        KnownBug::PipelineEarlyReturn,
        KnownBug::UnconditionalReplicaWrite,
        KnownBug::NoReadWriteBack,
        KnownBug::CountTimeoutsAsAcks,
    ];

    /// The switch's name as written in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            KnownBug::ReuseConnAfterTimeout => "reuse-conn-after-timeout",
            KnownBug::CancelUnsafeRead => "cancel-unsafe-read",
            KnownBug::RetryAmbiguousWrite => "retry-ambiguous-write",
            KnownBug::PipelineEarlyReturn => "pipeline-early-return",
            KnownBug::UnconditionalReplicaWrite => "unconditional-replica-write",
            KnownBug::NoReadWriteBack => "no-read-write-back",
            KnownBug::CountTimeoutsAsAcks => "count-timeouts-as-acks",
        }
    }

    /// The real-world issue the switch re-creates.
    pub fn origin(self) -> &'static str {
        match self {
            KnownBug::ReuseConnAfterTimeout => "go-redis #1113 (v6.15.3), redis-rs #1252",
            KnownBug::CancelUnsafeRead => {
                "redis-py CVE-2023-28858/28859, redis-rs aio::Connection #325"
            }
            KnownBug::RetryAmbiguousWrite => "retrying a non-idempotent write after a timeout",
            KnownBug::PipelineEarlyReturn => "redis-rs #698",
            KnownBug::UnconditionalReplicaWrite => "last-writer-wins without a version check",
            KnownBug::NoReadWriteBack => "ABD without the read phase's write-back",
            KnownBug::CountTimeoutsAsAcks => "counting unacknowledged replicas towards W",
        }
    }
}

impl std::fmt::Display for KnownBug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

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
    enabled: BTreeSet<KnownBug>,
}

impl Bugs {
    /// Turns a switch on.
    #[cfg(feature = "known-bugs")]
    pub fn enable(&mut self, bug: KnownBug) {
        self.enabled.insert(bug);
    }

    /// True when `bug` is on.
    pub fn has(&self, bug: KnownBug) -> bool {
        self.enabled.contains(&bug)
    }

    /// True when no switch is on.
    pub fn is_empty(&self) -> bool {
        self.enabled.is_empty()
    }

    /// The enabled switches, in a fixed order.
    pub fn enabled(&self) -> impl Iterator<Item = KnownBug> + '_ {
        self.enabled.iter().copied()
    }

    pub(crate) fn reuse_conn_after_timeout(&self) -> bool {
        self.has(KnownBug::ReuseConnAfterTimeout)
    }

    pub(crate) fn pipeline_early_return(&self) -> bool {
        self.has(KnownBug::PipelineEarlyReturn)
    }

    /// True when a switch re-creates a client that let its reply stream get
    /// out of step. Those clients had no reply verification, so these
    /// switches turn anarchoredis' sentinel check off too (see
    /// `connection.rs`).
    pub(crate) fn desynchronises(&self) -> bool {
        self.has(KnownBug::ReuseConnAfterTimeout)
            || self.has(KnownBug::CancelUnsafeRead)
            || self.has(KnownBug::PipelineEarlyReturn)
    }
}

#[cfg(test)]
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
        assert!(KnownBug::ALL.iter().all(|b| !bugs.has(*b)));
    }
}
