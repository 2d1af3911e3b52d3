//! `LPUSH`, `RPUSH`, `LRANGE`, `LLEN`: lists.
//!
//! A list exists while it has elements; with no command here that removes
//! elements, a list only disappears with `DEL`, `FLUSHALL` or expiry.

use std::collections::VecDeque;

use bytes::Bytes;

use super::parse::{Parse, not_an_integer, parse_i64};
use super::wrong_type;
use crate::db::{Keyspace, Stored, Ttl, own};
use crate::frame::Reply;

/// A parsed list command.
#[derive(Debug)]
pub(crate) enum ListCmd {
    /// `LPUSH key element [element ...]` or `RPUSH ...`.
    Push {
        key: Bytes,
        elements: Vec<Bytes>,
        front: bool,
    },
    /// `LRANGE key start stop`, indexes parsed.
    Range { key: Bytes, start: i64, stop: i64 },
    /// `LLEN key`.
    Len { key: Bytes },
}

impl ListCmd {
    /// Parse `LPUSH key element [element ...]`.
    pub(crate) fn parse_lpush(parse: &mut Parse) -> Result<ListCmd, Reply> {
        Self::parse_push(parse, true)
    }

    /// Parse `RPUSH key element [element ...]`.
    pub(crate) fn parse_rpush(parse: &mut Parse) -> Result<ListCmd, Reply> {
        Self::parse_push(parse, false)
    }

    fn parse_push(parse: &mut Parse, front: bool) -> Result<ListCmd, Reply> {
        Ok(ListCmd::Push {
            key: parse.next_bytes()?,
            elements: parse.rest(),
            front,
        })
    }

    /// Parse `LRANGE key start stop`; bad indexes are answered before the
    /// key is looked at, as in Redis.
    pub(crate) fn parse_lrange(parse: &mut Parse) -> Result<ListCmd, Reply> {
        let key = parse.next_bytes()?;
        let start = parse_i64(&parse.next_bytes()?).ok_or_else(not_an_integer)?;
        let stop = parse_i64(&parse.next_bytes()?).ok_or_else(not_an_integer)?;
        Ok(ListCmd::Range { key, start, stop })
    }

    /// Parse `LLEN key`.
    pub(crate) fn parse_llen(parse: &mut Parse) -> Result<ListCmd, Reply> {
        Ok(ListCmd::Len {
            key: parse.next_bytes()?,
        })
    }

    /// Apply and reply.
    pub(crate) fn apply(self, keyspace: &mut Keyspace) -> Reply {
        match self {
            ListCmd::Push {
                key,
                elements,
                front,
            } => push(keyspace, &key, elements, front),
            ListCmd::Range { key, start, stop } => range(keyspace, &key, start, stop),
            ListCmd::Len { key } => match keyspace.get(&key) {
                None => Reply::Integer(0),
                Some(Stored::List(items)) => Reply::Integer(len(items)),
                Some(_) => wrong_type(),
            },
        }
    }
}

/// `LPUSH`/`RPUSH`: each element in turn at the head (so `LPUSH k a b c`
/// leaves `c b a`) or the tail. Reply: the new length.
fn push(keyspace: &mut Keyspace, key: &[u8], elements: Vec<Bytes>, front: bool) -> Reply {
    let items = match keyspace.get(key) {
        None => {
            keyspace.insert(key, Stored::List(VecDeque::new()), Ttl::Clear);
            keyspace.get_mut(key)
        }
        Some(Stored::List(_)) => keyspace.get_mut(key),
        Some(_) => return wrong_type(),
    };
    let Some(Stored::List(items)) = items else {
        return Reply::error("ERR fake-redis: the list vanished while pushing");
    };
    for element in elements {
        if front {
            items.push_front(own(&element));
        } else {
            items.push_back(own(&element));
        }
    }
    Reply::Integer(len(items))
}

/// `LRANGE` with Redis' index rules: negative counts from the end, start
/// clamps to 0, stop clamps to the last element, an empty range is `*0`.
fn range(keyspace: &Keyspace, key: &[u8], start: i64, stop: i64) -> Reply {
    let items = match keyspace.get(key) {
        None => return Reply::Array(Vec::new()),
        Some(Stored::List(items)) => items,
        Some(_) => return wrong_type(),
    };
    let length = len(items);
    let start = if start < 0 {
        length.saturating_add(start)
    } else {
        start
    }
    .max(0);
    let stop = if stop < 0 {
        length.saturating_add(stop)
    } else {
        stop
    };
    if start > stop || start >= length {
        return Reply::Array(Vec::new());
    }
    let stop = stop.min(length - 1);
    let (Ok(start), Ok(stop)) = (usize::try_from(start), usize::try_from(stop)) else {
        return Reply::Array(Vec::new());
    };
    Reply::Array(
        items
            .range(start..=stop)
            .map(|item| Reply::Bulk(item.clone()))
            .collect(),
    )
}

/// A length as a reply integer.
fn len(items: &VecDeque<Bytes>) -> i64 {
    i64::try_from(items.len()).unwrap_or(i64::MAX)
}
