//! Seeded generation of scripted command sequences.
//!
//! Each sequence runs on two connections per server (0 and 1) against an
//! empty keyspace and mixes a few themes: strings, lists, hashes (with
//! WRONGTYPE cases from keys of another type), expiry, the keyspace (DBSIZE,
//! FLUSHALL, KEYS, SCAN), connection commands (PING, ECHO, HELLO, AUTH,
//! SELECT, CLIENT, COMMAND, INFO), transactions, and WATCH/MULTI/EXEC races
//! between the two connections. Arguments include bad values on purpose
//! (non-integers, zero and negative expiries, unknown options, wrong
//! arities) so error texts are compared too.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

/// One scripted step.
#[derive(Clone, Debug)]
pub enum Step {
    /// Send `args` on connection `conn` and compare the replies.
    Call { conn: usize, args: Vec<Vec<u8>> },
    /// Walk `SCAN 0 <options>` to the end on `conn` on each server and
    /// compare the set of keys returned (Redis' order is its hash order,
    /// fake-redis' is creation order; only the set is specified).
    ScanAll { conn: usize, options: Vec<Vec<u8>> },
    /// Wait this many milliseconds (for keys with a short `PX`).
    Sleep(u64),
    /// Send `args` on `conn` to both servers and only check that neither
    /// answers an error (set-up whose reply legitimately differs, such as
    /// `HELLO`'s `mode` against a cluster-mode Redis).
    Setup { conn: usize, args: Vec<Vec<u8>> },
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let words = |args: &[Vec<u8>]| -> String {
            args.iter()
                .map(|a| format!("{:?}", String::from_utf8_lossy(a)))
                .collect::<Vec<_>>()
                .join(" ")
        };
        match self {
            Step::Call { conn, args } => write!(f, "[conn {conn}] {}", words(args)),
            Step::ScanAll { conn, options } => {
                write!(f, "[conn {conn}] SCAN 0 {} (full walk)", words(options))
            }
            Step::Sleep(ms) => write!(f, "sleep {ms}ms"),
            Step::Setup { conn, args } => write!(f, "[conn {conn}] {} (set-up)", words(args)),
        }
    }
}

const STRING_KEYS: &[&str] = &["s1", "s2", "n"];
const LIST_KEYS: &[&str] = &["l1", "l2"];
const HASH_KEYS: &[&str] = &["h1", "h2"];
const VALUES: &[&str] = &[
    "",
    "v",
    "1",
    "-5",
    "007",
    "12.5",
    "-0",
    "x y",
    "9223372036854775807",
    "-9223372036854775808",
    "\r\n",
    "42",
];
const INCREMENTS: &[&str] = &[
    "1",
    "-1",
    "0",
    "100",
    "-100",
    "x",
    "",
    "1.5",
    "+1",
    "01",
    "9223372036854775807",
    "-9223372036854775808",
];
const INDEXES: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "-2",
    "-100",
    "100",
    "x",
    "9223372036854775807",
    "-9223372036854775808",
    "01",
];
const PATTERNS: &[&str] = &[
    "*", "s*", "?1", "l[12]", "h[^1]", "*2", "[a-m]*", "n", "\\*", "[", "x*", "*[", "",
];

/// A generator for one run.
pub struct Generator {
    rng: StdRng,
    /// Which connections speak RESP3 (after a `HELLO 3` that succeeds), so
    /// `COMMAND` and `COMMAND DOCS` are only sent in RESP2: in RESP3 Redis
    /// answers them with sets of maps, which the `redis-protocol` decoder
    /// this test reads replies with cannot decode.
    resp3: [bool; 2],
}

/// Which themes a sequence mixes.
#[derive(Clone, Copy, Debug)]
enum Theme {
    Strings,
    Lists,
    Hashes,
    Expiry,
    Keyspace,
    Connection,
    Transaction,
    WatchRace,
}

const THEMES: &[Theme] = &[
    Theme::Strings,
    Theme::Lists,
    Theme::Hashes,
    Theme::Expiry,
    Theme::Keyspace,
    Theme::Connection,
    Theme::Transaction,
    Theme::WatchRace,
];

fn words(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

fn call(conn: usize, args: &[&str]) -> Step {
    Step::Call {
        conn,
        args: words(args),
    }
}

impl Generator {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Generator {
        Generator {
            rng: StdRng::seed_from_u64(seed),
            resp3: [false; 2],
        }
    }

    fn pick<'a>(&mut self, options: &[&'a str]) -> &'a str {
        options.choose(&mut self.rng).copied().unwrap_or("")
    }

    /// A key, usually of the wanted type, sometimes of another (WRONGTYPE)
    /// or missing.
    fn key(&mut self, wanted: &[&'static str]) -> &'static str {
        match self.rng.random_range(0..10) {
            0 => self.pick(&["missing", "s1", "l1", "h1"]),
            _ => self.pick(wanted),
        }
    }

    /// One sequence: setup, then 2 or 3 themes interleaved in blocks.
    pub fn sequence(&mut self) -> Vec<Step> {
        let mut steps = Vec::new();
        self.resp3 = [false; 2];
        // Either connection may speak RESP3 from the start.
        for conn in 0..2 {
            if self.rng.random_bool(0.4) {
                steps.push(call(conn, &["HELLO", "3"]));
                self.resp3[conn] = true;
            }
        }
        let themes = self.rng.random_range(2..=3);
        for _ in 0..themes {
            let theme = *THEMES.choose(&mut self.rng).unwrap_or(&Theme::Strings);
            let block = self.theme(theme);
            steps.extend(block);
        }
        // Always end with a look at the whole keyspace.
        steps.push(call(0, &["DBSIZE"]));
        steps.push(call(1, &["KEYS", "*"]));
        steps
    }

    /// A sequence for the scripts fake-redis emulates: the register write
    /// with random versions (some equal, some older), values, tombstones,
    /// missing arguments, bad key counts, a version key of the wrong type,
    /// and reads of both keys after each call. Separate from [`sequence`]
    /// so that adding it left the main sequences unchanged.
    pub fn script_sequence(&mut self) -> Vec<Step> {
        const SCRIPT: &str = fake_redis::scripts::ANARCHOREDIS_REGISTER_WRITE;
        let mut steps = Vec::new();
        if self.rng.random_bool(0.2) {
            steps.push(call(0, &["RPUSH", "vl", "x"]));
        }
        for _ in 0..self.rng.random_range(4..12) {
            let conn = self.conn();
            let data = self.pick(&["s1", "s2", "l1"]);
            let version_key = self.pick(&["v1", "v1", "v2", "vl"]);
            let version = self.pick(&["r:01", "r:02", "r:10", "r:02:b", "c:05", ""]);
            let mut args = vec!["EVAL", SCRIPT];
            match self.rng.random_range(0..20) {
                0 => args.extend(["3", data, version_key]),
                1 => args.extend(["-1", data]),
                2 => args.extend(["two", data, version_key]),
                3 => args.extend(["2", data, version_key]),
                4 => args.extend(["1", version_key, version, "1", "v"]),
                5 => args.extend(["2", data, version_key, version, "1"]),
                6..=8 => args.extend(["2", data, version_key, version, "0"]),
                _ => {
                    let value = self.pick(VALUES);
                    args.extend(["2", data, version_key, version, "1", value]);
                }
            }
            steps.push(call(conn, &args));
            if self.rng.random_bool(0.5) {
                steps.push(call(conn, &["MGET", data, version_key]));
            }
        }
        steps.push(call(0, &["MGET", "s1", "s2", "l1", "v1", "v2", "vl"]));
        steps.push(call(1, &["KEYS", "*"]));
        steps
    }

    fn theme(&mut self, theme: Theme) -> Vec<Step> {
        let count = self.rng.random_range(4..10);
        match theme {
            Theme::Strings => (0..count).map(|_| self.string_step()).collect(),
            Theme::Lists => (0..count).map(|_| self.list_step()).collect(),
            Theme::Hashes => (0..count).map(|_| self.hash_step()).collect(),
            Theme::Expiry => self.expiry_block(),
            Theme::Keyspace => (0..count).map(|_| self.keyspace_step()).collect(),
            Theme::Connection => (0..count).map(|_| self.connection_step()).collect(),
            Theme::Transaction => self.transaction_block(),
            Theme::WatchRace => self.watch_race_block(),
        }
    }

    fn conn(&mut self) -> usize {
        self.rng.random_range(0..2)
    }

    /// A data command on `conn`, any type: what transactions queue and
    /// races use.
    fn data_command(&mut self) -> Vec<Vec<u8>> {
        let step = match self.rng.random_range(0..3) {
            0 => self.string_step(),
            1 => self.list_step(),
            _ => self.hash_step(),
        };
        match step {
            Step::Call { args, .. } => args,
            _ => words(&["PING"]),
        }
    }

    fn string_step(&mut self) -> Step {
        let conn = self.conn();
        let key = self.key(STRING_KEYS);
        let value = self.pick(VALUES);
        match self.rng.random_range(0..12) {
            0..=2 => {
                let mut args = vec!["SET", key, value];
                for _ in 0..self.rng.random_range(0..3) {
                    let option = self.pick(&[
                        "NX", "XX", "GET", "KEEPTTL", "EX", "PX", "EX", "PX", "BOGUS", "nx", "get",
                    ]);
                    args.push(option);
                    if (option == "EX" || option == "PX") && self.rng.random_bool(0.9) {
                        args.push(self.pick(&[
                            "100",
                            "100000",
                            "0",
                            "-5",
                            "x",
                            "9223372036854775807",
                            "1.5",
                        ]));
                    }
                }
                call(conn, &args)
            }
            3 | 4 => call(conn, &["GET", key]),
            5 => {
                let other = self.key(STRING_KEYS);
                call(conn, &["MGET", key, other, "missing"])
            }
            6 => {
                let other = self.key(STRING_KEYS);
                call(conn, &["DEL", key, other, key])
            }
            7 => {
                let other = self.key(STRING_KEYS);
                call(conn, &["EXISTS", key, other, key])
            }
            8 => call(conn, &["INCR", key]),
            9 => {
                let by = self.pick(INCREMENTS);
                call(conn, &["INCRBY", key, by])
            }
            // PTTL only in the expiry block: milliseconds pass between the
            // two servers' answers, and EXEC arrays are compared exactly.
            10 => call(conn, &["TTL", key]),
            _ => {
                // Wrong arities.
                let args = self.pick(&[
                    "GET", "SET k", "MGET", "DEL", "EXISTS", "INCR", "INCRBY k", "INCR a b",
                ]);
                call(conn, &args.split(' ').collect::<Vec<_>>())
            }
        }
    }

    fn list_step(&mut self) -> Step {
        let conn = self.conn();
        let key = self.key(LIST_KEYS);
        match self.rng.random_range(0..8) {
            0 | 1 => {
                let mut args = vec![self.pick(&["LPUSH", "RPUSH", "lpush"]), key];
                for _ in 0..self.rng.random_range(1..4) {
                    args.push(self.pick(VALUES));
                }
                call(conn, &args)
            }
            2..=4 => {
                let start = self.pick(INDEXES);
                let stop = self.pick(INDEXES);
                call(conn, &["LRANGE", key, start, stop])
            }
            5 => call(conn, &["LLEN", key]),
            6 => call(
                conn,
                &[self.pick(&["GET", "INCR", "HGET"]), key, "f"]
                    [..if self.rng.random_bool(0.5) { 2 } else { 3 }],
            ),
            _ => call(
                conn,
                &[
                    self.pick(&["LPUSH", "LRANGE", "LLEN"]),
                    key,
                    "1",
                    "2",
                    "3",
                    "4",
                ],
            ),
        }
    }

    fn hash_step(&mut self) -> Step {
        let conn = self.conn();
        let key = self.key(HASH_KEYS);
        let fields = ["f1", "f2", "f3", ""];
        match self.rng.random_range(0..7) {
            0..=2 => {
                let mut args = vec!["HSET", key];
                for _ in 0..self.rng.random_range(1..4) {
                    args.push(self.pick(&fields));
                    args.push(self.pick(VALUES));
                }
                if self.rng.random_bool(0.1) {
                    args.pop();
                }
                call(conn, &args)
            }
            3 | 4 => {
                let field = self.pick(&fields);
                call(conn, &["HGET", key, field])
            }
            5 => call(conn, &["HGETALL", key]),
            _ => call(
                conn,
                &[self.pick(&["SET", "LPUSH", "GET"]), key, "x"]
                    [..if self.rng.random_bool(0.5) { 2 } else { 3 }],
            ),
        }
    }

    fn expiry_block(&mut self) -> Vec<Step> {
        let conn = self.conn();
        let key = self.pick(STRING_KEYS);
        let mut steps = vec![
            call(conn, &["SET", key, "short", "PX", "1"]),
            call(conn, &["SET", "long", "v", "EX", "100"]),
            call(1 - conn, &["TTL", "long"]),
            call(conn, &["PTTL", "long"]),
            Step::Sleep(5),
            // Real Redis deletes an expired key when it is touched; every
            // server must then agree that it is gone.
            call(1 - conn, &["GET", key]),
            call(conn, &["EXISTS", key, "long"]),
            call(conn, &["TTL", key]),
        ];
        if self.rng.random_bool(0.5) {
            steps.push(call(conn, &["SET", "long", "w", "KEEPTTL"]));
            steps.push(call(conn, &["TTL", "long"]));
            steps.push(call(conn, &["SET", "long", "w"]));
            steps.push(call(conn, &["TTL", "long"]));
        }
        steps.push(call(conn, &["DBSIZE"]));
        steps
    }

    fn keyspace_step(&mut self) -> Step {
        let conn = self.conn();
        match self.rng.random_range(0..10) {
            0 => call(conn, &["DBSIZE"]),
            1 => call(
                conn,
                &["FLUSHALL", self.pick(&["ASYNC", "SYNC", "sync", "BOGUS"])],
            ),
            2 => call(conn, &["FLUSHALL"]),
            3 => call(conn, &["KEYS", self.pick(PATTERNS)]),
            4 | 5 => {
                let mut options = Vec::new();
                if self.rng.random_bool(0.6) {
                    options.extend(["MATCH", self.pick(PATTERNS)]);
                }
                if self.rng.random_bool(0.5) {
                    options.extend(["COUNT", self.pick(&["1", "2", "10", "1000"])]);
                }
                if self.rng.random_bool(0.2) {
                    options.extend(["TYPE", self.pick(&["string", "list", "hash"])]);
                }
                Step::ScanAll {
                    conn,
                    options: words(&options),
                }
            }
            6 => {
                // Invalid SCANs are answered with an error, compared exactly.
                let args = self.pick(&[
                    "SCAN abc",
                    "SCAN 0 COUNT 0",
                    "SCAN 0 COUNT x",
                    "SCAN 0 COUNT -1",
                    "SCAN 0 BOGUS 1",
                    "SCAN 0 MATCH",
                    "SCAN",
                    "SCAN 1x",
                ]);
                call(conn, &args.split(' ').collect::<Vec<_>>())
            }
            7 => {
                let key = self.pick(&["s1", "s2", "n", "l1", "h1", "k:1", "k:2"]);
                call(conn, &["SET", key, "v"])
            }
            8 => call(conn, &["RPUSH", self.pick(LIST_KEYS), "a", "b"]),
            _ => call(conn, &["HSET", self.pick(HASH_KEYS), "f", "v"]),
        }
    }

    fn connection_step(&mut self) -> Step {
        let conn = self.conn();
        let args: &str = self.pick(&[
            "PING",
            "PING hello",
            "PING a b",
            "ECHO hi",
            "ECHO",
            "SELECT 0",
            "SELECT 1",
            "SELECT x",
            "SELECT -1",
            "CLIENT SETNAME worker",
            "CLIENT SETNAME",
            "CLIENT GETNAME",
            "CLIENT ID",
            "CLIENT INFO",
            "CLIENT",
            "CLIENT NOPE",
            "HELLO",
            "HELLO 2",
            "HELLO 3",
            "HELLO 4",
            "HELLO x",
            "HELLO 3 SETNAME app",
            "HELLO 2 AUTH default any",
            "HELLO 3 AUTH someone pw",
            "HELLO 2 BOGUS",
            "AUTH pw",
            "AUTH default pw",
            "AUTH other pw",
            "AUTH a b c",
            "COMMAND",
            "COMMAND COUNT",
            "COMMAND DOCS",
            "COMMAND DOCS GET",
            "INFO",
            "INFO server",
            "INFO keyspace",
            "INFO KEYSPACE server",
            "INFO all",
            "INFO nosuchsection",
            "NOSUCHCOMMAND a b",
        ]);
        let mut args: Vec<Vec<u8>> = words(&args.split(' ').collect::<Vec<_>>());
        let mut valid_name = true;
        if args.len() == 3 && args[1] == b"SETNAME" && self.rng.random_bool(0.3) {
            args[2] = b"has space".to_vec();
            valid_name = false;
        }
        if args[0] == b"COMMAND" && self.resp3[conn] && args.get(1).is_none_or(|sub| sub == b"DOCS")
        {
            args = words(&["COMMAND", "COUNT"]);
        }
        // Track the protocol: a HELLO with a good version, no bad option,
        // no foreign user and a valid name switches it.
        if args[0] == b"HELLO" && valid_name {
            let fails = args.iter().any(|a| a == b"BOGUS" || a == b"someone");
            match args.get(1).map(Vec::as_slice) {
                Some(b"2") if !fails => self.resp3[conn] = false,
                Some(b"3") if !fails => self.resp3[conn] = true,
                _ => {}
            }
        }
        Step::Call { conn, args }
    }

    fn transaction_block(&mut self) -> Vec<Step> {
        let conn = self.conn();
        let mut steps = vec![call(conn, &["MULTI"])];
        for _ in 0..self.rng.random_range(1..6) {
            match self.rng.random_range(0..12) {
                0 => steps.push(call(conn, &["NOSUCH", "x"])),
                1 => steps.push(call(conn, &["GET"])),
                2 => steps.push(call(conn, &["MULTI"])),
                3 => steps.push(call(conn, &["WATCH", "s1"])),
                4 => steps.push(call(conn, &["PING"])),
                5 => steps.push(call(conn, &["DBSIZE"])),
                6 => steps.push(call(conn, &["UNWATCH"])),
                _ => {
                    let args = self.data_command();
                    steps.push(Step::Call { conn, args });
                }
            }
        }
        // The other connection may change things meanwhile.
        if self.rng.random_bool(0.3) {
            let args = self.data_command();
            steps.push(Step::Call {
                conn: 1 - conn,
                args,
            });
        }
        steps.push(call(
            conn,
            &[self.pick(&["EXEC", "EXEC", "EXEC", "DISCARD"])],
        ));
        if self.rng.random_bool(0.2) {
            steps.push(call(conn, &[self.pick(&["EXEC", "DISCARD"])]));
        }
        steps
    }

    /// WATCH on A, something (or nothing) on B, then MULTI/EXEC on A.
    fn watch_race_block(&mut self) -> Vec<Step> {
        let a = self.conn();
        let b = 1 - a;
        let watched = self.pick(&["s1", "l1", "h1", "missing"]);
        let mut steps = Vec::new();
        if self.rng.random_bool(0.5) {
            steps.push(call(a, &["SET", "s1", "0"]));
        }
        let mut watch = vec!["WATCH", watched];
        if self.rng.random_bool(0.3) {
            watch.push("s2");
        }
        steps.push(call(a, &watch));
        let interference: Vec<&str> = match self.rng.random_range(0..12) {
            0 => vec!["SET", watched, "from-b"],
            1 => vec!["SET", "other", "from-b"],
            2 => vec!["DEL", watched],
            3 => vec!["SET", watched, "x", "NX"],
            4 => vec!["GET", watched],
            5 => vec!["FLUSHALL"],
            6 => vec!["INCR", watched],
            7 => vec!["LPUSH", watched, "x"],
            8 => vec!["HSET", watched, "f", "x"],
            9 => vec!["DEL", "missing-too"],
            10 => vec!["EXPIRE-NOTHING"],
            _ => vec!["SET", "s2", "touch"],
        };
        let (on, interference) = if self.rng.random_bool(0.2) {
            // The watching connection itself writes: also dirties it.
            (a, interference)
        } else {
            (b, interference)
        };
        if interference != ["EXPIRE-NOTHING"] {
            steps.push(call(on, &interference));
        }
        if self.rng.random_bool(0.15) {
            steps.push(call(a, &["UNWATCH"]));
        }
        steps.push(call(a, &["MULTI"]));
        for _ in 0..self.rng.random_range(1..4) {
            let args = self.data_command();
            steps.push(Step::Call { conn: a, args });
        }
        steps.push(call(a, &["EXEC"]));
        steps.push(call(b, &["GET", "s1"]));
        steps
    }
}
