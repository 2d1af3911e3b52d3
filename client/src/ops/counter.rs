//! Counters: a PN-counter per key, stored as a Redis hash of slots
//! (`p:<client>` for increments, `n:<client>` for decrements).
//!
//! `incr_by` reads the slots from R replicas, raises this client's own slot
//! to `mine + |delta|` on W replicas ("set my slot to n", idempotent, so a
//! replica write can be retried without double-counting), and returns the
//! total it then sees. Replicas merge slot by slot with `max`. The total
//! returned under concurrency is not linearizable; the counter converges.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::client::Inner;
use crate::error::Result;
use crate::quorum::{gather, gather_key};
use crate::replica::{self, CounterRead, check_kind};
use crate::version::{Kind, Version};

use super::as_ack;

/// The slot-wise maximum of several replicas' slots, and the greatest
/// version among them.
pub(crate) fn merge<'a>(reads: impl IntoIterator<Item = &'a CounterRead>) -> CounterRead {
    let mut merged = CounterRead::default();
    for r in reads {
        for (slot, &n) in &r.slots {
            let e = merged.slots.entry(slot.clone()).or_insert(n);
            *e = (*e).max(n);
        }
        if r.version > merged.version {
            merged.version = r.version.clone();
        }
    }
    merged
}

/// The counter's value: increments minus decrements.
pub(crate) fn total(slots: &BTreeMap<String, i64>) -> i64 {
    slots
        .iter()
        .map(|(slot, &n)| if slot.starts_with("n:") { -n } else { n })
        .sum()
}

impl Inner {
    /// Adds `delta` to the counter at `key`.
    ///
    /// One client's increments of one key run one at a time: the slot value
    /// an increment reserves must not be built on by another increment that
    /// could then carry it into effect after this one failed. A failure
    /// that certainly applied nothing gives the reservation back; an
    /// indeterminate one keeps it (the write may have landed).
    pub(crate) async fn incr_by(&self, key: &[u8], delta: i64) -> Result<i64> {
        let lock = {
            let mut locks = self.incr_locks.lock().unwrap_or_else(|e| e.into_inner());
            locks.entry(key.to_vec()).or_default().clone()
        };
        let _serialised = lock.lock().await;
        let slot = format!(
            "{}:{}",
            if delta >= 0 { "p" } else { "n" },
            self.config.name
        );
        let (need_r, need_w) = (self.config.read_quorum(), self.config.write_quorum());
        let g = gather_key(&self.nodes, key, need_r, |n, k| async move {
            replica::read_counter(&n, &k).await
        })
        .await;
        if !g.reached(need_r) {
            return Err(g.error("INCR (slot query)", need_r, false, &self.nodes));
        }
        let mut merged = merge(g.ok.iter().map(|(_, s)| s));
        check_kind(merged.version.as_ref(), Kind::Counter, key)?;
        let (before, new) = {
            let mut cache = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            let mine = cache
                .entry(key.to_vec())
                .or_default()
                .entry(slot.clone())
                .or_insert(0);
            let seen = merged.slots.get(&slot).copied().unwrap_or(0);
            let before = (*mine).max(seen);
            // Reserve the new value before writing: if the write's outcome
            // is unknown, the slot must never be handed out twice.
            *mine = before + delta.unsigned_abs() as i64;
            (before, *mine)
        };
        merged.slots.insert(slot.clone(), new);
        let version = Arc::new(Version {
            kind: Kind::Counter,
            tag: self.tags.next(),
        });
        let mine = Arc::new(BTreeMap::from([(slot.clone(), new)]));
        let k: Arc<[u8]> = key.into();
        let w = gather(&self.nodes, need_w, |n| {
            let (k, mine, version) = (k.clone(), mine.clone(), version.clone());
            async move {
                let r = replica::raise_counter(&n, &k, &mine, &version).await;
                as_ack(&n, r)
            }
        })
        .await;
        if !w.reached(need_w) {
            let err = w.error("INCR", need_w, true, &self.nodes);
            if !err.is_indeterminate() {
                // No replica took it: give the reservation back.
                let mut cache = self.slots.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(v) = cache.get_mut(key).and_then(|s| s.get_mut(&slot)) {
                    *v = before;
                }
            }
            return Err(err);
        }
        Ok(total(&merged.slots))
    }

    /// Reads the counter at `key`, repairing stale replicas; `None` when no
    /// answering replica has ever seen it incremented.
    pub(crate) async fn get_counter(&self, key: &[u8]) -> Result<Option<i64>> {
        let need = self.config.read_quorum();
        let g = gather_key(&self.nodes, key, need, |n, k| async move {
            replica::read_counter(&n, &k).await
        })
        .await;
        if !g.reached(need) {
            return Err(g.error("GET counter", need, false, &self.nodes));
        }
        let merged = merge(g.ok.iter().map(|(_, s)| s));
        check_kind(merged.version.as_ref(), Kind::Counter, key)?;
        let value = (!merged.slots.is_empty()).then(|| total(&merged.slots));
        self.repair_counters(key, merged, g).await;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_merge_by_maximum_and_decrements_subtract() {
        let a = CounterRead {
            slots: BTreeMap::from([("p:a".into(), 3), ("p:b".into(), 1)]),
            version: None,
        };
        let b = CounterRead {
            slots: BTreeMap::from([("p:a".into(), 2), ("n:b".into(), 2)]),
            version: None,
        };
        let m = merge([&a, &b]);
        assert_eq!(m.slots["p:a"], 3);
        assert_eq!(total(&m.slots), 3 + 1 - 2);
    }
}
