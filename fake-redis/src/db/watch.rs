//! `WATCH` bookkeeping: which connections watch which keys, and which of
//! them saw a watched key change.
//!
//! Redis' model: every write to a key marks every connection watching it
//! "dirty" (the writer's own connection included), and `EXEC` on a dirty
//! connection answers a null array instead of running. The keyspace calls
//! [`Watches::touch`] on every write, so a command cannot forget to.

use std::collections::{BTreeMap, BTreeSet};

use bytes::Bytes;

use super::value::own;

/// The watch registry of one keyspace.
#[derive(Debug, Default)]
pub(crate) struct Watches {
    /// Key → the connections watching it.
    by_key: BTreeMap<Bytes, BTreeSet<u64>>,
    /// Connections a watched key changed under.
    dirty: BTreeSet<u64>,
}

impl Watches {
    /// `conn` watches `key` from now on.
    pub(crate) fn watch(&mut self, conn: u64, key: &[u8]) {
        match self.by_key.get_mut(key) {
            Some(watchers) => {
                watchers.insert(conn);
            }
            None => {
                self.by_key.insert(own(key), BTreeSet::from([conn]));
            }
        }
    }

    /// `conn` stops watching `keys` (the keys it watched) and is clean again.
    pub(crate) fn unwatch(&mut self, conn: u64, keys: &[Bytes]) {
        for key in keys {
            if let Some(watchers) = self.by_key.get_mut(key) {
                watchers.remove(&conn);
                if watchers.is_empty() {
                    self.by_key.remove(key);
                }
            }
        }
        self.dirty.remove(&conn);
    }

    /// `key` was written: every connection watching it is dirty.
    pub(crate) fn touch(&mut self, key: &[u8]) {
        if let Some(watchers) = self.by_key.get(key) {
            self.dirty.extend(watchers.iter().copied());
        }
    }

    /// Every watched key for which `exists` is true was written (`FLUSHALL`:
    /// Redis dirties only watchers of keys that existed).
    pub(crate) fn touch_existing(&mut self, exists: impl Fn(&[u8]) -> bool) {
        for (key, watchers) in &self.by_key {
            if exists(key) {
                self.dirty.extend(watchers.iter().copied());
            }
        }
    }

    /// Whether a key `conn` watches changed since it watched it.
    pub(crate) fn is_dirty(&self, conn: u64) -> bool {
        self.dirty.contains(&conn)
    }
}
