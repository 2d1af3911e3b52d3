//! The command table: names, Redis 7's arities, key positions and the
//! flags that decide when a command may run, plus the lookup that turns a
//! request into a parsed [`Command`].
//!
//! Key positions follow Redis' legacy `(first, last, step)` triple, so the
//! fault plan can match a rule's `key` pattern against any command without
//! parsing it.

use bytes::Bytes;

use super::parse::{self, Parse};
use super::{
    Command, auth, client, cluster, command, dbsize, del, echo, eval, exists, flushall, get, hash,
    hello, incr, info, keys, list, mget, ping, readonly, scan, select, set, ttl, watch,
};
use crate::frame::Reply;

/// How a table entry turns its arguments into a [`Command`].
type ParseFn = fn(&mut Parse) -> Result<Command, Reply>;

/// Where a command's keys are: argument positions `first..=last` (counting
/// the name as 0; a negative `last` counts from the end, -1 being the last
/// argument), every `step`-th. `first == 0` means the command takes no key.
#[derive(Clone, Copy, Debug)]
pub(crate) struct KeySpec {
    first: usize,
    last: i64,
    step: usize,
    /// When non-zero, the argument at this position counts the keys that
    /// start at `first` (Redis' "movable keys": `EVAL script numkeys ...`);
    /// `last` and `step` are then unused.
    numkeys_at: usize,
}

/// No keys.
const NO_KEYS: KeySpec = KeySpec {
    first: 0,
    last: 0,
    step: 1,
    numkeys_at: 0,
};
/// The first argument is the key.
const ONE_KEY: KeySpec = KeySpec {
    first: 1,
    last: 1,
    step: 1,
    numkeys_at: 0,
};
/// Every argument is a key.
const ALL_KEYS: KeySpec = KeySpec {
    first: 1,
    last: -1,
    step: 1,
    numkeys_at: 0,
};

/// One row of the command table.
pub(crate) struct Spec {
    /// The name, uppercase, as matched (case-insensitively) against requests.
    pub(crate) name: &'static str,
    /// The lowercase full name used in error texts: `get`, `client|setname`.
    pub(crate) fullname: &'static str,
    /// Redis' arity convention, counting the name (and subcommand name):
    /// positive means exactly, negative means at least the absolute value.
    arity: i64,
    /// The parse step; `None` for a container that only has subcommands.
    parse: Option<ParseFn>,
    /// Subcommands (`CLIENT SETNAME`), matched on the second argument.
    subcommands: &'static [Spec],
    /// Where the keys are.
    keys: KeySpec,
    /// Redis' `no-auth` flag: allowed before `AUTH` when a password is set.
    pub(crate) no_auth: bool,
}

/// A table row without subcommands that needs authentication.
const fn leaf(
    name: &'static str,
    fullname: &'static str,
    arity: i64,
    keys: KeySpec,
    parse: ParseFn,
) -> Spec {
    Spec {
        name,
        fullname,
        arity,
        parse: Some(parse),
        subcommands: &[],
        keys,
        no_auth: false,
    }
}

/// A container (`CLIENT`, `CLUSTER`) whose bare name is an arity error.
const fn container(
    name: &'static str,
    fullname: &'static str,
    subcommands: &'static [Spec],
) -> Spec {
    Spec {
        name,
        fullname,
        arity: -2,
        parse: None,
        subcommands,
        keys: NO_KEYS,
        no_auth: false,
    }
}

/// `EVAL script numkeys key ...`: `numkeys` keys after the key count.
const EVAL_KEYS: KeySpec = KeySpec {
    first: 3,
    last: 0,
    step: 1,
    numkeys_at: 2,
};

/// The command table, with Redis 7's arities.
pub(crate) static COMMANDS: &[Spec] = &[
    leaf("PING", "ping", -1, NO_KEYS, |p| {
        ping::Ping::parse(p).map(Command::Ping)
    }),
    leaf("ECHO", "echo", 2, NO_KEYS, |p| {
        echo::Echo::parse(p).map(Command::Echo)
    }),
    Spec {
        name: "HELLO",
        fullname: "hello",
        arity: -1,
        parse: Some(|p| hello::Hello::parse(p).map(Command::Hello)),
        subcommands: &[],
        keys: NO_KEYS,
        no_auth: true,
    },
    Spec {
        name: "AUTH",
        fullname: "auth",
        arity: -2,
        parse: Some(|p| auth::Auth::parse(p).map(Command::Auth)),
        subcommands: &[],
        keys: NO_KEYS,
        no_auth: true,
    },
    leaf("SELECT", "select", 2, NO_KEYS, |p| {
        select::Select::parse(p).map(Command::Select)
    }),
    container(
        "CLIENT",
        "client",
        &[
            leaf("SETNAME", "client|setname", 3, NO_KEYS, |p| {
                client::Client::parse_setname(p).map(Command::Client)
            }),
            leaf("GETNAME", "client|getname", 2, NO_KEYS, |_| {
                Ok(Command::Client(client::Client::GetName))
            }),
            leaf("SETINFO", "client|setinfo", 4, NO_KEYS, |p| {
                client::Client::parse_setinfo(p).map(Command::Client)
            }),
            leaf("ID", "client|id", 2, NO_KEYS, |_| {
                Ok(Command::Client(client::Client::Id))
            }),
            leaf("INFO", "client|info", 2, NO_KEYS, |_| {
                Ok(Command::Client(client::Client::Info))
            }),
        ],
    ),
    Spec {
        name: "COMMAND",
        fullname: "command",
        arity: -1,
        parse: Some(|_| Ok(Command::Introspect(command::Introspect::List))),
        subcommands: &[
            leaf("DOCS", "command|docs", -2, NO_KEYS, |_| {
                Ok(Command::Introspect(command::Introspect::Docs))
            }),
            leaf("COUNT", "command|count", 2, NO_KEYS, |_| {
                Ok(Command::Introspect(command::Introspect::Count(
                    COMMANDS.len(),
                )))
            }),
        ],
        keys: NO_KEYS,
        no_auth: false,
    },
    leaf("READONLY", "readonly", 1, NO_KEYS, |_| {
        Ok(Command::ReadMode(readonly::ReadMode::ReadOnly))
    }),
    leaf("READWRITE", "readwrite", 1, NO_KEYS, |_| {
        Ok(Command::ReadMode(readonly::ReadMode::ReadWrite))
    }),
    container(
        "CLUSTER",
        "cluster",
        &[
            leaf("SLOTS", "cluster|slots", 2, NO_KEYS, |_| {
                Ok(Command::Cluster(cluster::Cluster::Slots))
            }),
            leaf("KEYSLOT", "cluster|keyslot", 3, NO_KEYS, |p| {
                cluster::Cluster::parse_keyslot(p).map(Command::Cluster)
            }),
            leaf("MYID", "cluster|myid", 2, NO_KEYS, |_| {
                Ok(Command::Cluster(cluster::Cluster::MyId))
            }),
        ],
    ),
    leaf("INFO", "info", -1, NO_KEYS, |p| {
        info::Info::parse(p).map(Command::Info)
    }),
    leaf("DBSIZE", "dbsize", 1, NO_KEYS, |_| {
        Ok(Command::DbSize(dbsize::DbSize))
    }),
    leaf("FLUSHALL", "flushall", -1, NO_KEYS, |p| {
        flushall::FlushAll::parse(p).map(Command::FlushAll)
    }),
    leaf("GET", "get", 2, ONE_KEY, |p| {
        get::Get::parse(p).map(Command::Get)
    }),
    leaf("SET", "set", -3, ONE_KEY, |p| {
        set::Set::parse(p).map(Command::Set)
    }),
    leaf("MGET", "mget", -2, ALL_KEYS, |p| {
        mget::MGet::parse(p).map(Command::MGet)
    }),
    leaf("DEL", "del", -2, ALL_KEYS, |p| {
        del::Del::parse(p).map(Command::Del)
    }),
    leaf("EXISTS", "exists", -2, ALL_KEYS, |p| {
        exists::Exists::parse(p).map(Command::Exists)
    }),
    leaf("INCR", "incr", 2, ONE_KEY, |p| {
        incr::Incr::parse_incr(p).map(Command::Incr)
    }),
    leaf("INCRBY", "incrby", 3, ONE_KEY, |p| {
        incr::Incr::parse_incrby(p).map(Command::Incr)
    }),
    leaf("TTL", "ttl", 2, ONE_KEY, |p| {
        ttl::Ttl::parse_seconds(p).map(Command::Ttl)
    }),
    leaf("PTTL", "pttl", 2, ONE_KEY, |p| {
        ttl::Ttl::parse_millis(p).map(Command::Ttl)
    }),
    leaf("LPUSH", "lpush", -3, ONE_KEY, |p| {
        list::ListCmd::parse_lpush(p).map(Command::List)
    }),
    leaf("RPUSH", "rpush", -3, ONE_KEY, |p| {
        list::ListCmd::parse_rpush(p).map(Command::List)
    }),
    leaf("LRANGE", "lrange", 4, ONE_KEY, |p| {
        list::ListCmd::parse_lrange(p).map(Command::List)
    }),
    leaf("LLEN", "llen", 2, ONE_KEY, |p| {
        list::ListCmd::parse_llen(p).map(Command::List)
    }),
    leaf("HSET", "hset", -4, ONE_KEY, |p| {
        hash::HashCmd::parse_hset(p).map(Command::Hash)
    }),
    leaf("HGET", "hget", 3, ONE_KEY, |p| {
        hash::HashCmd::parse_hget(p).map(Command::Hash)
    }),
    leaf("HGETALL", "hgetall", 2, ONE_KEY, |p| {
        hash::HashCmd::parse_hgetall(p).map(Command::Hash)
    }),
    leaf("SCAN", "scan", -2, NO_KEYS, |p| {
        scan::Scan::parse(p).map(Command::Scan)
    }),
    leaf("KEYS", "keys", 2, NO_KEYS, |p| {
        keys::Keys::parse(p).map(Command::Keys)
    }),
    leaf("EVAL", "eval", -3, EVAL_KEYS, |p| {
        eval::Eval::parse(p).map(Command::Eval)
    }),
    leaf("MULTI", "multi", 1, NO_KEYS, |_| Ok(Command::Multi)),
    leaf("EXEC", "exec", 1, NO_KEYS, |_| Ok(Command::Exec)),
    leaf("DISCARD", "discard", 1, NO_KEYS, |_| Ok(Command::Discard)),
    leaf("WATCH", "watch", -2, ALL_KEYS, |p| {
        watch::Watch::parse(p).map(Command::Watch)
    }),
    leaf("UNWATCH", "unwatch", 1, NO_KEYS, |_| Ok(Command::Unwatch)),
];

/// A request looked up in the table: the parsed command (or the command's
/// own error, answered when it runs) and its table row.
#[derive(Debug)]
pub(crate) struct Request {
    /// The parsed command.
    pub(crate) command: Command,
    /// Its row, for the flags.
    pub(crate) spec: &'static Spec,
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.fullname)
    }
}

/// Looks the request up in the table and runs the parse step.
///
/// Unknown commands and wrong arity are `Err` (a rejection, which inside
/// `MULTI` aborts the transaction); a command's own syntax error is
/// `Ok` with `Command::Invalid`.
pub(crate) fn lookup(mut args: Vec<Bytes>) -> Result<Request, Reply> {
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
    let argc = i64::try_from(argc).unwrap_or(i64::MAX);
    let arity_ok = if spec.arity >= 0 {
        argc == spec.arity
    } else {
        argc >= -spec.arity
    };
    // A container without a parse step (CLIENT) has an arity that its bare
    // name never satisfies, so both cases answer the arity error.
    let (true, Some(parse)) = (arity_ok, spec.parse) else {
        return Err(parse::wrong_arity(spec.fullname));
    };
    let rest = args.split_off(skip.min(args.len()));
    let mut cursor = Parse::new(spec.fullname, rest);
    let command = parse(&mut cursor).unwrap_or_else(Command::Invalid);
    Ok(Request { command, spec })
}

/// The keys a request names, by its table row's key positions; none for an
/// unknown command or one with the wrong arity.
pub(crate) fn keys_of(args: &[Bytes]) -> Vec<&Bytes> {
    let Some(spec) = args.first().and_then(|name| find(COMMANDS, name)) else {
        return Vec::new();
    };
    let keys = spec.keys;
    if keys.first == 0 || args.len() <= keys.first {
        return Vec::new();
    }
    if keys.numkeys_at != 0 {
        let count = args
            .get(keys.numkeys_at)
            .and_then(|n| parse::parse_i64(n))
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0);
        let end = keys.first.saturating_add(count).min(args.len());
        return args[keys.first..end].iter().collect();
    }
    let last = if keys.last < 0 {
        let from_end = usize::try_from(keys.last.unsigned_abs()).unwrap_or(usize::MAX);
        args.len().saturating_sub(from_end)
    } else {
        usize::try_from(keys.last).unwrap_or(usize::MAX)
    };
    let last = last.min(args.len() - 1);
    if last < keys.first {
        return Vec::new();
    }
    args[keys.first..=last].iter().step_by(keys.step).collect()
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
pub(crate) fn unknown_command(args: &[Bytes]) -> Reply {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<Bytes> {
        words.iter().map(|w| Bytes::from(w.to_string())).collect()
    }

    #[test]
    fn key_positions_follow_the_table() {
        let keys = |words: &[&str]| -> Vec<String> {
            keys_of(&args(words))
                .iter()
                .map(|k| String::from_utf8_lossy(k).into_owned())
                .collect()
        };
        assert_eq!(keys(&["GET", "a"]), ["a"]);
        assert_eq!(keys(&["set", "a", "1", "EX", "3"]), ["a"]);
        assert_eq!(keys(&["EVAL", "return 1", "2", "a", "b", "c"]), ["a", "b"]);
        assert_eq!(keys(&["eval", "return 1", "0", "a"]), Vec::<String>::new());
        assert_eq!(keys(&["EVAL", "return 1", "9", "a"]), ["a"]);
        assert_eq!(keys(&["MGET", "a", "b", "c"]), ["a", "b", "c"]);
        assert_eq!(keys(&["PING"]), Vec::<String>::new());
        assert_eq!(keys(&["GET"]), Vec::<String>::new());
        assert_eq!(keys(&["NOSUCH", "a"]), Vec::<String>::new());
    }

    #[test]
    fn every_row_has_a_lowercase_fullname_matching_its_name() {
        for spec in COMMANDS {
            assert_eq!(spec.fullname, spec.name.to_ascii_lowercase());
            for sub in spec.subcommands {
                assert_eq!(
                    sub.fullname,
                    format!("{}|{}", spec.fullname, sub.name.to_ascii_lowercase())
                );
            }
        }
    }
}
