//! Test support: real `redis-server` processes on free loopback ports.
//!
//! Tests that need Redis call [`RedisServer::start`]; when the binary is not
//! installed it returns `None` after printing a skip notice, and the test
//! returns early. `.ci/run` installs redis-server, so CI always runs them.

#![allow(dead_code)]

pub mod fake;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A `redis-server` child process, killed (SIGKILL) on drop.
pub struct RedisServer {
    pub port: u16,
    child: Child,
}

/// True when `redis-server` can be run.
pub fn redis_available() -> bool {
    Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Prints the skip notice and returns true when Redis is missing.
pub fn skip_without_redis(test: &str) -> bool {
    if redis_available() {
        return false;
    }
    eprintln!(
        "SKIP {test}: redis-server not found on PATH (install it, e.g. `apt-get install redis-server`, to run this test)"
    );
    true
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl RedisServer {
    /// Starts an empty, non-persistent redis-server on a free port.
    pub fn start() -> RedisServer {
        Self::start_on(free_port())
    }

    /// Starts an empty, non-persistent redis-server on `port`.
    pub fn start_on(port: u16) -> RedisServer {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--protected-mode", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let server = RedisServer { port, child };
        server.wait_until_ready();
        server
    }

    /// `127.0.0.1:port`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn wait_until_ready(&self) {
        for _ in 0..200 {
            if let Ok(mut c) = self.connection()
                && redis::cmd("PING").query::<String>(&mut c).is_ok()
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("redis-server on port {} did not start", self.port);
    }

    /// A plain connection (the `redis` crate's) for reading the node directly.
    pub fn connection(&self) -> redis::RedisResult<redis::Connection> {
        redis::Client::open(format!("redis://{}/", self.addr()))?.get_connection()
    }

    /// Kills the server with SIGKILL, as a crash would.
    pub fn kill(mut self) -> u16 {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.port
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
