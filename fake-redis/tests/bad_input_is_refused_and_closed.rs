//! Bad input never panics and never grows memory without bound: malformed
//! RESP and oversize requests get `-ERR Protocol error: ...`, then the server
//! closes the connection, and the server keeps serving everyone else.

mod support;

use fake_redis::ServerConfig;
use support::{RawClient, recorder, start};

#[tokio::test]
async fn malformed_bulk_length_gets_a_protocol_error_and_close() {
    let address = start(ServerConfig::default()).await;
    let mut c = RawClient::connect(address).await;
    c.send_raw(b"*1\r\n$x\r\n").await;
    assert_eq!(
        c.read_until_closed().await,
        "-ERR Protocol error: invalid bulk length\r\n"
    );
    // The server itself is fine.
    assert_eq!(
        RawClient::connect(address).await.call(&["PING"]).await,
        "+PONG\r\n"
    );
}

#[tokio::test]
async fn replies_before_the_bad_bytes_are_still_delivered() {
    let mut c = RawClient::connect(start(ServerConfig::default()).await).await;
    let mut input = support::request(&["PING"]);
    input.extend_from_slice(b"*1\r\n$x\r\n");
    c.send_raw(&input).await;
    assert_eq!(
        c.read_until_closed().await,
        "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n"
    );
}

#[tokio::test]
async fn nested_arrays_are_refused_like_redis() {
    let mut c = RawClient::connect(start(ServerConfig::default()).await).await;
    c.send_raw(b"*1\r\n*1\r\n$4\r\nPING\r\n").await;
    assert_eq!(
        c.read_until_closed().await,
        "-ERR Protocol error: expected '$', got '*'\r\n"
    );
}

#[tokio::test]
async fn inline_commands_are_refused_with_a_protocol_error() {
    let mut c = RawClient::connect(start(ServerConfig::default()).await).await;
    c.send_raw(b"PING\r\n").await;
    assert_eq!(
        c.read_until_closed().await,
        "-ERR Protocol error: expected '*', got 'P' (inline commands are not supported)\r\n"
    );
}

#[tokio::test]
async fn garbage_multibulk_length_is_refused() {
    let mut c = RawClient::connect(start(ServerConfig::default()).await).await;
    c.send_raw(b"*abc\r\n").await;
    assert_eq!(
        c.read_until_closed().await,
        "-ERR Protocol error: invalid multibulk length\r\n"
    );
}

#[tokio::test]
async fn oversize_request_gets_an_error_and_close() {
    let (observer, events) = recorder();
    let config = ServerConfig {
        max_request_bytes: 1024,
        observer: Some(observer),
        ..ServerConfig::default()
    };
    let address = start(config).await;
    let mut c = RawClient::connect(address).await;
    // Announces 1 MB, sends 2000 bytes of it: refused once past 1024 bytes,
    // without waiting for (or buffering) the rest.
    let mut input = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1000000\r\n".to_vec();
    input.extend(std::iter::repeat_n(b'a', 2000));
    c.send_raw(&input).await;
    assert_eq!(
        c.read_until_closed().await,
        "-ERR Protocol error: request exceeds max_request_bytes (1024 bytes)\r\n"
    );
    let closed = events.lock().unwrap().iter().any(|event| {
        event
            .note
            .starts_with("connection closed: protocol error: request exceeds")
    });
    assert!(closed, "{:?}", events.lock().unwrap());
    assert_eq!(
        RawClient::connect(address).await.call(&["PING"]).await,
        "+PONG\r\n"
    );
}

#[tokio::test]
async fn requests_up_to_the_limit_are_served() {
    let config = ServerConfig {
        max_request_bytes: 1024,
        ..ServerConfig::default()
    };
    let mut c = RawClient::connect(start(config).await).await;
    let value = "v".repeat(900);
    assert_eq!(c.call(&["SET", "k", &value]).await, "+OK\r\n");
    assert_eq!(c.call(&["GET", "k"]).await, format!("$900\r\n{value}\r\n"));
}

#[tokio::test]
async fn empty_multibulk_is_ignored_like_redis() {
    let mut c = RawClient::connect(start(ServerConfig::default()).await).await;
    c.send_raw(b"*0\r\n*-1\r\n").await;
    assert_eq!(c.call(&["PING"]).await, "+PONG\r\n");
}
