//! The built-in [`Model`](crate::linearizability::Model)s, and how one is
//! chosen for a history.
//!
//! | `--model` | type | operations |
//! |---|---|---|
//! | `register` | [`RegisterModel`] | `read`, `write` |
//! | `cas-register` | [`CasRegisterModel::knossos`] | `read`, `write`, `cas [from to]`; a failed cas says nothing |
//! | `etcd-cas-register` | [`CasRegisterModel::etcd`] | the same; a failed cas saw another value (Porcupine's etcd) |
//! | `kv` | [`KvModel`] | `get`, `put`, `append` on string keys, missing = `""` (Porcupine's kv) |
//! | `counter` | [`CounterModel`] | `add n`, `incr`, `read` |
//! | `list-append` | [`ListAppendModel`] | `append v`, `read` → list |
//! | `set` | [`SetModel`] | `add v`, `read` → elements |
//! | `mutex` | [`MutexModel`] | `acquire`, `release` |
//! | `multi-register` | [`MultiRegisterModel`] | `txn [[:read k v] [:write k v] ...]` |
//! | `redis` | [`RedisModel`] | `get`, `set`, `del`, `incr`, `rpush`, `lpush`, `lrange`, `echo` |
//!
//! [`ModelKind::detect`] picks one from the operation names a history uses;
//! importers that know their format's model say so instead.

mod counter;
mod kv;
mod list_append;
mod multi_register;
mod mutex;
mod redis;
mod register;
mod set;
mod text;

use std::collections::BTreeSet;

pub use counter::{CounterModel, CounterOp};
pub use kv::{KvModel, KvOp};
pub use list_append::{ListAppendModel, ListOp};
pub use multi_register::{Micro, MultiRegisterModel};
pub use mutex::{MutexModel, MutexOp};
pub use redis::{RedisModel, RedisOp, RedisValue};
pub use register::{CasOutcome, CasRegisterModel, RegisterModel, RegisterOp};
pub use set::{SetModel, SetOp};
pub use text::{Piece, Text};

use crate::history::{EventType, History, Value};
use crate::linearizability::{Budget, LinearizabilityReport, check_linearizability};

pub(crate) use counter::as_int;
pub(crate) use redis::scalar;

/// A built-in model, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ModelKind {
    /// [`RegisterModel`].
    Register,
    /// [`CasRegisterModel::knossos`].
    CasRegister,
    /// [`CasRegisterModel::etcd`].
    EtcdCasRegister,
    /// [`KvModel`].
    Kv,
    /// [`CounterModel`].
    Counter,
    /// [`ListAppendModel`].
    ListAppend,
    /// [`SetModel`].
    Set,
    /// [`MutexModel`].
    Mutex,
    /// [`MultiRegisterModel`].
    MultiRegister,
    /// [`RedisModel`].
    Redis,
}

impl ModelKind {
    /// Every built-in model.
    pub const ALL: [ModelKind; 10] = [
        ModelKind::Register,
        ModelKind::CasRegister,
        ModelKind::EtcdCasRegister,
        ModelKind::Kv,
        ModelKind::Counter,
        ModelKind::ListAppend,
        ModelKind::Set,
        ModelKind::Mutex,
        ModelKind::MultiRegister,
        ModelKind::Redis,
    ];

    /// The name `--model` takes.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Register => "register",
            ModelKind::CasRegister => "cas-register",
            ModelKind::EtcdCasRegister => "etcd-cas-register",
            ModelKind::Kv => "kv",
            ModelKind::Counter => "counter",
            ModelKind::ListAppend => "list-append",
            ModelKind::Set => "set",
            ModelKind::Mutex => "mutex",
            ModelKind::MultiRegister => "multi-register",
            ModelKind::Redis => "redis",
        }
    }

    /// The model named `name`.
    pub fn from_name(name: &str) -> Option<ModelKind> {
        ModelKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Picks a model from the operations `history` invokes, or `None` when
    /// it has none or no built-in model knows them all:
    /// - only Redis commands (`get`, `set`, `del`, `incr`, `echo`, `rpush`,
    ///   `lpush`, `lrange`): `redis`;
    /// - `get`/`put`/`append`: `kv`;
    /// - `read`/`write`/`cas`: `cas-register` (which is `register` when
    ///   there is no `cas`);
    /// - `acquire`/`release`: `mutex`; `txn`: `multi-register`;
    /// - `add`/`read`: `set` when reads return collections, else `counter`;
    /// - `append`/`read`: `list-append`.
    pub fn detect(history: &History) -> Option<ModelKind> {
        let mut fs: BTreeSet<String> = BTreeSet::new();
        let mut list_reads = false;
        for op in history.operations() {
            if op.invoke.ty != EventType::Invoke {
                continue;
            }
            fs.insert(op.invoke.f.to_ascii_lowercase());
            if let Some(c) = op.completion
                && matches!(c.value, Some(Value::List(_)))
                && op.invoke.f.eq_ignore_ascii_case("read")
            {
                list_reads = true;
            }
        }
        if fs.is_empty() {
            return None;
        }
        let within = |allowed: &[&str]| fs.iter().all(|f| allowed.contains(&f.as_str()));
        let redis = [
            "get", "set", "del", "incr", "echo", "rpush", "lpush", "lrange",
        ];
        Some(if within(&redis) {
            ModelKind::Redis
        } else if within(&["get", "put", "append"]) {
            ModelKind::Kv
        } else if within(&["read", "write", "cas"]) {
            ModelKind::CasRegister
        } else if within(&["acquire", "release"]) {
            ModelKind::Mutex
        } else if within(&["txn"]) {
            ModelKind::MultiRegister
        } else if within(&["add", "read"]) && list_reads {
            ModelKind::Set
        } else if within(&["add", "incr", "read"]) {
            ModelKind::Counter
        } else if within(&["append", "read"]) {
            ModelKind::ListAppend
        } else {
            return None;
        })
    }

    /// Checks `history` against this model.
    pub fn check(self, history: &History, budget: &Budget) -> LinearizabilityReport {
        match self {
            ModelKind::Register => check_linearizability(&RegisterModel, history, budget),
            ModelKind::CasRegister => {
                check_linearizability(&CasRegisterModel::knossos(), history, budget)
            }
            ModelKind::EtcdCasRegister => {
                check_linearizability(&CasRegisterModel::etcd(), history, budget)
            }
            ModelKind::Kv => check_linearizability(&KvModel, history, budget),
            ModelKind::Counter => check_linearizability(&CounterModel, history, budget),
            ModelKind::ListAppend => check_linearizability(&ListAppendModel, history, budget),
            ModelKind::Set => check_linearizability(&SetModel, history, budget),
            ModelKind::Mutex => check_linearizability(&MutexModel, history, budget),
            ModelKind::MultiRegister => check_linearizability(&MultiRegisterModel, history, budget),
            ModelKind::Redis => check_linearizability(&RedisModel, history, budget),
        }
    }
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for ModelKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ModelKind::from_name(s).ok_or_else(|| {
            let names: Vec<&str> = ModelKind::ALL.iter().map(|k| k.name()).collect();
            format!("unknown model {s:?}; one of: {}", names.join(", "))
        })
    }
}
