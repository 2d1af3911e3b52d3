//! `COMMAND`, `COMMAND DOCS`, `COMMAND COUNT`: command introspection, kept
//! minimal.
//!
//! Client libraries call these while connecting (redis-rs and go-redis ask
//! for `COMMAND DOCS` or `COMMAND` to learn key positions) and cope with an
//! empty answer, so fake-redis describes nothing rather than describing its
//! small command set wrongly.

use crate::frame::Reply;

/// Which introspection was asked for.
#[derive(Debug)]
pub(crate) enum Introspect {
    /// `COMMAND`: an empty array.
    List,
    /// `COMMAND DOCS [name ...]`: an empty map.
    Docs,
    /// `COMMAND COUNT`: how many top-level commands the table has.
    Count(usize),
}

impl Introspect {
    /// Apply and reply.
    pub(crate) fn apply(self) -> Reply {
        match self {
            Introspect::List => Reply::Array(Vec::new()),
            Introspect::Docs => Reply::Map(Vec::new()),
            Introspect::Count(count) => Reply::Integer(i64::try_from(count).unwrap_or(i64::MAX)),
        }
    }
}
