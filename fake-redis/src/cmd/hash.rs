//! `HSET`, `HGET`, `HGETALL`: hashes.
//!
//! Fields keep their insertion order, which is the order Redis answers
//! `HGETALL` in for small hashes (see `db::value`).

use bytes::Bytes;
use indexmap::IndexMap;

use super::parse::{Parse, wrong_arity};
use super::wrong_type;
use crate::db::{Keyspace, Stored, Ttl, own};
use crate::frame::Reply;

/// A parsed hash command.
#[derive(Debug)]
pub(crate) enum HashCmd {
    /// `HSET key field value [field value ...]`.
    Set {
        key: Bytes,
        pairs: Vec<(Bytes, Bytes)>,
    },
    /// `HGET key field`.
    Get { key: Bytes, field: Bytes },
    /// `HGETALL key`.
    GetAll { key: Bytes },
}

impl HashCmd {
    /// Parse `HSET`: an odd number of field/value arguments is the arity
    /// error, answered by the command (so inside `MULTI` it is queued), as
    /// in Redis.
    pub(crate) fn parse_hset(parse: &mut Parse) -> Result<HashCmd, Reply> {
        let key = parse.next_bytes()?;
        let rest = parse.rest();
        if !rest.len().is_multiple_of(2) {
            return Err(wrong_arity("hset"));
        }
        let pairs = rest
            .chunks_exact(2)
            .map(|pair| (pair[0].clone(), pair[1].clone()))
            .collect();
        Ok(HashCmd::Set { key, pairs })
    }

    /// Parse `HGET key field`.
    pub(crate) fn parse_hget(parse: &mut Parse) -> Result<HashCmd, Reply> {
        Ok(HashCmd::Get {
            key: parse.next_bytes()?,
            field: parse.next_bytes()?,
        })
    }

    /// Parse `HGETALL key`.
    pub(crate) fn parse_hgetall(parse: &mut Parse) -> Result<HashCmd, Reply> {
        Ok(HashCmd::GetAll {
            key: parse.next_bytes()?,
        })
    }

    /// Apply and reply.
    pub(crate) fn apply(self, keyspace: &mut Keyspace) -> Reply {
        match self {
            HashCmd::Set { key, pairs } => hset(keyspace, &key, pairs),
            HashCmd::Get { key, field } => match keyspace.get(&key) {
                None => Reply::Null,
                Some(Stored::Hash(fields)) => {
                    fields.get(&field).cloned().map_or(Reply::Null, Reply::Bulk)
                }
                Some(_) => wrong_type(),
            },
            HashCmd::GetAll { key } => match keyspace.get(&key) {
                None => Reply::Map(Vec::new()),
                Some(Stored::Hash(fields)) => Reply::Map(
                    fields
                        .iter()
                        .map(|(field, value)| {
                            (Reply::Bulk(field.clone()), Reply::Bulk(value.clone()))
                        })
                        .collect(),
                ),
                Some(_) => wrong_type(),
            },
        }
    }
}

/// `HSET`: sets each pair in order (a field named twice takes the last
/// value). Reply: how many fields are new.
fn hset(keyspace: &mut Keyspace, key: &[u8], pairs: Vec<(Bytes, Bytes)>) -> Reply {
    let fields = match keyspace.get(key) {
        None => {
            keyspace.insert(key, Stored::Hash(IndexMap::new()), Ttl::Clear);
            keyspace.get_mut(key)
        }
        Some(Stored::Hash(_)) => keyspace.get_mut(key),
        Some(_) => return wrong_type(),
    };
    let Some(Stored::Hash(fields)) = fields else {
        return Reply::error("ERR fake-redis: the hash vanished while setting");
    };
    let mut added = 0i64;
    for (field, value) in pairs {
        match fields.get_mut(&field) {
            Some(existing) => *existing = own(&value),
            None => {
                fields.insert(own(&field), own(&value));
                added += 1;
            }
        }
    }
    Reply::Integer(added)
}
