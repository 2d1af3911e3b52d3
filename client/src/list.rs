//! Lists that replicas can merge without losing a push.
//!
//! Each element carries the tag of the push that created it and the side it
//! was pushed on: `L:<tag>:<payload>` or `R:<tag>:<payload>` (the tag is
//! `COUNTER:CLIENT`, see `version.rs`). A replica's list is always kept in
//! the canonical order — left pushes newest first, then right pushes oldest
//! first — so the merged state of any set of replicas is simply the union
//! of their elements in canonical order. Concurrent pushes are never lost,
//! a push is idempotent (the same element twice is one element), and read
//! repair writes the full merged list.

use std::collections::BTreeSet;

use crate::version::Tag;

/// Which end a push went to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// `LPUSH`.
    Left,
    /// `RPUSH`.
    Right,
}

/// One pushed element.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Element {
    /// The end it was pushed on.
    pub side: Side,
    /// The push's tag: unique per push.
    pub tag: Tag,
    /// The user's value.
    pub payload: Vec<u8>,
}

impl Element {
    /// The canonical sort key: left pushes newest first, then right pushes
    /// oldest first.
    fn order_key(&self) -> (u8, i128, &str) {
        match self.side {
            Side::Left => (0, -(self.tag.counter as i128), &self.tag.client),
            Side::Right => (1, self.tag.counter as i128, &self.tag.client),
        }
    }

    /// The stored form.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let side = match self.side {
            Side::Left => "L",
            Side::Right => "R",
        };
        let mut out = format!("{side}:{}:", self.tag.encode()).into_bytes();
        out.extend_from_slice(&self.payload);
        out
    }

    /// Parses the stored form.
    pub(crate) fn decode(raw: &[u8]) -> Option<Element> {
        let side = match raw.get(..2)? {
            b"L:" => Side::Left,
            b"R:" => Side::Right,
            _ => return None,
        };
        let rest = &raw[2..];
        // COUNTER (20 digits) ':' CLIENT ':' PAYLOAD; CLIENT has no ':'.
        let counter_end = 20;
        if rest.get(counter_end) != Some(&b':') {
            return None;
        }
        let client_end =
            counter_end + 1 + rest[counter_end + 1..].iter().position(|&b| b == b':')?;
        let tag = std::str::from_utf8(&rest[..client_end]).ok()?;
        Some(Element {
            side,
            tag: Tag::decode(tag)?,
            payload: rest[client_end + 1..].to_vec(),
        })
    }
}

/// The union of several replicas' lists, in canonical order, without
/// duplicates (an element is identified by its side and tag).
pub(crate) fn merge<'a>(lists: impl IntoIterator<Item = &'a [Element]>) -> Vec<Element> {
    let mut seen = BTreeSet::new();
    let mut all: Vec<Element> = Vec::new();
    for list in lists {
        for e in list {
            if seen.insert((e.side, e.tag.clone())) {
                all.push(e.clone());
            }
        }
    }
    all.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
    all
}

/// `LRANGE start stop` semantics (negative indices count from the end) over
/// a merged list.
pub(crate) fn range(list: &[Element], start: i64, stop: i64) -> &[Element] {
    let len = list.len() as i64;
    let norm = |i: i64| if i < 0 { (len + i).max(0) } else { i };
    let (s, e) = (norm(start), norm(stop).min(len - 1));
    if len == 0 || s > e || s >= len {
        return &[];
    }
    &list[s as usize..=e as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(side: Side, counter: u64, client: &str, payload: &str) -> Element {
        Element {
            side,
            tag: Tag {
                counter,
                client: client.into(),
            },
            payload: payload.as_bytes().to_vec(),
        }
    }

    #[test]
    fn elements_round_trip_even_with_colons_in_the_payload() {
        let e = el(Side::Left, 7, "client-1", "a:b:c");
        assert_eq!(Element::decode(&e.encode()), Some(e));
        assert_eq!(Element::decode(b"R:7:client:x"), None);
        assert_eq!(Element::decode(b"plain"), None);
    }

    #[test]
    fn merge_keeps_every_concurrent_push_in_canonical_order() {
        let a = vec![el(Side::Right, 1, "a", "x"), el(Side::Right, 3, "a", "z")];
        let b = vec![el(Side::Left, 4, "b", "head"), el(Side::Right, 2, "b", "y")];
        let merged = merge([a.as_slice(), b.as_slice()]);
        let payloads: Vec<_> = merged
            .iter()
            .map(|e| String::from_utf8_lossy(&e.payload).into_owned())
            .collect();
        assert_eq!(payloads, ["head", "x", "y", "z"]);
        // Merging is idempotent and order-independent.
        assert_eq!(merge([merged.as_slice(), a.as_slice()]), merged);
        assert_eq!(merge([b.as_slice(), a.as_slice()]), merged);
    }

    #[test]
    fn lpush_puts_the_newest_element_first() {
        let l = merge([[el(Side::Left, 1, "a", "old"), el(Side::Left, 2, "a", "new")].as_slice()]);
        assert_eq!(l[0].payload, b"new");
    }

    #[test]
    fn ranges_follow_lrange_semantics() {
        let l: Vec<_> = (0..5)
            .map(|i| el(Side::Right, i, "a", &i.to_string()))
            .collect();
        assert_eq!(range(&l, 0, -1).len(), 5);
        assert_eq!(range(&l, 1, 2).len(), 2);
        assert_eq!(range(&l, -2, -1)[0].payload, b"3");
        assert!(range(&l, 4, 1).is_empty());
        assert!(range(&l, 10, 20).is_empty());
        assert!(range(&[], 0, -1).is_empty());
    }
}
