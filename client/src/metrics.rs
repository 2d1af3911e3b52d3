//! Simple counters of what the client did, for observability and tests.

use std::sync::atomic::{AtomicU64, Ordering};

/// One monotonically increasing counter.
#[derive(Debug, Default)]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    pub(crate) fn incr(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The client's live counters, shared by every pool and task.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    pub(crate) operations: Counter,
    pub(crate) retries: Counter,
    pub(crate) conflict_retries: Counter,
    pub(crate) repairs: Counter,
    pub(crate) poisoned: Counter,
    pub(crate) reconnects: Counter,
    pub(crate) healer_keys_scanned: Counter,
    pub(crate) healer_keys_repaired: Counter,
    pub(crate) healer_passes: Counter,
}

/// A point-in-time copy of the client's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MetricsSnapshot {
    /// Operations started (get, set, incr, ...).
    pub operations: u64,
    /// Whole operations re-run after a failure (only under the
    /// `retry-ambiguous-write` known-bug switch).
    pub retries: u64,
    /// Conditional replica writes re-decided after losing a race.
    pub conflict_retries: u64,
    /// Replica writes made by read repair or the healer.
    pub repairs: u64,
    /// Connections poisoned (closed for good after a timeout, cancellation or
    /// protocol error).
    pub poisoned: u64,
    /// Connections dialled after the first one to each node.
    pub reconnects: u64,
    /// Keys the anti-entropy healer examined.
    pub healer_keys_scanned: u64,
    /// Keys on which the healer repaired at least one replica.
    pub healer_keys_repaired: u64,
    /// Full healer passes over every node.
    pub healer_passes: u64,
}

impl Metrics {
    pub(crate) fn snapshot(&self) -> MetricsSnapshot {
        MetricsSnapshot {
            operations: self.operations.get(),
            retries: self.retries.get(),
            conflict_retries: self.conflict_retries.get(),
            repairs: self.repairs.get(),
            poisoned: self.poisoned.get(),
            reconnects: self.reconnects.get(),
            healer_keys_scanned: self.healer_keys_scanned.get(),
            healer_keys_repaired: self.healer_keys_repaired.get(),
            healer_passes: self.healer_passes.get(),
        }
    }
}
