//! Operations on one replica (one node), each over one pooled connection.
//!
//! Reads fetch a key's data and its version in one pipelined round trip.
//! Writes are *conditional*: `WATCH` the keys, read the replica's state,
//! decide what (if anything) to write, then `MULTI … EXEC`. If another writer
//! touched a watched key, `EXEC` returns nil and the write is re-decided.
//! This never moves a replica to an older version, and it is idempotent, so a
//! replica write may be retried after an ambiguous failure.
//!
//! Under the `unconditional-replica-write` known-bug switch, register writes
//! skip the check and overwrite whatever is there.

use std::collections::BTreeMap;

use crate::connection::Request;
use crate::error::{Certainty, Error, ErrorKind, Result};
use crate::known_bugs::KnownBug;
use crate::list::Element;
use crate::observer::Purpose;
use crate::pool::{NodePool, PooledConn};
use crate::reply::Reply;
use crate::version::{Kind, Version, version_key};

/// How often a conditional write is re-decided after losing a race.
const CONDITIONAL_ATTEMPTS: usize = 8;

/// The conditional register write as one Lua script, for targets with EVAL:
/// one round trip and one command instead of WATCH, GET, MULTI, SET, SET,
/// EXEC. Encoded versions of one kind compare as strings exactly as their
/// tags compare (see `version.rs`).
/// KEYS: data key, version key. ARGV: version, "1" + value to set or "0" to
/// delete. Public so that test servers which emulate it (fake-redis runs it
/// natively) can check they emulate exactly this text.
pub const REGISTER_WRITE_LUA: &str = r#"
local cur = redis.call('GET', KEYS[2])
if cur and cur >= ARGV[1] then return 0 end
if ARGV[2] == '1' then redis.call('SET', KEYS[1], ARGV[3]) else redis.call('DEL', KEYS[1]) end
redis.call('SET', KEYS[2], ARGV[1])
return 1
"#;

/// What a replica write did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WriteAck {
    /// The replica now holds the write.
    Applied,
    /// The replica already held the write or something newer: it counts as an
    /// acknowledgement, since the replica is at least as new.
    AlreadyCurrent,
}

/// A register replica's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RegisterRead {
    /// The value; `None` for a missing key or a tombstone.
    pub(crate) value: Option<Vec<u8>>,
    /// The stored version, if any.
    pub(crate) version: Option<Version>,
}

/// A counter replica's state: slot → count, and its version.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CounterRead {
    pub(crate) slots: BTreeMap<String, i64>,
    pub(crate) version: Option<Version>,
}

/// A list replica's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ListRead {
    pub(crate) elements: Vec<Element>,
    pub(crate) version: Option<Version>,
}

/// Reads a register: `MGET key anarcho_version:key`.
pub(crate) async fn read_register(pool: &NodePool, key: &[u8]) -> Result<RegisterRead> {
    let mut conn = pool.checkout().await?;
    let reply = request(
        &mut conn,
        pool,
        Request::new("MGET").arg(key).arg(version_key(key)),
    )
    .await?;
    let mut items = expect_array(reply, 2, "MGET")?;
    let version = optional_bytes(items.pop().expect("two items"), "MGET")?;
    let value = optional_bytes(items.pop().expect("two items"), "MGET")?;
    Ok(RegisterRead {
        value,
        version: parse_version(version, &mut conn)?,
    })
}

/// Writes a register value (or a tombstone for `None`) at `version`, unless
/// the replica already holds that version or a newer one.
pub(crate) async fn write_register(
    pool: &NodePool,
    key: &[u8],
    value: Option<&[u8]>,
    version: &Version,
) -> Result<WriteAck> {
    let vkey = version_key(key);
    let data_write = match value {
        Some(v) => Request::new("SET").arg(key).arg(v),
        None => Request::new("DEL").arg(key),
    };
    let writes = vec![
        data_write,
        Request::new("SET").arg(&vkey[..]).arg(version.encode()),
    ];
    let mut conn = pool.checkout().await?;
    if pool.bugs().has(KnownBug::UnconditionalReplicaWrite) {
        transaction(&mut conn, pool, writes).await?;
        return Ok(WriteAck::Applied);
    }
    if pool.eval_supported() != Some(false) {
        let script = Request::new("EVAL")
            .arg(REGISTER_WRITE_LUA)
            .arg(2)
            .arg(key)
            .arg(&vkey[..])
            .arg(version.encode())
            .arg(if value.is_some() { "1" } else { "0" })
            .arg(value.unwrap_or_default());
        match conn
            .request(&script, Purpose::Command, pool.command_timeout())
            .await?
        {
            Reply::Value(redis::Value::Int(1)) => {
                pool.set_eval_supported(true);
                return Ok(WriteAck::Applied);
            }
            Reply::Value(redis::Value::Int(0)) => {
                pool.set_eval_supported(true);
                return Ok(WriteAck::AlreadyCurrent);
            }
            Reply::Error(e) if e.starts_with("ERR unknown command") => {
                // No scripting here (scripting disabled, some proxies, fake-redis
                // with `scripting = false`): fall back.
                pool.set_eval_supported(false);
            }
            Reply::Error(e) => {
                return Err(Error::new(ErrorKind::Server, Certainty::NotApplied, e));
            }
            Reply::Value(other) => {
                return Err(unexpected(
                    &mut conn,
                    format!("EVAL: unexpected reply {other:?}"),
                ));
            }
        }
    }
    conditional(
        &mut conn,
        pool,
        &[&vkey],
        vec![Request::new("GET").arg(&vkey[..])],
        |replies| {
            let current = parse_version(optional_bytes(replies[0].clone(), "GET")?, &mut None)?;
            Ok(match current {
                Some(cur) if cur.tag >= version.tag => None,
                _ => Some(writes.clone()),
            })
        },
    )
    .await
}

/// Reads a counter: `HGETALL key` and its version.
pub(crate) async fn read_counter(pool: &NodePool, key: &[u8]) -> Result<CounterRead> {
    let mut conn = pool.checkout().await?;
    let replies = pipeline(
        &mut conn,
        pool,
        vec![
            Request::new("HGETALL").arg(key),
            Request::new("GET").arg(version_key(key)),
        ],
    )
    .await?;
    let mut replies = replies.into_iter();
    let slots = parse_slots(replies.next().expect("two replies"))?;
    let version = optional_bytes(replies.next().expect("two replies"), "GET")?;
    Ok(CounterRead {
        slots,
        version: parse_version(version, &mut conn)?,
    })
}

/// Raises counter slots to at least the given values (never lowers one), and
/// the version to at least `version`. Idempotent: "set my slot to n".
pub(crate) async fn raise_counter(
    pool: &NodePool,
    key: &[u8],
    slots: &BTreeMap<String, i64>,
    version: &Version,
) -> Result<WriteAck> {
    let vkey = version_key(key);
    let mut conn = pool.checkout().await?;
    let reads = vec![
        Request::new("HGETALL").arg(key),
        Request::new("GET").arg(&vkey[..]),
    ];
    conditional(&mut conn, pool, &[key, &vkey], reads, |replies| {
        let current = parse_slots(replies[0].clone())?;
        let cur_version = parse_version(optional_bytes(replies[1].clone(), "GET")?, &mut None)?;
        let mut hset = Request::new("HSET").arg(key);
        let mut raised = false;
        for (slot, &n) in slots {
            if current.get(slot).is_none_or(|&c| c < n) {
                hset = hset.arg(slot.as_str()).arg(n);
                raised = true;
            }
        }
        if !raised {
            return Ok(None);
        }
        let mut writes = vec![hset];
        if cur_version.is_none_or(|v| v.tag < version.tag) {
            writes.push(Request::new("SET").arg(&vkey[..]).arg(version.encode()));
        }
        Ok(Some(writes))
    })
    .await
}

/// Reads a list: `LRANGE key 0 -1` and its version.
pub(crate) async fn read_list(pool: &NodePool, key: &[u8]) -> Result<ListRead> {
    let mut conn = pool.checkout().await?;
    let replies = pipeline(
        &mut conn,
        pool,
        vec![
            Request::new("LRANGE").arg(key).arg(0).arg(-1),
            Request::new("GET").arg(version_key(key)),
        ],
    )
    .await?;
    let mut replies = replies.into_iter();
    let elements = parse_elements(replies.next().expect("two replies"))?;
    let version = optional_bytes(replies.next().expect("two replies"), "GET")?;
    Ok(ListRead {
        elements,
        version: parse_version(version, &mut conn)?,
    })
}

/// Merges `add` into the replica's list and writes the *full* merged state
/// (never a delta), with the version raised to at least `version`.
pub(crate) async fn merge_list(
    pool: &NodePool,
    key: &[u8],
    add: &[Element],
    version: &Version,
) -> Result<WriteAck> {
    let vkey = version_key(key);
    let mut conn = pool.checkout().await?;
    let reads = vec![
        Request::new("LRANGE").arg(key).arg(0).arg(-1),
        Request::new("GET").arg(&vkey[..]),
    ];
    conditional(&mut conn, pool, &[key, &vkey], reads, |replies| {
        let current = parse_elements(replies[0].clone())?;
        let cur_version = parse_version(optional_bytes(replies[1].clone(), "GET")?, &mut None)?;
        let merged = crate::list::merge([current.as_slice(), add]);
        if merged == current {
            return Ok(None);
        }
        let mut rpush = Request::new("RPUSH").arg(key);
        for e in &merged {
            rpush = rpush.arg(e.encode());
        }
        let mut writes = vec![Request::new("DEL").arg(key), rpush];
        if cur_version.is_none_or(|v| v.tag < version.tag) {
            writes.push(Request::new("SET").arg(&vkey[..]).arg(version.encode()));
        }
        Ok(Some(writes))
    })
    .await
}

/// `WATCH keys`, run `reads`, let `decide` choose the writes, and commit them
/// in `MULTI … EXEC`; re-decide when `EXEC` reports a conflicting writer.
async fn conditional(
    conn: &mut PooledConn<'_>,
    pool: &NodePool,
    watch: &[&[u8]],
    reads: Vec<Request>,
    decide: impl Fn(&[Reply]) -> Result<Option<Vec<Request>>>,
) -> Result<WriteAck> {
    for _ in 0..CONDITIONAL_ATTEMPTS {
        let mut first = Request::new("WATCH");
        for k in watch {
            first = first.arg(*k);
        }
        let mut batch = vec![first];
        batch.extend(reads.iter().cloned());
        let replies = pipeline(conn, pool, batch).await?;
        match decide(&replies[1..])? {
            None => {
                request(conn, pool, Request::new("UNWATCH")).await?;
                return Ok(WriteAck::AlreadyCurrent);
            }
            Some(writes) => {
                if transaction(conn, pool, writes).await? {
                    return Ok(WriteAck::Applied);
                }
                pool.metrics().conflict_retries.incr();
            }
        }
    }
    Err(Error::new(
        ErrorKind::Server,
        Certainty::NotApplied,
        format!(
            "conditional write on {} kept losing races",
            pool.node_name()
        ),
    ))
}

/// `MULTI writes… EXEC`. `Ok(false)` when EXEC aborted because a watched key
/// changed (nothing was applied).
async fn transaction(
    conn: &mut PooledConn<'_>,
    pool: &NodePool,
    writes: Vec<Request>,
) -> Result<bool> {
    let n = writes.len();
    let mut batch = vec![Request::new("MULTI")];
    batch.extend(writes);
    batch.push(Request::new("EXEC"));
    let replies = conn
        .pipeline(&batch, Purpose::Command, pool.command_timeout())
        .await?;
    for reply in &replies[..=n] {
        if let Reply::Error(e) = reply {
            // A refused MULTI or a refused queued command: EXEC will abort.
            return Err(Error::new(
                ErrorKind::Server,
                Certainty::NotApplied,
                e.clone(),
            ));
        }
    }
    match replies.into_iter().last().expect("EXEC reply") {
        Reply::Value(redis::Value::Nil) => Ok(false),
        Reply::Value(redis::Value::Array(_)) => Ok(true),
        // An error raised while executing (say WRONGTYPE): some of the
        // transaction's commands may have run.
        Reply::Error(e) => Err(Error::new(ErrorKind::Server, Certainty::Indeterminate, e)),
        Reply::Value(other) => Err(unexpected(
            conn,
            format!("EXEC: unexpected reply {other:?}"),
        )),
    }
}

async fn request(conn: &mut PooledConn<'_>, pool: &NodePool, req: Request) -> Result<redis::Value> {
    conn.request(&req, Purpose::Command, pool.command_timeout())
        .await?
        .into_value()
}

/// A pipeline whose error replies fail the whole batch (not applied: these
/// pipelines only read, or only WATCH).
async fn pipeline(
    conn: &mut PooledConn<'_>,
    pool: &NodePool,
    reqs: Vec<Request>,
) -> Result<Vec<Reply>> {
    let replies = conn
        .pipeline(&reqs, Purpose::Command, pool.command_timeout())
        .await?;
    for r in &replies {
        if let Reply::Error(e) = r {
            return Err(Error::new(
                ErrorKind::Server,
                Certainty::NotApplied,
                e.clone(),
            ));
        }
    }
    Ok(replies)
}

fn unexpected(conn: &mut PooledConn<'_>, detail: String) -> Error {
    conn.poison(&detail);
    Error::new(ErrorKind::UnexpectedReply, Certainty::Indeterminate, detail)
}

fn shape_error(detail: String) -> Error {
    Error::new(ErrorKind::UnexpectedReply, Certainty::Indeterminate, detail)
}

fn expect_array(v: redis::Value, len: usize, what: &str) -> Result<Vec<redis::Value>> {
    match v {
        redis::Value::Array(items) if items.len() == len => Ok(items),
        other => Err(shape_error(format!(
            "{what}: expected {len} items, got {other:?}"
        ))),
    }
}

fn optional_bytes(v: impl Into<ReplyOrValue>, what: &str) -> Result<Option<Vec<u8>>> {
    match v.into().0 {
        redis::Value::Nil => Ok(None),
        redis::Value::BulkString(b) => Ok(Some(b)),
        other => Err(shape_error(format!(
            "{what}: expected a string or nil, got {other:?}"
        ))),
    }
}

/// Lets the parsers take a `Reply` (already checked not to be an error) or a
/// bare value.
struct ReplyOrValue(redis::Value);

impl From<redis::Value> for ReplyOrValue {
    fn from(v: redis::Value) -> Self {
        ReplyOrValue(v)
    }
}

impl From<Reply> for ReplyOrValue {
    fn from(r: Reply) -> Self {
        match r {
            Reply::Value(v) => ReplyOrValue(v),
            // Callers filter error replies out first; treat one as garbage.
            Reply::Error(e) => ReplyOrValue(redis::Value::SimpleString(format!("-{e}"))),
        }
    }
}

fn parse_version(
    bytes: Option<Vec<u8>>,
    conn: &mut impl PoisonOnGarbage,
) -> Result<Option<Version>> {
    match bytes {
        None => Ok(None),
        Some(b) => match Version::decode(&b) {
            Some(v) => Ok(Some(v)),
            None => Err(conn.garbage(format!(
                "not a version tag: {:?}",
                String::from_utf8_lossy(&b)
            ))),
        },
    }
}

/// A garbled version tag is evidence the stream may be out of step: poison
/// the connection when one is at hand.
trait PoisonOnGarbage {
    fn garbage(&mut self, detail: String) -> Error;
}

impl PoisonOnGarbage for PooledConn<'_> {
    fn garbage(&mut self, detail: String) -> Error {
        unexpected(self, detail)
    }
}

impl PoisonOnGarbage for Option<()> {
    fn garbage(&mut self, detail: String) -> Error {
        shape_error(detail)
    }
}

fn parse_slots(r: impl Into<ReplyOrValue>) -> Result<BTreeMap<String, i64>> {
    let items = match r.into().0 {
        redis::Value::Array(items) => items,
        redis::Value::Map(pairs) => pairs.into_iter().flat_map(|(k, v)| [k, v]).collect(),
        other => return Err(shape_error(format!("HGETALL: unexpected reply {other:?}"))),
    };
    let mut slots = BTreeMap::new();
    let mut it = items.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        let k: String = crate::reply::typed(k, "HGETALL")?;
        let v: i64 = crate::reply::typed(v, "HGETALL")?;
        slots.insert(k, v);
    }
    Ok(slots)
}

fn parse_elements(r: impl Into<ReplyOrValue>) -> Result<Vec<Element>> {
    let items: Vec<Vec<u8>> = crate::reply::typed(r.into().0, "LRANGE")?;
    items
        .iter()
        .map(|raw| {
            Element::decode(raw).ok_or_else(|| {
                shape_error(format!(
                    "LRANGE: not an anarchoredis list element: {:?}",
                    String::from_utf8_lossy(raw)
                ))
            })
        })
        .collect()
}

/// The kind recorded in a version, checked against the kind an operation
/// expects.
pub(crate) fn check_kind(version: Option<&Version>, kind: Kind, key: &[u8]) -> Result<()> {
    match version {
        Some(v) if v.kind != kind => Err(Error::new(
            ErrorKind::Server,
            Certainty::NotApplied,
            format!(
                "WRONGTYPE key {:?} holds a {:?}, not a {kind:?}",
                String::from_utf8_lossy(key),
                v.kind
            ),
        )),
        _ => Ok(()),
    }
}
