//! Registers: a single value read and overwritten (`register`), also
//! compared-and-set (`cas-register`, `etcd-cas-register`).
//!
//! Jepsen's operations: `read` (its `ok` value is what it read), `write v`,
//! `cas [from to]`. The register starts at nil. Semantics:
//! - `cas-register` is Knossos's: a `fail`ed operation never took effect
//!   and says nothing, so it is left out;
//! - `etcd-cas-register` is Porcupine's etcd model: a `fail`ed cas was
//!   answered "compare failed", so it observed a value other than `from`.
//!
//! Reads that timed out (`info`, or `fail`) are left out: they constrain
//! nothing. Values are shared (`Arc`), so stepping never copies a string.

use std::sync::Arc;

use crate::history::Value;
use crate::linearizability::{Call, Model, Outcome, Prepared};

/// A register operation with its observed output.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RegisterOp {
    /// Read this value.
    Read(Arc<Value>),
    /// Wrote this value.
    Write(Arc<Value>),
    /// Compare-and-set from `from` to `to`.
    Cas {
        /// The expected value.
        from: Arc<Value>,
        /// The new value.
        to: Arc<Value>,
        /// What the operation answered.
        outcome: CasOutcome,
    },
}

/// What a compare-and-set answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CasOutcome {
    /// It swapped: the register held `from`.
    Swapped,
    /// The compare failed: the register held something else (etcd).
    CompareFailed,
    /// Unknown (`info`): if it took effect, it swapped.
    Unknown,
}

/// A read/write register starting at nil (`--model register`).
#[derive(Clone, Copy, Debug, Default)]
pub struct RegisterModel;

/// A compare-and-set register starting at nil (`--model cas-register`, or
/// `etcd-cas-register` with [`CasRegisterModel::etcd`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct CasRegisterModel {
    /// Porcupine's etcd semantics: a failed cas observed a value other than
    /// its `from` (instead of saying nothing).
    pub failed_cas_observes: bool,
}

impl CasRegisterModel {
    /// Knossos's semantics: a failed cas is left out.
    pub fn knossos() -> Self {
        CasRegisterModel {
            failed_cas_observes: false,
        }
    }

    /// Porcupine's etcd semantics: a failed cas observed another value.
    pub fn etcd() -> Self {
        CasRegisterModel {
            failed_cas_observes: true,
        }
    }
}

fn arg(call: &Call<'_>) -> Result<Arc<Value>, String> {
    call.argument()
        .cloned()
        .map(Arc::new)
        .ok_or_else(|| format!("{} needs a value", call.f))
}

fn prepare_read_write(call: &Call<'_>) -> Result<Option<Prepared<RegisterOp>>, String> {
    let f = call.f;
    Ok(Some(if f.eq_ignore_ascii_case("read") {
        match call.outcome {
            Outcome::Ok(v) => Prepared::Check(RegisterOp::Read(Arc::new(v.clone()))),
            _ => Prepared::Skip,
        }
    } else if f.eq_ignore_ascii_case("write") {
        match call.outcome {
            Outcome::Fail(_) => Prepared::Skip,
            _ => Prepared::Check(RegisterOp::Write(arg(call)?)),
        }
    } else {
        return Ok(None);
    }))
}

fn step(state: &Arc<Value>, op: &RegisterOp) -> Option<Arc<Value>> {
    match op {
        RegisterOp::Read(v) => (state == v).then(|| state.clone()),
        RegisterOp::Write(v) => Some(v.clone()),
        RegisterOp::Cas { from, to, outcome } => match outcome {
            CasOutcome::Swapped | CasOutcome::Unknown => (state == from).then(|| to.clone()),
            CasOutcome::CompareFailed => (state != from).then(|| state.clone()),
        },
    }
}

fn read_only(op: &RegisterOp) -> bool {
    matches!(
        op,
        RegisterOp::Read(_)
            | RegisterOp::Cas {
                outcome: CasOutcome::CompareFailed,
                ..
            }
    )
}

fn describe(op: &RegisterOp) -> String {
    match op {
        RegisterOp::Read(v) => format!("read() -> {v}"),
        RegisterOp::Write(v) => format!("write({v})"),
        RegisterOp::Cas { from, to, outcome } => {
            let out = match outcome {
                CasOutcome::Swapped => "ok",
                CasOutcome::CompareFailed => "fail",
                CasOutcome::Unknown => "unknown",
            };
            format!("cas({from}, {to}) -> {out}")
        }
    }
}

fn why_not(state: &Arc<Value>, op: &RegisterOp) -> String {
    match op {
        RegisterOp::Read(v) => format!("it read {v}, but the register holds {state}"),
        RegisterOp::Cas {
            from,
            outcome: CasOutcome::CompareFailed,
            ..
        } => format!("its compare failed, but the register holds {from}, the value it expected"),
        RegisterOp::Cas { from, .. } => {
            format!("it expected {from}, but the register holds {state}")
        }
        RegisterOp::Write(_) => "a write is always possible".to_string(),
    }
}

impl Model for RegisterModel {
    type Op = RegisterOp;
    type State = Arc<Value>;

    fn name(&self) -> &'static str {
        "register"
    }

    fn prepare(&self, call: &Call<'_>) -> Result<Prepared<RegisterOp>, String> {
        prepare_read_write(call)?.ok_or_else(|| "a register knows only read and write".to_string())
    }

    fn init(&self) -> Arc<Value> {
        Arc::new(Value::Nil)
    }

    fn step(&self, state: &Arc<Value>, op: &RegisterOp) -> Option<Arc<Value>> {
        step(state, op)
    }

    fn read_only(&self, op: &RegisterOp) -> bool {
        read_only(op)
    }

    fn describe_op(&self, op: &RegisterOp) -> String {
        describe(op)
    }

    fn describe_state(&self, state: &Arc<Value>) -> String {
        state.to_string()
    }

    fn why_not(&self, state: &Arc<Value>, op: &RegisterOp) -> String {
        why_not(state, op)
    }
}

impl Model for CasRegisterModel {
    type Op = RegisterOp;
    type State = Arc<Value>;

    fn name(&self) -> &'static str {
        if self.failed_cas_observes {
            "etcd-cas-register"
        } else {
            "cas-register"
        }
    }

    fn prepare(&self, call: &Call<'_>) -> Result<Prepared<RegisterOp>, String> {
        if let Some(p) = prepare_read_write(call)? {
            return Ok(p);
        }
        if !call.f.eq_ignore_ascii_case("cas") {
            return Err("a cas register knows only read, write and cas".to_string());
        }
        let outcome = match call.outcome {
            Outcome::Ok(_) => CasOutcome::Swapped,
            Outcome::Info => CasOutcome::Unknown,
            Outcome::Fail(_) if self.failed_cas_observes => CasOutcome::CompareFailed,
            Outcome::Fail(_) => return Ok(Prepared::Skip),
        };
        match call.argument() {
            Some(Value::List(pair)) if pair.len() == 2 => Ok(Prepared::Check(RegisterOp::Cas {
                from: Arc::new(pair[0].clone()),
                to: Arc::new(pair[1].clone()),
                outcome,
            })),
            other => Err(format!(
                "cas needs a [from to] pair, got {}",
                other.map_or("nothing".to_string(), Value::to_string)
            )),
        }
    }

    fn init(&self) -> Arc<Value> {
        Arc::new(Value::Nil)
    }

    fn step(&self, state: &Arc<Value>, op: &RegisterOp) -> Option<Arc<Value>> {
        step(state, op)
    }

    fn read_only(&self, op: &RegisterOp) -> bool {
        read_only(op)
    }

    fn describe_op(&self, op: &RegisterOp) -> String {
        describe(op)
    }

    fn describe_state(&self, state: &Arc<Value>) -> String {
        state.to_string()
    }

    fn why_not(&self, state: &Arc<Value>, op: &RegisterOp) -> String {
        why_not(state, op)
    }
}
