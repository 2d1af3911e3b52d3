//! The server's state behind one lock: the keyspace, whether the server is
//! up, and what survives a crash.
//!
//! A plain mutex is enough: every command runs to completion without
//! awaiting, so the lock is never held across an `.await`, and a whole
//! `EXEC` runs under one lock, which is what makes it atomic. Crashes take
//! the same lock, so a command either ran before the crash (and its effect
//! is kept or lost with the rest of the data) or is refused after it; none
//! is half applied.
//!
//! Files: `keyspace` (keys, values, expiry, the `SCAN` order), `value` (the
//! stored and the public value types), `watch` (the `WATCH` registry).

mod keyspace;
mod value;
mod watch;

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

pub(crate) use keyspace::{Data, Keyspace, Ttl};
pub use value::Value;
pub(crate) use value::{Stored, own};

/// What survives [`Server::crash`](crate::Server::crash).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Persistence {
    /// Nothing: the server restarts empty, like Redis without RDB or AOF.
    #[default]
    None,
    /// The last [`Server::save`](crate::Server::save) snapshot (empty if
    /// there was none), like Redis restarting from an RDB file: writes
    /// after the save are lost.
    Snapshot,
    /// Every write the server executed before the crash, like an AOF with
    /// `appendfsync always`.
    Always,
}

/// Everything the lock protects.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// The data and the watch registry.
    pub(crate) keyspace: Keyspace,
    /// Incremented by every crash. A connection remembers the epoch it was
    /// accepted in and is closed when it changes.
    pub(crate) epoch: u64,
    /// False between a crash and the restart.
    pub(crate) down: bool,
    /// What a crash keeps.
    pub(crate) persistence: Persistence,
    /// The last `save`, for [`Persistence::Snapshot`].
    saved: Option<Data>,
}

impl State {
    /// Takes the snapshot a [`Persistence::Snapshot`] restart comes back to.
    pub(crate) fn save(&mut self) {
        self.saved = Some(self.keyspace.data());
    }

    /// Crashes: bumps the epoch, marks the server down and replaces the
    /// data with what the persistence mode keeps. Returns what was kept, in
    /// words, for the event.
    pub(crate) fn crash(&mut self) -> &'static str {
        self.epoch += 1;
        self.down = true;
        let (data, kept) = match self.persistence {
            Persistence::None => (Data::default(), "all data lost"),
            Persistence::Snapshot => match &self.saved {
                Some(saved) => (saved.clone(), "data restored from the last save"),
                None => (Data::default(), "all data lost (nothing was saved)"),
            },
            Persistence::Always => (self.keyspace.data(), "all data kept"),
        };
        self.keyspace.restore(data);
        kept
    }

    /// Every key and value, in byte order.
    pub(crate) fn snapshot(&self) -> BTreeMap<Vec<u8>, Value> {
        self.keyspace
            .iter()
            .map(|(key, value)| (key.to_vec(), value.to_value()))
            .collect()
    }
}

/// The state shared by all connections of one server.
#[derive(Debug, Default)]
pub(crate) struct Db {
    state: Mutex<State>,
}

impl Db {
    /// A database that persists as `persistence` says.
    pub(crate) fn new(persistence: Persistence) -> Db {
        Db {
            state: Mutex::new(State {
                persistence,
                ..State::default()
            }),
        }
    }

    /// Locks the state. A poisoned lock is recovered rather than
    /// propagated: commands never panic, and a server must not stop
    /// answering because of one.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
