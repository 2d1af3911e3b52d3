//! `EVAL script numkeys [key ...] [arg ...]`: runs one of the scripts
//! fake-redis emulates natively (see `scripts.rs`); any other script
//! answers an error. With scripting switched off
//! ([`ServerConfig::scripting`](crate::ServerConfig::scripting)) `EVAL` is an
//! unknown command, like a server or proxy that does not offer it.

use bytes::Bytes;

use super::{Env, Parse, parse, table};
use crate::db::Keyspace;
use crate::frame::Reply;
use crate::scripts;
use crate::session::Session;

/// A parsed `EVAL`.
#[derive(Debug)]
pub(crate) struct Eval {
    script: Bytes,
    keys: Vec<Bytes>,
    args: Vec<Bytes>,
}

impl Eval {
    /// Parse: the script, the key count, the keys and the arguments, with
    /// Redis 7's errors for a bad key count.
    pub(crate) fn parse(p: &mut Parse) -> Result<Eval, Reply> {
        let script = p.next_bytes()?;
        let numkeys = parse::parse_i64(&p.next_bytes()?).ok_or_else(parse::not_an_integer)?;
        let mut keys = p.rest();
        if numkeys < 0 {
            return Err(Reply::error("ERR Number of keys can't be negative"));
        }
        let numkeys = usize::try_from(numkeys).unwrap_or(usize::MAX);
        if numkeys > keys.len() {
            return Err(Reply::error(
                "ERR Number of keys can't be greater than number of args",
            ));
        }
        let args = keys.split_off(numkeys);
        Ok(Eval { script, keys, args })
    }

    /// Apply and reply: the script's reply, or its error.
    pub(crate) fn apply(
        self,
        keyspace: &mut Keyspace,
        session: &mut Session,
        env: Env<'_>,
    ) -> Reply {
        let Some(script) = scripts::find(&self.script) else {
            return scripts::unknown_script();
        };
        let mut call = |args: Vec<Bytes>| match table::lookup(args) {
            Ok(request) => request.command.apply(keyspace, session, env),
            Err(rejection) => rejection,
        };
        scripts::run(script, self.keys, self.args, &mut call)
    }
}
