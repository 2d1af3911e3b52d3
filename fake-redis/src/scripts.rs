//! Scripts fake-redis runs without a Lua interpreter.
//!
//! Redis runs any Lua script `EVAL` sends it. fake-redis embeds no Lua:
//! instead it knows a few scripts by their exact text and runs a native
//! Rust version of each, line for line, issuing the same `redis.call`s
//! through the ordinary command layer (so watches, types and the event log
//! behave as for the commands themselves). Any other script answers an
//! error, so a client cannot mistake fake-redis for a server that ran it.
//!
//! Each native version reproduces what Redis 7 answers for the script,
//! errors included: a failing `redis.call` answers the command's error
//! followed by ` script: <sha1>, on @user_script:<line>.`, and what the
//! script wrote before the failing line stays written (Redis does not roll
//! a script back). `tests/differential_against_real_redis.rs` runs each
//! script on a real redis-server and on fake-redis and compares.
//!
//! Today the list holds anarchoredis' conditional register write, the one
//! script the client under test sends (the simulator checks that the
//! client's text and this one are identical).

use bytes::Bytes;

use crate::frame::Reply;

/// anarchoredis' conditional register write: set the data key (or delete
/// it) and the version key, unless the version key already holds this
/// version or a newer one. KEYS: data key, version key. ARGV: version,
/// `"1"` and the value to set, or `"0"` to delete. Answers 1 when it
/// wrote, 0 when the replica was already as new.
pub const ANARCHOREDIS_REGISTER_WRITE: &str = r#"
local cur = redis.call('GET', KEYS[2])
if cur and cur >= ARGV[1] then return 0 end
if ARGV[2] == '1' then redis.call('SET', KEYS[1], ARGV[3]) else redis.call('DEL', KEYS[1]) end
redis.call('SET', KEYS[2], ARGV[1])
return 1
"#;

/// A script fake-redis runs natively.
pub(crate) struct NativeScript {
    /// A name for error texts and docs.
    pub(crate) name: &'static str,
    /// The exact script text it stands for.
    pub(crate) body: &'static str,
    /// The native version.
    run: fn(&mut Script<'_>) -> Result<Reply, ScriptError>,
}

/// Every script fake-redis runs.
static NATIVE: &[NativeScript] = &[NativeScript {
    name: "anarchoredis register write",
    body: ANARCHOREDIS_REGISTER_WRITE,
    run: register_write,
}];

/// The names and texts of the scripts `EVAL` runs, for users who want to
/// know what fake-redis supports.
pub fn known_scripts() -> impl Iterator<Item = (&'static str, &'static str)> {
    NATIVE.iter().map(|s| (s.name, s.body))
}

/// How logs and histories show a script fake-redis knows, instead of its
/// text: `<script: NAME>`. `None` for any other text.
pub fn label(body: &[u8]) -> Option<String> {
    find(body).map(|script| ["<script: ", script.name, ">"].concat())
}

/// The native script whose text is exactly `body`.
pub(crate) fn find(body: &[u8]) -> Option<&'static NativeScript> {
    NATIVE.iter().find(|s| s.body.as_bytes() == body)
}

/// The error for a script fake-redis does not know.
pub(crate) fn unknown_script() -> Reply {
    let names: Vec<&str> = NATIVE.iter().map(|s| s.name).collect();
    Reply::error(format!(
        "ERR fake-redis has no Lua interpreter; EVAL runs only the scripts it emulates natively: {}",
        names.join(", ")
    ))
}

/// Redis' script id: the SHA-1 of the text, in lowercase hex.
pub(crate) fn sha1_hex(body: &[u8]) -> String {
    sha1_smol::Sha1::from(body).digest().to_string()
}

/// A script that stopped with an error at a line of its text.
pub(crate) struct ScriptError {
    /// The line of the script text (1-based, as Lua counts).
    line: u32,
    /// The error, starting with its code.
    text: String,
}

/// One run of a native script: its keys and arguments, and the way to call
/// a command (`redis.call`).
pub(crate) struct Script<'a> {
    keys: Vec<Bytes>,
    argv: Vec<Bytes>,
    call: &'a mut dyn FnMut(Vec<Bytes>) -> Reply,
}

impl Script<'_> {
    /// `KEYS[i]` (1-based), nil when absent.
    fn key(&self, i: usize) -> Option<Bytes> {
        self.keys.get(i - 1).cloned()
    }

    /// `ARGV[i]` (1-based), nil when absent.
    fn arg(&self, i: usize) -> Option<Bytes> {
        self.argv.get(i - 1).cloned()
    }

    /// `redis.call(...)` on script line `line`: a nil argument or an error
    /// reply stops the script, as in Redis.
    fn call(&mut self, line: u32, args: &[Option<Bytes>]) -> Result<Reply, ScriptError> {
        let Some(args) = args.iter().cloned().collect::<Option<Vec<Bytes>>>() else {
            return Err(ScriptError {
                line,
                text: "ERR Lua redis lib command arguments must be strings or integers".into(),
            });
        };
        match (self.call)(args) {
            Reply::Error(text) => Err(ScriptError { line, text }),
            reply => Ok(reply),
        }
    }
}

/// Runs `script` with `keys` and `argv`, calling commands through `call`,
/// and answers what Redis 7 would.
pub(crate) fn run(
    script: &NativeScript,
    keys: Vec<Bytes>,
    argv: Vec<Bytes>,
    call: &mut dyn FnMut(Vec<Bytes>) -> Reply,
) -> Reply {
    let mut ctx = Script { keys, argv, call };
    match (script.run)(&mut ctx) {
        Ok(reply) => reply,
        Err(e) => Reply::error(format!(
            "{} script: {}, on @user_script:{}.",
            e.text,
            sha1_hex(script.body.as_bytes()),
            e.line
        )),
    }
}

/// [`ANARCHOREDIS_REGISTER_WRITE`], line by line (line 1 is the empty line
/// after the opening quote).
fn register_write(s: &mut Script<'_>) -> Result<Reply, ScriptError> {
    let get = Some(Bytes::from_static(b"GET"));
    let set = Some(Bytes::from_static(b"SET"));
    let del = Some(Bytes::from_static(b"DEL"));
    // 2: local cur = redis.call('GET', KEYS[2])
    let cur = match s.call(2, &[get, s.key(2)])? {
        Reply::Bulk(value) => Some(value),
        _ => None,
    };
    // 3: if cur and cur >= ARGV[1] then return 0 end
    if let Some(cur) = cur {
        let Some(wanted) = s.arg(1) else {
            return Err(ScriptError {
                line: 3,
                text: "ERR user_script:3: attempt to compare nil with string".into(),
            });
        };
        // Lua compares strings with strcoll; under Redis' default C locale
        // that is byte order.
        if cur >= wanted {
            return Ok(Reply::Integer(0));
        }
    }
    // 4: if ARGV[2] == '1' then SET KEYS[1] ARGV[3] else DEL KEYS[1] end
    if s.arg(2).as_deref() == Some(b"1".as_slice()) {
        s.call(4, &[set.clone(), s.key(1), s.arg(3)])?;
    } else {
        s.call(4, &[del, s.key(1)])?;
    }
    // 5: redis.call('SET', KEYS[2], ARGV[1])
    s.call(5, &[set, s.key(2), s.arg(1)])?;
    // 6: return 1
    Ok(Reply::Integer(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_register_write_script_has_redis_sha() {
        // `SCRIPT LOAD` of the same text on Redis 7.0.15 answered this id.
        assert_eq!(
            sha1_hex(ANARCHOREDIS_REGISTER_WRITE.as_bytes()),
            "e872ad4b8c6fec8b37b763d13945e7ec746425fc"
        );
        assert!(find(ANARCHOREDIS_REGISTER_WRITE.as_bytes()).is_some());
        assert!(find(b"return 1").is_none());
    }
}
