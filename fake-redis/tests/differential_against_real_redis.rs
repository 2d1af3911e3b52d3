//! Differential conformance: the same seeded command sequences run against
//! fake-redis and a real `redis-server` (each on an ephemeral loopback
//! port), and every reply must be identical, byte for byte, except for the
//! few normalisations documented in `differential/compare.rs` (version
//! strings, connection ids, the process-specific parts of `INFO` and
//! `CLIENT INFO`, `COMMAND`'s table, the order of `KEYS`, a `PTTL`
//! tolerance, node ids).
//!
//! The real server is started with `--databases 1` because fake-redis has
//! one database (so `SELECT 1` is out of range on both), `--save ""` and
//! `--appendonly no`. `SCAN` is compared as the set of keys a full walk
//! returns, since the order is Redis' hash order and only the set is
//! specified. `CLIENT SETINFO` (Redis 7.2) is not generated while the
//! installed server is older.
//!
//! Three tests: the main seeded sequences (every command of the issue,
//! WRONGTYPE cases, WATCH/MULTI/EXEC races between two connections, RESP2
//! and RESP3), the same against a password-protected server (AUTH, NOAUTH,
//! HELLO AUTH), and the cluster commands against a cluster-mode server
//! (`READONLY`, `READWRITE`, `CLUSTER SLOTS`, which a standalone Redis
//! refuses). Each prints a SKIP notice and passes when `redis-server` is
//! not installed; `.ci/run` installs it.

mod differential;

use fake_redis::{ClusterConfig, ServerConfig};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use differential::generate::{Generator, Step};
use differential::real_redis::RealRedis;
use differential::{Stats, flush_both, run_sequence, start_fake};

/// Seeds and sizes. Change the seed to explore; a failure prints the
/// sequence number and its script.
const SEED: u64 = 0x00d1_ff00;
const SEQUENCES: usize = 240;
const AUTH_SEQUENCES: usize = 30;
const CLUSTER_SEQUENCES: usize = 20;

/// Every command of the issue (and its subcommands) must be compared at
/// least once by the main run, so the generator cannot quietly stop
/// covering one.
const MUST_COVER: &[&str] = &[
    "PING",
    "ECHO",
    "HELLO",
    "AUTH",
    "SELECT",
    "CLIENT SETNAME",
    "CLIENT GETNAME",
    "CLIENT ID",
    "CLIENT INFO",
    "COMMAND",
    "COMMAND COUNT",
    "COMMAND DOCS",
    "INFO",
    "DBSIZE",
    "FLUSHALL",
    "GET",
    "SET",
    "MGET",
    "DEL",
    "EXISTS",
    "INCR",
    "INCRBY",
    "TTL",
    "PTTL",
    "LPUSH",
    "RPUSH",
    "LRANGE",
    "LLEN",
    "HSET",
    "HGET",
    "HGETALL",
    "SCAN",
    "KEYS",
    "MULTI",
    "EXEC",
    "DISCARD",
    "WATCH",
    "UNWATCH",
];

#[tokio::test]
async fn seeded_sequences_get_the_same_replies_from_fake_and_real_redis() {
    let Some(real) = RealRedis::start(
        "seeded_sequences_get_the_same_replies_from_fake_and_real_redis",
        &["--databases", "1"],
    ) else {
        return;
    };
    let real = real_address(&real);
    let fake = start_fake(ServerConfig::default()).await.to_string();
    let mut generator = Generator::new(SEED);
    let mut stats = Stats::default();
    for n in 0..SEQUENCES {
        let steps = generator.sequence();
        if let Err(difference) = run_sequence(&fake, &real, &steps, &mut stats).await {
            panic!("sequence {n} (seed {SEED:#x}): {difference}");
        }
        flush_both(&fake, &real, None).await;
    }
    report("main", &stats);
    assert_eq!(stats.sequences, SEQUENCES);
    let missing: Vec<&str> = MUST_COVER
        .iter()
        .copied()
        .filter(|command| !stats.by_command.contains_key(*command))
        .collect();
    assert!(missing.is_empty(), "never compared: {missing:?}");
    // The interesting cases really happened.
    assert!(
        stats.wrong_type >= 20,
        "only {} WRONGTYPE replies",
        stats.wrong_type
    );
    assert!(
        stats.watch_aborts >= 10,
        "only {} EXECs aborted by WATCH",
        stats.watch_aborts
    );
    assert!(stats.execs_run >= 10, "only {} EXECs ran", stats.execs_run);
}

/// The scripts fake-redis runs natively give the replies, error texts and
/// effects the Lua scripts give on a real Redis.
#[tokio::test]
async fn scripts_run_natively_answer_like_lua_on_real_redis() {
    const SCRIPT_SEQUENCES: usize = 60;
    let Some(real) = RealRedis::start(
        "scripts_run_natively_answer_like_lua_on_real_redis",
        &["--databases", "1"],
    ) else {
        return;
    };
    let real = real_address(&real);
    let fake = start_fake(ServerConfig::default()).await.to_string();
    let mut generator = Generator::new(SEED ^ 0x5c);
    let mut stats = Stats::default();
    for n in 0..SCRIPT_SEQUENCES {
        let steps = generator.script_sequence();
        if let Err(difference) = run_sequence(&fake, &real, &steps, &mut stats).await {
            panic!(
                "script sequence {n} (seed {:#x}): {difference}",
                SEED ^ 0x5c
            );
        }
        flush_both(&fake, &real, None).await;
    }
    report("scripts", &stats);
    let evals = stats.by_command.get("EVAL").copied().unwrap_or_default();
    assert!(evals >= 300, "only {evals} EVAL replies compared");
    assert!(
        stats.wrong_type >= 5,
        "only {} WRONGTYPE replies",
        stats.wrong_type
    );
}

#[tokio::test]
async fn authentication_answers_like_a_password_protected_redis() {
    const PASSWORD: &str = "s3cret";
    let Some(real) = RealRedis::start(
        "authentication_answers_like_a_password_protected_redis",
        &["--databases", "1", "--requirepass", PASSWORD],
    ) else {
        return;
    };
    let real = real_address(&real);
    let fake = start_fake(ServerConfig {
        password: Some(PASSWORD.to_string()),
        ..ServerConfig::default()
    })
    .await
    .to_string();
    let commands: &[&str] = &[
        "GET k",
        "SET k v",
        "PING",
        "GET",
        "NOSUCH x",
        "CLIENT ID",
        "CLIENT SETNAME app",
        "MULTI",
        "EXEC",
        "HELLO",
        "HELLO 3",
        "HELLO 2",
        "HELLO 3 AUTH default wrong",
        "HELLO 3 AUTH default s3cret",
        "HELLO 2 AUTH default s3cret SETNAME app",
        "HELLO 3 AUTH nobody s3cret",
        "AUTH wrong",
        "AUTH s3cret",
        "AUTH default s3cret",
        "AUTH default wrong",
        "AUTH nobody s3cret",
        "AUTH a b c",
        "AUTH",
    ];
    let mut rng = StdRng::seed_from_u64(SEED ^ 0xa7);
    let mut stats = Stats::default();
    for n in 0..AUTH_SEQUENCES {
        let steps: Vec<Step> = (0..rng.random_range(6..16))
            .map(|_| {
                let words = commands.choose(&mut rng).copied().unwrap_or("PING");
                Step::Call {
                    conn: rng.random_range(0..2),
                    args: words.split(' ').map(|w| w.as_bytes().to_vec()).collect(),
                }
            })
            .collect();
        if let Err(difference) = run_sequence(&fake, &real, &steps, &mut stats).await {
            panic!("auth sequence {n}: {difference}");
        }
        flush_both(&fake, &real, Some(PASSWORD)).await;
    }
    report("auth", &stats);
    for command in ["AUTH", "HELLO", "GET"] {
        assert!(
            stats.by_command.contains_key(command),
            "{command} never compared"
        );
    }
}

#[tokio::test]
async fn cluster_commands_answer_like_a_single_node_cluster() {
    let Some(real) = RealRedis::start(
        "cluster_commands_answer_like_a_single_node_cluster",
        &[
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "nodes.conf",
            // A one-node cluster never learns its own address; announce it
            // as fake-redis does.
            "--cluster-announce-ip",
            "127.0.0.1",
        ],
    ) else {
        return;
    };
    let real_port = real.port;
    let real = real_address(&real);
    {
        let mut admin = differential::client::Conn::connect(&real).await;
        let (reply, _) = admin
            .call(&[
                b"CLUSTER".to_vec(),
                b"ADDSLOTSRANGE".to_vec(),
                b"0".to_vec(),
                b"16383".to_vec(),
            ])
            .await;
        assert_eq!(
            reply, b"+OK\r\n",
            "CLUSTER ADDSLOTSRANGE on the real server"
        );
    }
    // The fake announces the real server's address, as a node of the same
    // one-node cluster would.
    let fake = start_fake(ServerConfig {
        cluster: ClusterConfig {
            host: "127.0.0.1".to_string(),
            port: real_port,
            ..ClusterConfig::default()
        },
        ..ServerConfig::default()
    })
    .await
    .to_string();
    let mut rng = StdRng::seed_from_u64(SEED ^ 0xc1);
    let mut stats = Stats::default();
    for n in 0..CLUSTER_SEQUENCES {
        let mut steps = Vec::new();
        if rng.random_bool(0.5) {
            // HELLO's `mode` is `cluster` here and `standalone` in
            // fake-redis (which plays a standalone server that also answers
            // the cluster commands), so it is set-up, not compared.
            steps.push(Step::Setup {
                conn: 0,
                args: vec![b"HELLO".to_vec(), b"3".to_vec()],
            });
        }
        for _ in 0..rng.random_range(3..8) {
            let key = format!(
                "{}{}",
                ["user:", "{tag}", "a{b}c", "{}", "x"]
                    .choose(&mut rng)
                    .copied()
                    .unwrap_or("k"),
                rng.random_range(0..1000)
            );
            let args: Vec<Vec<u8>> = match rng.random_range(0..6) {
                0 | 1 => vec![b"CLUSTER".to_vec(), b"SLOTS".to_vec()],
                2 => vec![b"READONLY".to_vec()],
                3 => vec![b"READWRITE".to_vec()],
                4 => vec![b"CLUSTER".to_vec(), b"KEYSLOT".to_vec(), key.into_bytes()],
                _ => vec![b"CLUSTER".to_vec(), b"MYID".to_vec()],
            };
            steps.push(Step::Call { conn: 0, args });
        }
        if let Err(difference) = run_sequence(&fake, &real, &steps, &mut stats).await {
            panic!("cluster sequence {n}: {difference}");
        }
    }
    report("cluster", &stats);
    for command in ["READONLY", "READWRITE", "CLUSTER SLOTS", "CLUSTER KEYSLOT"] {
        assert!(
            stats.by_command.contains_key(command),
            "{command} never compared"
        );
    }
}

fn real_address(real: &RealRedis) -> String {
    real.address()
}

/// Prints what was compared, so the test log gives the numbers.
fn report(name: &str, stats: &Stats) {
    eprintln!(
        "differential ({name}): {} sequences, {} replies compared, identical \
         ({} WRONGTYPE, {} EXEC aborted by WATCH, {} EXEC run)",
        stats.sequences,
        stats.replies(),
        stats.wrong_type,
        stats.watch_aborts,
        stats.execs_run
    );
    eprintln!("  by command: {:?}", stats.by_command);
}
