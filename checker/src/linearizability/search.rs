//! The linearizability search for one partition: Wing & Gong's tree search
//! with Lowe's memo of configurations (the "WGL" algorithm Porcupine and
//! Knossos use), plus three prunings that keep it complete.
//!
//! The history is a doubly-linked list of call and return entries in
//! real-time order. The search walks it from the front: at a call it tries
//! to linearise that operation now (the model must allow it, and the new
//! configuration must be unexplored); if so it lifts the operation's entries
//! out of the list and starts again from the front. Reaching a return
//! entry means that operation had to take effect already and could not:
//! the search backtracks, undoing the last linearisation and trying the next
//! call after it. The history is linearizable when every operation that
//! must take effect has been linearised; not, when backtracking empties the
//! stack.
//!
//! Indeterminate operations (`info`, or never completed) have a call entry
//! but no return entry: they may be linearised at any point after their
//! call, and the search ends successfully without them — "never took
//! effect".
//!
//! Prunings, each of which keeps the search complete:
//! 1. **Memo** ([`Memo`]): a configuration (set of linearised operations,
//!    model state) is explored once, and not at all when an explored one
//!    has the same state and state-changing operations and at least its
//!    observations (it dominates: fewer reads left to place).
//! 2. **Observations are placed eagerly, all at once.** When a pending
//!    operation that never changes the state ([`Model::read_only`]: a read,
//!    a failed compare-and-set) is allowed now, any successful continuation
//!    can be rearranged to place it first: it changes nothing for the
//!    others, and placing it earlier can only satisfy its own deadline
//!    (every operation that had to precede it is placed already, or the
//!    search would not have reached its call). So after every step the
//!    search places every observation that is possible, as part of that
//!    step, and never branches on observations: it records only the
//!    configuration after them, which halves the memo on read-heavy
//!    histories. (Only for operations read-only in *every* state: a write
//!    of the value the register already holds changes nothing here but
//!    would elsewhere.)
//! 3. **Identical indeterminate operations are placed in invoke order.**
//!    Two `info` operations with equal `Op`s are interchangeable, and the
//!    earlier-invoked one can stand wherever the later one could; so the
//!    later one is only tried once the earlier one is placed. Jepsen
//!    histories have many timed-out writes of the same few values, and this
//!    removes the factorial blow-up of their orders.

use std::time::Instant;

use super::memo::{Memo, hash_state, op_key};
use super::model::Model;

/// One operation of a partition, prepared for the search.
#[derive(Clone, Debug)]
pub(crate) struct PartOp<O> {
    /// The model's operation.
    pub(crate) op: O,
    /// Real-time position of its invoke (a history index).
    pub(crate) invoke: u64,
    /// Real-time position of its completion when it must take effect
    /// before it; `None` when it may take effect at any time after the
    /// invoke, or never.
    pub(crate) complete: Option<u64>,
}

/// What stops a search early.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// The most bytes the memo may hold (deterministic).
    pub(crate) max_memo_bytes: u64,
    /// A wall-clock deadline (not deterministic; for interactive use).
    pub(crate) deadline: Option<Instant>,
}

/// Why a search gave up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GaveUp {
    /// The memo reached its byte budget.
    Memory,
    /// The deadline passed.
    Time,
}

/// Where a non-linearizable partition got stuck: the furthest point the
/// search reached (the latest return entry, then the deepest stack there).
#[derive(Clone, Debug)]
pub(crate) struct Stuck<S> {
    /// The longest partial linearisation: operation indices in order, each
    /// with the state after it.
    pub(crate) linearized: Vec<(u32, S)>,
    /// The operation whose completion came before it could take effect.
    pub(crate) op: u32,
    /// The state at the end of the partial linearisation.
    pub(crate) state: S,
    /// Which operations the partial linearisation holds, by index.
    pub(crate) placed: Vec<bool>,
}

/// The result of searching one partition.
#[derive(Clone, Debug)]
pub(crate) enum Found<S> {
    /// Some order of the operations satisfies the model and real time.
    Linearizable,
    /// None does; with the furthest point reached, when asked for.
    NotLinearizable(Option<Stuck<S>>),
    /// The search stopped before deciding.
    GaveUp(GaveUp),
}

/// The search's outcome and how many configurations it recorded.
#[derive(Clone, Debug)]
pub(crate) struct SearchResult<S> {
    pub(crate) found: Found<S>,
    pub(crate) states: u64,
}

const NIL: u32 = u32::MAX;

/// One step of the search: an operation placed, and the observations
/// placed with it (`observed[first_observed..]` up to the next frame's).
struct Frame<S> {
    op: u32,
    before: S,
    first_observed: usize,
}

/// The entry list (see the module docs), as arrays: entry `e` for `e <
/// len` is a call or return in real-time order; `head` is the sentinel.
struct Entries {
    next: Vec<u32>,
    prev: Vec<u32>,
    op: Vec<u32>,
    is_return: Vec<bool>,
    call_of: Vec<u32>,
    return_of: Vec<u32>,
    head: u32,
}

impl Entries {
    fn new<O>(ops: &[PartOp<O>]) -> Self {
        let mut order: Vec<(u64, bool, u32)> = Vec::with_capacity(ops.len() * 2);
        for (i, op) in ops.iter().enumerate() {
            order.push((op.invoke, false, i as u32));
            if let Some(c) = op.complete {
                order.push((c, true, i as u32));
            }
        }
        // Positions are distinct history indices; the flag breaks ties in
        // favour of calls (concurrency), should a caller reuse one.
        order.sort_unstable();
        let len = order.len();
        let head = len as u32;
        let mut e = Entries {
            next: vec![NIL; len + 1],
            prev: vec![NIL; len + 1],
            op: Vec::with_capacity(len),
            is_return: Vec::with_capacity(len),
            call_of: vec![NIL; ops.len()],
            return_of: vec![NIL; ops.len()],
            head,
        };
        let mut last = head;
        for (i, &(_, ret, op)) in order.iter().enumerate() {
            let i = i as u32;
            e.op.push(op);
            e.is_return.push(ret);
            if ret {
                e.return_of[op as usize] = i;
            } else {
                e.call_of[op as usize] = i;
            }
            e.next[last as usize] = i;
            e.prev[i as usize] = last;
            last = i;
        }
        e
    }

    #[inline]
    fn unlink(&mut self, i: u32) {
        let (p, n) = (self.prev[i as usize], self.next[i as usize]);
        self.next[p as usize] = n;
        if n != NIL {
            self.prev[n as usize] = p;
        }
    }

    #[inline]
    fn relink(&mut self, i: u32) {
        let (p, n) = (self.prev[i as usize], self.next[i as usize]);
        self.next[p as usize] = i;
        if n != NIL {
            self.prev[n as usize] = i;
        }
    }

    /// Takes an operation's entries out of the list.
    #[inline]
    fn lift(&mut self, op: u32) {
        self.unlink(self.call_of[op as usize]);
        let r = self.return_of[op as usize];
        if r != NIL {
            self.unlink(r);
        }
    }

    /// Puts them back (in the reverse order, as dancing links require).
    #[inline]
    fn unlift(&mut self, op: u32) {
        let r = self.return_of[op as usize];
        if r != NIL {
            self.relink(r);
        }
        self.relink(self.call_of[op as usize]);
    }
}

/// For each indeterminate operation, the closest earlier-invoked
/// indeterminate operation with an equal `Op` (pruning 3), or `NIL`.
fn twins<O: Eq + std::hash::Hash>(ops: &[PartOp<O>]) -> Vec<u32> {
    let mut by_invoke: Vec<u32> = (0..ops.len() as u32).collect();
    by_invoke.sort_by_key(|&i| ops[i as usize].invoke);
    let mut last: std::collections::HashMap<&O, u32> = std::collections::HashMap::new();
    let mut twin = vec![NIL; ops.len()];
    for i in by_invoke {
        let op = &ops[i as usize];
        if op.complete.is_none() {
            if let Some(&prev) = last.get(&op.op) {
                twin[i as usize] = prev;
            }
            last.insert(&op.op, i);
        }
    }
    twin
}

/// The candidates of one configuration: the pending operations that change
/// the state (calls before the first return entry), in invoke order, and
/// how far the search has got through them.
struct Level {
    candidates: Vec<u32>,
    next: usize,
    /// The entry the candidates stop at (the first return entry), or NIL.
    stop: u32,
}

/// The search's mutable configuration: placed operations, the entry list,
/// the state and its hash.
struct Config<'a, M: Model> {
    model: &'a M,
    ops: &'a [PartOp<M::Op>],
    read_only: Vec<bool>,
    keys: Vec<u64>,
    list: Entries,
    bits: Vec<u64>,
    zobrist: u64,
    state: M::State,
    remaining: usize,
    /// Observations placed, in order (see [`Frame`]).
    observed: Vec<u32>,
}

impl<M: Model> Config<'_, M> {
    fn place(&mut self, i: u32) {
        set_bit(&mut self.bits, i as usize);
        // Observations stay out of the hash (the memo's dominance check).
        if !self.read_only[i as usize] {
            self.zobrist ^= self.keys[i as usize];
        }
        self.list.lift(i);
        if self.ops[i as usize].complete.is_some() {
            self.remaining -= 1;
        }
    }

    fn unplace(&mut self, i: u32) {
        clear_bit(&mut self.bits, i as usize);
        if !self.read_only[i as usize] {
            self.zobrist ^= self.keys[i as usize];
        }
        self.list.unlift(i);
        if self.ops[i as usize].complete.is_some() {
            self.remaining += 1;
        }
    }

    /// Places every pending observation the state allows (pruning 2) and
    /// returns the configuration reached, with its candidates: the pending
    /// state-changing operations, in invoke order. One pass does both:
    /// observations do not change the state, and placing one lifts its
    /// return entry, so the walk goes on past it.
    fn observe(&mut self, spare: &mut Vec<Vec<u32>>) -> Level {
        let mut candidates = spare.pop().unwrap_or_default();
        candidates.clear();
        // `live` is the last entry walked that is still in the list: after
        // lifting an operation (its call, and maybe the very next entry,
        // its return) the walk resumes from `live`'s successor.
        let mut live = self.list.head;
        let mut e = self.list.next[live as usize];
        while e != NIL && !self.list.is_return[e as usize] {
            let i = self.list.op[e as usize];
            if !self.read_only[i as usize] {
                candidates.push(i);
            } else if self.model.possible(&self.state, &self.ops[i as usize].op) {
                self.place(i);
                self.observed.push(i);
                e = self.list.next[live as usize];
                continue;
            }
            live = e;
            e = self.list.next[live as usize];
        }
        Level {
            candidates,
            next: 0,
            stop: e,
        }
    }

    /// Undoes the observations placed since `first`.
    fn unobserve(&mut self, first: usize) {
        while self.observed.len() > first {
            let i = self.observed.pop().expect("len > first");
            self.unplace(i);
        }
    }
}

/// Searches one partition. With `track`, a non-linearizable result carries
/// the furthest point reached (costs a copy of the stack each time it
/// improves, so the driver asks only when re-running a failed partition).
///
/// Each step places one state-changing operation (tried in invoke order,
/// as WGL's list walk would; ordering by deadline or by the middle of the
/// interval was measured: it cut most of Porcupine's c50-ok keys by 3-20x
/// but multiplied one by 4, where a long-pending append had to come early)
/// followed by every observation that is then possible.
pub(crate) fn search<M: Model>(
    model: &M,
    ops: &[PartOp<M::Op>],
    limits: &Limits,
    track: bool,
) -> SearchResult<M::State> {
    let n = ops.len();
    let remaining = ops.iter().filter(|o| o.complete.is_some()).count();
    if remaining == 0 {
        return SearchResult {
            found: Found::Linearizable,
            states: 0,
        };
    }
    let twin = twins(ops);
    let words = n.div_ceil(64);
    let mut c = Config {
        model,
        ops,
        read_only: ops.iter().map(|o| model.read_only(&o.op)).collect(),
        keys: (0..n).map(op_key).collect(),
        list: Entries::new(ops),
        bits: vec![0u64; words],
        zobrist: 0,
        state: model.init(),
        remaining,
        observed: Vec::new(),
    };
    let mut observations = vec![0u64; words];
    for (i, &r) in c.read_only.iter().enumerate() {
        if r {
            set_bit(&mut observations, i);
        }
    }
    let mut memo: Memo<M::State> = Memo::new(words, observations);
    let mut stack: Vec<Frame<M::State>> = Vec::new();
    let mut levels: Vec<Level> = Vec::new();
    let mut spare: Vec<Vec<u32>> = Vec::new();
    let mut best: Option<(u32, usize, Stuck<M::State>)> = None;
    let mut steps: u64 = 0;

    let result = |found, memo: &Memo<M::State>| SearchResult {
        found,
        states: memo.len() as u64,
    };
    let root = c.observe(&mut spare);
    if c.remaining == 0 {
        return result(Found::Linearizable, &memo);
    }
    levels.push(root);

    loop {
        steps += 1;
        if steps & 0xfff == 0
            && let Some(deadline) = limits.deadline
            && Instant::now() >= deadline
        {
            return result(Found::GaveUp(GaveUp::Time), &memo);
        }
        let top = levels.last_mut().expect("a level per configuration");
        if let Some(&i) = top.candidates.get(top.next) {
            top.next += 1;
            let iu = i as usize;
            if twin[iu] != NIL && !bit(&c.bits, twin[iu] as usize) {
                continue;
            }
            let Some(next_state) = model.step(&c.state, &ops[iu].op) else {
                continue;
            };
            let before = std::mem::replace(&mut c.state, next_state);
            let first_observed = c.observed.len();
            c.place(i);
            let next = c.observe(&mut spare);
            let hash = c.zobrist ^ hash_state(&c.state);
            let heap = model.state_heap_bytes(&c.state);
            if !memo.insert(hash, &c.bits, &c.state, heap) {
                // Explored already (and failed): undo and try the next.
                spare.push(next.candidates);
                c.unobserve(first_observed);
                c.unplace(i);
                c.state = before;
                continue;
            }
            if memo.bytes() > limits.max_memo_bytes {
                return result(Found::GaveUp(GaveUp::Memory), &memo);
            }
            stack.push(Frame {
                op: i,
                before,
                first_observed,
            });
            if c.remaining == 0 {
                return result(Found::Linearizable, &memo);
            }
            levels.push(next);
            continue;
        }
        // Every candidate failed: the operation of the first return entry
        // cannot be linearised in this configuration.
        let done = levels.pop().expect("the top level");
        if track && done.stop != NIL {
            let at = (done.stop, stack.len());
            if best.as_ref().is_none_or(|b| (b.0, b.1) < at) {
                best = Some((
                    at.0,
                    at.1,
                    snapshot(&stack, &c, c.list.op[done.stop as usize], n),
                ));
            }
        }
        spare.push(done.candidates);
        let Some(frame) = stack.pop() else {
            return result(Found::NotLinearizable(best.map(|b| b.2)), &memo);
        };
        c.unobserve(frame.first_observed);
        c.unplace(frame.op);
        c.state = frame.before;
    }
}

/// The current partial linearisation: each frame's operation with the
/// state after it, then the observations placed with it (same state).
fn snapshot<M: Model>(
    stack: &[Frame<M::State>],
    c: &Config<'_, M>,
    op: u32,
    n: usize,
) -> Stuck<M::State> {
    let mut linearized = Vec::with_capacity(c.observed.len() + stack.len());
    let mut placed = vec![false; n];
    let root_observed = stack.first().map_or(c.observed.len(), |f| f.first_observed);
    let root_state = stack.first().map_or(&c.state, |f| &f.before);
    for &i in &c.observed[..root_observed] {
        linearized.push((i, root_state.clone()));
    }
    for (k, frame) in stack.iter().enumerate() {
        let after = stack.get(k + 1).map_or(&c.state, |f| &f.before);
        linearized.push((frame.op, after.clone()));
        let end = stack
            .get(k + 1)
            .map_or(c.observed.len(), |f| f.first_observed);
        for &i in &c.observed[frame.first_observed..end] {
            linearized.push((i, after.clone()));
        }
    }
    for &(i, _) in &linearized {
        placed[i as usize] = true;
    }
    Stuck {
        linearized,
        op,
        state: c.state.clone(),
        placed,
    }
}

#[inline]
fn bit(bits: &[u64], i: usize) -> bool {
    bits[i / 64] & (1 << (i % 64)) != 0
}

#[inline]
fn set_bit(bits: &mut [u64], i: usize) {
    bits[i / 64] |= 1 << (i % 64);
}

#[inline]
fn clear_bit(bits: &mut [u64], i: usize) {
    bits[i / 64] &= !(1 << (i % 64));
}
