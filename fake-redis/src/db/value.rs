//! Stored values: the keyspace's own representation, and the public
//! [`Value`] a harness reads through `Server::snapshot`.
//!
//! The stored hash keeps its fields in insertion order (an `IndexMap`)
//! because that is the order Redis answers `HGETALL` in for the small hashes
//! (a listpack) that clients and the differential test use. `IndexMap`'s
//! order never depends on hashing, so it is deterministic. The public value
//! uses a `BTreeMap` instead: two nodes that received the same fields in
//! different orders hold the same data, and a convergence check should say
//! so.

use std::collections::{BTreeMap, VecDeque};

use bytes::Bytes;
use indexmap::IndexMap;

/// A value as the keyspace stores it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Stored {
    /// A Redis string: binary-safe bytes.
    String(Bytes),
    /// A Redis list.
    List(VecDeque<Bytes>),
    /// A Redis hash, in field insertion order.
    Hash(IndexMap<Bytes, Bytes>),
}

impl Stored {
    /// The name `TYPE` and `SCAN ... TYPE` use.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Stored::String(_) => "string",
            Stored::List(_) => "list",
            Stored::Hash(_) => "hash",
        }
    }

    /// The public form.
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Stored::String(bytes) => Value::String(bytes.to_vec()),
            Stored::List(items) => Value::List(items.iter().map(|item| item.to_vec()).collect()),
            Stored::Hash(fields) => Value::Hash(
                fields
                    .iter()
                    .map(|(field, value)| (field.to_vec(), value.to_vec()))
                    .collect(),
            ),
        }
    }
}

/// A value as [`Server::snapshot`](crate::Server::snapshot) reports it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    /// A string.
    String(Vec<u8>),
    /// A list, head first.
    List(Vec<Vec<u8>>),
    /// A hash, by field.
    Hash(BTreeMap<Vec<u8>, Vec<u8>>),
}

/// A copy of `bytes` that owns its memory.
///
/// Request arguments are slices of the connection's read buffer; storing a
/// slice would pin that whole buffer for as long as the key lives.
pub(crate) fn own(bytes: &[u8]) -> Bytes {
    Bytes::copy_from_slice(bytes)
}
