//! A lock (`--model mutex`), as Knossos models it: `acquire` succeeds only
//! when the lock is free, `release` only when it is held (by anyone).
//! Failed operations are left out. One lock per key, or one for the whole
//! history when operations carry no key.

use crate::linearizability::{Call, Model, Outcome, Prepared};

/// A lock operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MutexOp {
    /// Took the lock.
    Acquire,
    /// Gave it back.
    Release,
}

/// The mutex model. See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct MutexModel;

impl Model for MutexModel {
    type Op = MutexOp;
    /// Whether the lock is held.
    type State = bool;

    fn name(&self) -> &'static str {
        "mutex"
    }

    fn prepare(&self, call: &Call<'_>) -> Result<Prepared<MutexOp>, String> {
        let op = if call.f.eq_ignore_ascii_case("acquire") {
            MutexOp::Acquire
        } else if call.f.eq_ignore_ascii_case("release") {
            MutexOp::Release
        } else {
            return Err("a mutex knows only acquire and release".to_string());
        };
        Ok(match call.outcome {
            Outcome::Fail(_) => Prepared::Skip,
            _ => Prepared::Check(op),
        })
    }

    fn init(&self) -> bool {
        false
    }

    fn step(&self, held: &bool, op: &MutexOp) -> Option<bool> {
        match op {
            MutexOp::Acquire => (!held).then_some(true),
            MutexOp::Release => held.then_some(false),
        }
    }

    fn describe_op(&self, op: &MutexOp) -> String {
        match op {
            MutexOp::Acquire => "acquire()".into(),
            MutexOp::Release => "release()".into(),
        }
    }

    fn describe_state(&self, held: &bool) -> String {
        if *held { "held" } else { "free" }.to_string()
    }

    fn why_not(&self, held: &bool, op: &MutexOp) -> String {
        match (op, held) {
            (MutexOp::Acquire, _) => "the lock is already held".into(),
            (MutexOp::Release, _) => "the lock is not held".into(),
        }
    }
}
