//! `FLUSHALL [ASYNC | SYNC]`: delete every key.

use super::Parse;
use super::parse::syntax_error;
use crate::db::Keyspace;
use crate::frame::Reply;

/// A parsed `FLUSHALL`. `ASYNC` and `SYNC` are accepted and mean the same:
/// the flush is done before the reply either way.
#[derive(Debug)]
pub(crate) struct FlushAll;

impl FlushAll {
    /// Parse: at most one of `ASYNC`, `SYNC`.
    pub(crate) fn parse(parse: &mut Parse) -> Result<FlushAll, Reply> {
        let rest = parse.rest();
        match rest.as_slice() {
            [] => Ok(FlushAll),
            [mode] if mode.eq_ignore_ascii_case(b"ASYNC") || mode.eq_ignore_ascii_case(b"SYNC") => {
                Ok(FlushAll)
            }
            _ => Err(syntax_error()),
        }
    }

    /// Apply and reply: `+OK`.
    pub(crate) fn apply(self, keyspace: &mut Keyspace) -> Reply {
        keyspace.flush();
        Reply::ok()
    }
}
