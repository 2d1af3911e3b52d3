//! `anarcho bench`: the harness's speed, measured on this machine and
//! printed (never asserted; see BENCHMARKS.md for figures and method).
//!
//! Three figures, each run `--repeat` times and reported as the median with
//! the minimum and maximum:
//! 1. **raw turmoil echo**, the baseline: 3 echo-server hosts and 5 client
//!    hosts, each client a closed loop of 16-byte write / read-back over one
//!    turmoil TCP connection, for the same simulated time, tick and
//!    latencies as the harness scenario. Round trips per wall-clock second.
//!    Also a fan-out variant: each operation echoes to all 3 servers and
//!    waits for every reply, as a replicated operation does.
//! 2. **harness register**: a 3-node, 5-client register workload (one
//!    process per client, no think time, the default client: W = R = 2,
//!    versioned replica writes, async read repair) through the full
//!    harness: fake-redis, the real client, the recorder, the nemesis loop.
//!    Operations invoked per wall-clock second for the simulation alone and
//!    with the checkers, and the ratio of the former to the baseline; and
//!    the simulation alone without the wire and server logs.
//! 3. **sweep**: `scenarios/issue-1113.toml` over `--seeds` seeds on
//!    `--jobs` threads, writing every run directory and the index to a
//!    temporary directory, as `anarcho sweep` does. Seeds per minute, and
//!    the same without writing anything (simulate and check only).
//!
//! Each figure first runs once uncounted (a warm-up: the process's first
//! simulation also grows the heap). Build with `--release`: the dev profile
//! is only lightly optimised.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::exit;
use crate::scenario::{Scenario, WorkloadKind};
use crate::sweep::{SeedRange, SweepOptions, sweep};

/// The arguments of `anarcho bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Measurements of each figure; the median is reported.
    #[arg(long, default_value_t = 5)]
    repeat: usize,
    /// Simulated seconds of the echo and register runs.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Seeds per sweep measurement.
    #[arg(long, default_value_t = 400)]
    seeds: u64,
    /// Sweep threads.
    #[arg(long, default_value_t = 2)]
    jobs: usize,
    /// The sweep's scenario.
    #[arg(long, default_value = "scenarios/issue-1113.toml")]
    sweep_scenario: PathBuf,
}

/// Hosts of both the baseline and the harness scenario.
const NODES: usize = 3;
const CLIENTS: usize = 5;

/// Runs `anarcho bench`.
pub fn run(args: BenchArgs) -> ExitCode {
    let repeat = args.repeat.max(1);
    let simulated = Duration::from_secs(args.seconds.max(1));
    if cfg!(debug_assertions) {
        eprintln!("note: a debug build; figures are only meaningful with `cargo run --release`");
    }
    let sweep_scenario = match Scenario::from_file(&args.sweep_scenario) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(exit::BAD_INPUT);
        }
    };
    let register = register_scenario(simulated, true);
    let quiet = register_scenario(simulated, false);
    println!(
        "machine: {} CPUs available; {repeat} repetitions; median [min .. max]",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    let (mut echo, mut sim, mut full, mut ratios, mut quiet_rates) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut fan, mut fan_ratios) = (Vec::new(), Vec::new());
    let mut quiet_ratios = Vec::new();
    let mut ops = 0;
    // One round that is not counted: the first simulation in a process
    // also pays for growing the heap (page faults), which no later round
    // does.
    let _ = raw_echo(simulated, false);
    let _ = crate::world::simulate(&register, 1);
    for i in 0..repeat {
        // Interleaved, so machine noise hits every figure alike.
        let (round_trips, wall) = raw_echo(simulated, false);
        let echo_rate = round_trips as f64 / wall.as_secs_f64();
        let (fan_ops, fan_wall) = raw_echo(simulated, true);
        let fan_rate = fan_ops as f64 / fan_wall.as_secs_f64();
        let started = Instant::now();
        let Ok(history) = crate::world::simulate(&register, 1) else {
            eprintln!("error: the register scenario did not complete");
            return ExitCode::from(exit::UNKNOWN);
        };
        let sim_wall = started.elapsed();
        let report = anarcho_checker::check_with(&history, &register.check_options());
        let full_wall = started.elapsed();
        ops = report.counts.invoke;
        let sim_rate = ops as f64 / sim_wall.as_secs_f64();
        let started = Instant::now();
        let Ok(quiet_history) = crate::world::simulate(&quiet, 1) else {
            eprintln!("error: the register scenario did not complete");
            return ExitCode::from(exit::UNKNOWN);
        };
        let quiet_ops = anarcho_checker::Counts::of(&quiet_history).invoke;
        let quiet_rate = quiet_ops as f64 / started.elapsed().as_secs_f64();
        eprintln!(
            "  round {}: echo {echo_rate:.0}/s ({round_trips} round trips), harness {sim_rate:.0} ops/s ({ops} ops), without logs {quiet_rate:.0} ops/s ({quiet_ops} ops)",
            i + 1
        );
        echo.push(echo_rate);
        sim.push(sim_rate);
        full.push(ops as f64 / full_wall.as_secs_f64());
        ratios.push(sim_rate / echo_rate);
        fan.push(fan_rate);
        fan_ratios.push(sim_rate / fan_rate);
        quiet_rates.push(quiet_rate);
        quiet_ratios.push(quiet_rate / echo_rate);
    }
    println!(
        "raw turmoil echo ({NODES} servers, {CLIENTS} clients, {}s simulated): {} round trips/s",
        simulated.as_secs(),
        stats(&echo, 0)
    );
    println!(
        "harness register ({NODES} nodes, {CLIENTS} clients, {ops} ops in {}s simulated): {} ops/s simulated; {} ops/s with the checkers",
        simulated.as_secs(),
        stats(&sim, 0),
        stats(&full, 0)
    );
    println!("harness / raw echo: {} (target >= 0.25)", stats(&ratios, 3));
    println!(
        "raw turmoil fan-out echo (each operation to all {NODES} servers): {} operations/s; harness / fan-out echo: {}",
        stats(&fan, 0),
        stats(&fan_ratios, 3)
    );
    println!(
        "harness register without the wire and server logs: {} ops/s simulated; / raw echo: {}",
        stats(&quiet_rates, 0),
        stats(&quiet_ratios, 3)
    );

    let seeds = SeedRange {
        first: 1,
        last: args.seeds.max(1),
    };
    let (mut written, mut bare) = (Vec::new(), Vec::new());
    for i in 0..repeat {
        let out =
            std::env::temp_dir().join(format!("anarcho-bench-sweep-{}-{i}", std::process::id()));
        let options = SweepOptions {
            seeds,
            jobs: args.jobs,
            stop_on_fail: false,
            out: Some(out.clone()),
        };
        let per_minute = |options: &SweepOptions| {
            let started = Instant::now();
            let result = sweep(&sweep_scenario, options, &|_| {});
            result.results.len() as f64 / started.elapsed().as_secs_f64() * 60.0
        };
        let with_dirs = per_minute(&options);
        let _ = std::fs::remove_dir_all(&out);
        let without = per_minute(&SweepOptions {
            out: None,
            ..options
        });
        eprintln!(
            "  sweep round {}: {with_dirs:.0} seeds/min, {without:.0} without run directories",
            i + 1
        );
        written.push(with_dirs);
        bare.push(without);
    }
    println!(
        "sweep {} ({} seeds, {} jobs, run directories written): {} seeds/min (target >= 1000 on 2 cores)",
        sweep_scenario.name,
        seeds.len(),
        args.jobs,
        stats(&written, 0)
    );
    println!(
        "sweep {} without writing run directories (simulate + check): {} seeds/min",
        sweep_scenario.name,
        stats(&bare, 0)
    );
    ExitCode::from(exit::VALID)
}

/// The harness side: 3 nodes, 5 clients, one register process each with no
/// think time, for `simulated` time; `logs` records every wire request and
/// every server command in the history (the default).
pub fn register_scenario(simulated: Duration, logs: bool) -> Scenario {
    Scenario::builder("bench-register")
        .wire_log(logs)
        .server_log(logs)
        .description("anarcho bench: 3 nodes, 5 clients, a closed-loop register workload")
        .duration(simulated)
        .nodes(NODES)
        .clients(CLIENTS)
        .workload(WorkloadKind::Register)
        .processes(1)
        .think(Duration::ZERO)
        .operations(1_000_000)
        .build()
        .expect("the bench scenario is valid")
}

/// The baseline: returns the round trips completed and the wall time.
///
/// With `fan_out`, each client operation echoes to every server at once and
/// waits for all replies, as a replicated operation fans out to every node.
fn raw_echo(simulated: Duration, fan_out: bool) -> (u64, Duration) {
    const PORT: u16 = 7;
    let mut sim = turmoil::Builder::new()
        .simulation_duration(simulated + Duration::from_secs(10))
        .tick_duration(Duration::from_millis(1))
        .min_message_latency(Duration::from_millis(1))
        .max_message_latency(Duration::from_millis(3))
        .rng_seed(1)
        .build();
    for n in 0..NODES {
        sim.host(format!("echo-{}", n + 1), || async {
            let listener = turmoil::net::TcpListener::bind(("0.0.0.0", PORT)).await?;
            loop {
                let (mut stream, _) = listener.accept().await?;
                tokio::spawn(async move {
                    let mut buf = [0u8; 16];
                    while stream.read_exact(&mut buf).await.is_ok() {
                        if stream.write_all(&buf).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
    }
    let count = Arc::new(AtomicU64::new(0));
    for c in 0..CLIENTS {
        let count = count.clone();
        sim.client(format!("client-{}", c + 1), async move {
            let servers: Vec<usize> = if fan_out {
                (0..NODES).collect()
            } else {
                vec![c % NODES]
            };
            let mut streams = Vec::new();
            for n in servers {
                let server = format!("echo-{}", n + 1);
                streams.push(turmoil::net::TcpStream::connect((server.as_str(), PORT)).await?);
            }
            let payload = [c as u8; 16];
            let mut buf = [0u8; 16];
            while turmoil::elapsed() < simulated {
                for stream in &mut streams {
                    stream.write_all(&payload).await?;
                }
                for stream in &mut streams {
                    stream.read_exact(&mut buf).await?;
                }
                count.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        });
    }
    let started = Instant::now();
    sim.run().expect("the echo simulation runs");
    (count.load(Ordering::Relaxed), started.elapsed())
}

/// "median [min .. max]" with `decimals`.
fn stats(values: &[f64], decimals: usize) -> String {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let median = if v.len() % 2 == 1 {
        v[v.len() / 2]
    } else {
        (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
    };
    format!(
        "{median:.decimals$} [{:.decimals$} .. {:.decimals$}]",
        v[0],
        v[v.len() - 1]
    )
}
