//! A real `redis-server` on a free loopback port, killed when dropped.
//!
//! The port is found by binding `127.0.0.1:0` and dropping the listener;
//! another process could take it in between, so a server that does not come
//! up is retried on a new port. The working directory (where a cluster
//! config would be written) is a fresh temporary directory, removed on drop.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `redis-server`.
pub struct RealRedis {
    child: Child,
    /// The loopback port it listens on.
    pub port: u16,
    dir: PathBuf,
}

impl RealRedis {
    /// Starts `redis-server` with the test's base options plus `extra`, or
    /// returns `None` (after printing a SKIP notice naming `test`) when the
    /// binary is not installed.
    pub fn start(test: &str, extra: &[&str]) -> Option<RealRedis> {
        if Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_err()
        {
            eprintln!(
                "SKIP: redis-server not found on PATH; {test} compares fake-redis with a real Redis \
                 and needs it (Debian: apt-get install redis-server)"
            );
            return None;
        }
        let mut last_error = String::new();
        for attempt in 0..3 {
            match RealRedis::try_start(extra, attempt) {
                Ok(redis) => return Some(redis),
                Err(error) => last_error = error,
            }
        }
        panic!("redis-server did not start: {last_error}");
    }

    fn try_start(extra: &[&str], attempt: u32) -> Result<RealRedis, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let dir = std::env::temp_dir().join(format!(
            "fake-redis-differential-{}-{port}-{attempt}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("temp dir: {e}"))?;
        let port_text = port.to_string();
        let mut args = vec![
            "--port",
            &port_text,
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ];
        args.extend_from_slice(extra);
        let child = Command::new("redis-server")
            .args(&args)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("spawn: {e}"))?;
        let mut redis = RealRedis { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = redis.child.try_wait() {
                return Err(format!(
                    "redis-server exited at once ({status}) on port {port}"
                ));
            }
            if redis.answers_ping() {
                return Ok(redis);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Err(format!("redis-server on port {port} never answered PING"))
    }

    /// Whether the server answers a PING (with or without a password).
    fn answers_ping(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        if stream.write_all(b"*1\r\n$4\r\nPING\r\n").is_err() {
            return false;
        }
        let mut reply = [0u8; 64];
        matches!(stream.read(&mut reply), Ok(n) if n > 0)
    }

    /// The address to connect to.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for RealRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
