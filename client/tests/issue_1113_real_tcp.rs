//! go-redis #1113 over real TCP: the client against an in-process fake-redis
//! on an ephemeral loopback port, with the slow-first-READONLY rule.

#[path = "../examples/issue_1113/demo.rs"]
mod demo;

async fn start_fake_redis() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let config = fake_redis::ServerConfig {
        faults: vec![demo::RULE.parse().unwrap()],
        ..Default::default()
    };
    tokio::spawn(fake_redis::serve_tcp(
        listener,
        fake_redis::Server::new(config),
    ));
    addr
}

#[tokio::test]
async fn issue_1113_fixed_client_gets_its_own_replies_over_real_tcp() {
    let addr = start_fake_redis().await;
    let echoes = demo::run(&addr, false).await.unwrap();
    for echo in &echoes {
        assert!(echo.is_correct(), "ECHO {:?} got {:?}", echo.sent, echo.got);
    }
}

#[cfg(feature = "known-bugs")]
#[tokio::test]
async fn issue_1113_reuse_conn_after_timeout_makes_echo_return_ok_over_real_tcp() {
    let addr = start_fake_redis().await;
    let echoes = demo::run(&addr, true).await.unwrap();
    let ok_for_echo = echoes
        .iter()
        .filter(|e| matches!(&e.got, Ok(v) if v == "OK"))
        .count();
    assert!(
        ok_for_echo >= 1,
        "expected an ECHO to return the buffered \"OK\"; got {:?}",
        echoes.iter().map(|e| (&e.sent, &e.got)).collect::<Vec<_>>()
    );
}
