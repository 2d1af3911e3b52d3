//! Commands: the dispatch that runs a request now or queues it in a
//! transaction, and the parsed [`Command`] type.
//!
//! Each command lives in its own file (or one file per small family) with the
//! same three steps:
//!
//! - **parse**: arguments to a typed command (`Get::parse`), answering the
//!   command's own syntax errors;
//! - **apply**: run it against the keyspace and the session;
//! - **reply**: build the [`Reply`] Redis would send.
//!
//! `table.rs` holds the command table (names, arities, key positions,
//! flags). Errors come at the moments Redis 7 gives them, in its order:
//!
//! 1. unknown command, then wrong arity: *rejections*, found by the table
//!    before the command parses; inside `MULTI` they mark the transaction so
//!    `EXEC` answers `EXECABORT`;
//! 2. `NOAUTH`, when a password is set and the connection has not
//!    authenticated (only `AUTH` and `HELLO` are allowed);
//! 3. inside `MULTI`, everything but `MULTI`, `EXEC`, `DISCARD` and `WATCH`
//!    is queued (`+QUEUED`);
//! 4. a command's own errors (`SET k v BOGUS`, `WRONGTYPE`) are found by its
//!    parse or apply step but answered when it runs: inside `MULTI` the
//!    command is queued and its error appears in `EXEC`'s reply array,
//!    exactly like Redis.

mod auth;
mod client;
mod cluster;
mod command;
mod dbsize;
mod del;
mod echo;
mod eval;
mod exists;
mod flushall;
mod get;
mod hash;
mod hello;
mod incr;
mod info;
mod keys;
mod list;
mod mget;
mod multi;
mod parse;
mod ping;
mod readonly;
mod scan;
mod select;
mod set;
mod table;
mod ttl;
mod watch;

use bytes::Bytes;

use crate::config::Settings;
use crate::db::{Keyspace, Stored};
use crate::frame::Reply;
use crate::session::Session;

pub(crate) use hello::REDIS_VERSION;
pub(crate) use parse::Parse;
pub(crate) use table::keys_of;

/// What a command may read besides the keyspace and its own session.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Env<'a> {
    /// The server's fixed settings: password, cluster identity, run id.
    pub(crate) settings: &'a Settings,
}

/// A parsed command, ready to run or to queue.
#[derive(Debug)]
pub(crate) enum Command {
    /// `PING [message]`
    Ping(ping::Ping),
    /// `ECHO message`
    Echo(echo::Echo),
    /// `HELLO [protover [AUTH user pass] [SETNAME name]]`
    Hello(hello::Hello),
    /// `AUTH [user] password`
    Auth(auth::Auth),
    /// `SELECT index`
    Select(select::Select),
    /// `CLIENT SETNAME | GETNAME | SETINFO | ID | INFO`
    Client(client::Client),
    /// `COMMAND`, `COMMAND DOCS`, `COMMAND COUNT`
    Introspect(command::Introspect),
    /// `READONLY`, `READWRITE`
    ReadMode(readonly::ReadMode),
    /// `CLUSTER SLOTS | KEYSLOT | MYID`
    Cluster(cluster::Cluster),
    /// `INFO [section ...]`
    Info(info::Info),
    /// `DBSIZE`
    DbSize(dbsize::DbSize),
    /// `FLUSHALL [ASYNC | SYNC]`
    FlushAll(flushall::FlushAll),
    /// `GET key`
    Get(get::Get),
    /// `SET key value [NX | XX] [GET] [EX s | PX ms | KEEPTTL]`
    Set(set::Set),
    /// `MGET key [key ...]`
    MGet(mget::MGet),
    /// `DEL key [key ...]`
    Del(del::Del),
    /// `EXISTS key [key ...]`
    Exists(exists::Exists),
    /// `INCR key`, `INCRBY key increment`
    Incr(incr::Incr),
    /// `TTL key`, `PTTL key`
    Ttl(ttl::Ttl),
    /// `LPUSH`, `RPUSH`, `LRANGE`, `LLEN`
    List(list::ListCmd),
    /// `HSET`, `HGET`, `HGETALL`
    Hash(hash::HashCmd),
    /// `SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]`
    Scan(scan::Scan),
    /// `KEYS pattern`
    Keys(keys::Keys),
    /// `EVAL script numkeys [key ...] [arg ...]`
    Eval(eval::Eval),
    /// `MULTI`
    Multi,
    /// `EXEC`
    Exec,
    /// `DISCARD`
    Discard,
    /// `WATCH key [key ...]`
    Watch(watch::Watch),
    /// `UNWATCH`
    Unwatch,
    /// A known command whose parse step failed; running it answers this
    /// error (see the module docs for why it is not answered at once).
    Invalid(Reply),
}

/// Runs one request (a non-empty argument vector) for `session`: rejects
/// it, queues it in an open transaction, or applies it to the keyspace.
pub(crate) fn execute(
    args: Vec<Bytes>,
    keyspace: &mut Keyspace,
    session: &mut Session,
    env: Env<'_>,
) -> Reply {
    let is_exec = args
        .first()
        .is_some_and(|name| name.eq_ignore_ascii_case(b"EXEC"));
    if !env.settings.scripting
        && args
            .first()
            .is_some_and(|name| name.eq_ignore_ascii_case(b"EVAL"))
    {
        let rejection = table::unknown_command(&args);
        return reject(rejection, is_exec, keyspace, session);
    }
    let request = match table::lookup(args) {
        Ok(request) => request,
        Err(rejection) => return reject(rejection, is_exec, keyspace, session),
    };
    if !session.authenticated && !request.spec.no_auth {
        let rejection = Reply::error("NOAUTH Authentication required.");
        return reject(rejection, is_exec, keyspace, session);
    }
    if let Some(transaction) = session.transaction.as_mut()
        && !request.command.controls_transaction()
    {
        transaction.queued.push(request.command);
        return Reply::Simple("QUEUED".to_string());
    }
    request.command.apply(keyspace, session, env)
}

/// Redis' `rejectCommand`: a rejected command marks an open transaction;
/// a rejected `EXEC` discards it (and every watch) and answers
/// `EXECABORT Transaction discarded because of: <error>`, even outside
/// `MULTI`.
pub(crate) fn reject(
    rejection: Reply,
    is_exec: bool,
    keyspace: &mut Keyspace,
    session: &mut Session,
) -> Reply {
    if !is_exec {
        session.flag_transaction();
        return rejection;
    }
    session.transaction = None;
    watch::unwatch_all(keyspace, session);
    match rejection {
        Reply::Error(text) => {
            let reason = text.strip_prefix("ERR ").unwrap_or(&text);
            Reply::error(format!(
                "EXECABORT Transaction discarded because of: {reason}"
            ))
        }
        other => other,
    }
}

impl Command {
    /// `MULTI`, `EXEC`, `DISCARD` and `WATCH` act on the transaction itself
    /// (Redis answers `WATCH` inside `MULTI` with an error rather than
    /// queuing it); every other command is queued while one is open.
    fn controls_transaction(&self) -> bool {
        matches!(
            self,
            Command::Multi | Command::Exec | Command::Discard | Command::Watch(_)
        )
    }

    /// Runs the command and returns its reply.
    pub(crate) fn apply(
        self,
        keyspace: &mut Keyspace,
        session: &mut Session,
        env: Env<'_>,
    ) -> Reply {
        match self {
            Command::Ping(cmd) => cmd.apply(),
            Command::Echo(cmd) => cmd.apply(),
            Command::Hello(cmd) => cmd.apply(session, env),
            Command::Auth(cmd) => cmd.apply(session, env),
            Command::Select(cmd) => cmd.apply(),
            Command::Client(cmd) => cmd.apply(session),
            Command::Introspect(cmd) => cmd.apply(),
            Command::ReadMode(cmd) => cmd.apply(),
            Command::Cluster(cmd) => cmd.apply(env),
            Command::Info(cmd) => cmd.apply(keyspace, env),
            Command::DbSize(cmd) => cmd.apply(keyspace),
            Command::FlushAll(cmd) => cmd.apply(keyspace),
            Command::Get(cmd) => cmd.apply(keyspace),
            Command::Set(cmd) => cmd.apply(keyspace),
            Command::MGet(cmd) => cmd.apply(keyspace),
            Command::Del(cmd) => cmd.apply(keyspace),
            Command::Exists(cmd) => cmd.apply(keyspace),
            Command::Incr(cmd) => cmd.apply(keyspace),
            Command::Ttl(cmd) => cmd.apply(keyspace),
            Command::List(cmd) => cmd.apply(keyspace),
            Command::Hash(cmd) => cmd.apply(keyspace),
            Command::Scan(cmd) => cmd.apply(keyspace),
            Command::Keys(cmd) => cmd.apply(keyspace),
            Command::Eval(cmd) => cmd.apply(keyspace, session, env),
            Command::Multi => multi::multi(session),
            Command::Exec => multi::exec(keyspace, session, env),
            Command::Discard => multi::discard(keyspace, session),
            Command::Watch(cmd) => cmd.apply(keyspace, session),
            Command::Unwatch => watch::unwatch(keyspace, session),
            Command::Invalid(reply) => reply,
        }
    }
}

/// `WRONGTYPE Operation against a key holding the wrong kind of value`.
pub(crate) fn wrong_type() -> Reply {
    Reply::error("WRONGTYPE Operation against a key holding the wrong kind of value")
}

/// The string under `key`: `Ok(None)` when missing, `WRONGTYPE` when the key
/// holds another type.
pub(crate) fn string_at<'k>(
    keyspace: &'k Keyspace,
    key: &[u8],
) -> Result<Option<&'k Bytes>, Reply> {
    match keyspace.get(key) {
        None => Ok(None),
        Some(Stored::String(value)) => Ok(Some(value)),
        Some(_) => Err(wrong_type()),
    }
}

pub(crate) use watch::unwatch_all;
