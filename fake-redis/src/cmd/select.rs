//! `SELECT index`: fake-redis has one database, db 0.

use bytes::Bytes;

use super::parse::{Parse, not_an_integer, parse_i64};
use crate::frame::Reply;

/// A parsed `SELECT`.
#[derive(Debug)]
pub(crate) struct Select {
    index: Bytes,
}

impl Select {
    /// Parse: one argument, checked when it runs (as Redis does).
    pub(crate) fn parse(parse: &mut Parse) -> Result<Select, Reply> {
        Ok(Select {
            index: parse.next_bytes()?,
        })
    }

    /// Apply and reply: `+OK` for 0, Redis' errors otherwise.
    pub(crate) fn apply(self) -> Reply {
        match parse_i64(&self.index) {
            None => not_an_integer(),
            Some(0) => Reply::ok(),
            Some(_) => Reply::error("ERR DB index is out of range"),
        }
    }
}
