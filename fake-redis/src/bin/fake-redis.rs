//! `fake-redis`: the server on real TCP. Glue only: parse the flags, build a
//! `ServerConfig`, log events, run `serve_tcp`; the logic lives in the
//! library.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use fake_redis::{
    ClusterConfig, DEFAULT_MAX_REQUEST_BYTES, FaultRule, Server, ServerConfig, ServerEvent,
    ServerEventKind, serve_tcp,
};

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
  flag for several rules; rules are checked in order and the first match
  fires. Every key but `action` is optional.

    command     = "READONLY"   command name, any case; "*" = any (default)
    key         = "user:*"     Redis glob on the command's keys (*, ?, [a-z], \x)
    connections = "2.."        server connection numbers from 1, in accept
                               order: "3", "2..", "2..5" (inclusive), "*"
    occurrence  = "first"      which matching command on each connection:
                               "first", "always" (default), { nth = 3 },
                               { every = 2 }, { probability = 0.1 } (seeded)
    window      = { from = "1s", until = "5s" }
                               active only then (time since the server started)
    times       = 1            fire at most this many times in total
    action      = ...          what happens (required):

      { delay = "150ms" }      execute, then wait before replying; later
                               replies on that connection wait too. Also
                               { delay = { between = ["10ms", "50ms"] } } and
                               { delay = { exponential = "20ms" } } (the mean)
      "drop"                   execute, never send this reply (later ones flow)
      "duplicate"              execute, send the reply twice
      { split = { parts = 3, gap = "5ms" } }
                               execute, send the reply in pieces
      { truncate = 3 }         execute, send 3 bytes of the reply, then close
      { garbage = 16 }         execute, send 16 random bytes instead
      "reset-before"           close abruptly (RST) without executing
      "reset-after"            execute, then close abruptly (RST)
      "hang"                   execute, then never answer on that connection
      { error = "MOVED" }      refuse with Redis' text: MOVED, ASK, TRYAGAIN,
                               CLUSTERDOWN, LOADING, BUSY, READONLY, OOM;
                               or a full text: { error = "MOVED 3999 10.0.0.2:6381" }

EXAMPLES:
  Slow the first READONLY on every connection but the first (go-redis #1113):
    fake-redis --fault 'command = "READONLY", connections = "2..", occurrence = "first", action = { delay = "150ms" }'

  Make every third GET on connection 1 take two seconds, five times at most:
    fake-redis --fault 'command = "GET", connections = "1", occurrence = { every = 3 }, times = 5, action = { delay = "2s" }'

  Lose the reply to one SET in ten on keys under user:, after the first minute:
    fake-redis --fault 'command = "SET", key = "user:*", occurrence = { probability = 0.1 }, window = { from = "1m" }, action = "drop"'

  Redirect every command on connection 3 elsewhere:
    fake-redis --fault 'connections = "3", action = { error = "MOVED" }'

LOG:
  One line per connection accepted or closed, per fault fired (with the rule
  number) and, with --log-commands, per command executed with its reply.

EXIT CODES:
  1  could not bind or accept    2  usage error    3  bad --fault rule"#;

/// A Redis-compatible RESP server with a fault plan, for testing clients.
#[derive(Parser, Debug)]
#[command(name = "fake-redis", version, after_help = RULE_HELP)]
struct Cli {
    /// Address to listen on (loopback unless told otherwise).
    #[arg(long, default_value = "127.0.0.1")]
    bind: String,
    /// Port to listen on (0 picks a free one; the address is logged).
    #[arg(long, default_value_t = 6379)]
    port: u16,
    /// A fault rule; repeatable. See FAULT RULES below.
    #[arg(long = "fault", value_name = "RULE")]
    faults: Vec<String>,
    /// Require this password (Redis' requirepass for the default user).
    #[arg(long, value_name = "PW")]
    password: Option<String>,
    /// Seed for the randomness in the fault plan (probabilities, random
    /// delays, garbage bytes).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Largest request accepted before the client is disconnected.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_REQUEST_BYTES)]
    max_request_bytes: usize,
    /// The slot range CLUSTER SLOTS reports, as FIRST-LAST.
    #[arg(long, value_name = "FIRST-LAST", default_value = "0-16383", value_parser = parse_slots)]
    slots: (u16, u16),
    /// Also log every command executed, with its reply.
    #[arg(long)]
    log_commands: bool,
    /// Answer EVAL as an unknown command, like a server with scripting
    /// disabled. (With scripting on, EVAL runs only the scripts fake-redis
    /// emulates natively; it has no Lua interpreter.)
    #[arg(long)]
    no_scripting: bool,
}

/// Parses `FIRST-LAST` with both ends in `0..=16383`.
fn parse_slots(text: &str) -> Result<(u16, u16), String> {
    let (first, last) = text
        .split_once('-')
        .ok_or_else(|| format!("expected FIRST-LAST, like 0-16383, not {text:?}"))?;
    let slot = |s: &str| -> Result<u16, String> {
        s.trim()
            .parse::<u16>()
            .ok()
            .filter(|slot| *slot <= 16383)
            .ok_or_else(|| format!("{s:?} is not a slot (0 to 16383)"))
    };
    let (first, last) = (slot(first)?, slot(last)?);
    if first > last {
        return Err(format!("the range {text} is empty"));
    }
    Ok((first, last))
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

/// The log line for an event. Command events arrive only with
/// `--log-commands` (the server's `command_events`).
fn log_line(event: &ServerEvent) -> String {
    match event.kind {
        ServerEventKind::Mode => format!("fake-redis: {}", event.note),
        ServerEventKind::Command => format!(
            "fake-redis: conn {}: #{} {}",
            event.conn,
            event.request.unwrap_or_default(),
            event.note
        ),
        _ => format!("fake-redis: conn {}: {}", event.conn, event.note),
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
        // CLUSTER SLOTS announces the address clients reached us on.
        let host = match address {
            Some(address) if !address.ip().is_unspecified() => address.ip().to_string(),
            _ => "127.0.0.1".to_string(),
        };
        let config = ServerConfig {
            faults,
            seed: cli.seed,
            max_request_bytes: cli.max_request_bytes,
            password: cli.password,
            cluster: ClusterConfig {
                first_slot: cli.slots.0,
                last_slot: cli.slots.1,
                host,
                port: address.map_or(cli.port, |a| a.port()),
                node_id: None,
            },
            observer: Some(Arc::new(move |event| eprintln!("{}", log_line(&event)))),
            scripting: !cli.no_scripting,
            command_events: cli.log_commands,
            ..ServerConfig::default()
        };
        serve_tcp(listener, Server::new(config))
            .await
            .map_err(|error| (exit::SERVER_FAILED, format!("accept failed: {error}")))
    })
}
