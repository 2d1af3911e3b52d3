//! Commands answer with Redis 7's exact bytes: replies, error texts, and the
//! RESP3 encoding after `HELLO 3`.

mod support;

use fake_redis::ServerConfig;
use support::{RawClient, start};

async fn client() -> RawClient {
    RawClient::connect(start(ServerConfig::default()).await).await
}

#[tokio::test]
async fn ping_and_echo_answer_like_redis() {
    let mut c = client().await;
    assert_eq!(c.call(&["PING"]).await, "+PONG\r\n");
    assert_eq!(c.call(&["ping", "hi there"]).await, "$8\r\nhi there\r\n");
    assert_eq!(
        c.call(&["PING", "a", "b"]).await,
        "-ERR wrong number of arguments for 'ping' command\r\n"
    );
    assert_eq!(c.call(&["ECHO", "x"]).await, "$1\r\nx\r\n");
    assert_eq!(c.call(&["ECHO", ""]).await, "$0\r\n\r\n");
}

#[tokio::test]
async fn set_get_del_round_trip_through_the_keyspace() {
    let mut c = client().await;
    assert_eq!(c.call(&["GET", "k"]).await, "$-1\r\n");
    assert_eq!(c.call(&["SET", "k", "v1"]).await, "+OK\r\n");
    assert_eq!(c.call(&["GET", "k"]).await, "$2\r\nv1\r\n");
    assert_eq!(c.call(&["set", "k", "v2"]).await, "+OK\r\n");
    assert_eq!(c.call(&["GET", "k"]).await, "$2\r\nv2\r\n");
    assert_eq!(c.call(&["DEL", "k", "missing", "k"]).await, ":1\r\n");
    assert_eq!(c.call(&["GET", "k"]).await, "$-1\r\n");
}

#[tokio::test]
async fn keyspace_is_shared_between_connections() {
    let address = start(ServerConfig::default()).await;
    let mut writer = RawClient::connect(address).await;
    let mut reader = RawClient::connect(address).await;
    assert_eq!(writer.call(&["SET", "shared", "yes"]).await, "+OK\r\n");
    assert_eq!(reader.call(&["GET", "shared"]).await, "$3\r\nyes\r\n");
}

#[tokio::test]
async fn set_options_nx_xx_get_behave_like_redis() {
    let mut c = client().await;
    assert_eq!(c.call(&["SET", "k", "a", "XX"]).await, "$-1\r\n");
    assert_eq!(c.call(&["SET", "k", "a", "NX"]).await, "+OK\r\n");
    assert_eq!(c.call(&["SET", "k", "b", "NX"]).await, "$-1\r\n");
    assert_eq!(c.call(&["SET", "k", "c", "GET"]).await, "$1\r\na\r\n");
    assert_eq!(
        c.call(&["SET", "k", "d", "NX", "XX"]).await,
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        c.call(&["SET", "k", "d", "BOGUS"]).await,
        "-ERR syntax error\r\n"
    );
    assert_eq!(c.call(&["GET", "k"]).await, "$1\r\nc\r\n");
}

#[tokio::test]
async fn incr_counts_and_refuses_non_integers() {
    let mut c = client().await;
    assert_eq!(c.call(&["INCR", "n"]).await, ":1\r\n");
    assert_eq!(c.call(&["INCR", "n"]).await, ":2\r\n");
    assert_eq!(c.call(&["GET", "n"]).await, "$1\r\n2\r\n");
    c.call(&["SET", "s", "abc"]).await;
    assert_eq!(
        c.call(&["INCR", "s"]).await,
        "-ERR value is not an integer or out of range\r\n"
    );
    c.call(&["SET", "max", "9223372036854775807"]).await;
    assert_eq!(
        c.call(&["INCR", "max"]).await,
        "-ERR increment or decrement would overflow\r\n"
    );
}

#[tokio::test]
async fn unknown_command_error_names_the_command_and_its_first_args() {
    let mut c = client().await;
    assert_eq!(
        c.call(&["foo", "a", "b"]).await,
        "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n"
    );
    assert_eq!(
        c.call(&["FOO"]).await,
        "-ERR unknown command 'FOO', with args beginning with: \r\n"
    );
    // Redis stops listing once the list reaches 128 bytes, cutting the last.
    let long = "x".repeat(200);
    let reply = c.call(&["nope", "ab", &long, "never"]).await;
    let expected_listing = format!("'ab' '{}' ", "x".repeat(128 - 5));
    assert_eq!(
        reply,
        format!("-ERR unknown command 'nope', with args beginning with: {expected_listing}\r\n")
    );
}

#[tokio::test]
async fn line_breaks_in_echoed_arguments_cannot_break_the_framing() {
    let mut c = client().await;
    assert_eq!(
        c.call(&["bad\r\ncmd", "x\ny"]).await,
        "-ERR unknown command 'bad  cmd', with args beginning with: 'x y' \r\n"
    );
    assert_eq!(c.call(&["PING"]).await, "+PONG\r\n");
}

#[tokio::test]
async fn wrong_arity_error_uses_the_lowercase_command_name() {
    let mut c = client().await;
    assert_eq!(
        c.call(&["GET"]).await,
        "-ERR wrong number of arguments for 'get' command\r\n"
    );
    assert_eq!(
        c.call(&["SET", "k"]).await,
        "-ERR wrong number of arguments for 'set' command\r\n"
    );
    assert_eq!(
        c.call(&["DEL"]).await,
        "-ERR wrong number of arguments for 'del' command\r\n"
    );
    assert_eq!(
        c.call(&["INCR", "a", "b"]).await,
        "-ERR wrong number of arguments for 'incr' command\r\n"
    );
    assert_eq!(
        c.call(&["CLIENT", "SETNAME"]).await,
        "-ERR wrong number of arguments for 'client|setname' command\r\n"
    );
    assert_eq!(
        c.call(&["CLIENT"]).await,
        "-ERR wrong number of arguments for 'client' command\r\n"
    );
    assert_eq!(
        c.call(&["CLIENT", "FROB"]).await,
        "-ERR unknown subcommand 'FROB'. Try CLIENT HELP.\r\n"
    );
}

#[tokio::test]
async fn multi_exec_queues_then_answers_every_reply_in_order() {
    let mut c = client().await;
    assert_eq!(c.call(&["MULTI"]).await, "+OK\r\n");
    assert_eq!(c.call(&["SET", "k", "1"]).await, "+QUEUED\r\n");
    assert_eq!(c.call(&["INCR", "k"]).await, "+QUEUED\r\n");
    assert_eq!(c.call(&["SET", "k", "x", "BOGUS"]).await, "+QUEUED\r\n");
    assert_eq!(c.call(&["GET", "k"]).await, "+QUEUED\r\n");
    assert_eq!(
        c.call(&["EXEC"]).await,
        "*4\r\n+OK\r\n:2\r\n-ERR syntax error\r\n$1\r\n2\r\n"
    );
    assert_eq!(c.call(&["EXEC"]).await, "-ERR EXEC without MULTI\r\n");
}

#[tokio::test]
async fn a_rejected_command_inside_multi_aborts_the_exec() {
    let mut c = client().await;
    assert_eq!(c.call(&["MULTI"]).await, "+OK\r\n");
    assert_eq!(c.call(&["SET", "k", "1"]).await, "+QUEUED\r\n");
    assert_eq!(
        c.call(&["NOSUCH", "x"]).await,
        "-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n"
    );
    assert_eq!(
        c.call(&["MULTI"]).await,
        "-ERR MULTI calls can not be nested\r\n"
    );
    assert_eq!(
        c.call(&["EXEC"]).await,
        "-EXECABORT Transaction discarded because of previous errors.\r\n"
    );
    assert_eq!(c.call(&["GET", "k"]).await, "$-1\r\n");
}

#[tokio::test]
async fn discard_drops_the_queued_commands() {
    let mut c = client().await;
    assert_eq!(c.call(&["DISCARD"]).await, "-ERR DISCARD without MULTI\r\n");
    c.call(&["MULTI"]).await;
    c.call(&["SET", "k", "1"]).await;
    assert_eq!(c.call(&["DISCARD"]).await, "+OK\r\n");
    assert_eq!(c.call(&["GET", "k"]).await, "$-1\r\n");
}

#[tokio::test]
async fn hello_3_switches_the_connection_to_resp3_maps() {
    let mut c = client().await;
    c.send(&["HELLO", "3"]).await;
    c.resp3 = true;
    let hello = c.reply().await;
    let expected = "%7\r\n\
        $6\r\nserver\r\n$5\r\nredis\r\n\
        $7\r\nversion\r\n$5\r\n7.2.4\r\n\
        $5\r\nproto\r\n:3\r\n\
        $2\r\nid\r\n:1\r\n\
        $4\r\nmode\r\n$10\r\nstandalone\r\n\
        $4\r\nrole\r\n$6\r\nmaster\r\n\
        $7\r\nmodules\r\n*0\r\n";
    assert_eq!(hello, expected);
    // Nulls are RESP3 nulls from now on.
    assert_eq!(c.call(&["GET", "missing"]).await, "_\r\n");
    // HELLO 2 answers in RESP2 again: a flat array.
    c.resp3 = false;
    let back = c.call(&["HELLO", "2"]).await;
    assert!(back.starts_with("*14\r\n$6\r\nserver\r\n"), "{back:?}");
    assert_eq!(c.call(&["GET", "missing"]).await, "$-1\r\n");
}

#[tokio::test]
async fn hello_refuses_unknown_versions_and_options() {
    let mut c = client().await;
    assert_eq!(
        c.call(&["HELLO", "4"]).await,
        "-NOPROTO unsupported protocol version\r\n"
    );
    assert_eq!(
        c.call(&["HELLO", "three"]).await,
        "-ERR Protocol version is not an integer or out of range\r\n"
    );
    assert_eq!(
        c.call(&["HELLO", "3", "BOGUS"]).await,
        "-ERR Syntax error in HELLO option 'BOGUS'\r\n"
    );
    // None of those switched the protocol.
    assert_eq!(c.call(&["GET", "missing"]).await, "$-1\r\n");
    let with_name = c
        .call(&["HELLO", "2", "AUTH", "default", "pw", "SETNAME", "app"])
        .await;
    assert!(with_name.starts_with("*14\r\n"), "{with_name:?}");
    assert_eq!(c.call(&["CLIENT", "GETNAME"]).await, "$3\r\napp\r\n");
}

#[tokio::test]
async fn client_setname_getname_setinfo_and_id_track_the_connection() {
    let address = start(ServerConfig::default()).await;
    let mut first = RawClient::connect(address).await;
    let mut second = RawClient::connect(address).await;
    assert_eq!(first.call(&["CLIENT", "ID"]).await, ":1\r\n");
    assert_eq!(second.call(&["CLIENT", "ID"]).await, ":2\r\n");
    assert_eq!(first.call(&["CLIENT", "GETNAME"]).await, "$-1\r\n");
    assert_eq!(
        first.call(&["CLIENT", "SETNAME", "worker-1"]).await,
        "+OK\r\n"
    );
    assert_eq!(
        first.call(&["client", "getname"]).await,
        "$8\r\nworker-1\r\n"
    );
    assert_eq!(second.call(&["CLIENT", "GETNAME"]).await, "$-1\r\n");
    assert_eq!(
        first.call(&["CLIENT", "SETNAME", "has space"]).await,
        "-ERR Client names cannot contain spaces, newlines or special characters.\r\n"
    );
    assert_eq!(
        first
            .call(&["CLIENT", "SETINFO", "lib-name", "redis-rs"])
            .await,
        "+OK\r\n"
    );
    assert_eq!(
        first.call(&["CLIENT", "SETINFO", "LIB-VER", "1.8.1"]).await,
        "+OK\r\n"
    );
    assert_eq!(
        first.call(&["CLIENT", "SETINFO", "color", "red"]).await,
        "-ERR Unrecognized option 'color'\r\n"
    );
    let info = first.call(&["CLIENT", "INFO"]).await;
    assert!(
        info.contains("id=1 name=worker-1 ") && info.contains("lib-name=redis-rs lib-ver=1.8.1"),
        "{info:?}"
    );
}

#[tokio::test]
async fn connection_setup_commands_are_accepted() {
    let mut c = client().await;
    assert_eq!(c.call(&["READONLY"]).await, "+OK\r\n");
    assert_eq!(c.call(&["READWRITE"]).await, "+OK\r\n");
    assert_eq!(c.call(&["SELECT", "0"]).await, "+OK\r\n");
    assert_eq!(
        c.call(&["SELECT", "1"]).await,
        "-ERR DB index is out of range\r\n"
    );
    assert_eq!(
        c.call(&["SELECT", "zero"]).await,
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(c.call(&["COMMAND"]).await, "*0\r\n");
    assert_eq!(c.call(&["COMMAND", "DOCS"]).await, "*0\r\n");
    assert_eq!(c.call(&["COMMAND", "DOCS", "GET"]).await, "*0\r\n");
}

#[tokio::test]
async fn pipelined_requests_are_answered_in_order() {
    let mut c = client().await;
    let mut pipeline = Vec::new();
    for i in 0..100 {
        pipeline.extend(support::request(&["ECHO", &i.to_string()]));
    }
    c.send_raw(&pipeline).await;
    for i in 0..100 {
        let text = i.to_string();
        assert_eq!(c.reply().await, format!("${}\r\n{text}\r\n", text.len()));
    }
}

#[tokio::test]
async fn exec_answers_a_null_array_when_a_watched_key_changed() {
    let address = start(ServerConfig::default()).await;
    let mut a = RawClient::connect(address).await;
    let mut b = RawClient::connect(address).await;
    assert_eq!(a.call(&["WATCH", "k"]).await, "+OK\r\n");
    assert_eq!(b.call(&["SET", "k", "from-b"]).await, "+OK\r\n");
    a.call(&["MULTI"]).await;
    a.call(&["SET", "k", "from-a"]).await;
    assert_eq!(a.call(&["EXEC"]).await, "*-1\r\n");
    assert_eq!(a.call(&["GET", "k"]).await, "$6\r\nfrom-b\r\n");
    // EXEC ended the watch: the next transaction runs.
    a.call(&["MULTI"]).await;
    a.call(&["SET", "k", "from-a"]).await;
    assert_eq!(a.call(&["EXEC"]).await, "*1\r\n+OK\r\n");
    // In RESP3 the aborted EXEC is a plain null.
    a.send(&["HELLO", "3"]).await;
    a.resp3 = true;
    a.reply().await;
    a.call(&["WATCH", "k"]).await;
    b.call(&["DEL", "k"]).await;
    a.call(&["MULTI"]).await;
    a.call(&["GET", "k"]).await;
    assert_eq!(a.call(&["EXEC"]).await, "_\r\n");
}

#[tokio::test]
async fn wrong_types_answer_wrongtype_and_mget_answers_nil() {
    let mut c = client().await;
    c.call(&["RPUSH", "l", "a"]).await;
    c.call(&["HSET", "h", "f", "v"]).await;
    c.call(&["SET", "s", "1"]).await;
    let wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    assert_eq!(c.call(&["GET", "l"]).await, wrongtype);
    assert_eq!(c.call(&["INCR", "h"]).await, wrongtype);
    assert_eq!(c.call(&["LPUSH", "s", "x"]).await, wrongtype);
    assert_eq!(c.call(&["HGET", "l", "f"]).await, wrongtype);
    assert_eq!(c.call(&["SET", "l", "x", "GET"]).await, wrongtype);
    assert_eq!(
        c.call(&["MGET", "l", "h", "s"]).await,
        "*3\r\n$-1\r\n$-1\r\n$1\r\n1\r\n"
    );
    // A plain SET overwrites any type.
    assert_eq!(c.call(&["SET", "l", "x"]).await, "+OK\r\n");
    assert_eq!(c.call(&["GET", "l"]).await, "$1\r\nx\r\n");
}

#[tokio::test]
async fn lists_and_hashes_answer_like_redis_in_both_protocols() {
    let mut c = client().await;
    assert_eq!(c.call(&["LPUSH", "l", "a", "b", "c"]).await, ":3\r\n");
    assert_eq!(c.call(&["RPUSH", "l", "d"]).await, ":4\r\n");
    assert_eq!(
        c.call(&["LRANGE", "l", "1", "-2"]).await,
        "*2\r\n$1\r\nb\r\n$1\r\na\r\n"
    );
    assert_eq!(c.call(&["LRANGE", "l", "5", "10"]).await, "*0\r\n");
    assert_eq!(c.call(&["HSET", "h", "b", "2", "a", "1"]).await, ":2\r\n");
    assert_eq!(c.call(&["HSET", "h", "b", "3"]).await, ":0\r\n");
    assert_eq!(
        c.call(&["HGETALL", "h"]).await,
        "*4\r\n$1\r\nb\r\n$1\r\n3\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    c.send(&["HELLO", "3"]).await;
    c.resp3 = true;
    c.reply().await;
    assert_eq!(
        c.call(&["HGETALL", "h"]).await,
        "%2\r\n$1\r\nb\r\n$1\r\n3\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(c.call(&["HGETALL", "missing"]).await, "%0\r\n");
    // INFO is a verbatim string in RESP3.
    let text = "txt:# Keyspace\r\ndb0:keys=2,expires=0,avg_ttl=0\r\n";
    assert_eq!(
        c.call(&["INFO", "keyspace"]).await,
        format!("={}\r\n{text}\r\n", text.len())
    );
}

#[tokio::test(start_paused = true)]
async fn keys_expire_on_the_server_clock() {
    let mut c = client().await;
    assert_eq!(c.call(&["SET", "k", "v", "PX", "1500"]).await, "+OK\r\n");
    assert_eq!(c.call(&["TTL", "k"]).await, ":2\r\n");
    assert_eq!(c.call(&["PTTL", "k"]).await, ":1500\r\n");
    tokio::time::sleep(std::time::Duration::from_millis(1499)).await;
    assert_eq!(c.call(&["GET", "k"]).await, "$1\r\nv\r\n");
    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    assert_eq!(c.call(&["GET", "k"]).await, "$-1\r\n");
    assert_eq!(c.call(&["DBSIZE"]).await, ":0\r\n");
    assert_eq!(
        c.call(&["SET", "k", "v", "EX", "0"]).await,
        "-ERR invalid expire time in 'set' command\r\n"
    );
}

#[tokio::test]
async fn scan_and_keys_walk_the_keyspace_with_globs() {
    let mut c = client().await;
    for key in ["user:1", "user:2", "order:1"] {
        c.call(&["SET", key, "v"]).await;
    }
    assert_eq!(
        c.call(&["KEYS", "user:*"]).await,
        "*2\r\n$6\r\nuser:1\r\n$6\r\nuser:2\r\n"
    );
    // COUNT 2 looks at two keys per step, in creation order.
    assert_eq!(
        c.call(&["SCAN", "0", "COUNT", "2"]).await,
        "*2\r\n$1\r\n3\r\n*2\r\n$6\r\nuser:1\r\n$6\r\nuser:2\r\n"
    );
    assert_eq!(
        c.call(&["SCAN", "3", "COUNT", "2", "MATCH", "order:*"])
            .await,
        "*2\r\n$1\r\n0\r\n*1\r\n$7\r\norder:1\r\n"
    );
    assert_eq!(c.call(&["SCAN", "x"]).await, "-ERR invalid cursor\r\n");
}

#[tokio::test]
async fn a_password_gates_everything_but_auth_and_hello() {
    let config = ServerConfig {
        password: Some("pw".to_string()),
        ..ServerConfig::default()
    };
    let mut c = RawClient::connect(start(config).await).await;
    assert_eq!(
        c.call(&["GET", "k"]).await,
        "-NOAUTH Authentication required.\r\n"
    );
    assert_eq!(
        c.call(&["AUTH", "nope"]).await,
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    );
    assert_eq!(c.call(&["AUTH", "default", "pw"]).await, "+OK\r\n");
    assert_eq!(c.call(&["GET", "k"]).await, "$-1\r\n");
}
