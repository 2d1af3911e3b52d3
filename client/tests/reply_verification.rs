//! Reply verification: a duplicated reply must fail the command it would
//! have answered, never answer it (found by scenarios/reply-faults.toml).
//! Likewise a lost reply whose gap is filled by a copy of the check's own
//! reply (found by `anarcho detect`: reply-faults seeds 82, 154 and 186).

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

/// On a fresh connection the ECHOs are: the set-up check (1st), the
/// command (2nd), the batch's check (3rd). The command's reply is lost and
/// the check's reply sent twice, so the reply count comes out right.
#[tokio::test(start_paused = true)]
async fn a_lost_reply_filled_by_a_duplicated_check_fails_instead_of_answering() {
    let nodes = FakeNodes::new(vec![vec![
        r#"command = "ECHO", occurrence = { nth = 2 }, times = 1, action = "drop""#,
        r#"command = "ECHO", occurrence = { nth = 3 }, times = 1, action = "duplicate""#,
    ]]);
    let client = nodes.client("c").pool_size(1).build().unwrap();
    match client.echo("mine").await {
        Ok(v) => panic!("the command was answered with {v:?}, not its own reply"),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
            assert!(e.is_indeterminate(), "{e}");
        }
    }
    // The connection was poisoned; a new one answers correctly.
    assert_eq!(client.echo("next").await.unwrap(), "next");
}
