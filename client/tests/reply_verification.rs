//! Reply verification: a duplicated reply must fail the command it would
//! have answered, never answer it (found by scenarios/reply-faults.toml).

mod support;

use anarchoredis::ErrorKind;
use support::fake::FakeNodes;

/// Two ECHOs on one connection, the first's reply sent twice.
async fn echo_after_a_duplicated_reply(verify: bool) -> Result<String, anarchoredis::Error> {
    let nodes = FakeNodes::new(vec![vec![
        r#"command = "ECHO", occurrence = "first", times = 1, action = "duplicate""#,
    ]]);
    let client = nodes
        .client("c")
        .pool_size(1)
        .verify_replies(verify)
        .build()
        .unwrap();
    let first = client.echo("first").await;
    if verify {
        // The duplicate lands right after the first reply: the sentinel
        // check of the same batch may already catch it.
        if let Err(e) = &first {
            assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
        }
    } else {
        assert_eq!(first.unwrap(), "first");
    }
    client.echo("second").await
}

#[tokio::test(start_paused = true)]
async fn a_duplicated_reply_fails_instead_of_answering_the_next_command() {
    match echo_after_a_duplicated_reply(true).await {
        Ok(v) => assert_eq!(v, "second", "a value, if any, is the command's own"),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
            assert!(e.is_indeterminate());
        }
    }
}

#[tokio::test(start_paused = true)]
async fn without_verification_a_duplicated_reply_answers_the_next_command() {
    assert_eq!(echo_after_a_duplicated_reply(false).await.unwrap(), "first");
}
