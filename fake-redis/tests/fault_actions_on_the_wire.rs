//! Each fault action, seen by a raw RESP client over real TCP: exactly which
//! bytes arrive (or do not), whether the command took effect, and what the
//! connection does afterwards. Time is tokio's paused clock where it
//! matters, so waits are exact and the tests are deterministic.
//!
//! The `delay` action has its own file (`fault_delays_replies.rs`); its
//! random distributions are checked here.

mod support;

use std::time::Duration;

use fake_redis::{ErrorCode, ServerEventKind};
use support::{RawClient, request, start, start_server, with_faults};
use tokio::time::Instant;

/// Long enough that "nothing arrived" means "nothing will".
const QUIET: Duration = Duration::from_secs(30);

/// Reads from a second connection whether `key` holds `value`.
async fn holds(address: std::net::SocketAddr, key: &str, value: &str) -> bool {
    let mut checker = RawClient::connect(address).await;
    checker.call(&["GET", key]).await == format!("${}\r\n{value}\r\n", value.len())
}

#[tokio::test]
async fn drop_loses_the_reply_but_runs_the_command_and_later_replies_flow() {
    let (config, _) = with_faults(&[r#"command = "SET", action = "drop""#]);
    let address = start(config).await;
    let mut c = RawClient::connect(address).await;
    c.send(&["SET", "k", "v"]).await;
    c.send(&["GET", "k"]).await;
    // The first reply on the wire is GET's: a client that does not count
    // replies would take it for SET's.
    assert_eq!(c.reply().await, "$1\r\nv\r\n");
    assert_eq!(c.call(&["PING"]).await, "+PONG\r\n");
    assert!(holds(address, "k", "v").await);
}

#[tokio::test]
async fn duplicate_sends_the_reply_twice() {
    let (config, _) = with_faults(&[r#"command = "INCR", action = "duplicate""#]);
    let mut c = RawClient::connect(start(config).await).await;
    c.send(&["INCR", "n"]).await;
    assert_eq!(c.reply().await, ":1\r\n");
    assert_eq!(c.reply().await, ":1\r\n");
    // Executed once, answered twice.
    assert_eq!(c.call(&["GET", "n"]).await, "$1\r\n1\r\n");
}

#[tokio::test(start_paused = true)]
async fn split_sends_the_reply_in_pieces_with_pauses_between() {
    let (config, _) =
        with_faults(&[r#"command = "ECHO", action = { split = { parts = 3, gap = "50ms" } }"#]);
    let mut c = RawClient::connect(start(config).await).await;
    let message = "0123456789abcdef";
    let whole = format!("${}\r\n{message}\r\n", message.len());
    c.send(&["ECHO", message]).await;
    let started = Instant::now();
    let mut pieces = Vec::new();
    let mut received = Vec::new();
    while received.len() < whole.len() {
        let piece = c.read_within(QUIET).await.expect("the rest of the reply");
        assert!(!piece.is_empty(), "closed mid-reply");
        received.extend_from_slice(&piece);
        pieces.push((started.elapsed(), piece));
    }
    assert_eq!(String::from_utf8_lossy(&received), whole);
    assert_eq!(pieces.len(), 3, "{pieces:?}");
    assert!(pieces[1].0 >= Duration::from_millis(50), "{pieces:?}");
    assert!(pieces[2].0 >= Duration::from_millis(100), "{pieces:?}");
    // The connection is fine afterwards.
    assert_eq!(c.call(&["PING"]).await, "+PONG\r\n");
}

#[tokio::test]
async fn truncate_sends_a_prefix_then_closes_after_executing() {
    let (config, _) = with_faults(&[r#"command = "SET", action = { truncate = 3 }"#]);
    let address = start(config).await;
    let mut c = RawClient::connect(address).await;
    c.send(&["SET", "k", "v"]).await;
    assert_eq!(c.read_until_closed().await, "+OK");
    assert!(holds(address, "k", "v").await);
}

#[tokio::test]
async fn truncate_never_sends_a_whole_reply() {
    let (config, _) = with_faults(&[r#"command = "PING", action = { truncate = 100 }"#]);
    let mut c = RawClient::connect(start(config).await).await;
    c.send(&["PING"]).await;
    assert_eq!(c.read_until_closed().await, "+PONG\r");
}

#[tokio::test]
async fn garbage_replaces_the_reply_with_bytes_no_client_can_parse() {
    let (config, _) =
        with_faults(&[r#"command = "GET", occurrence = "first", action = { garbage = 8 }"#]);
    let mut c = RawClient::connect(start(config).await).await;
    c.send(&["GET", "k"]).await;
    c.send(&["ECHO", "after"]).await;
    let mut received = Vec::new();
    while received.len() < 8 + "$5\r\nafter\r\n".len() {
        let more = c.read_within(QUIET).await.expect("bytes");
        assert!(!more.is_empty(), "the connection closed");
        received.extend_from_slice(&more);
    }
    let (garbage, rest) = received.split_at(8);
    assert!(
        !b"+-:$*_,#!=(%~>|.".contains(&garbage[0]),
        "garbage starts with a RESP type byte: {garbage:?}"
    );
    // The connection stayed open; the next reply follows the garbage.
    assert_eq!(rest, b"$5\r\nafter\r\n");
}

#[tokio::test]
async fn reset_before_closes_without_running_the_command() {
    let (config, _) = with_faults(&[r#"command = "SET", action = "reset-before""#]);
    let address = start(config).await;
    let mut c = RawClient::connect(address).await;
    let mut pipeline = request(&["PING"]);
    pipeline.extend(request(&["SET", "k", "v"]));
    c.send_raw(&pipeline).await;
    // The earlier reply is delivered, then the connection is reset: the
    // client reads +PONG and then an error (RST), never a reply to SET.
    let ended = c.read_to_end_or_error().await;
    assert!(
        matches!(&ended, Err(std::io::ErrorKind::ConnectionReset))
            || ended == Ok(b"+PONG\r\n".to_vec()),
        "{ended:?}"
    );
    assert!(!holds(address, "k", "v").await, "SET ran");
}

#[tokio::test]
async fn reset_after_closes_without_a_reply_but_the_command_ran() {
    let (config, _) = with_faults(&[r#"command = "SET", action = "reset-after""#]);
    let address = start(config).await;
    let mut c = RawClient::connect(address).await;
    c.send(&["SET", "k", "v"]).await;
    let ended = c.read_to_end_or_error().await;
    assert!(
        matches!(&ended, Err(std::io::ErrorKind::ConnectionReset)) || ended == Ok(Vec::new()),
        "{ended:?}"
    );
    assert!(holds(address, "k", "v").await, "SET did not run");
}

#[tokio::test]
async fn a_reset_on_tcp_is_a_rst_not_a_fin() {
    let (config, _) = with_faults(&[r#"command = "SET", action = "reset-after""#]);
    let mut c = RawClient::connect(start(config).await).await;
    c.send(&["SET", "k", "v"]).await;
    assert_eq!(
        c.read_to_end_or_error().await,
        Err(std::io::ErrorKind::ConnectionReset)
    );
}

#[tokio::test(start_paused = true)]
async fn hang_runs_the_command_then_never_answers_or_runs_anything_again() {
    let (config, _) = with_faults(&[r#"command = "SET", key = "hung", action = "hang""#]);
    let address = start(config).await;
    let mut c = RawClient::connect(address).await;
    c.send(&["SET", "hung", "1"]).await;
    c.send(&["SET", "after", "2"]).await;
    assert_eq!(
        c.read_within(QUIET).await,
        None,
        "the hung connection answered"
    );
    assert!(
        holds(address, "hung", "1").await,
        "the hung command did not run"
    );
    assert!(!holds(address, "after", "2").await, "a later command ran");
}

#[tokio::test]
async fn error_refuses_with_redis_texts_and_does_not_run_the_command() {
    let key = "user:1";
    let slot = redis_protocol::redis_keyslot(key.as_bytes());
    for code in ErrorCode::ALL {
        let rule = format!(
            r#"command = "SET", action = {{ error = "{}" }}"#,
            code.name()
        );
        let (config, _) = with_faults(&[&rule]);
        let address = start(config).await;
        let mut c = RawClient::connect(address).await;
        let reply = c.call(&["SET", key, "v"]).await;
        let expected = match code {
            ErrorCode::Moved => format!("-MOVED {slot} 127.0.0.1:6379\r\n"),
            ErrorCode::Ask => format!("-ASK {slot} 127.0.0.1:6379\r\n"),
            ErrorCode::TryAgain => "-TRYAGAIN Multiple keys request during rehashing of slot\r\n".into(),
            ErrorCode::ClusterDown => "-CLUSTERDOWN The cluster is down\r\n".into(),
            ErrorCode::Loading => "-LOADING Redis is loading the dataset in memory\r\n".into(),
            ErrorCode::Busy => {
                "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n".into()
            }
            ErrorCode::ReadOnly => "-READONLY You can't write against a read only replica.\r\n".into(),
            ErrorCode::Oom => "-OOM command not allowed when used memory > 'maxmemory'.\r\n".into(),
        };
        assert_eq!(reply, expected, "{code:?}");
        assert!(!holds(address, key, "v").await, "{code:?}: SET ran");
        // The connection is still usable.
        assert_eq!(c.call(&["PING"]).await, "+PONG\r\n");
    }
}

#[tokio::test]
async fn error_with_a_full_text_is_sent_verbatim() {
    let (config, _) =
        with_faults(&[r#"command = "GET", action = { error = "MOVED 3999 10.0.0.2:6381" }"#]);
    let mut c = RawClient::connect(start(config).await).await;
    assert_eq!(c.call(&["GET", "k"]).await, "-MOVED 3999 10.0.0.2:6381\r\n");
}

#[tokio::test]
async fn an_error_inside_multi_aborts_the_transaction_like_a_redis_rejection() {
    let (config, _) = with_faults(&[r#"command = "INCR", action = { error = "OOM" }"#]);
    let address = start(config).await;
    let mut c = RawClient::connect(address).await;
    assert_eq!(c.call(&["MULTI"]).await, "+OK\r\n");
    assert_eq!(c.call(&["SET", "k", "v"]).await, "+QUEUED\r\n");
    assert_eq!(
        c.call(&["INCR", "n"]).await,
        "-OOM command not allowed when used memory > 'maxmemory'.\r\n"
    );
    assert_eq!(
        c.call(&["EXEC"]).await,
        "-EXECABORT Transaction discarded because of previous errors.\r\n"
    );
    assert!(!holds(address, "k", "v").await);
}

#[tokio::test]
async fn an_error_on_exec_discards_the_transaction() {
    let (config, _) = with_faults(&[
        r#"command = "EXEC", occurrence = "first", action = { error = "MOVED" }"#,
        r#"command = "EXEC", occurrence = { nth = 2 }, action = { error = "LOADING" }"#,
    ]);
    let address = start(config).await;
    let mut c = RawClient::connect(address).await;
    c.call(&["MULTI"]).await;
    c.call(&["SET", "k", "v"]).await;
    // A redirection: the transaction is gone, as in Redis' cluster code.
    assert_eq!(c.call(&["EXEC"]).await, "-MOVED 0 127.0.0.1:6379\r\n");
    assert_eq!(c.call(&["DISCARD"]).await, "-ERR DISCARD without MULTI\r\n");
    c.call(&["MULTI"]).await;
    c.call(&["SET", "k", "v"]).await;
    // Any other refusal of EXEC is Redis' rejectCommand.
    assert_eq!(
        c.call(&["EXEC"]).await,
        "-EXECABORT Transaction discarded because of: LOADING Redis is loading the dataset in memory\r\n"
    );
    assert!(!holds(address, "k", "v").await);
}

#[tokio::test(start_paused = true)]
async fn random_delays_stay_within_their_distribution() {
    let (config, _) =
        with_faults(&[r#"command = "PING", action = { delay = { between = ["20ms", "40ms"] } }"#]);
    let mut c = RawClient::connect(start(config).await).await;
    let mut seen = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        assert_eq!(c.call(&["PING"]).await, "+PONG\r\n");
        seen.push(started.elapsed());
    }
    assert!(
        seen.iter()
            .all(|d| *d >= Duration::from_millis(20) && *d <= Duration::from_millis(41)),
        "{seen:?}"
    );
    let distinct: std::collections::BTreeSet<_> = seen.iter().collect();
    assert!(distinct.len() > 10, "not random: {seen:?}");
}

#[tokio::test]
async fn key_patterns_select_only_matching_keys() {
    let (config, _) = with_faults(&[r#"key = "user:*", action = { error = "READONLY" }"#]);
    let mut c = RawClient::connect(start(config).await).await;
    assert_eq!(
        c.call(&["SET", "user:1", "v"]).await,
        "-READONLY You can't write against a read only replica.\r\n"
    );
    assert_eq!(c.call(&["SET", "order:1", "v"]).await, "+OK\r\n");
    // Any key of a multi-key command counts; keyless commands never match.
    assert!(
        c.call(&["MGET", "order:1", "user:2"])
            .await
            .starts_with("-READONLY")
    );
    assert_eq!(c.call(&["PING"]).await, "+PONG\r\n");
}

#[tokio::test(start_paused = true)]
async fn time_windows_switch_a_rule_on_and_off() {
    let (config, _) = with_faults(&[
        r#"command = "PING", window = { from = "1s", until = "2s" }, action = { error = "LOADING" }"#,
    ]);
    let (address, server) = start_server(config).await;
    let mut c = RawClient::connect(address).await;
    // The server's clock starts with its first reading.
    assert_eq!(server.now(), Duration::ZERO);
    assert_eq!(c.call(&["PING"]).await, "+PONG\r\n");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(c.call(&["PING"]).await.starts_with("-LOADING"));
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(c.call(&["PING"]).await, "+PONG\r\n");
}

#[tokio::test]
async fn probability_draws_repeat_for_the_same_seed_and_commands() {
    let run = |seed: u64| async move {
        let (mut config, _) = with_faults(&[
            r#"command = "GET", occurrence = { probability = 0.5 }, action = { error = "TRYAGAIN" }"#,
        ]);
        config.seed = seed;
        let mut c = RawClient::connect(start(config).await).await;
        let mut pattern = String::new();
        for _ in 0..64 {
            let reply = c.call(&["GET", "k"]).await;
            pattern.push(if reply.starts_with("-TRYAGAIN") {
                'x'
            } else {
                '.'
            });
        }
        pattern
    };
    let first = run(11).await;
    assert_eq!(first, run(11).await);
    assert_ne!(first, run(12).await);
    let hits = first.matches('x').count();
    assert!((16..=48).contains(&hits), "{first}");
}

#[tokio::test]
async fn fault_events_name_the_rule_the_request_and_the_action() {
    let (config, events) =
        with_faults(&[r#"command = "SET", occurrence = { nth = 2 }, action = "drop""#]);
    let mut c = RawClient::connect(start(config).await).await;
    c.call(&["SET", "a", "1"]).await;
    c.send(&["SET", "b", "2"]).await;
    assert_eq!(c.call(&["PING"]).await, "+PONG\r\n");
    let events = events.lock().unwrap().clone();
    let fault = events
        .iter()
        .find(|e| e.kind == ServerEventKind::Fault)
        .expect("a fault event");
    assert_eq!(fault.note, "fault fired: drop the reply to SET (rule 1)");
    assert_eq!((fault.conn, fault.request), (1, Some(2)));
}
