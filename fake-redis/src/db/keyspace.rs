//! The keyspace: keys, values, expiry times and the `SCAN` order. State
//! only; no protocol and no command logic.
//!
//! Keys live in a `BTreeMap`, so `KEYS` answers in one order on every run.
//! `SCAN` needs more than an order: a cursor that stays meaningful while
//! other connections add and delete keys, and Redis' guarantee that a key
//! present for a whole iteration is returned. Each key therefore gets a
//! sequence number when it is created (an overwrite keeps it), and `SCAN`
//! walks keys by sequence number, its cursor being the next number to look
//! at. A key created during an iteration may or may not be returned, as in
//! Redis, and no key is returned twice.
//!
//! Expiry is exact: before each command the handler calls
//! [`Keyspace::begin`] with the server's time, which deletes every key whose
//! time has come (a write, as far as `WATCH` is concerned, as in Redis 7).
//! Real Redis deletes expired keys lazily or in a background sweep, so its
//! `DBSIZE` can briefly count a key that no command can read any more;
//! fake-redis never does.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use bytes::Bytes;

use super::value::{Stored, own};
use super::watch::Watches;

/// One key's value and metadata.
#[derive(Clone, Debug)]
struct Entry {
    value: Stored,
    /// When the key expires, in server time.
    expires_at: Option<Duration>,
    /// Creation order, for `SCAN`.
    seq: u64,
}

/// What a write does to the key's time to live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ttl {
    /// Remove it (`SET` without `KEEPTTL`).
    Clear,
    /// Leave it as it is (`SET ... KEEPTTL`, `INCR`, `LPUSH`, `HSET`).
    Keep,
    /// Expire at this server time.
    At(Duration),
}

/// The data that survives a restart when the server persists: everything
/// but the watch registry (connections do not survive a restart).
#[derive(Clone, Debug, Default)]
pub(crate) struct Data {
    entries: BTreeMap<Bytes, Entry>,
    /// Sequence number → key, for `SCAN`.
    by_seq: BTreeMap<u64, Bytes>,
    /// (expiry time, key) for every key with a time to live.
    deadlines: BTreeSet<(Duration, Bytes)>,
    /// The next sequence number; starts at 1 so cursor 0 means "start".
    next_seq: u64,
}

/// The keys and values of the single database (db 0), with the watch
/// registry that every write must notify.
#[derive(Debug, Default)]
pub(crate) struct Keyspace {
    data: Data,
    watches: Watches,
    /// The server time of the command being run.
    now: Duration,
}

impl Keyspace {
    /// Starts a command at server time `now`: deletes the keys that have
    /// expired by then.
    pub(crate) fn begin(&mut self, now: Duration) {
        self.now = self.now.max(now);
        while let Some((deadline, key)) = self.data.deadlines.first().cloned() {
            if deadline > self.now {
                break;
            }
            self.remove(&key);
        }
    }

    /// The server time of the command being run.
    pub(crate) fn now(&self) -> Duration {
        self.now
    }

    /// The value under `key`, if any.
    pub(crate) fn get(&self, key: &[u8]) -> Option<&Stored> {
        self.data.entries.get(key).map(|entry| &entry.value)
    }

    /// The value under `key` for writing, if any; the key counts as written
    /// (watchers are notified), so call this only when about to change it.
    pub(crate) fn get_mut(&mut self, key: &[u8]) -> Option<&mut Stored> {
        let entry = self.data.entries.get_mut(key)?;
        self.watches.touch(key);
        Some(&mut entry.value)
    }

    /// When `key` expires, if it exists and has a time to live.
    pub(crate) fn expires_at(&self, key: &[u8]) -> Option<Duration> {
        self.data.entries.get(key)?.expires_at
    }

    /// Stores `value` under `key` (copying both, see [`own`]) and sets its
    /// time to live.
    pub(crate) fn insert(&mut self, key: &[u8], value: Stored, ttl: Ttl) {
        self.watches.touch(key);
        let data = &mut self.data;
        let (seq, old_deadline) = match data.entries.get(key) {
            Some(entry) => (entry.seq, entry.expires_at),
            None => {
                data.next_seq += 1;
                let seq = data.next_seq;
                data.by_seq.insert(seq, own(key));
                (seq, None)
            }
        };
        let expires_at = match ttl {
            Ttl::Clear => None,
            Ttl::Keep => old_deadline,
            Ttl::At(at) => Some(at),
        };
        if old_deadline != expires_at {
            if let Some(old) = old_deadline {
                data.deadlines.remove(&(old, own(key)));
            }
            if let Some(at) = expires_at {
                data.deadlines.insert((at, own(key)));
            }
        }
        let entry = Entry {
            value,
            expires_at,
            seq,
        };
        data.entries.insert(own(key), entry);
    }

    /// Removes `key`; returns whether it existed.
    pub(crate) fn remove(&mut self, key: &[u8]) -> bool {
        let Some(entry) = self.data.entries.remove(key) else {
            return false;
        };
        self.watches.touch(key);
        self.data.by_seq.remove(&entry.seq);
        if let Some(at) = entry.expires_at {
            self.data.deadlines.remove(&(at, own(key)));
        }
        true
    }

    /// Removes every key (`FLUSHALL`). Watchers of keys that existed are
    /// notified.
    pub(crate) fn flush(&mut self) {
        let entries = &self.data.entries;
        self.watches.touch_existing(|key| entries.contains_key(key));
        let next_seq = self.data.next_seq;
        self.data = Data {
            next_seq,
            ..Data::default()
        };
    }

    /// How many keys exist.
    pub(crate) fn len(&self) -> usize {
        self.data.entries.len()
    }

    /// How many keys have a time to live.
    pub(crate) fn expiring(&self) -> usize {
        self.data.deadlines.len()
    }

    /// Every key, in byte order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &Bytes> {
        self.data.entries.keys()
    }

    /// One `SCAN` step: up to `count` keys from `cursor` on, in creation
    /// order, and the cursor to continue from (0 when the walk is over).
    pub(crate) fn scan(&self, cursor: u64, count: usize) -> (Vec<(&Bytes, &Stored)>, u64) {
        let mut found = Vec::new();
        let mut walk = self.data.by_seq.range(cursor..);
        for (_, key) in walk.by_ref().take(count) {
            if let Some(entry) = self.data.entries.get(key) {
                found.push((key, &entry.value));
            }
        }
        let next = walk.next().map_or(0, |(seq, _)| *seq);
        (found, next)
    }

    /// Every key and value, in byte order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Bytes, &Stored)> {
        self.data
            .entries
            .iter()
            .map(|(key, entry)| (key, &entry.value))
    }

    /// The watch registry, for `WATCH`, `UNWATCH` and `EXEC`.
    pub(crate) fn watches(&mut self) -> &mut Watches {
        &mut self.watches
    }

    /// A copy of the data, for a persisted snapshot.
    pub(crate) fn data(&self) -> Data {
        self.data.clone()
    }

    /// Replaces everything with `data` after a crash: no connection watches
    /// anything any more.
    pub(crate) fn restore(&mut self, data: Data) {
        self.data = data;
        self.watches = Watches::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(value: &str) -> Stored {
        Stored::String(Bytes::copy_from_slice(value.as_bytes()))
    }

    #[test]
    fn keys_expire_exactly_at_their_deadline() {
        let mut keyspace = Keyspace::default();
        keyspace.begin(Duration::from_secs(1));
        keyspace.insert(b"k", string("v"), Ttl::At(Duration::from_secs(3)));
        keyspace.insert(b"forever", string("v"), Ttl::Clear);
        keyspace.begin(Duration::from_millis(2999));
        assert!(keyspace.get(b"k").is_some());
        keyspace.begin(Duration::from_secs(3));
        assert!(keyspace.get(b"k").is_none());
        assert_eq!(keyspace.len(), 1);
        assert_eq!(keyspace.expiring(), 0);
    }

    #[test]
    fn an_overwrite_clears_or_keeps_the_ttl_as_asked() {
        let mut keyspace = Keyspace::default();
        keyspace.insert(b"k", string("1"), Ttl::At(Duration::from_secs(5)));
        keyspace.insert(b"k", string("2"), Ttl::Keep);
        assert_eq!(keyspace.expires_at(b"k"), Some(Duration::from_secs(5)));
        keyspace.insert(b"k", string("3"), Ttl::Clear);
        assert_eq!(keyspace.expires_at(b"k"), None);
        assert_eq!(keyspace.expiring(), 0);
    }

    #[test]
    fn scan_returns_every_key_present_throughout_exactly_once() {
        let mut keyspace = Keyspace::default();
        for i in 0..10 {
            keyspace.insert(format!("k{i}").as_bytes(), string("v"), Ttl::Clear);
        }
        let mut seen = Vec::new();
        let mut cursor = 0;
        loop {
            let (found, next) = keyspace.scan(cursor, 3);
            seen.extend(found.iter().map(|(key, _)| key.to_vec()));
            // Churn between steps: delete an early key, add a new one,
            // overwrite a later one.
            keyspace.remove(b"k0");
            keyspace.insert(b"k9", string("again"), Ttl::Clear);
            keyspace.insert(format!("new{cursor}").as_bytes(), string("v"), Ttl::Clear);
            if next == 0 {
                break;
            }
            cursor = next;
        }
        for i in 1..10 {
            let key = format!("k{i}").into_bytes();
            assert_eq!(seen.iter().filter(|k| **k == key).count(), 1, "k{i}");
        }
    }

    #[test]
    fn writes_dirty_watchers_and_a_flush_dirties_only_existing_keys() {
        let mut keyspace = Keyspace::default();
        keyspace.insert(b"a", string("1"), Ttl::Clear);
        keyspace.watches().watch(1, b"a");
        keyspace.watches().watch(2, b"missing");
        keyspace.flush();
        assert!(keyspace.watches().is_dirty(1));
        assert!(!keyspace.watches().is_dirty(2));
        keyspace.insert(b"missing", string("1"), Ttl::Clear);
        assert!(keyspace.watches().is_dirty(2));
    }
}
