//! The turmoil world: fake-redis hosts, client hosts running the workload,
//! and the simulation loop, stepped one tick at a time so the nemesis can act
//! between steps.
//!
//! Determinism: turmoil's RNG is seeded from the run's seed, its epoch is
//! pinned, and (with `--cfg tokio_unstable`) every host's tokio runtime is
//! seeded too. Nothing here reads the wall clock.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use anarcho_checker::{Event, EventType, History, Value};
use anarchoredis::{Client, Consistency, ReadRepair};

use crate::connector::{TurmoilClock, TurmoilConnector};
use crate::driver::{RedisRs, Target};
use crate::nemesis::NemesisRunner;
use crate::recorder::Recorder;
use crate::scenario::{ClientConsistency, ClientReadRepair, Driver, Scenario};
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

    let mut servers = Vec::new();
    for i in 0..scenario.cluster.nodes {
        let name = node_name(i);
        let server = fake_redis::Server::new(fake_redis::ServerConfig {
            faults: scenario.server_faults.clone(),
            seed: derive(seed, &[2, i as u64]),
            observer: Some(server_observer(recorder.clone(), name.clone())),
            password: scenario.cluster.password.clone(),
            persistence: scenario.cluster.persistence,
            scripting: scenario.cluster.scripting,
            command_events: scenario.cluster.server_log,
            ..Default::default()
        });
        servers.push(server.clone());
        sim.host(name.as_str(), move || {
            let server = server.clone();
            async move {
                let listener = turmoil::net::TcpListener::bind(("0.0.0.0", REDIS_PORT)).await?;
                loop {
                    let (stream, _) = listener.accept().await?;
                    tokio::spawn(server.serve(stream));
                }
            }
        });
    }

    for c in 0..scenario.client.count {
        let client = match scenario.client.driver {
            Driver::Anarchoredis => Target::Anarchoredis(
                build_client(scenario, seed, c, recorder.clone())
                    .map_err(|e| Incomplete(format!("client {}: {e}", client_name(c))))?,
            ),
            Driver::RedisRs => Target::RedisRs(RedisRs::new(scenario)),
        };
        let workload = ClientWorkload {
            client_index: c,
            clients: scenario.client.count,
            workload: scenario.workload.clone(),
            duration: scenario.duration,
            seed,
        };
        let recorder = recorder.clone();
        let healer = scenario.client.healer;
        sim.client(client_name(c).as_str(), async move {
            let healer = match &client {
                Target::Anarchoredis(client) if healer => Some(client.start_healer()),
                _ => None,
            };
            workload.run(client, recorder).await;
            if let Some(h) = healer {
                h.stop().await;
            }
            Ok(())
        });
    }

    let mut nemesis = NemesisRunner::new(scenario, seed, servers, recorder.clone());
    loop {
        let now = sim.elapsed();
        nemesis.tick(&mut sim, now);
        match sim.step() {
            Ok(true) => break,
            Ok(false) => {}
            Err(e) => return Err(Incomplete(e.to_string())),
        }
    }
    nemesis.finish(sim.elapsed());
    Ok(recorder.take_history())
}

/// Turns fake-redis events into `server` history events. Executed commands
/// arrive only with `server_log` (the nodes are built with
/// `command_events: server_log`); faults, connections and mode changes
/// always.
fn server_observer(recorder: Recorder, node: String) -> fake_redis::Observer {
    Arc::new(move |e: fake_redis::ServerEvent| {
        let mut event = Event::new(0, EventType::Server, e.command.unwrap_or_default());
        let mut digits = itoa::Buffer::new();
        event.conn = Some([node.as_str(), "#", digits.format(e.conn)].concat());
        event.req = e.request;
        event.key = e.key;
        event.value = e.args.map(Value::Str);
        event.note = Some(match e.reply {
            Some(reply) => ["reply ", &reply].concat(),
            None => e.note,
        });
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
        .operation_timeout(opts.operation_timeout)
        .max_retries(opts.max_retries)
        .read_from_replicas(opts.read_from_replicas)
        .pool_size(opts.pool_size)
        .consistency(match opts.consistency {
            ClientConsistency::Eventual => Consistency::Eventual,
            ClientConsistency::Linearizable => Consistency::Linearizable,
        })
        .read_repair(match opts.read_repair {
            ClientReadRepair::Off => ReadRepair::Off,
            ClientReadRepair::Async => ReadRepair::Async,
            ClientReadRepair::Blocking => ReadRepair::Blocking,
        })
        .anti_entropy_interval(opts.anti_entropy_interval)
        .anti_entropy_batch(opts.anti_entropy_batch)
        .reconnect_backoff(opts.backoff_base, opts.backoff_max)
        .connector(TurmoilConnector)
        .clock(TurmoilClock)
        .rng_seed(derive(seed, &[3, index as u64]));
    if let Some(w) = opts.write_quorum {
        builder = builder.write_quorum(w);
    }
    if let Some(r) = opts.read_quorum {
        builder = builder.read_quorum(r);
    }
    if let Some(p) = &scenario.cluster.password {
        builder = builder.password(p.clone());
    }
    if opts.wire_log {
        builder = builder.observer(Arc::new(recorder));
    }
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
