//! The `fake-redis` binary: exit codes for bad flags, and serving on the
//! address it reports.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_fake-redis");

#[test]
fn bad_fault_rule_exits_3_with_the_column() {
    let output = Command::new(BIN)
        .args([
            "--port",
            "0",
            "--fault",
            r#"command = "GET", acton = { delay = "1s" }"#,
        ])
        .output()
        .expect("run fake-redis");
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--fault #1: bad fault rule at column 18: unknown field `acton`"),
        "{stderr}"
    );
}

#[test]
fn usage_error_exits_2() {
    let output = Command::new(BIN)
        .args(["--port", "not-a-port"])
        .output()
        .expect("run fake-redis");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn help_documents_the_rule_syntax_with_the_issue_1113_example() {
    let output = Command::new(BIN)
        .arg("--help")
        .output()
        .expect("run fake-redis");
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(
        help.contains(r#"--fault 'command = "READONLY", connections = "2..", occurrence = "first", action = { delay = "150ms" }'"#),
        "{help}"
    );
}

#[test]
fn help_lists_every_action_and_selector() {
    let output = Command::new(BIN)
        .arg("--help")
        .output()
        .expect("run fake-redis");
    let help = String::from_utf8_lossy(&output.stdout);
    for word in [
        "delay",
        "between",
        "exponential",
        "\"drop\"",
        "\"duplicate\"",
        "split",
        "truncate",
        "garbage",
        "\"reset-before\"",
        "\"reset-after\"",
        "\"hang\"",
        "error",
        "MOVED",
        "TRYAGAIN",
        "CLUSTERDOWN",
        "LOADING",
        "BUSY",
        "READONLY",
        "OOM",
        "key",
        "window",
        "probability",
        "--password",
        "--log-commands",
    ] {
        assert!(
            help.contains(word),
            "--help does not mention {word}:\n{help}"
        );
    }
}

/// Starts the binary with `args` on a free port; returns the child, its
/// address and its log.
fn spawn(
    args: &[&str],
) -> (
    std::process::Child,
    String,
    BufReader<std::process::ChildStderr>,
) {
    let mut child = Command::new(BIN)
        .args(["--port", "0"])
        .args(args)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn fake-redis");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    let mut address = None;
    while address.is_none() && stderr.read_line(&mut line).unwrap_or(0) > 0 {
        address = line
            .trim()
            .strip_prefix("fake-redis: listening on ")
            .map(str::to_string);
        line.clear();
    }
    (
        child,
        address.expect("the binary reports its address"),
        stderr,
    )
}

/// Sends raw bytes and reads exactly `expected.len()` bytes back.
fn exchange(stream: &mut TcpStream, request: &[u8], expected: &str) {
    stream.write_all(request).expect("write");
    let mut reply = vec![0u8; expected.len()];
    stream.read_exact(&mut reply).expect("read");
    assert_eq!(String::from_utf8_lossy(&reply), expected);
}

#[test]
fn password_flag_requires_auth_and_log_commands_logs_them() {
    let (mut child, address, mut log) = spawn(&["--password", "pw", "--log-commands"]);
    let mut stream = TcpStream::connect(&address).expect("connect");
    exchange(
        &mut stream,
        b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
        "-NOAUTH Authentication required.\r\n",
    );
    exchange(&mut stream, b"*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n", "+OK\r\n");
    exchange(&mut stream, b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "$-1\r\n");
    let mut lines = Vec::new();
    let mut line = String::new();
    while lines.len() < 4 && log.read_line(&mut line).unwrap_or(0) > 0 {
        lines.push(line.trim().to_string());
        line.clear();
    }
    assert_eq!(
        lines,
        vec![
            "fake-redis: conn 1: connection accepted",
            r#"fake-redis: conn 1: #1 GET "k" -> -NOAUTH Authentication required."#,
            r#"fake-redis: conn 1: #2 AUTH "pw" -> +OK"#,
            r#"fake-redis: conn 1: #3 GET "k" -> (nil)"#,
        ]
    );
    child.kill().expect("stop fake-redis");
    let _ = child.wait();
}

#[test]
fn slots_flag_sets_the_cluster_slots_answer() {
    let (mut child, address, _log) = spawn(&["--slots", "100-200"]);
    let port = address.rsplit(':').next().expect("port");
    let mut stream = TcpStream::connect(&address).expect("connect");
    let expected_start =
        format!("*1\r\n*3\r\n:100\r\n:200\r\n*4\r\n$9\r\n127.0.0.1\r\n:{port}\r\n$40\r\n");
    exchange(
        &mut stream,
        b"*2\r\n$7\r\nCLUSTER\r\n$5\r\nSLOTS\r\n",
        &expected_start,
    );
    child.kill().expect("stop fake-redis");
    let _ = child.wait();

    let output = Command::new(BIN)
        .args(["--slots", "200-100"])
        .output()
        .expect("run fake-redis");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn serves_resp_on_the_address_it_reports() {
    let mut child = Command::new(BIN)
        .args([
            "--port",
            "0",
            "--fault",
            r#"command = "ECHO", action = { delay = "1ms" }"#,
        ])
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn fake-redis");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut address = None;
    let mut line = String::new();
    while address.is_none() && stderr.read_line(&mut line).unwrap_or(0) > 0 {
        address = line
            .trim()
            .strip_prefix("fake-redis: listening on ")
            .map(str::to_string);
        line.clear();
    }
    let address = address.expect("the binary reports its address");

    let mut stream = TcpStream::connect(&address).expect("connect");
    stream
        .write_all(b"*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n")
        .expect("write");
    let mut reply = [0u8; 8];
    stream.read_exact(&mut reply).expect("read");
    assert_eq!(&reply, b"$2\r\nhi\r\n");

    // One line per connection and per fired fault.
    line.clear();
    stderr.read_line(&mut line).expect("log line");
    assert_eq!(line.trim(), "fake-redis: conn 1: connection accepted");
    line.clear();
    stderr.read_line(&mut line).expect("log line");
    assert_eq!(
        line.trim(),
        "fake-redis: conn 1: fault fired: delay reply to ECHO by 1ms (rule 1)"
    );

    child.kill().expect("stop fake-redis");
    let _ = child.wait();
}
