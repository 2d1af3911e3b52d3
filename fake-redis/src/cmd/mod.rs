//! Commands: the table of names and arities, and the dispatch that runs a
//! request now or queues it in a transaction.
//!
//! Each command lives in its own file (or one file per small family) with the
//! same three steps:
//!
//! - **parse**: arguments to a typed command (`Get::parse`), answering the
//!   command's own syntax errors;
//! - **apply**: run it against the keyspace and the session;
//! - **reply**: build the [`Reply`] Redis would send.
//!
//! Errors come at two moments, as in Redis 7. Unknown commands and wrong
//! arity are *rejections*, found here before the command parses; inside
//! `MULTI` they mark the transaction so `EXEC` answers `EXECABORT`. A
//! command's own syntax errors (`SET k v BOGUS`) are found by its parse step
//! but answered when it runs: inside `MULTI` it is queued, and its error
//! appears in `EXEC`'s reply array, exactly like Redis.

mod client;
mod command;
mod del;
mod echo;
mod get;
mod hello;
mod incr;
mod multi;
mod parse;
mod ping;
mod readonly;
mod select;
mod set;

use bytes::Bytes;

use crate::db::{Db, Keyspace};
use crate::frame::Reply;
use crate::session::Session;

pub(crate) use parse::Parse;

/// A parsed command, ready to run or to queue.
#[derive(Debug)]
pub(crate) enum Command {
    /// `PING [message]`
    Ping(ping::Ping),
    /// `ECHO message`
    Echo(echo::Echo),
    /// `COMMAND`, `COMMAND DOCS`, `COMMAND COUNT`
    Introspect(command::Introspect),
    /// `READONLY`, `READWRITE`
    ReadMode(readonly::ReadMode),
    /// `CLIENT SETNAME | GETNAME | SETINFO | ID | INFO`
    Client(client::Client),
    /// `HELLO [protover [AUTH user pass] [SETNAME name]]`
    Hello(hello::Hello),
    /// `SELECT index`
    Select(select::Select),
    /// `GET key`
    Get(get::Get),
    /// `SET key value [NX | XX] [GET]`
    Set(set::Set),
    /// `DEL key [key ...]`
    Del(del::Del),
    /// `INCR key`
    Incr(incr::Incr),
    /// `MULTI`
    Multi,
    /// `EXEC`
    Exec,
    /// `DISCARD`
    Discard,
    /// A known command whose parse step failed; running it answers this
    /// error (see the module docs for why it is not answered at once).
    Invalid(Reply),
}

/// How a table entry turns its arguments into a [`Command`].
type ParseFn = fn(&mut Parse) -> Result<Command, Reply>;

/// One row of the command table.
struct Spec {
    /// The name, uppercase, as matched (case-insensitively) against requests.
    name: &'static str,
    /// The lowercase full name used in error texts: `get`, `client|setname`.
    fullname: &'static str,
    /// Redis' arity convention, counting the name (and subcommand name):
    /// positive means exactly, negative means at least the absolute value.
    arity: i64,
    /// The parse step; `None` for a container that only has subcommands.
    parse: Option<ParseFn>,
    /// Subcommands (`CLIENT SETNAME`), matched on the second argument.
    subcommands: &'static [Spec],
}

/// The command table, with Redis 7's arities.
static COMMANDS: &[Spec] = &[
    leaf("PING", "ping", -1, |p| {
        ping::Ping::parse(p).map(Command::Ping)
    }),
    leaf("ECHO", "echo", 2, |p| {
        echo::Echo::parse(p).map(Command::Echo)
    }),
    Spec {
        name: "COMMAND",
        fullname: "command",
        arity: -1,
        parse: Some(|_| Ok(Command::Introspect(command::Introspect::List))),
        subcommands: &[
            leaf("DOCS", "command|docs", -2, |_| {
                Ok(Command::Introspect(command::Introspect::Docs))
            }),
            leaf("COUNT", "command|count", 2, |_| {
                Ok(Command::Introspect(command::Introspect::Count(
                    COMMANDS.len(),
                )))
            }),
        ],
    },
    leaf("READONLY", "readonly", 1, |_| {
        Ok(Command::ReadMode(readonly::ReadMode::ReadOnly))
    }),
    leaf("READWRITE", "readwrite", 1, |_| {
        Ok(Command::ReadMode(readonly::ReadMode::ReadWrite))
    }),
    Spec {
        name: "CLIENT",
        fullname: "client",
        arity: -2,
        parse: None,
        subcommands: &[
            leaf("SETNAME", "client|setname", 3, |p| {
                client::Client::parse_setname(p).map(Command::Client)
            }),
            leaf("GETNAME", "client|getname", 2, |_| {
                Ok(Command::Client(client::Client::GetName))
            }),
            leaf("SETINFO", "client|setinfo", 4, |p| {
                client::Client::parse_setinfo(p).map(Command::Client)
            }),
            leaf("ID", "client|id", 2, |_| {
                Ok(Command::Client(client::Client::Id))
            }),
            leaf("INFO", "client|info", 2, |_| {
                Ok(Command::Client(client::Client::Info))
            }),
        ],
    },
    leaf("HELLO", "hello", -1, |p| {
        hello::Hello::parse(p).map(Command::Hello)
    }),
    leaf("SELECT", "select", 2, |p| {
        select::Select::parse(p).map(Command::Select)
    }),
    leaf("GET", "get", 2, |p| get::Get::parse(p).map(Command::Get)),
    leaf("SET", "set", -3, |p| set::Set::parse(p).map(Command::Set)),
    leaf("DEL", "del", -2, |p| del::Del::parse(p).map(Command::Del)),
    leaf("INCR", "incr", 2, |p| {
        incr::Incr::parse(p).map(Command::Incr)
    }),
    leaf("MULTI", "multi", 1, |_| Ok(Command::Multi)),
    leaf("EXEC", "exec", 1, |_| Ok(Command::Exec)),
    leaf("DISCARD", "discard", 1, |_| Ok(Command::Discard)),
];

/// A table row without subcommands.
const fn leaf(name: &'static str, fullname: &'static str, arity: i64, parse: ParseFn) -> Spec {
    Spec {
        name,
        fullname,
        arity,
        parse: Some(parse),
        subcommands: &[],
    }
}

/// Runs one request (a non-empty argument vector) for `session`: rejects
/// it, queues it in an open transaction, or applies it to the keyspace.
pub(crate) fn execute(args: Vec<Bytes>, db: &Db, session: &mut Session) -> Reply {
    let parsed = Command::from_args(args);
    if let Some(transaction) = session.transaction.as_mut() {
        match parsed {
            Err(rejection) => {
                transaction.dirty = true;
                return rejection;
            }
            Ok(command) if !command.controls_transaction() => {
                transaction.queued.push(command);
                return Reply::Simple("QUEUED".to_string());
            }
            Ok(_) => {}
        }
    }
    match parsed {
        Ok(command) => command.apply(&mut db.lock(), session),
        Err(rejection) => rejection,
    }
}

impl Command {
    /// Looks the request up in the table and runs the parse step.
    ///
    /// `Err` is a rejection (unknown command or subcommand, wrong arity);
    /// a command's own syntax error is `Ok(Command::Invalid(..))`.
    pub(crate) fn from_args(mut args: Vec<Bytes>) -> Result<Command, Reply> {
        let argc = args.len();
        let Some(name) = args.first() else {
            return Err(Reply::error("ERR empty command"));
        };
        let Some(spec) = find(COMMANDS, name) else {
            return Err(unknown_command(&args));
        };
        let (spec, skip) = match (spec.subcommands.is_empty(), args.get(1)) {
            (false, Some(sub)) => match find(spec.subcommands, sub) {
                Some(sub_spec) => (sub_spec, 2),
                None => return Err(unknown_subcommand(sub, spec.name)),
            },
            _ => (spec, 1),
        };
        let arity_ok = if spec.arity >= 0 {
            argc as i64 == spec.arity
        } else {
            argc as i64 >= -spec.arity
        };
        // A container without a parse step (CLIENT) has an arity that its
        // bare name never satisfies, so both cases answer the arity error.
        let (true, Some(parse)) = (arity_ok, spec.parse) else {
            return Err(parse::wrong_arity(spec.fullname));
        };
        let rest = args.split_off(skip.min(argc));
        let mut cursor = Parse::new(spec.fullname, rest);
        Ok(parse(&mut cursor).unwrap_or_else(Command::Invalid))
    }

    /// `MULTI`, `EXEC` and `DISCARD` act on the transaction itself; every
    /// other command is queued while a transaction is open.
    fn controls_transaction(&self) -> bool {
        matches!(self, Command::Multi | Command::Exec | Command::Discard)
    }

    /// Runs the command and returns its reply.
    pub(crate) fn apply(self, keyspace: &mut Keyspace, session: &mut Session) -> Reply {
        match self {
            Command::Ping(cmd) => cmd.apply(),
            Command::Echo(cmd) => cmd.apply(),
            Command::Introspect(cmd) => cmd.apply(),
            Command::ReadMode(cmd) => cmd.apply(),
            Command::Client(cmd) => cmd.apply(session),
            Command::Hello(cmd) => cmd.apply(session),
            Command::Select(cmd) => cmd.apply(),
            Command::Get(cmd) => cmd.apply(keyspace),
            Command::Set(cmd) => cmd.apply(keyspace),
            Command::Del(cmd) => cmd.apply(keyspace),
            Command::Incr(cmd) => cmd.apply(keyspace),
            Command::Multi => multi::multi(session),
            Command::Exec => multi::exec(keyspace, session),
            Command::Discard => multi::discard(session),
            Command::Invalid(reply) => reply,
        }
    }
}

/// The table row whose name matches `name`, ignoring ASCII case.
fn find(table: &'static [Spec], name: &[u8]) -> Option<&'static Spec> {
    table
        .iter()
        .find(|spec| spec.name.as_bytes().eq_ignore_ascii_case(name))
}

/// Redis 7's text: `ERR unknown command '<name>', with args beginning with: `
/// then `'<arg>' ` for each argument while the list is under 128 bytes,
/// each cut to fit (`sdscatprintf(args, "'%.*s' ", 128-sdslen(args), ...)`).
fn unknown_command(args: &[Bytes]) -> Reply {
    const LIMIT: usize = 128;
    let mut listed: Vec<u8> = Vec::new();
    for arg in args.iter().skip(1) {
        if listed.len() >= LIMIT {
            break;
        }
        let room = LIMIT - listed.len();
        listed.push(b'\'');
        listed.extend_from_slice(&arg[..arg.len().min(room)]);
        listed.extend_from_slice(b"' ");
    }
    let name = args
        .first()
        .map(|name| &name[..name.len().min(LIMIT)])
        .unwrap_or_default();
    Reply::error(format!(
        "ERR unknown command '{}', with args beginning with: {}",
        parse::text(name),
        parse::text(&listed)
    ))
}

/// Redis 7's text: `ERR unknown subcommand '<sub>'. Try <CMD> HELP.`
fn unknown_subcommand(sub: &[u8], container: &str) -> Reply {
    Reply::error(format!(
        "ERR unknown subcommand '{}'. Try {container} HELP.",
        parse::text(&sub[..sub.len().min(128)])
    ))
}
