//! A bounded property test of the request decode path: thousands of seeded
//! pseudo-random inputs (noise, valid requests, truncated and corrupted
//! requests) go through `Server::serve` over an in-memory stream. For every
//! one the server must finish without panicking, answer only well-formed
//! RESP, and, if it reports a protocol error, report it last and hang up.

use bytes::BytesMut;
use fake_redis::{Server, ServerConfig};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use redis_protocol::resp2::types::BytesFrame as Resp2Frame;
use redis_protocol::resp3::types::BytesFrame as Resp3Frame;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CASES: usize = 3000;
const SEED: u64 = 0x5eed_f00d;

/// Commands that are safe to replay at random (no delays configured, so
/// nothing here can block).
const WORDS: &[&str] = &[
    "PING", "ECHO", "GET", "SET", "DEL", "INCR", "MULTI", "EXEC", "DISCARD", "HELLO", "2", "3",
    "CLIENT", "SETNAME", "GETNAME", "ID", "SELECT", "0", "READONLY", "COMMAND", "DOCS", "k", "v",
    "NX", "XX", "", "LPUSH", "LRANGE", "HSET", "HGETALL", "SCAN", "KEYS", "*", "WATCH", "AUTH",
    "INFO", "EX", "PX", "CLUSTER", "SLOTS", "FLUSHALL", "MGET",
];

fn valid_request(rng: &mut StdRng) -> Vec<u8> {
    let argc = rng.random_range(1..5);
    let mut out = format!("*{argc}\r\n").into_bytes();
    for _ in 0..argc {
        let word = WORDS[rng.random_range(0..WORDS.len())];
        out.extend(format!("${}\r\n{word}\r\n", word.len()).into_bytes());
    }
    out
}

fn random_input(rng: &mut StdRng) -> Vec<u8> {
    match rng.random_range(0..4) {
        // Pure noise, biased towards RESP's own bytes.
        0 => (0..rng.random_range(0..64))
            .map(|_| {
                let alphabet = b"*$:+-\r\n0123456789-aZ";
                if rng.random_bool(0.7) {
                    alphabet[rng.random_range(0..alphabet.len())]
                } else {
                    rng.random()
                }
            })
            .collect(),
        // Valid requests, pipelined.
        1 => (0..rng.random_range(1..4))
            .flat_map(|_| valid_request(rng))
            .collect(),
        // Truncated.
        2 => {
            let mut bytes: Vec<u8> = (0..rng.random_range(1..4))
                .flat_map(|_| valid_request(rng))
                .collect();
            bytes.truncate(rng.random_range(0..=bytes.len()));
            bytes
        }
        // Corrupted: a few bytes overwritten, inserted or removed.
        _ => {
            let mut bytes: Vec<u8> = (0..rng.random_range(1..4))
                .flat_map(|_| valid_request(rng))
                .collect();
            for _ in 0..rng.random_range(1..4) {
                let at = rng.random_range(0..bytes.len());
                match rng.random_range(0..3) {
                    0 => bytes[at] = rng.random(),
                    1 => bytes.insert(at, rng.random()),
                    _ => {
                        bytes.remove(at);
                    }
                }
                if bytes.is_empty() {
                    break;
                }
            }
            bytes
        }
    }
}

/// Runs one input through a fresh server; returns what the server wrote.
async fn serve_once(input: &[u8]) -> Vec<u8> {
    let server = Server::new(ServerConfig {
        max_request_bytes: 4096,
        ..ServerConfig::default()
    });
    let (mut client, server_side) = tokio::io::duplex(64 * 1024);
    let serving = server.serve(server_side);
    let talking = async {
        // The server may hang up before reading everything: not an error.
        let _ = client.write_all(input).await;
        let _ = client.shutdown().await;
        let mut output = Vec::new();
        let _ = client.read_to_end(&mut output).await;
        output
    };
    let ((), output) = tokio::join!(serving, talking);
    output
}

#[tokio::test]
async fn decoder_never_panics_and_answers_well_formed_resp() {
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut protocol_errors = 0;
    for case in 0..CASES {
        let input = random_input(&mut rng);
        let output = serve_once(&input).await;
        let mut buf = BytesMut::from(&output[..]);
        let mut replies = Vec::new();
        while !buf.is_empty() {
            match next_reply(&mut buf) {
                Some(is_protocol_error) => replies.push(is_protocol_error),
                None => panic!("case {case}: malformed output {output:?} for input {input:?}"),
            }
        }
        if let Some(position) = replies
            .iter()
            .position(|is_protocol_error| *is_protocol_error)
        {
            protocol_errors += 1;
            assert_eq!(
                position,
                replies.len() - 1,
                "case {case}: replies after a protocol error for input {input:?}"
            );
        }
    }
    // The generator must actually exercise the error path (and the happy path).
    assert!(
        protocol_errors > CASES / 10,
        "only {protocol_errors} protocol errors"
    );
    assert!(
        protocol_errors < CASES * 9 / 10,
        "{protocol_errors} protocol errors"
    );
}

/// Splits one reply off `buf`, whichever protocol it is in (a random
/// `HELLO 3` switches the connection to RESP3). Returns whether it is a
/// protocol error, or `None` if the bytes are not a complete RESP reply.
fn next_reply(buf: &mut BytesMut) -> Option<bool> {
    let is_protocol_error = |text: &str| text.starts_with("ERR Protocol error");
    // RESP2 first: the RESP3 decoder reads RESP2's `$-1` as a stream header.
    if let Ok(Some((frame, _, _))) = redis_protocol::resp2::decode::decode_bytes_mut(buf) {
        return Some(matches!(frame, Resp2Frame::Error(text) if is_protocol_error(&text)));
    }
    match redis_protocol::resp3::decode::complete::decode_bytes_mut(buf) {
        Ok(Some((frame, _, _))) => {
            Some(matches!(frame, Resp3Frame::SimpleError { data, .. } if is_protocol_error(&data)))
        }
        _ => None,
    }
}
