//! `ECHO message`: the message back as a bulk string.

use bytes::Bytes;

use super::parse::Parse;
use crate::frame::Reply;

/// A parsed `ECHO`.
#[derive(Debug)]
pub(crate) struct Echo {
    message: Bytes,
}

impl Echo {
    /// Parse: exactly one argument (the table checks the arity).
    pub(crate) fn parse(parse: &mut Parse) -> Result<Echo, Reply> {
        Ok(Echo {
            message: parse.next_bytes()?,
        })
    }

    /// Apply and reply: the message as a bulk string.
    pub(crate) fn apply(self) -> Reply {
        Reply::Bulk(self.message)
    }
}
