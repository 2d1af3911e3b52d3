//! Test support: start a server on an ephemeral port and talk raw RESP to it.
//!
//! The client here writes requests as RESP bytes and reads replies as raw
//! bytes (split into frames with `redis-protocol`), so tests assert on
//! exactly what goes over the wire, the way a Redis client library sees it.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::BytesMut;
use fake_redis::{Server, ServerConfig, ServerEvent, serve_tcp};
use redis_protocol::resp2::types::BytesFrame as Resp2Frame;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Starts a server for `config` on `127.0.0.1:0` and returns its address.
pub async fn start(config: ServerConfig) -> SocketAddr {
    start_server(config).await.0
}

/// Starts a server for `config` on `127.0.0.1:0` and returns its address
/// and a handle to drive it (pause, crash, change faults, snapshot).
pub async fn start_server(config: ServerConfig) -> (SocketAddr, Server) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let address = listener.local_addr().expect("local address");
    let server = Server::new(config);
    tokio::spawn(serve_tcp(listener, server.clone()));
    (address, server)
}

/// A config with these `--fault` rules and an observer recording events.
pub fn with_faults(rules: &[&str]) -> (ServerConfig, Arc<Mutex<Vec<ServerEvent>>>) {
    let (observer, events) = recorder();
    let config = ServerConfig {
        faults: rules
            .iter()
            .map(|rule| {
                rule.parse()
                    .unwrap_or_else(|e| panic!("{rule:?} did not parse: {e}"))
            })
            .collect(),
        observer: Some(observer),
        ..ServerConfig::default()
    };
    (config, events)
}

/// An observer that records every server event, and the list it fills.
pub fn recorder() -> (fake_redis::Observer, Arc<Mutex<Vec<ServerEvent>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let observer: fake_redis::Observer = Arc::new(move |event| sink.lock().unwrap().push(event));
    (observer, events)
}

/// Encodes a request (an array of bulk strings) with the codec.
pub fn request(args: &[&str]) -> Vec<u8> {
    let frame = Resp2Frame::Array(
        args.iter()
            .map(|arg| Resp2Frame::BulkString(arg.as_bytes().to_vec().into()))
            .collect(),
    );
    let mut buf = BytesMut::new();
    redis_protocol::resp2::encode::extend_encode(&mut buf, &frame, false).expect("encode");
    buf.to_vec()
}

/// A raw RESP client.
pub struct RawClient {
    stream: TcpStream,
    buf: BytesMut,
    /// Split replies with the RESP3 decoder (after `HELLO 3`).
    pub resp3: bool,
}

impl RawClient {
    /// Connects to `address`.
    pub async fn connect(address: SocketAddr) -> RawClient {
        RawClient {
            stream: TcpStream::connect(address).await.expect("connect"),
            buf: BytesMut::new(),
            resp3: false,
        }
    }

    /// Writes raw bytes.
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.expect("write");
    }

    /// Writes one request.
    pub async fn send(&mut self, args: &[&str]) {
        self.send_raw(&request(args)).await;
    }

    /// Reads one reply and returns its exact bytes, as text.
    pub async fn reply(&mut self) -> String {
        loop {
            let decoded = if self.resp3 {
                redis_protocol::resp3::decode::complete::decode_bytes_mut(&mut self.buf)
                    .map(|found| found.map(|(_, _, raw)| raw))
            } else {
                redis_protocol::resp2::decode::decode_bytes_mut(&mut self.buf)
                    .map(|found| found.map(|(_, _, raw)| raw))
            };
            match decoded.expect("the server sent valid RESP") {
                Some(raw) => return String::from_utf8_lossy(&raw).into_owned(),
                None => {
                    let read = self.stream.read_buf(&mut self.buf).await.expect("read");
                    assert!(
                        read > 0,
                        "connection closed before a full reply; have {:?}",
                        self.buf
                    );
                }
            }
        }
    }

    /// Sends one request and returns its reply's exact bytes.
    pub async fn call(&mut self, args: &[&str]) -> String {
        self.send(args).await;
        self.reply().await
    }

    /// The bytes of the next read (whatever one read returns), or `None` if
    /// nothing arrives within `wait` (tokio time, so exact under a paused
    /// clock). Bytes already buffered are returned first. An empty vector
    /// means the server closed the connection.
    pub async fn read_within(&mut self, wait: std::time::Duration) -> Option<Vec<u8>> {
        if !self.buf.is_empty() {
            return Some(self.buf.split().to_vec());
        }
        let mut chunk = [0u8; 4096];
        match tokio::time::timeout(wait, self.stream.read(&mut chunk)).await {
            Err(_elapsed) => None,
            Ok(Ok(n)) => Some(chunk[..n].to_vec()),
            Ok(Err(_reset)) => Some(Vec::new()),
        }
    }

    /// How the connection ended: `Ok(bytes)` after an orderly close (FIN),
    /// `Err(kind)` after an error such as a reset (RST), with the bytes read
    /// before either way lost in the error case.
    pub async fn read_to_end_or_error(&mut self) -> Result<Vec<u8>, std::io::ErrorKind> {
        let mut all = self.buf.split().to_vec();
        let mut chunk = [0u8; 4096];
        loop {
            match self.stream.read(&mut chunk).await {
                Ok(0) => return Ok(all),
                Ok(n) => all.extend_from_slice(&chunk[..n]),
                Err(error) => return Err(error.kind()),
            }
        }
    }

    /// Everything the server sends until it closes the connection (a reset
    /// after the server hung up also counts as closed).
    pub async fn read_until_closed(&mut self) -> String {
        let mut all = self.buf.split().to_vec();
        let mut chunk = [0u8; 4096];
        loop {
            match self.stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => all.extend_from_slice(&chunk[..n]),
            }
        }
        String::from_utf8_lossy(&all).into_owned()
    }
}
