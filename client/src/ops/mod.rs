//! The replicated operations, one file per data type. Each is an `impl` of
//! the client's shared `Inner`, built from per-replica operations
//! (`replica.rs`), quorum fan-out (`quorum.rs`) and repair (`repair.rs`).

mod counter;
mod list;
mod probe;
mod register;

pub(crate) use counter::merge as merge_counters;
pub(crate) use register::newest as newest_register;

use crate::error::{ErrorKind, Result};
use crate::known_bugs::KnownBug;
use crate::pool::NodePool;
use crate::replica::WriteAck;

/// A replica write's outcome as the write quorum counts it. Under the
/// `count-timeouts-as-acks` known-bug switch a timed-out replica counts too.
pub(crate) fn as_ack(pool: &NodePool, result: Result<WriteAck>) -> Result<WriteAck> {
    match result {
        Err(e)
            if e.kind() == ErrorKind::Timeout && pool.bugs().has(KnownBug::CountTimeoutsAsAcks) =>
        {
            Ok(WriteAck::AlreadyCurrent)
        }
        other => other,
    }
}
