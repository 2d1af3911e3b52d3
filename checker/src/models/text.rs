//! Immutable text built by appends, with its hash kept up to date: the kv
//! model's state.
//!
//! The search steps a kv key through many states that differ by one
//! append. Copying and rehashing the whole string at every step made the
//! kv model's cost grow with the value's length; a [`Text`] is instead a
//! shared chain of [`Piece`]s (newest last) with the length and a
//! polynomial hash of the whole, so appending, hashing and rejecting a
//! mismatched read are O(1). Equality stays exact: equal hashes are
//! confirmed piece by piece (pointer comparisons when both chains share
//! their pieces, as states reached through the same appends do). Nodes are
//! `Rc`: a state lives on the thread searching its partition.

use std::hash::{Hash, Hasher};
use std::rc::Rc;
use std::sync::Arc;

/// The polynomial hash's base (odd, arithmetic modulo 2^64).
const BASE: u64 = 0x0000_0100_0000_01b3;

fn hash_bytes(s: &str) -> u64 {
    s.bytes().fold(0u64, |h, b| {
        h.wrapping_mul(BASE).wrapping_add(u64::from(b) + 1)
    })
}

/// A string with its polynomial hash and `BASE^len`, shared.
#[derive(Clone, Debug)]
pub struct Piece {
    text: Arc<str>,
    hash: u64,
    power: u64,
}

impl Piece {
    /// A piece holding `s`.
    pub fn new(s: &str) -> Self {
        Piece {
            text: Arc::from(s),
            hash: hash_bytes(s),
            power: BASE.wrapping_pow(s.len() as u32),
        }
    }

    /// Its text.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl PartialEq for Piece {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.text == other.text
    }
}

impl Eq for Piece {}

impl Hash for Piece {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

#[derive(Debug)]
struct Node {
    prev: Option<Rc<Node>>,
    piece: Piece,
    len: usize,
    hash: u64,
}

impl Drop for Node {
    /// Drops the chain behind this node iteratively: a key appended to a
    /// hundred thousand times would otherwise overflow the stack with
    /// nested drops.
    fn drop(&mut self) {
        let mut prev = self.prev.take();
        while let Some(node) = prev {
            match Rc::try_unwrap(node) {
                Ok(mut node) => prev = node.prev.take(),
                Err(_) => break,
            }
        }
    }
}

/// Immutable text: the empty string, or a chain of pieces. See the module
/// docs.
#[derive(Clone, Default)]
pub struct Text(Option<Rc<Node>>);

impl Text {
    /// The text `piece` (what a `put` leaves).
    pub fn of(piece: &Piece) -> Self {
        if piece.text.is_empty() {
            return Text(None);
        }
        Text(Some(Rc::new(Node {
            prev: None,
            piece: piece.clone(),
            len: piece.text.len(),
            hash: piece.hash,
        })))
    }

    /// This text followed by `piece` (what an `append` leaves).
    pub fn append(&self, piece: &Piece) -> Self {
        if piece.text.is_empty() {
            return self.clone();
        }
        Text(Some(Rc::new(Node {
            prev: self.0.clone(),
            piece: piece.clone(),
            len: self.len() + piece.text.len(),
            hash: self
                .poly_hash()
                .wrapping_mul(piece.power)
                .wrapping_add(piece.hash),
        })))
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |n| n.len)
    }

    /// True for the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    fn poly_hash(&self) -> u64 {
        self.0.as_ref().map_or(0, |n| n.hash)
    }

    /// Whether this text is exactly `piece`'s (what a `get` must read).
    pub fn matches(&self, piece: &Piece) -> bool {
        if self.len() != piece.text.len() || self.poly_hash() != piece.hash {
            return false;
        }
        let target = piece.text.as_bytes();
        let mut end = target.len();
        let mut node = self.0.as_deref();
        while let Some(n) = node {
            let p = n.piece.text.as_bytes();
            if target[end - p.len()..end] != *p {
                return false;
            }
            end -= p.len();
            node = n.prev.as_deref();
        }
        true
    }

    /// Heap bytes of the newest piece's node (older nodes are shared with
    /// the states this one grew from).
    pub(crate) fn node_bytes(&self) -> usize {
        self.0
            .as_ref()
            .map_or(0, |_| std::mem::size_of::<Node>() + 16)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut pieces = Vec::new();
        let mut node = self.0.as_deref();
        while let Some(n) = node {
            pieces.push(n.piece.as_str());
            node = n.prev.as_deref();
        }
        pieces.reverse();
        f.write_str(&pieces.concat())
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.to_string())
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.poly_hash() ^ (self.len() as u64).rotate_left(32));
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        if self.len() != other.len() || self.poly_hash() != other.poly_hash() {
            return false;
        }
        // Walk both chains from the end, comparing the overlapping parts of
        // their pieces; chains that meet share the rest.
        let (mut a, mut b) = (self.0.as_deref(), other.0.as_deref());
        let (mut ra, mut rb) = (
            a.map_or(0, |n| n.piece.text.len()),
            b.map_or(0, |n| n.piece.text.len()),
        );
        while let (Some(na), Some(nb)) = (a, b) {
            if std::ptr::eq(na, nb) && ra == rb && ra == na.piece.text.len() {
                return true;
            }
            let k = ra.min(rb);
            let pa = &na.piece.text.as_bytes()[ra - k..ra];
            let pb = &nb.piece.text.as_bytes()[rb - k..rb];
            if !(std::ptr::eq(pa, pb) || pa == pb) {
                return false;
            }
            ra -= k;
            rb -= k;
            if ra == 0 {
                a = na.prev.as_deref();
                ra = a.map_or(0, |n| n.piece.text.len());
            }
            if rb == 0 {
                b = nb.prev.as_deref();
                rb = b.map_or(0, |n| n.piece.text.len());
            }
        }
        a.is_none() && b.is_none()
    }
}

impl Eq for Text {}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(pieces: &[&str]) -> Text {
        let mut t = Text::default();
        for p in pieces {
            t = t.append(&Piece::new(p));
        }
        t
    }

    #[test]
    fn texts_compare_by_content_whatever_their_pieces() {
        let a = build(&["ab", "cde", "f"]);
        let b = build(&["a", "bcd", "ef"]);
        let c = Text::of(&Piece::new("abcdef"));
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a.to_string(), "abcdef");
        assert_ne!(a, build(&["ab", "cdf", "e"]));
        assert_ne!(a, build(&["abcde"]));
        assert_eq!(Text::default(), build(&["", ""]));
        let hash = |t: &Text| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            t.hash(&mut h);
            h.finish()
        };
        assert_eq!(hash(&a), hash(&c));
    }

    #[test]
    fn a_very_long_chain_drops_without_overflowing_the_stack() {
        // On a small stack, where a recursive drop would overflow.
        let len = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(|| {
                let piece = Piece::new("x");
                let mut t = Text::default();
                for _ in 0..1_000_000 {
                    t = t.append(&piece);
                }
                let len = t.len();
                drop(t);
                len
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(len, 1_000_000);
    }

    #[test]
    fn matches_is_exact() {
        let t = build(&["x 0 0 y", "x 1 0 y"]);
        assert!(t.matches(&Piece::new("x 0 0 yx 1 0 y")));
        assert!(!t.matches(&Piece::new("x 1 0 yx 0 0 y")));
        assert!(!t.matches(&Piece::new("x 0 0 y")));
        assert!(Text::default().matches(&Piece::new("")));
        assert_eq!(format!("{t:?}"), "\"x 0 0 yx 1 0 y\"");
    }
}
