//! The differential conformance harness: run scripted sequences against
//! fake-redis and a real `redis-server` and compare every reply.
//!
//! Files: `real_redis` (the real server, on a free port), `client` (a raw
//! RESP2/RESP3 client returning exact reply bytes), `generate` (seeded
//! sequences), `compare` (exact comparison and the documented
//! normalisations).

#![allow(dead_code)]

pub mod client;
pub mod compare;
pub mod generate;
pub mod real_redis;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use fake_redis::{Server, ServerConfig, serve_tcp};

use client::Conn;
use generate::Step;

/// Starts fake-redis with `config` on an ephemeral loopback port.
pub async fn start_fake(config: ServerConfig) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let address = listener.local_addr().expect("local address");
    tokio::spawn(serve_tcp(listener, Server::new(config)));
    address
}

/// What a run compared.
#[derive(Debug, Default)]
pub struct Stats {
    /// Sequences run.
    pub sequences: usize,
    /// Replies compared, by command (`SET`, `CLIENT ID`, `SCAN` walks).
    pub by_command: BTreeMap<String, usize>,
    /// `WRONGTYPE` errors both servers gave.
    pub wrong_type: usize,
    /// `EXEC`s both servers refused because a watched key changed.
    pub watch_aborts: usize,
    /// `EXEC`s both servers ran.
    pub execs_run: usize,
}

impl Stats {
    /// Replies compared in total.
    pub fn replies(&self) -> usize {
        self.by_command.values().sum()
    }
}

/// One side of the comparison: a server and two connections to it.
struct Side {
    conns: [Conn; 2],
}

impl Side {
    async fn open(address: &str) -> Side {
        Side {
            conns: [Conn::connect(address).await, Conn::connect(address).await],
        }
    }
}

/// Runs `steps` on fresh connections to both servers; `Err` describes the
/// first difference with the script up to it.
pub async fn run_sequence(
    fake: &str,
    real: &str,
    steps: &[Step],
    stats: &mut Stats,
) -> Result<(), String> {
    let mut fake_side = Side::open(fake).await;
    let mut real_side = Side::open(real).await;
    for (index, step) in steps.iter().enumerate() {
        let outcome = match step {
            Step::Call { conn, args } => {
                let fake_reply = fake_side.conns[*conn].call(args).await;
                let real_reply = real_side.conns[*conn].call(args).await;
                let key = compare::command_key(args);
                if real_reply.0.starts_with(b"-WRONGTYPE") {
                    stats.wrong_type += 1;
                }
                if key == "EXEC" && matches!(real_reply.0.as_slice(), b"*-1\r\n" | b"_\r\n") {
                    stats.watch_aborts += 1;
                }
                if key == "EXEC"
                    && real_reply.0.first() == Some(&b'*')
                    && real_reply.0 != b"*-1\r\n"
                {
                    stats.execs_run += 1;
                }
                *stats.by_command.entry(key).or_default() += 1;
                compare::compare(
                    args,
                    (&fake_reply.0, fake_reply.1),
                    (&real_reply.0, real_reply.1),
                )
            }
            Step::ScanAll { conn, options } => {
                let fake_keys = scan_all(&mut fake_side.conns[*conn], options).await;
                let real_keys = scan_all(&mut real_side.conns[*conn], options).await;
                *stats.by_command.entry("SCAN".to_string()).or_default() += 1;
                if fake_keys == real_keys {
                    Ok(())
                } else {
                    Err(format!(
                        "fake keys: {fake_keys:?}\nreal keys: {real_keys:?}"
                    ))
                }
            }
            Step::Setup { conn, args } => {
                let (fake_reply, _) = fake_side.conns[*conn].call(args).await;
                let (real_reply, _) = real_side.conns[*conn].call(args).await;
                if fake_reply.first() == Some(&b'-') || real_reply.first() == Some(&b'-') {
                    Err(format!(
                        "set-up failed:\nfake: {:?}\nreal: {:?}",
                        String::from_utf8_lossy(&fake_reply),
                        String::from_utf8_lossy(&real_reply)
                    ))
                } else {
                    Ok(())
                }
            }
            Step::Sleep(ms) => {
                tokio::time::sleep(Duration::from_millis(*ms)).await;
                Ok(())
            }
        };
        if let Err(difference) = outcome {
            let script: Vec<String> = steps[..=index].iter().map(|s| format!("  {s}")).collect();
            return Err(format!(
                "replies differ at step {index}:\n{}\n{difference}",
                script.join("\n")
            ));
        }
    }
    stats.sequences += 1;
    Ok(())
}

/// Walks `SCAN` to the end; returns the sorted keys, or the error reply's
/// text. Gives up after 10 000 steps (a cursor that never returns to 0 is a
/// difference too).
async fn scan_all(conn: &mut Conn, options: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, String> {
    let mut cursor = b"0".to_vec();
    let mut keys = Vec::new();
    for _ in 0..10_000 {
        let mut args = vec![b"SCAN".to_vec(), cursor.clone()];
        args.extend(options.iter().cloned());
        let (raw, resp3) = conn.call(&args).await;
        match compare::decode(&raw, resp3) {
            compare::V::Array(parts) if parts.len() == 2 => {
                let (compare::V::Bulk(next), compare::V::Array(found)) = (&parts[0], &parts[1])
                else {
                    return Err(format!("odd SCAN reply {parts:?}"));
                };
                for key in found {
                    if let compare::V::Bulk(key) = key {
                        keys.push(key.clone());
                    }
                }
                if next == b"0" {
                    keys.sort();
                    keys.dedup();
                    return Ok(keys);
                }
                cursor = next.clone();
            }
            other => return Err(format!("{other:?}")),
        }
    }
    Err("SCAN never finished".to_string())
}

/// Empties both servers between sequences, on a connection of its own
/// (authenticated with `password` when the servers require one).
pub async fn flush_both(fake: &str, real: &str, password: Option<&str>) {
    for address in [fake, real] {
        let mut conn = Conn::connect(address).await;
        if let Some(password) = password {
            let (reply, _) = conn
                .call(&[b"AUTH".to_vec(), password.as_bytes().to_vec()])
                .await;
            assert_eq!(reply, b"+OK\r\n", "AUTH on {address}");
        }
        let (reply, _) = conn.call(&[b"FLUSHALL".to_vec()]).await;
        assert_eq!(reply, b"+OK\r\n", "FLUSHALL on {address}");
    }
}
