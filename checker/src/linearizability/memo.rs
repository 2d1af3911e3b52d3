//! The search's memory of configurations already explored: a set of
//! (linearised-operations bitset, model state) pairs, after Lowe's
//! improvement of the Wing & Gong search.
//!
//! Every configuration the search enters is recorded; entering one again
//! (reached by another order of the same operations, with the same state)
//! cannot lead anywhere new, so the search prunes it. The bitsets live in
//! one flat arena and the states in one vector, so an entry costs its bits,
//! its state and a few bytes of index — and the byte count is known exactly,
//! which is what makes the memory budget deterministic.
//!
//! Hashing: each operation has a fixed random 64-bit key and a bitset's
//! hash is the XOR of its members' keys (Zobrist hashing), so the search
//! updates it in O(1) per step. Observations (read-only operations) are
//! left out of the hash: a configuration is also pruned when a recorded one
//! has the same state-changing operations and state and at least its
//! observations (see [`Memo::insert`]). The state's hash is mixed in. The
//! hash only narrows the lookup: entries are compared in full, so a
//! collision can never prune a configuration wrongly.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// A small, fast, deterministic hasher for model states (the multiply-and-
/// rotate scheme of rustc's FxHasher). Not DoS-resistant, which does not
/// matter for a checker's private table.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const FX_K: u64 = 0xf135_7aea_2e62_a9c5;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = self.hash.wrapping_add(word).wrapping_mul(FX_K);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash.rotate_left(26)
    }
}

/// The hash of a model state.
#[inline]
pub(crate) fn hash_state<S: Hash>(state: &S) -> u64 {
    let mut h = FxHasher::default();
    state.hash(&mut h);
    // A final avalanche (splitmix64's), so that states differing in a low
    // bit spread over the whole word before the XOR with the bitset hash.
    mix(h.finish())
}

/// splitmix64's finaliser: a bijective avalanche of a 64-bit word.
#[inline]
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The Zobrist key of operation `i` of a partition: fixed, so runs agree.
#[inline]
pub(crate) fn op_key(i: usize) -> u64 {
    mix((i as u64).wrapping_add(0x9e37_79b9_7f4a_7c15))
}

/// Passes a precomputed 64-bit hash through unchanged.
#[derive(Default, Clone, Copy)]
pub(crate) struct PassThrough(u64);

impl Hasher for PassThrough {
    fn write(&mut self, _bytes: &[u8]) {
        unreachable!("only u64 keys are hashed")
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = i;
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

const NONE: u32 = u32::MAX;

/// Bytes one index slot costs in the hash map (a u64 key, a u32 value and
/// the control byte, with the table's spare capacity): an estimate used only
/// for the budget, the same on every run.
const SLOT_BYTES: usize = 24;

type Index = HashMap<u64, u32, BuildHasherDefault<PassThrough>>;

/// What a finished memo hands on: its emptied index, chain and bits.
type Spare = (Index, Vec<u32>, Vec<u64>);

/// The most index slots (and entries) a finished memo hands on to the next
/// search on its thread (about 60 MiB with its arrays); bigger ones are
/// freed.
const KEEP_SLOTS: usize = 1 << 20;

std::thread_local! {
    /// A finished search's emptied index and arrays, reused by the next
    /// search on the same thread: a partition's memo grows to tens of
    /// thousands of entries and the next one would otherwise rehash its way
    /// up again from nothing.
    static SPARE: std::cell::RefCell<Option<Spare>> =
        const { std::cell::RefCell::new(None) };
}

/// The set of explored configurations. See the module docs.
pub(crate) struct Memo<S> {
    heads: Index,
    states: Vec<S>,
    chain: Vec<u32>,
    bits: Vec<u64>,
    words: usize,
    /// Which operations are observations (see [`Memo::insert`]).
    observations: Vec<u64>,
    heap_bytes: usize,
}

impl<S: Eq> Memo<S> {
    /// An empty memo for bitsets of `words` 64-bit words; `observations`
    /// marks the read-only operations (a bitset of the same size).
    pub(crate) fn new(words: usize, observations: Vec<u64>) -> Self {
        debug_assert_eq!(observations.len(), words);
        let (heads, chain, bits) = SPARE.with(|s| s.borrow_mut().take()).unwrap_or_else(|| {
            (
                HashMap::with_capacity_and_hasher(1 << 10, Default::default()),
                Vec::new(),
                Vec::new(),
            )
        });
        Memo {
            heads,
            states: Vec::new(),
            chain,
            bits,
            words,
            observations,
            heap_bytes: 0,
        }
    }

    /// Records (`bits`, `state`) under `hash`; false when it, or a
    /// configuration that dominates it, was there. `state_heap` is what the
    /// state owns on the heap, for [`Memo::bytes`].
    ///
    /// A recorded configuration dominates this one when it has the same
    /// state, the same state-changing operations placed, and at least the
    /// same observations: whatever could still be done from here could be
    /// done from there, with fewer reads left to place, and it failed. So
    /// `hash` must cover the state and the state-changing operations only.
    #[inline]
    pub(crate) fn insert(&mut self, hash: u64, bits: &[u64], state: &S, state_heap: usize) -> bool
    where
        S: Clone,
    {
        let next = self.states.len() as u32;
        let head = match self.heads.entry(hash) {
            std::collections::hash_map::Entry::Occupied(mut slot) => {
                let mut i = *slot.get();
                while i != NONE {
                    let at = i as usize;
                    if self.states[at] == *state
                        && dominates(
                            &self.bits[at * self.words..(at + 1) * self.words],
                            bits,
                            &self.observations,
                        )
                    {
                        return false;
                    }
                    i = self.chain[at];
                }
                std::mem::replace(slot.get_mut(), next)
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(next);
                NONE
            }
        };
        self.states.push(state.clone());
        self.chain.push(head);
        self.bits.extend_from_slice(bits);
        self.heap_bytes += state_heap;
        true
    }

    /// How many configurations are recorded.
    pub(crate) fn len(&self) -> usize {
        self.states.len()
    }

    /// The memory the memo holds, by a fixed formula (so budgets decide the
    /// same way on every run).
    pub(crate) fn bytes(&self) -> u64 {
        let per_entry = self.words * 8 + std::mem::size_of::<S>() + 4 + SLOT_BYTES;
        (self.states.len() * per_entry + self.heap_bytes) as u64
    }
}

impl<S> Drop for Memo<S> {
    fn drop(&mut self) {
        if self.heads.capacity() > KEEP_SLOTS
            || self.chain.capacity() > KEEP_SLOTS
            || self.bits.capacity() > KEEP_SLOTS * 4
        {
            return;
        }
        let mut heads = std::mem::take(&mut self.heads);
        let mut chain = std::mem::take(&mut self.chain);
        let mut bits = std::mem::take(&mut self.bits);
        heads.clear();
        chain.clear();
        bits.clear();
        // Dropping during thread exit may find the slot already gone.
        let _ = SPARE.try_with(|s| *s.borrow_mut() = Some((heads, chain, bits)));
    }
}

/// Whether configuration `seen` dominates `now`: the same state-changing
/// operations, and a superset of its observations.
#[inline]
fn dominates(seen: &[u64], now: &[u64], observations: &[u64]) -> bool {
    seen.iter()
        .zip(now)
        .zip(observations)
        .all(|((&s, &n), &o)| (s ^ n) & !o == 0 && n & o & !s == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configuration_with_more_observations_dominates() {
        // Operation 1 is an observation.
        let mut memo: Memo<u32> = Memo::new(1, vec![0b10]);
        assert!(memo.insert(7, &[0b11], &3, 0));
        // Fewer observations, same writes and state: dominated.
        assert!(!memo.insert(7, &[0b01], &3, 0));
        // More observations: not dominated, recorded.
        let mut memo: Memo<u32> = Memo::new(1, vec![0b10]);
        assert!(memo.insert(7, &[0b01], &3, 0));
        assert!(memo.insert(7, &[0b11], &3, 0));
        // Different writes: not dominated.
        assert!(memo.insert(7, &[0b110], &3, 0));
    }

    #[test]
    fn a_configuration_is_recorded_once_and_collisions_are_told_apart() {
        let mut memo: Memo<u32> = Memo::new(1, vec![0]);
        assert!(memo.insert(7, &[0b1], &3, 0));
        assert!(!memo.insert(7, &[0b1], &3, 0));
        // Same hash, different bits or state: distinct entries.
        assert!(memo.insert(7, &[0b11], &3, 0));
        assert!(memo.insert(7, &[0b1], &4, 0));
        assert!(!memo.insert(7, &[0b11], &3, 0));
        assert_eq!(memo.len(), 3);
        assert!(memo.bytes() > 0);
    }

    #[test]
    fn state_hashes_are_stable_and_spread() {
        assert_eq!(hash_state(&42u64), hash_state(&42u64));
        assert_ne!(hash_state(&1u64), hash_state(&2u64));
        assert_ne!(op_key(0), op_key(1));
    }
}
