//! go-redis #1113 against fake-redis over real TCP.
//!
//! ```text
//! # against an in-process fake-redis on an ephemeral port:
//! cargo run --example issue_1113 -p anarchoredis --features known-bugs   # the bug
//! cargo run --example issue_1113 -p anarchoredis                         # fixed
//! # or against a fake-redis you started yourself:
//! cargo run -p fake-redis -- --port 6379 --fault '<demo::RULE>'
//! cargo run --example issue_1113 -p anarchoredis --features known-bugs -- 127.0.0.1:6379
//! ```

mod demo;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bug = cfg!(feature = "known-bugs");
    let addr = match std::env::args().nth(1) {
        Some(addr) => addr,
        None => {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?.to_string();
            let config = fake_redis::ServerConfig {
                faults: vec![demo::RULE.parse()?],
                ..Default::default()
            };
            tokio::spawn(fake_redis::serve_tcp(
                listener,
                fake_redis::Server::new(config),
            ));
            println!("fake-redis on {addr} with --fault '{}'", demo::RULE);
            addr
        }
    };
    println!(
        "client: reuse-conn-after-timeout {}",
        if bug { "ON (go-redis v6.15.3)" } else { "off" }
    );
    let echoes = demo::run(&addr, bug).await?;
    let mut wrong = 0;
    for echo in &echoes {
        let verdict = if echo.is_correct() {
            "ok"
        } else {
            wrong += 1;
            "WRONG"
        };
        match &echo.got {
            Ok(v) => println!("ECHO {:?} -> {v:?}  {verdict}", echo.sent),
            Err(e) => println!("ECHO {:?} -> error: {e}", echo.sent),
        }
    }
    println!(
        "{wrong} of {} replies belonged to another request",
        echoes.len()
    );
    Ok(())
}
