//! `READONLY`, `READWRITE`: the cluster replica-read switches.
//!
//! fake-redis accepts both with `+OK` (real standalone Redis refuses them)
//! because cluster clients send `READONLY` on every new replica connection;
//! that is the command go-redis #1113 is about, and the one fault rules most
//! often slow down.

use crate::frame::Reply;

/// Which switch was sent.
#[derive(Debug)]
pub(crate) enum ReadMode {
    /// `READONLY`
    ReadOnly,
    /// `READWRITE`
    ReadWrite,
}

impl ReadMode {
    /// Apply and reply: there is no replica state to change; `+OK`.
    pub(crate) fn apply(self) -> Reply {
        match self {
            ReadMode::ReadOnly | ReadMode::ReadWrite => Reply::ok(),
        }
    }
}
