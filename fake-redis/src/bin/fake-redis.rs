//! `fake-redis`: the server on real TCP. Glue only: parse the flags, build a
//! `ServerConfig`, run `serve_tcp`; the logic lives in the library.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use fake_redis::{DEFAULT_MAX_REQUEST_BYTES, FaultRule, Server, ServerConfig, serve_tcp};

/// Exit codes, in one place. Usage errors exit with clap's own code, 2.
mod exit {
    /// Bind or accept failure.
    pub const SERVER_FAILED: u8 = 1;
    /// A `--fault` rule did not parse.
    pub const BAD_RULE: u8 = 3;
}

const RULE_HELP: &str = r#"FAULT RULES:
  --fault takes the keys of a [[server_faults]] table from a scenario file,
  written as the body of a TOML inline table (braces optional). Repeat the
  flag for several rules; rules are checked in order and the first match fires.

    command     = "READONLY"   command name, any case; omitted or "*" = any
    connections = "2.."        server connection numbers from 1, in accept
                               order: "3", "2..", "2..5" (inclusive), "*"
    occurrence  = "first"      which matching command on each connection:
                               "first", "always" (default), { nth = 3 },
                               { every = 2 }
    times       = 1            fire at most this many times in total
                               (default: unlimited)
    action      = { delay = "150ms" }
                               run the command, then wait before replying;
                               later replies on that connection wait too

EXAMPLES:
  Slow the first READONLY on every connection but the first (go-redis #1113):
    fake-redis --fault 'command = "READONLY", connections = "2..", occurrence = "first", action = { delay = "150ms" }'

  Make every third GET on connection 1 take two seconds, five times at most:
    fake-redis --fault 'command = "GET", connections = "1", occurrence = { every = 3 }, times = 5, action = { delay = "2s" }'

EXIT CODES:
  1  could not bind or accept    2  usage error    3  bad --fault rule"#;

/// A Redis-compatible RESP server with a fault plan, for testing clients.
#[derive(Parser, Debug)]
#[command(name = "fake-redis", version, after_help = RULE_HELP)]
struct Cli {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: String,
    /// Port to listen on (0 picks a free one; the address is logged).
    #[arg(long, default_value_t = 6379)]
    port: u16,
    /// A fault rule; repeatable. See FAULT RULES below.
    #[arg(long = "fault", value_name = "RULE")]
    faults: Vec<String>,
    /// Seed for any randomness in the fault plan.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Largest request accepted before the client is disconnected.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_REQUEST_BYTES)]
    max_request_bytes: usize,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, message)) => {
            eprintln!("fake-redis: {message}");
            ExitCode::from(code)
        }
    }
}

/// Runs the server; `Err` carries the exit code and what to print.
fn run(cli: Cli) -> Result<(), (u8, String)> {
    let faults = cli
        .faults
        .iter()
        .enumerate()
        .map(|(i, text)| {
            text.parse::<FaultRule>()
                .map_err(|error| (exit::BAD_RULE, format!("--fault #{}: {error}", i + 1)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    for (i, rule) in faults.iter().enumerate() {
        eprintln!("fake-redis: rule {}: {rule}", i + 1);
    }
    let config = ServerConfig {
        faults,
        seed: cli.seed,
        max_request_bytes: cli.max_request_bytes,
        observer: Some(Arc::new(|event| {
            eprintln!("fake-redis: conn {}: {}", event.conn, event.note);
        })),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| {
            (
                exit::SERVER_FAILED,
                format!("cannot start the runtime: {error}"),
            )
        })?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind((cli.bind.as_str(), cli.port))
            .await
            .map_err(|error| {
                let message = format!("cannot listen on {}:{}: {error}", cli.bind, cli.port);
                (exit::SERVER_FAILED, message)
            })?;
        let address: Option<SocketAddr> = listener.local_addr().ok();
        match address {
            Some(address) => eprintln!("fake-redis: listening on {address}"),
            None => eprintln!("fake-redis: listening on {}:{}", cli.bind, cli.port),
        }
        serve_tcp(listener, Server::new(config))
            .await
            .map_err(|error| (exit::SERVER_FAILED, format!("accept failed: {error}")))
    })
}
