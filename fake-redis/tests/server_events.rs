//! Server-side observability: every executed command is reported with its
//! connection, request number, key, arguments and reply, so a harness can
//! show what the server really did next to what the client believed.

mod support;

use std::time::Duration;

use fake_redis::{ServerEvent, ServerEventKind};
use support::{RawClient, start, with_faults};

fn commands(events: &[ServerEvent]) -> Vec<&ServerEvent> {
    events
        .iter()
        .filter(|e| e.kind == ServerEventKind::Command)
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_write_whose_reply_never_came_is_still_reported_as_executed() {
    let (config, events) = with_faults(&[r#"command = "SET", action = { delay = "5s" }"#]);
    let mut c = RawClient::connect(start(config).await).await;
    c.send(&["SET", "k", "v1"]).await;
    // The client gives up long before the reply: a timed-out write.
    assert_eq!(c.read_within(Duration::from_secs(1)).await, None);
    let events = events.lock().unwrap().clone();
    let executed = commands(&events);
    assert_eq!(executed.len(), 1, "{events:#?}");
    let set = executed[0];
    assert_eq!(set.command.as_deref(), Some("SET"));
    assert_eq!(set.key.as_deref(), Some("k"));
    assert_eq!(set.args.as_deref(), Some(r#""k" "v1""#));
    assert_eq!(set.reply.as_deref(), Some("+OK"));
    assert_eq!(set.note, r#"SET "k" "v1" -> +OK"#);
    assert_eq!((set.conn, set.request), (1, Some(1)));
}

#[tokio::test]
async fn refused_and_reset_before_commands_are_not_reported_as_executed() {
    let (config, events) = with_faults(&[
        r#"command = "SET", key = "a", action = { error = "MOVED" }"#,
        r#"command = "SET", key = "b", action = "reset-before""#,
    ]);
    let address = start(config).await;
    let mut c = RawClient::connect(address).await;
    assert!(c.call(&["SET", "a", "1"]).await.starts_with("-MOVED"));
    c.send(&["SET", "b", "1"]).await;
    let _ = c.read_to_end_or_error().await;
    let mut other = RawClient::connect(address).await;
    assert_eq!(other.call(&["GET", "a"]).await, "$-1\r\n");
    let events = events.lock().unwrap().clone();
    let executed: Vec<&str> = commands(&events).iter().map(|e| e.note.as_str()).collect();
    assert_eq!(executed, vec![r#"GET "a" -> (nil)"#]);
    let faults = events
        .iter()
        .filter(|e| e.kind == ServerEventKind::Fault)
        .count();
    assert_eq!(faults, 2);
}

#[tokio::test]
async fn events_come_in_order_fault_first_and_transactions_report_queued_then_results() {
    let (config, events) = with_faults(&[r#"command = "GET", action = "duplicate""#]);
    let mut c = RawClient::connect(start(config).await).await;
    c.call(&["MULTI"]).await;
    c.call(&["INCR", "n"]).await;
    c.call(&["EXEC"]).await;
    c.send(&["GET", "n"]).await;
    c.reply().await;
    c.reply().await;
    let events = events.lock().unwrap().clone();
    let shown: Vec<(ServerEventKind, String)> = events
        .iter()
        .filter(|e| e.conn == 1 && e.kind != ServerEventKind::Accepted)
        .map(|e| (e.kind, e.note.clone()))
        .collect();
    assert_eq!(
        shown,
        vec![
            (ServerEventKind::Command, "MULTI -> +OK".to_string()),
            (
                ServerEventKind::Command,
                r#"INCR "n" -> +QUEUED"#.to_string()
            ),
            (ServerEventKind::Command, "EXEC -> [:1]".to_string()),
            (
                ServerEventKind::Fault,
                "fault fired: send the reply to GET twice (rule 1)".to_string()
            ),
            (ServerEventKind::Command, r#"GET "n" -> "1""#.to_string()),
        ]
    );
    let requests: Vec<Option<u64>> = events
        .iter()
        .filter(|e| e.kind == ServerEventKind::Command)
        .map(|e| e.request)
        .collect();
    assert_eq!(requests, vec![Some(1), Some(2), Some(3), Some(4)]);
}

#[tokio::test(start_paused = true)]
async fn events_carry_server_time() {
    let (config, events) = with_faults(&[]);
    let mut c = RawClient::connect(start(config).await).await;
    c.call(&["PING"]).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    c.call(&["PING"]).await;
    let events = events.lock().unwrap().clone();
    let times: Vec<Duration> = commands(&events).iter().map(|e| e.at).collect();
    assert_eq!(times.len(), 2);
    assert_eq!(times[1] - times[0], Duration::from_secs(3));
}
