//! Every known-bug switch, both ways: with the switch on the bug's symptom
//! appears; with it off, the same faults leave the client correct.
//!
//! The nodes are in-process fake-redis servers over duplex pipes, and tokio's
//! clock is paused, so each test is deterministic and takes no real time.

#![cfg(feature = "known-bugs")]

mod support;

use std::time::Duration;

use anarchoredis::{Clock, Consistency, ErrorKind, KnownBug, ReadRepair};
use support::fake::FakeNodes;

struct FixedClock(u64);
impl Clock for FixedClock {
    fn now_micros(&self) -> u64 {
        self.0
    }
}

// --- reuse-conn-after-timeout (go-redis #1113) ------------------------------

async fn two_echoes_with_slow_readonly(bug: bool) -> Vec<String> {
    let nodes = FakeNodes::new(vec![vec![
        r#"command = "READONLY", connections = "2..", occurrence = "first", times = 1, action = { delay = "150ms" }"#,
    ]]);
    let mut b = nodes.client("c").read_from_replicas(true).pool_size(2);
    if bug {
        b = b.known_bug(KnownBug::ReuseConnAfterTimeout);
    }
    let client = b.build().unwrap();
    let (x, y) = tokio::join!(client.echo("first"), client.echo("message"));
    vec![x.unwrap(), y.unwrap()]
}

#[tokio::test(start_paused = true)]
async fn reuse_conn_after_timeout_on_makes_echo_return_ok() {
    assert!(
        two_echoes_with_slow_readonly(true)
            .await
            .contains(&"OK".to_string())
    );
}

#[tokio::test(start_paused = true)]
async fn reuse_conn_after_timeout_off_keeps_every_echo_its_own() {
    assert_eq!(
        two_echoes_with_slow_readonly(false).await,
        ["first", "message"]
    );
}

// --- cancel-unsafe-read (redis-py CVE-2023-28858/28859) ---------------------

async fn echo_after_a_cancelled_echo(bug: bool) -> String {
    let nodes = FakeNodes::new(vec![vec![
        r#"command = "ECHO", occurrence = "first", times = 1, action = { delay = "80ms" }"#,
    ]]);
    let mut b = nodes.client("c").pool_size(1);
    if bug {
        b = b.known_bug(KnownBug::CancelUnsafeRead);
    }
    let client = b.build().unwrap();
    // The application gives up after 20 ms: the ECHO future is dropped with
    // its reply still on the way.
    let cancelled = tokio::time::timeout(Duration::from_millis(20), client.echo("cancelled")).await;
    assert!(cancelled.is_err(), "the first ECHO is cancelled");
    client.echo("next").await.unwrap()
}

#[tokio::test(start_paused = true)]
async fn cancel_unsafe_read_on_hands_the_cancelled_reply_to_the_next_command() {
    assert_eq!(echo_after_a_cancelled_echo(true).await, "cancelled");
}

#[tokio::test(start_paused = true)]
async fn cancel_unsafe_read_off_poisons_the_cancelled_connection() {
    assert_eq!(echo_after_a_cancelled_echo(false).await, "next");
}

// --- retry-ambiguous-write ---------------------------------------------------

/// One INCR whose EXEC is applied but answered too late: the write is
/// indeterminate. Returns the INCR's result and the counter afterwards.
async fn incr_with_a_late_exec(bug: bool) -> (Result<i64, ErrorKind>, i64) {
    let nodes = FakeNodes::new(vec![vec![
        r#"command = "EXEC", occurrence = "first", times = 1, action = { delay = "300ms" }"#,
    ]]);
    let mut b = nodes.client("c");
    if bug {
        b = b.known_bug(KnownBug::RetryAmbiguousWrite);
    }
    let client = b.build().unwrap();
    let r = client.incr("n").await.map_err(|e| {
        assert!(e.is_indeterminate(), "{e}");
        e.kind()
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    (r, client.get_counter("n").await.unwrap().unwrap_or(0))
}

#[tokio::test(start_paused = true)]
async fn retry_ambiguous_write_on_counts_one_increment_twice() {
    let (r, total) = incr_with_a_late_exec(true).await;
    assert_eq!(r, Ok(2));
    assert_eq!(total, 2, "one INCR call, two increments");
}

#[tokio::test(start_paused = true)]
async fn retry_ambiguous_write_off_reports_the_increment_as_indeterminate() {
    let (r, total) = incr_with_a_late_exec(false).await;
    assert_eq!(r, Err(ErrorKind::Quorum));
    assert_eq!(total, 1, "the indeterminate increment happened once");
}

// --- pipeline-early-return (redis-rs #698) ------------------------------------

/// A counter read of a key that holds a register: HGETALL fails with
/// WRONGTYPE inside the [HGETALL, GET version] pipeline. Then an ECHO on the
/// same (single) connection.
async fn echo_after_a_failed_pipeline(bug: bool) -> String {
    let nodes = FakeNodes::new(vec![vec![]]);
    let mut b = nodes.client("c").pool_size(1);
    if bug {
        b = b.known_bug(KnownBug::PipelineEarlyReturn);
    }
    let client = b.build().unwrap();
    client.set("k", "v").await.unwrap();
    let err = client.get_counter("k").await.unwrap_err();
    assert!(err.detail().contains("WRONGTYPE"), "{err}");
    client.echo("mine").await.unwrap()
}

#[tokio::test(start_paused = true)]
async fn pipeline_early_return_on_leaves_a_reply_for_the_next_command() {
    let got = echo_after_a_failed_pipeline(true).await;
    assert!(
        got.starts_with("r:"),
        "ECHO got the version tag left unread: {got:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn pipeline_early_return_off_reads_every_reply() {
    assert_eq!(echo_after_a_failed_pipeline(false).await, "mine");
}

// --- unconditional-replica-write ----------------------------------------------

/// A newer write (tag 1000), then an older one (tag 10) from a client whose
/// clock is behind. Returns what a read sees.
async fn older_write_after_newer(bug: bool) -> Option<String> {
    let nodes = FakeNodes::new(vec![vec![], vec![], vec![]]);
    let newer = nodes
        .client("newer")
        .clock(FixedClock(1000))
        .build()
        .unwrap();
    let mut b = nodes.client("older").clock(FixedClock(10));
    if bug {
        b = b.known_bug(KnownBug::UnconditionalReplicaWrite);
    }
    let older = b.build().unwrap();
    newer.set("k", "new").await.unwrap();
    older.set("k", "old").await.unwrap();
    newer.get::<_, String>("k").await.unwrap()
}

#[tokio::test(start_paused = true)]
async fn unconditional_replica_write_on_lets_an_older_write_win() {
    assert_eq!(older_write_after_newer(true).await.as_deref(), Some("old"));
}

#[tokio::test(start_paused = true)]
async fn unconditional_replica_write_off_keeps_the_newer_value() {
    assert_eq!(older_write_after_newer(false).await.as_deref(), Some("new"));
}

// --- no-read-write-back (ABD) ----------------------------------------------------

/// A write that reached only node 1 (its writer crashed), then two ABD reads
/// one after the other: the first sees it (nodes 1 and 2 answer first), the
/// second asks nodes 2 and 3. Returns both reads.
async fn two_linearizable_reads_after_a_partial_write(
    bug: bool,
) -> (Option<String>, Option<String>) {
    // Connection numbers: node 1 serves the partial writer (#1), reader 1
    // (#2), reader 2 (#3); nodes 2 and 3 serve reader 1 (#1), reader 2 (#2).
    let nodes = FakeNodes::new(vec![
        vec![r#"command = "MGET", connections = "3..", action = { delay = "1s" }"#],
        vec![],
        vec![r#"command = "MGET", connections = "1", action = { delay = "1s" }"#],
    ]);
    let partial = nodes
        .client_for("writer", &[0])
        .write_quorum(1)
        .build()
        .unwrap();
    partial.set("k", "new").await.unwrap();
    let reader = |name: &str| {
        let mut b = nodes
            .client(name)
            .consistency(Consistency::Linearizable)
            .read_repair(ReadRepair::Off);
        if bug {
            b = b.known_bug(KnownBug::NoReadWriteBack);
        }
        b.build().unwrap()
    };
    let (r1, r2) = (reader("reader1"), reader("reader2"));
    let first = r1.get::<_, String>("k").await.unwrap();
    let second = r2.get::<_, String>("k").await.unwrap();
    (first, second)
}

#[tokio::test(start_paused = true)]
async fn no_read_write_back_on_lets_a_later_read_go_back_in_time() {
    let (first, second) = two_linearizable_reads_after_a_partial_write(true).await;
    assert_eq!(first.as_deref(), Some("new"));
    assert_eq!(
        second, None,
        "the second read no longer sees what the first returned"
    );
}

#[tokio::test(start_paused = true)]
async fn no_read_write_back_off_keeps_linearizable_reads_monotonic() {
    let (first, second) = two_linearizable_reads_after_a_partial_write(false).await;
    assert_eq!(first.as_deref(), Some("new"));
    assert_eq!(second.as_deref(), Some("new"));
}

// --- count-timeouts-as-acks --------------------------------------------------------

/// A write whose WATCH times out on nodes 2 and 3, so it reaches only node
/// 1; then a read answered by nodes 2 and 3. The nodes offer no `EVAL`, so
/// the write takes the WATCH path: a late `EVAL` reply would still mean an
/// applied write, while a late WATCH means the write never happened there.
async fn write_with_two_timeouts(bug: bool) -> (Result<(), anarchoredis::Error>, Option<String>) {
    let slow_watch = r#"command = "WATCH", connections = "1", action = { delay = "1s" }"#;
    let slow_mget = r#"command = "MGET", connections = "2..", action = { delay = "1s" }"#;
    let nodes = FakeNodes::with_scripting(
        vec![vec![slow_mget], vec![slow_watch], vec![slow_watch]],
        false,
    );
    let mut b = nodes.client("writer").write_quorum(2);
    if bug {
        b = b.known_bug(KnownBug::CountTimeoutsAsAcks);
    }
    let writer = b.build().unwrap();
    let written = writer.set("k", "v").await;
    let reader = nodes
        .client("reader")
        .read_repair(ReadRepair::Off)
        .build()
        .unwrap();
    (written, reader.get::<_, String>("k").await.unwrap())
}

#[tokio::test(start_paused = true)]
async fn count_timeouts_as_acks_on_acknowledges_a_write_a_quorum_never_saw() {
    let (written, read) = write_with_two_timeouts(true).await;
    assert!(written.is_ok(), "acknowledged with one real replica");
    assert_eq!(
        read, None,
        "an acknowledged write is invisible to a quorum read"
    );
}

#[tokio::test(start_paused = true)]
async fn count_timeouts_as_acks_off_reports_the_write_as_indeterminate() {
    let (written, _) = write_with_two_timeouts(false).await;
    let err = written.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Quorum, "{err}");
    assert!(err.is_indeterminate(), "{err}");
}
