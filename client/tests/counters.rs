//! Counter semantics that the harness once caught the client breaking.

mod support;

use anarchoredis::ErrorKind;
use support::fake::FakeNodes;

/// Found by `scenarios/bug-pipeline-early-return-fixed.toml`: an INCR that
/// failed for certain (its WATCH was refused) had already reserved its slot
/// value, so the next INCR skipped a number and the "failed" increment took
/// effect after all.
#[tokio::test(start_paused = true)]
async fn a_definitely_failed_incr_never_takes_effect_later() {
    let nodes = FakeNodes::new(vec![vec![
        r#"command = "WATCH", occurrence = "first", times = 1, action = { error = "TRYAGAIN" }"#,
    ]]);
    let client = nodes.client("c").build().unwrap();
    let err = client.incr("n").await.unwrap_err();
    assert!(
        !err.is_indeterminate(),
        "refused, so certainly not applied: {err}"
    );
    assert_eq!(err.kind(), ErrorKind::Quorum);
    assert_eq!(
        client.incr("n").await.unwrap(),
        1,
        "the failed INCR left no trace"
    );
    assert_eq!(client.get_counter("n").await.unwrap(), Some(1));
}

/// Concurrent increments by one client of one key each count once.
#[tokio::test(start_paused = true)]
async fn concurrent_increments_by_one_client_all_count() {
    let nodes = FakeNodes::new(vec![vec![], vec![], vec![]]);
    let client = nodes.client("c").build().unwrap();
    let mut results: Vec<i64> = futures_join(&client, 5).await;
    results.sort();
    assert_eq!(results, [1, 2, 3, 4, 5]);
    assert_eq!(client.get_counter("n").await.unwrap(), Some(5));
}

async fn futures_join(client: &anarchoredis::Client, n: usize) -> Vec<i64> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let c = client.clone();
        tasks.spawn(async move { c.incr("n").await.unwrap() });
    }
    let mut out = Vec::new();
    while let Some(r) = tasks.join_next().await {
        out.push(r.unwrap());
    }
    out
}
