//! The `delay` fault: the go-redis #1113 rule slows the first `READONLY` on
//! connections 2 and later, and nothing else. Time is tokio's paused clock,
//! so the measured delays are exact and the test is deterministic.

mod support;

use std::time::Duration;

use fake_redis::{FaultRule, ServerConfig, ServerEvent, ServerEventKind};
use support::{RawClient, recorder, request, start};
use tokio::time::Instant;

const ISSUE_1113_RULE: &str = r#"command = "READONLY", connections = "2..", occurrence = "first", action = { delay = "150ms" }"#;

const DELAY: Duration = Duration::from_millis(150);

fn config_with(
    rules: &[&str],
) -> (
    ServerConfig,
    std::sync::Arc<std::sync::Mutex<Vec<ServerEvent>>>,
) {
    let (observer, events) = recorder();
    let config = ServerConfig {
        faults: rules
            .iter()
            .map(|rule| rule.parse::<FaultRule>().unwrap())
            .collect(),
        observer: Some(observer),
        ..ServerConfig::default()
    };
    (config, events)
}

#[tokio::test(start_paused = true)]
async fn slow_first_readonly_rule_delays_connection_2_but_not_connection_1() {
    let (config, events) = config_with(&[ISSUE_1113_RULE]);
    let address = start(config).await;

    let mut first = RawClient::connect(address).await;
    let started = Instant::now();
    assert_eq!(first.call(&["READONLY"]).await, "+OK\r\n");
    assert!(
        started.elapsed() < DELAY,
        "connection 1 was delayed: {:?}",
        started.elapsed()
    );

    let mut second = RawClient::connect(address).await;
    // Make sure the server has numbered the connection before timing it.
    assert_eq!(second.call(&["PING"]).await, "+PONG\r\n");
    let started = Instant::now();
    assert_eq!(second.call(&["READONLY"]).await, "+OK\r\n");
    assert!(
        started.elapsed() >= DELAY,
        "connection 2 was not delayed: {:?}",
        started.elapsed()
    );

    // "first": the second READONLY on connection 2 is not delayed again.
    let started = Instant::now();
    assert_eq!(second.call(&["READONLY"]).await, "+OK\r\n");
    assert!(
        started.elapsed() < DELAY,
        "second READONLY was delayed: {:?}",
        started.elapsed()
    );

    let fired: Vec<(u64, Option<String>, String, Option<u64>)> = events
        .lock()
        .unwrap()
        .iter()
        .filter(|event| event.kind == ServerEventKind::Fault)
        .map(|event| {
            (
                event.conn,
                event.command.clone(),
                event.note.clone(),
                event.request,
            )
        })
        .collect();
    // Connection 2's second request (after its PING).
    assert_eq!(
        fired,
        vec![(
            2,
            Some("READONLY".to_string()),
            "fault fired: delay reply to READONLY by 150ms (rule 1)".to_string(),
            Some(2),
        )]
    );
}

#[tokio::test(start_paused = true)]
async fn replies_after_a_delayed_one_wait_for_it_and_stay_in_order() {
    let (config, _events) = config_with(&[ISSUE_1113_RULE]);
    let address = start(config).await;
    let mut first = RawClient::connect(address).await;
    assert_eq!(first.call(&["PING"]).await, "+PONG\r\n");
    let mut second = RawClient::connect(address).await;
    assert_eq!(second.call(&["PING"]).await, "+PONG\r\n");

    // One write: READONLY (delayed), READONLY (not itself delayed), ECHO.
    let mut pipeline = request(&["READONLY"]);
    pipeline.extend(request(&["READONLY"]));
    pipeline.extend(request(&["ECHO", "after"]));
    let started = Instant::now();
    second.send_raw(&pipeline).await;

    assert_eq!(second.reply().await, "+OK\r\n");
    let first_at = started.elapsed();
    assert_eq!(second.reply().await, "+OK\r\n");
    let second_at = started.elapsed();
    assert_eq!(second.reply().await, "$5\r\nafter\r\n");
    assert!(
        first_at >= DELAY,
        "first READONLY answered after {first_at:?}"
    );
    assert!(second_at >= first_at, "second READONLY overtook the first");
    // Only the delay of the first: the others were not delayed in turn.
    assert!(
        started.elapsed() < DELAY * 2,
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn replies_ready_before_a_delayed_command_are_not_held_back() {
    let (config, _events) = config_with(&[r#"command = "GET", action = { delay = "1s" }"#]);
    let mut c = RawClient::connect(start(config).await).await;
    let mut pipeline = request(&["PING"]);
    pipeline.extend(request(&["GET", "k"]));
    let started = Instant::now();
    c.send_raw(&pipeline).await;
    assert_eq!(c.reply().await, "+PONG\r\n");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "PONG waited for the GET"
    );
    assert_eq!(c.reply().await, "$-1\r\n");
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn a_delayed_command_takes_effect_before_its_reply_is_sent() {
    let (config, _events) = config_with(&[r#"command = "SET", action = { delay = "1s" }"#]);
    let address = start(config).await;
    let mut writer = RawClient::connect(address).await;
    let mut reader = RawClient::connect(address).await;
    writer.send(&["SET", "k", "v"]).await;
    // Reader polls (each reply immediate) until the write is visible; the
    // writer's reply is still being held back at that point.
    let started = Instant::now();
    while reader.call(&["GET", "k"]).await == "$-1\r\n" {
        tokio::task::yield_now().await;
    }
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(writer.reply().await, "+OK\r\n");
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn times_limits_firings_across_all_connections() {
    let (config, events) =
        config_with(&[r#"command = "PING", times = 2, action = { delay = "10ms" }"#]);
    let address = start(config).await;
    for _ in 0..3 {
        let mut c = RawClient::connect(address).await;
        assert_eq!(c.call(&["PING"]).await, "+PONG\r\n");
        assert_eq!(c.call(&["PING"]).await, "+PONG\r\n");
    }
    let fired: Vec<u64> = events
        .lock()
        .unwrap()
        .iter()
        .filter(|event| event.note.starts_with("fault fired"))
        .map(|event| event.conn)
        .collect();
    assert_eq!(fired, vec![1, 1]);
}

#[tokio::test]
async fn observer_sees_connections_numbered_in_accept_order_and_closed() {
    let (config, events) = config_with(&[]);
    let address = start(config).await;
    for _ in 0..2 {
        let mut c = RawClient::connect(address).await;
        assert_eq!(c.call(&["PING"]).await, "+PONG\r\n");
    }
    // Both clients are dropped; wait for the server to notice.
    let deadline = Instant::now() + Duration::from_secs(5);
    while events.lock().unwrap().len() < 6 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let events = events.lock().unwrap().clone();
    let accepted: Vec<u64> = events
        .iter()
        .filter(|event| event.note == "connection accepted")
        .map(|event| event.conn)
        .collect();
    assert_eq!(accepted, vec![1, 2]);
    for conn in [1, 2] {
        let notes: Vec<&str> = events
            .iter()
            .filter(|event| event.conn == conn)
            .map(|event| event.note.as_str())
            .collect();
        assert_eq!(
            notes,
            vec![
                "connection accepted",
                "PING -> +PONG",
                "connection closed: peer closed"
            ]
        );
    }
}
