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
