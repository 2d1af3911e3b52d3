//! Whole-server modes driven at run time, as a nemesis would: pause and
//! resume, crash and restart with each persistence mode, and replacing the
//! fault plan on live connections.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use fake_redis::{Persistence, ServerConfig, ServerEventKind, Value};
use support::{RawClient, recorder, start_server};

const QUIET: Duration = Duration::from_secs(30);

fn strings(pairs: &[(&str, &str)]) -> BTreeMap<Vec<u8>, Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_bytes().to_vec(), Value::String(v.as_bytes().to_vec())))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_paused_server_accepts_and_reads_but_runs_and_answers_nothing_until_resumed() {
    let (address, server) = start_server(ServerConfig::default()).await;
    let mut before = RawClient::connect(address).await;
    assert_eq!(before.call(&["PING"]).await, "+PONG\r\n");
    server.pause();
    assert!(server.is_paused());
    before.send(&["SET", "k", "v"]).await;
    // A new connection is accepted while paused.
    let mut during = RawClient::connect(address).await;
    during.send(&["ECHO", "during"]).await;
    assert_eq!(before.read_within(QUIET).await, None);
    assert_eq!(during.read_within(QUIET).await, None);
    assert!(server.snapshot().is_empty(), "a write ran while paused");
    server.resume();
    // Which waiting connection goes first is not specified (nor in Redis
    // after a SIGCONT); both are answered.
    assert_eq!(before.reply().await, "+OK\r\n");
    assert_eq!(during.reply().await, "$6\r\nduring\r\n");
    assert_eq!(server.snapshot(), strings(&[("k", "v")]));
}

#[tokio::test]
async fn a_crash_closes_live_connections_and_refuses_new_ones_until_restart() {
    let (observer, events) = recorder();
    let (address, server) = start_server(ServerConfig {
        observer: Some(observer),
        ..ServerConfig::default()
    })
    .await;
    let mut live = RawClient::connect(address).await;
    assert_eq!(live.call(&["SET", "k", "v"]).await, "+OK\r\n");
    server.crash();
    assert!(!server.is_up());
    assert_eq!(
        live.read_until_closed().await,
        "",
        "the live connection stayed open"
    );
    let mut refused = RawClient::connect(address).await;
    refused.send(&["PING"]).await;
    assert_eq!(
        refused.read_until_closed().await,
        "",
        "a crashed server answered"
    );
    server.restart();
    let mut after = RawClient::connect(address).await;
    assert_eq!(
        after.call(&["GET", "k"]).await,
        "$-1\r\n",
        "data survived without persistence"
    );
    let notes: Vec<String> = events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.kind == ServerEventKind::Mode)
        .map(|e| e.note.clone())
        .collect();
    assert_eq!(
        notes,
        vec!["server crashed (all data lost)", "server restarted"]
    );
}

#[tokio::test]
async fn persistence_always_keeps_every_write_across_a_crash() {
    let (address, server) = start_server(ServerConfig {
        persistence: Persistence::Always,
        ..ServerConfig::default()
    })
    .await;
    let mut c = RawClient::connect(address).await;
    c.call(&["SET", "a", "1"]).await;
    c.call(&["RPUSH", "l", "x", "y"]).await;
    server.crash();
    server.restart();
    let mut c = RawClient::connect(address).await;
    assert_eq!(c.call(&["GET", "a"]).await, "$1\r\n1\r\n");
    assert_eq!(c.call(&["LLEN", "l"]).await, ":2\r\n");
}

#[tokio::test]
async fn persistence_snapshot_comes_back_to_the_last_save() {
    let (address, server) = start_server(ServerConfig::default()).await;
    server.set_persistence(Persistence::Snapshot);
    assert_eq!(server.persistence(), Persistence::Snapshot);
    let mut c = RawClient::connect(address).await;
    c.call(&["SET", "saved", "1"]).await;
    server.save();
    c.call(&["SET", "lost", "2"]).await;
    server.crash();
    // While down, the snapshot shows what the restart will bring back.
    assert_eq!(server.snapshot(), strings(&[("saved", "1")]));
    server.restart();
    let mut c = RawClient::connect(address).await;
    assert_eq!(c.call(&["EXISTS", "saved", "lost"]).await, ":1\r\n");
}

#[tokio::test(start_paused = true)]
async fn a_crash_during_a_delayed_reply_closes_the_connection_after_the_write_ran() {
    let (mut config, _) = support::with_faults(&[r#"command = "SET", action = { delay = "10s" }"#]);
    config.persistence = Persistence::Always;
    let (address, server) = start_server(config).await;
    let mut c = RawClient::connect(address).await;
    c.send(&["SET", "k", "v"]).await;
    // The write runs before the delay starts.
    while server.snapshot().is_empty() {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    server.crash();
    assert_eq!(
        c.read_until_closed().await,
        "",
        "the delayed reply was sent"
    );
    assert_eq!(server.snapshot(), strings(&[("k", "v")]));
}

#[tokio::test]
async fn faults_can_be_replaced_on_live_connections() {
    let (address, server) = start_server(ServerConfig::default()).await;
    let mut c = RawClient::connect(address).await;
    assert_eq!(c.call(&["PING"]).await, "+PONG\r\n");
    server.add_fault(
        r#"command = "PING", action = { error = "BUSY" }"#
            .parse()
            .expect("rule"),
    );
    assert!(c.call(&["PING"]).await.starts_with("-BUSY"));
    server.set_faults(vec![
        r#"command = "PING", action = { error = "LOADING" }"#
            .parse()
            .expect("rule"),
    ]);
    assert_eq!(server.faults().len(), 1);
    assert!(c.call(&["PING"]).await.starts_with("-LOADING"));
    server.clear_faults();
    assert_eq!(c.call(&["PING"]).await, "+PONG\r\n");
}

#[tokio::test]
async fn snapshot_reports_every_type_in_key_order() {
    let (address, server) = start_server(ServerConfig::default()).await;
    let mut c = RawClient::connect(address).await;
    c.call(&["SET", "s", "v"]).await;
    c.call(&["RPUSH", "l", "a", "b"]).await;
    c.call(&["HSET", "h", "f2", "2", "f1", "1"]).await;
    c.call(&["SET", "gone", "x", "PX", "1"]).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let snapshot = server.snapshot();
    let expected: BTreeMap<Vec<u8>, Value> = [
        (
            b"h".to_vec(),
            Value::Hash(
                [
                    (b"f1".to_vec(), b"1".to_vec()),
                    (b"f2".to_vec(), b"2".to_vec()),
                ]
                .into(),
            ),
        ),
        (
            b"l".to_vec(),
            Value::List(vec![b"a".to_vec(), b"b".to_vec()]),
        ),
        (b"s".to_vec(), Value::String(b"v".to_vec())),
    ]
    .into();
    assert_eq!(snapshot, expected);
}
