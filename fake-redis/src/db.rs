//! The keyspace: state only, no protocol and no command logic.
//!
//! A `BTreeMap` rather than a `HashMap` so that any iteration (a future `KEYS`
//! or `SCAN`, a debug dump) has one order on every run: the simulator needs
//! byte-identical runs from one seed.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;

/// A stored value. Only strings exist yet; lists and hashes will be new
/// variants, and every command matches on the variant so the compiler points
/// at each place that must answer `WRONGTYPE`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// A Redis string: binary-safe bytes.
    String(Bytes),
}

/// The keys and values of the single database (db 0).
#[derive(Debug, Default)]
pub(crate) struct Keyspace {
    entries: BTreeMap<Bytes, Value>,
}

impl Keyspace {
    /// The value under `key`, if any.
    pub(crate) fn get(&self, key: &[u8]) -> Option<&Value> {
        self.entries.get(key)
    }

    /// Stores `value` under `key` and returns the previous value.
    ///
    /// Key and value are copied: request arguments are slices of the
    /// connection's read buffer, and storing a slice would pin that whole
    /// buffer in memory for as long as the key lives.
    pub(crate) fn set(&mut self, key: &[u8], value: Value) -> Option<Value> {
        let value = match value {
            Value::String(bytes) => Value::String(Bytes::copy_from_slice(&bytes)),
        };
        self.entries.insert(Bytes::copy_from_slice(key), value)
    }

    /// Removes `key` and returns its value.
    pub(crate) fn remove(&mut self, key: &[u8]) -> Option<Value> {
        self.entries.remove(key)
    }
}

/// The keyspace shared by all connections of one server.
///
/// A plain mutex is enough: every command runs to completion without
/// awaiting, so the lock is never held across an `.await`, and a whole
/// `EXEC` runs under one lock, which is what makes it atomic.
#[derive(Debug, Default)]
pub(crate) struct Db {
    keyspace: Mutex<Keyspace>,
}

impl Db {
    /// Locks the keyspace. A poisoned lock is recovered rather than
    /// propagated: commands never panic, and a server must not stop answering
    /// because of one.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Keyspace> {
        self.keyspace
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
