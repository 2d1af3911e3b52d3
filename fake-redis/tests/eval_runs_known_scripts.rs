//! `EVAL` runs the scripts fake-redis emulates natively, with the replies
//! and error texts Redis 7.0.15 gave for the same calls (recorded with
//! `redis-cli`; `differential_against_real_redis.rs` compares live when a
//! redis-server is installed), refuses other scripts, and is an unknown
//! command with scripting switched off.

mod support;

use fake_redis::ServerConfig;
use fake_redis::scripts::ANARCHOREDIS_REGISTER_WRITE as SCRIPT;
use support::{RawClient, start};

const SHA: &str = "e872ad4b8c6fec8b37b763d13945e7ec746425fc";

async fn client(config: ServerConfig) -> RawClient {
    RawClient::connect(start(config).await).await
}

fn eval<'a>(rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["EVAL", SCRIPT];
    args.extend_from_slice(rest);
    args
}

#[tokio::test]
async fn the_register_write_writes_only_newer_versions() {
    let mut c = client(ServerConfig::default()).await;
    assert_eq!(
        c.call(&eval(&["2", "k", "vk", "r:2", "1", "new"])).await,
        ":1\r\n"
    );
    assert_eq!(
        c.call(&["MGET", "k", "vk"]).await,
        "*2\r\n$3\r\nnew\r\n$3\r\nr:2\r\n"
    );
    // The same version, and an older one: nothing written, 0.
    assert_eq!(
        c.call(&eval(&["2", "k", "vk", "r:2", "1", "again"])).await,
        ":0\r\n"
    );
    assert_eq!(
        c.call(&eval(&["2", "k", "vk", "r:1", "1", "old"])).await,
        ":0\r\n"
    );
    assert_eq!(c.call(&["GET", "k"]).await, "$3\r\nnew\r\n");
    // A newer tombstone deletes the data key and keeps the version.
    assert_eq!(c.call(&eval(&["2", "k", "vk", "r:3", "0"])).await, ":1\r\n");
    assert_eq!(
        c.call(&["MGET", "k", "vk"]).await,
        "*2\r\n$-1\r\n$3\r\nr:3\r\n"
    );
    // SET replaces a key of another type, as the Lua script's SET does.
    assert_eq!(c.call(&["RPUSH", "kl", "a"]).await, ":1\r\n");
    assert_eq!(
        c.call(&eval(&["2", "kl", "vk", "r:4", "1", "z"])).await,
        ":1\r\n"
    );
    assert_eq!(c.call(&["GET", "kl"]).await, "$1\r\nz\r\n");
}

#[tokio::test]
async fn script_errors_carry_the_script_id_and_line_like_redis_7() {
    let mut c = client(ServerConfig::default()).await;
    assert_eq!(c.call(&["RPUSH", "vl", "a"]).await, ":1\r\n");
    assert_eq!(
        c.call(&eval(&["2", "k", "vl", "r:1", "1", "x"])).await,
        format!(
            "-WRONGTYPE Operation against a key holding the wrong kind of value script: {SHA}, on @user_script:2.\r\n"
        )
    );
    assert_eq!(
        c.call(&eval(&["2", "k", "vk", "r:1", "1"])).await,
        format!(
            "-ERR Lua redis lib command arguments must be strings or integers script: {SHA}, on @user_script:4.\r\n"
        )
    );
    // ARGV[2] missing: the script deletes and writes the version.
    assert_eq!(c.call(&eval(&["2", "k", "vk", "r:1"])).await, ":1\r\n");
    assert_eq!(
        c.call(&eval(&["2", "k", "vk"])).await,
        format!(
            "-ERR user_script:3: attempt to compare nil with string script: {SHA}, on @user_script:3.\r\n"
        )
    );
    assert_eq!(
        c.call(&eval(&["3", "k", "vk"])).await,
        "-ERR Number of keys can't be greater than number of args\r\n"
    );
    assert_eq!(
        c.call(&eval(&["-1", "k", "vk"])).await,
        "-ERR Number of keys can't be negative\r\n"
    );
    assert_eq!(
        c.call(&eval(&["x", "k", "vk"])).await,
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        c.call(&["EVAL", SCRIPT]).await,
        "-ERR wrong number of arguments for 'eval' command\r\n"
    );
}

#[tokio::test]
async fn eval_inside_multi_is_queued_and_runs_at_exec() {
    let mut c = client(ServerConfig::default()).await;
    assert_eq!(c.call(&["MULTI"]).await, "+OK\r\n");
    assert_eq!(
        c.call(&eval(&["2", "k", "vk", "r:1", "1", "v"])).await,
        "+QUEUED\r\n"
    );
    assert_eq!(c.call(&["EXEC"]).await, "*1\r\n:1\r\n");
    assert_eq!(c.call(&["GET", "k"]).await, "$1\r\nv\r\n");
}

#[tokio::test]
async fn a_script_write_breaks_another_connections_watch() {
    let address = start(ServerConfig::default()).await;
    let mut watcher = RawClient::connect(address).await;
    let mut writer = RawClient::connect(address).await;
    assert_eq!(watcher.call(&["WATCH", "vk"]).await, "+OK\r\n");
    assert_eq!(
        writer.call(&eval(&["2", "k", "vk", "r:1", "1", "v"])).await,
        ":1\r\n"
    );
    assert_eq!(watcher.call(&["MULTI"]).await, "+OK\r\n");
    assert_eq!(watcher.call(&["SET", "vk", "r:0"]).await, "+QUEUED\r\n");
    assert_eq!(watcher.call(&["EXEC"]).await, "*-1\r\n");
}

#[tokio::test]
async fn unknown_scripts_are_refused_not_run() {
    let mut c = client(ServerConfig::default()).await;
    let reply = c.call(&["EVAL", "return 1", "0"]).await;
    assert!(
        reply.starts_with("-ERR fake-redis has no Lua interpreter;"),
        "{reply}"
    );
    assert!(reply.contains("anarchoredis register write"), "{reply}");
}

#[tokio::test]
async fn without_scripting_eval_is_an_unknown_command() {
    let mut c = client(ServerConfig {
        scripting: false,
        ..ServerConfig::default()
    })
    .await;
    let reply = c.call(&eval(&["2", "k", "vk", "r:1", "1", "v"])).await;
    assert!(reply.starts_with("-ERR unknown command 'EVAL'"), "{reply}");
    assert_eq!(c.call(&["MGET", "k", "vk"]).await, "*2\r\n$-1\r\n$-1\r\n");
}
