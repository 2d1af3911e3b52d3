//! The go-redis #1113 story over real TCP, shared by the `issue_1113` example
//! and the `issue_1113_real_tcp` integration test.
//!
//! Two ECHOs run at once, so the pool opens a second connection. fake-redis
//! answers the first READONLY on every connection after the first 150 ms
//! late; the command timeout is 100 ms, so connection set-up times out and is
//! retried. A correct client retries on a *new* connection. With the
//! `reuse-conn-after-timeout` switch the retry reuses the same connection,
//! reads the late `+OK`, and leaves the retry's own `+OK` buffered: the next
//! ECHO on that connection returns "OK".

use std::time::Duration;

use anarchoredis::{Client, Result};

/// The fault rule, in fake-redis's `--fault` syntax. `times = 1` lets the
/// fixed client's retry, on a fresh connection, succeed.
pub const RULE: &str = r#"command = "READONLY", connections = "2..", occurrence = "first", times = 1, action = { delay = "150ms" }"#;

/// One ECHO: what was sent and what came back.
pub struct Echo {
    pub sent: String,
    pub got: Result<String>,
}

impl Echo {
    /// True when the reply is the echo's own payload.
    pub fn is_correct(&self) -> bool {
        matches!(&self.got, Ok(v) if *v == self.sent)
    }
}

/// Runs the story against the fake-redis at `addr`; `bug` turns the
/// `reuse-conn-after-timeout` switch on (needs the `known-bugs` feature).
pub async fn run(addr: &str, bug: bool) -> Result<Vec<Echo>> {
    let builder = Client::builder()
        .node(addr)
        .name(if bug { "buggy" } else { "fixed" })
        .read_from_replicas(true)
        .command_timeout(Duration::from_millis(100))
        .max_retries(2)
        .pool_size(2);
    #[cfg(feature = "known-bugs")]
    let builder = if bug {
        builder.known_bug(anarchoredis::KnownBug::ReuseConnAfterTimeout)
    } else {
        builder
    };
    #[cfg(not(feature = "known-bugs"))]
    assert!(!bug, "the bug switch needs --features known-bugs");
    let client = builder.build()?;

    let mut echoes = Vec::new();
    // Two at once: the pool opens connection 1 (fast) and connection 2 (slow
    // READONLY at set-up).
    let (a, b) = tokio::join!(client.echo("first"), client.echo("message"));
    echoes.push(Echo {
        sent: "first".into(),
        got: a,
    });
    echoes.push(Echo {
        sent: "message".into(),
        got: b,
    });
    // Then a few more, two at a time, so both pooled connections are used.
    for i in 0..3 {
        let (x, y) = (format!("again-{i}a"), format!("again-{i}b"));
        let (rx, ry) = tokio::join!(client.echo(x.as_str()), client.echo(y.as_str()));
        echoes.push(Echo { sent: x, got: rx });
        echoes.push(Echo { sent: y, got: ry });
    }
    Ok(echoes)
}
