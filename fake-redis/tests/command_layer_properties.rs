//! A bounded property test of the command layer: thousands of seeded random
//! sequences of well-formed requests (known and unknown commands, any case,
//! random arguments including binary bytes, integer extremes and option
//! words, transactions, protocol switches) go through `Server::serve` over
//! an in-memory stream. For every sequence:
//!
//! - the server finishes without panicking;
//! - every request gets exactly one well-formed reply, in order, and none
//!   is a protocol error;
//! - every request is reported by exactly one command event;
//! - afterwards the keyspace is self-consistent: `DBSIZE`, `KEYS *`, a full
//!   `SCAN` and `Server::snapshot()` agree, and every key reads back (with
//!   `GET`, `LRANGE` or `HGETALL` by its type) as the snapshot says.
//!
//! The clock is paused, so no key expires between those checks.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use bytes::BytesMut;
use fake_redis::{Server, ServerConfig, ServerEventKind, Value};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use redis_protocol::resp2::types::BytesFrame as Resp2Frame;
use redis_protocol::resp3::types::BytesFrame as Resp3Frame;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CASES: usize = 1500;
const SEED: u64 = 0xc0_ffee;

const NAMES: &[&str] = &[
    "PING",
    "ECHO",
    "HELLO",
    "AUTH",
    "SELECT",
    "CLIENT",
    "COMMAND",
    "READONLY",
    "READWRITE",
    "CLUSTER",
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
    "EVAL",
    "get",
    "Set",
    "nosuch",
    "",
];
const WORDS: &[&str] = &[
    "k",
    "k2",
    "l",
    "h",
    "f",
    "v",
    "0",
    "1",
    "-1",
    "2",
    "3",
    "10",
    "100",
    "-100",
    "x",
    "",
    "NX",
    "XX",
    "GET",
    "EX",
    "PX",
    "KEEPTTL",
    "EXAT",
    "MATCH",
    "COUNT",
    "TYPE",
    "*",
    "k*",
    "[",
    "SETNAME",
    "GETNAME",
    "ID",
    "INFO",
    "SETINFO",
    "lib-name",
    "DOCS",
    "SLOTS",
    "KEYSLOT",
    "MYID",
    "AUTH",
    "default",
    "ASYNC",
    "server",
    "keyspace",
    "string",
    "list",
    "hash",
    "9223372036854775807",
    "-9223372036854775808",
    "99999999999999999999",
    "1.5",
    "01",
];

fn random_arg(rng: &mut StdRng) -> Vec<u8> {
    match rng.random_range(0..10) {
        0 => (0..rng.random_range(0..12)).map(|_| rng.random()).collect(),
        1 => rng.random::<i64>().to_string().into_bytes(),
        _ => WORDS.choose(rng).copied().unwrap_or("").as_bytes().to_vec(),
    }
}

/// Well-formed data commands, so keys of every type exist at the end of
/// most sequences and the consistency checks have something to check.
const TEMPLATES: &[&str] = &[
    "SET k v",
    "SET k2 1",
    "SET k 7 EX 100",
    "SET l v",
    "INCR k2",
    "INCRBY k2 5",
    "LPUSH l a b",
    "RPUSH l c",
    "HSET h f v g w",
    "HSET h f x",
    "DEL k",
    "MULTI",
    "EXEC",
    "DISCARD",
    "WATCH k",
    "FLUSHALL",
    "SET k v NX GET",
];

fn random_request(rng: &mut StdRng) -> Vec<Vec<u8>> {
    if rng.random_bool(0.5) {
        let template = TEMPLATES.choose(rng).copied().unwrap_or("PING");
        return template.split(' ').map(|w| w.as_bytes().to_vec()).collect();
    }
    let mut args = vec![
        NAMES
            .choose(rng)
            .copied()
            .unwrap_or("PING")
            .as_bytes()
            .to_vec(),
    ];
    if args[0].eq_ignore_ascii_case(b"HELLO") && rng.random_bool(0.7) {
        args.push(if rng.random_bool(0.5) {
            b"3".to_vec()
        } else {
            b"2".to_vec()
        });
        return args;
    }
    for _ in 0..rng.random_range(0..6) {
        args.push(random_arg(rng));
    }
    args
}

fn encode(args: &[Vec<u8>]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// One reply off the front of `buf`, decoded RESP2 first, then RESP3 (a
/// RESP3-only type byte fails the RESP2 decoder). `None` if no complete
/// reply is there.
fn next_reply(buf: &mut BytesMut) -> Option<Reply> {
    if let Ok(Some((frame, _, _))) = redis_protocol::resp2::decode::decode_bytes_mut(buf) {
        return Some(match frame {
            Resp2Frame::Error(text) => Reply::Error(text.to_string()),
            _ => Reply::Other,
        });
    }
    match redis_protocol::resp3::decode::complete::decode_bytes_mut(buf) {
        Ok(Some((Resp3Frame::SimpleError { data, .. }, _, _))) => {
            Some(Reply::Error(data.to_string()))
        }
        Ok(Some(_)) => Some(Reply::Other),
        _ => None,
    }
}

/// What the property cares about in a reply.
enum Reply {
    Error(String),
    Other,
}

/// Sends `requests` pipelined on a fresh connection to `server`, closes the
/// write side, and returns everything the server sent.
async fn exchange(server: &Server, requests: &[Vec<Vec<u8>>]) -> Vec<u8> {
    let (mut client, server_side) = tokio::io::duplex(1 << 20);
    let serving = server.serve(server_side);
    let talking = async {
        for request in requests {
            client.write_all(&encode(request)).await.expect("write");
        }
        client.shutdown().await.expect("shutdown");
        let mut output = Vec::new();
        client.read_to_end(&mut output).await.expect("read");
        output
    };
    let ((), output) = tokio::join!(serving, talking);
    output
}

/// Sends one request (RESP2) and returns its reply frame.
async fn ask(server: &Server, args: &[&[u8]]) -> Resp2Frame {
    let request: Vec<Vec<u8>> = args.iter().map(|a| a.to_vec()).collect();
    let output = exchange(server, &[request]).await;
    let mut buf = BytesMut::from(&output[..]);
    match redis_protocol::resp2::decode::decode_bytes_mut(&mut buf) {
        Ok(Some((frame, _, _))) => frame,
        other => panic!("no reply to {args:?}: {other:?}"),
    }
}

fn bulk_list(frame: &Resp2Frame) -> Vec<Vec<u8>> {
    match frame {
        Resp2Frame::Array(items) => items
            .iter()
            .filter_map(|item| match item {
                Resp2Frame::BulkString(b) => Some(b.to_vec()),
                _ => None,
            })
            .collect(),
        other => panic!("expected an array, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn random_command_sequences_keep_every_invariant() {
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut requests_sent = 0usize;
    let mut errors = 0usize;
    let mut keys_checked = 0usize;
    for case in 0..CASES {
        let events = Arc::new(Mutex::new(0usize));
        let counter = Arc::clone(&events);
        let server = Server::new(ServerConfig {
            observer: Some(Arc::new(move |event| {
                if event.kind == ServerEventKind::Command {
                    *counter.lock().unwrap() += 1;
                }
            })),
            ..ServerConfig::default()
        });
        let requests: Vec<Vec<Vec<u8>>> = (0..rng.random_range(1..30))
            .map(|_| random_request(&mut rng))
            .collect();
        requests_sent += requests.len();
        let output = exchange(&server, &requests).await;

        let mut buf = BytesMut::from(&output[..]);
        let mut replies = 0;
        while !buf.is_empty() {
            match next_reply(&mut buf) {
                Some(Reply::Error(text)) => {
                    assert!(
                        !text.starts_with("ERR Protocol error"),
                        "case {case}: protocol error for well-formed requests: {text}"
                    );
                    errors += 1;
                    replies += 1;
                }
                Some(Reply::Other) => replies += 1,
                None => panic!("case {case}: malformed output {output:?}"),
            }
        }
        assert_eq!(
            replies,
            requests.len(),
            "case {case}: replies for {requests:?}"
        );
        assert_eq!(
            *events.lock().unwrap(),
            requests.len(),
            "case {case}: command events"
        );

        // The keyspace agrees with itself.
        let snapshot = server.snapshot();
        keys_checked += snapshot.len();
        let keys: BTreeSet<Vec<u8>> = bulk_list(&ask(&server, &[b"KEYS", b"*"]).await)
            .into_iter()
            .collect();
        let expected: BTreeSet<Vec<u8>> = snapshot.keys().cloned().collect();
        assert_eq!(keys, expected, "case {case}: KEYS * vs snapshot");
        let dbsize = ask(&server, &[b"DBSIZE"]).await;
        assert_eq!(
            dbsize,
            Resp2Frame::Integer(snapshot.len() as i64),
            "case {case}"
        );
        let mut scanned = BTreeSet::new();
        let mut cursor = b"0".to_vec();
        loop {
            let Resp2Frame::Array(parts) = ask(&server, &[b"SCAN", &cursor, b"COUNT", b"3"]).await
            else {
                panic!("case {case}: SCAN reply");
            };
            let Resp2Frame::BulkString(next) = &parts[0] else {
                panic!("case {case}: SCAN cursor");
            };
            scanned.extend(bulk_list(&parts[1]));
            if next.as_ref() == b"0" {
                break;
            }
            cursor = next.to_vec();
        }
        assert_eq!(scanned, expected, "case {case}: SCAN vs snapshot");
        for (key, value) in &snapshot {
            match value {
                Value::String(v) => {
                    let got = ask(&server, &[b"GET", key]).await;
                    assert_eq!(got, Resp2Frame::BulkString(v.clone().into()), "case {case}");
                }
                Value::List(items) => {
                    let got = bulk_list(&ask(&server, &[b"LRANGE", key, b"0", b"-1"]).await);
                    assert_eq!(&got, items, "case {case}");
                }
                Value::Hash(fields) => {
                    let flat = bulk_list(&ask(&server, &[b"HGETALL", key]).await);
                    let got: std::collections::BTreeMap<Vec<u8>, Vec<u8>> = flat
                        .chunks(2)
                        .map(|pair| (pair[0].clone(), pair[1].clone()))
                        .collect();
                    assert_eq!(&got, fields, "case {case}");
                }
            }
        }
    }
    eprintln!(
        "command layer: {CASES} random sequences, {requests_sent} requests, {errors} error replies, \
         {keys_checked} final keys checked, no panic"
    );
    assert!(keys_checked > CASES, "only {keys_checked} keys to check");
    // The generator exercises both paths.
    assert!(
        errors > requests_sent / 10 && errors < requests_sent * 9 / 10,
        "{errors} of {requests_sent}"
    );
}
