//! `PING [message]`: `+PONG`, or the message back as a bulk string.

use bytes::Bytes;

use super::parse::{Parse, wrong_arity};
use crate::frame::Reply;

/// A parsed `PING`.
#[derive(Debug)]
pub(crate) struct Ping {
    message: Option<Bytes>,
}

impl Ping {
    /// Parse: at most one argument. Redis checks this inside the command
    /// (the table's arity is -1), so it is the command's own error.
    pub(crate) fn parse(parse: &mut Parse) -> Result<Ping, Reply> {
        let message = parse.next_optional();
        if !parse.rest().is_empty() {
            return Err(wrong_arity("ping"));
        }
        Ok(Ping { message })
    }

    /// Apply and reply: nothing to change; `+PONG` or the bulk message.
    pub(crate) fn apply(self) -> Reply {
        match self.message {
            None => Reply::Simple("PONG".to_string()),
            Some(message) => Reply::Bulk(message),
        }
    }
}
