//! Errors that say honestly whether the request may have been applied.
//!
//! Rule 4 of the house: an outcome whose reply never came is *indeterminate*.
//! Every [`Error`] carries a [`Certainty`], and callers (the workload, the
//! retry logic) decide from it whether a retry could duplicate an effect.

use std::fmt;

/// Whether a failed request may still have taken effect on the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Certainty {
    /// The request certainly did not take effect: it was never written, or the
    /// server rejected it with an error reply.
    NotApplied,
    /// The request was (or may have been) written but no proper reply came
    /// back: it may or may not have been applied (Jepsen's `:info`).
    Indeterminate,
}

/// What went wrong, by class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorKind {
    /// Dialling the node failed or timed out.
    Connect,
    /// Connection set-up (CLIENT SETNAME, READONLY, ...) failed.
    Setup,
    /// No reply within the command timeout.
    Timeout,
    /// The connection broke (reset, EOF) mid-request.
    Io,
    /// The reply bytes were not valid RESP.
    Protocol,
    /// A well-formed reply of the wrong shape for the command.
    UnexpectedReply,
    /// The server answered with an error reply (`-ERR ...`).
    Server,
    /// Too few replicas answered for the operation's quorum.
    Quorum,
    /// The whole operation ran out of time (`operation_timeout`).
    OperationTimeout,
    /// The client was misconfigured.
    Config,
}

/// An error from the anarchoredis client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    certainty: Certainty,
    detail: String,
}

impl Error {
    /// A new error. `detail` is a human sentence.
    pub fn new(kind: ErrorKind, certainty: Certainty, detail: impl Into<String>) -> Self {
        Error {
            kind,
            certainty,
            detail: detail.into(),
        }
    }

    /// The error class.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Whether the request may have been applied.
    pub fn certainty(&self) -> Certainty {
        self.certainty
    }

    /// True when the request may have been applied.
    pub fn is_indeterminate(&self) -> bool {
        self.certainty == Certainty::Indeterminate
    }

    /// The human-readable detail.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let certainty = match self.certainty {
            Certainty::NotApplied => "not applied",
            Certainty::Indeterminate => "indeterminate",
        };
        write!(f, "{:?} ({certainty}): {}", self.kind, self.detail)
    }
}

impl std::error::Error for Error {}

/// The client's result type.
pub type Result<T> = std::result::Result<T, Error>;
