//! The turmoil world: fake-redis hosts, client hosts running the workload,
//! and the simulation loop.
//!
//! Determinism: turmoil's RNG is seeded from the run's seed, its epoch is
//! pinned, and (with `--cfg tokio_unstable`) every host's tokio runtime is
//! seeded too. Nothing here reads the wall clock.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use anarcho_checker::{Event, EventType, History};
use anarchoredis::Client;

use crate::connector::{TurmoilClock, TurmoilConnector};
use crate::recorder::Recorder;
use crate::scenario::Scenario;
use crate::seeds::derive;
use crate::workload::ClientWorkload;

/// The port every fake-redis node listens on.
pub const REDIS_PORT: u16 = 6379;

/// Simulated time allowed after the workload's duration for operations in
/// flight to finish before the run counts as stuck.
const GRACE: Duration = Duration::from_secs(60);

/// A pinned epoch: simulated `SystemTime` starts here on every run.
const EPOCH_SECS: u64 = 1_700_000_000;

/// The run could not be completed (exit code 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incomplete(pub String);

impl std::fmt::Display for Incomplete {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the run could not be completed: {}", self.0)
    }
}

impl std::error::Error for Incomplete {}

/// The name of node `i` (0-based).
pub fn node_name(i: usize) -> String {
    format!("redis-{}", i + 1)
}

/// The name of client host `i` (0-based).
pub fn client_name(i: usize) -> String {
    format!("client-{}", i + 1)
}

/// Runs the scenario once with `seed` and returns its history.
pub fn simulate(scenario: &Scenario, seed: u64) -> Result<History, Incomplete> {
    let recorder = Recorder::new();
    let mut sim = turmoil::Builder::new()
        .simulation_duration(scenario.duration + GRACE)
        .tick_duration(Duration::from_millis(1))
        .min_message_latency(scenario.cluster.min_latency)
        .max_message_latency(scenario.cluster.max_latency)
        .epoch(UNIX_EPOCH + Duration::from_secs(EPOCH_SECS))
        .rng_seed(seed)
        .build();

    for i in 0..scenario.cluster.nodes {
        let name = node_name(i);
        let server = fake_redis::Server::new(fake_redis::ServerConfig {
            faults: scenario.server_faults.clone(),
            seed: derive(seed, &[2, i as u64]),
            observer: Some(server_observer(recorder.clone(), name.clone())),
            ..Default::default()
        });
        sim.host(name.as_str(), move || {
            let server = server.clone();
            async move {
                let listener = turmoil::net::TcpListener::bind(("0.0.0.0", REDIS_PORT)).await?;
                loop {
                    let (stream, _) = listener.accept().await?;
                    let server = server.clone();
                    tokio::spawn(async move { server.serve(stream).await });
                }
            }
        });
    }

    for c in 0..scenario.client.count {
        let client = build_client(scenario, seed, c, recorder.clone())
            .map_err(|e| Incomplete(format!("client {}: {e}", client_name(c))))?;
        let workload = ClientWorkload {
            client_index: c,
            clients: scenario.client.count,
            workload: scenario.workload.clone(),
            duration: scenario.duration,
            seed,
        };
        let recorder = recorder.clone();
        sim.client(client_name(c).as_str(), async move {
            workload.run(client, recorder).await;
            Ok(())
        });
    }

    sim.run().map_err(|e| Incomplete(e.to_string()))?;
    Ok(recorder.history())
}

fn server_observer(
    recorder: Recorder,
    node: String,
) -> Arc<dyn Fn(fake_redis::ServerEvent) + Send + Sync> {
    Arc::new(move |e: fake_redis::ServerEvent| {
        let mut event = Event::new(0, EventType::Server, e.command.clone().unwrap_or_default());
        event.conn = Some(format!("{node}#{}", e.conn));
        event.note = Some(e.note);
        recorder.record(event);
    })
}

fn build_client(
    scenario: &Scenario,
    seed: u64,
    index: usize,
    recorder: Recorder,
) -> anarchoredis::Result<Client> {
    let opts = &scenario.client;
    let mut builder = Client::builder()
        .name(client_name(index))
        .command_timeout(opts.command_timeout)
        .connect_timeout(opts.connect_timeout)
        .max_retries(opts.max_retries)
        .read_from_replicas(opts.read_from_replicas)
        .pool_size(opts.pool_size)
        .connector(TurmoilConnector)
        .clock(TurmoilClock)
        .rng_seed(derive(seed, &[3, index as u64]))
        .observer(Arc::new(recorder));
    for i in 0..scenario.cluster.nodes {
        builder = builder.named_node(node_name(i), format!("{}:{REDIS_PORT}", node_name(i)));
    }
    #[cfg(feature = "known-bugs")]
    for bug in &opts.known_bugs {
        // Names were validated while parsing the scenario.
        if let Ok(bug) = bug.0.parse::<anarchoredis::KnownBug>() {
            builder = builder.known_bug(bug);
        }
    }
    builder.build()
}
