//! anarchoredis (3 local redis-servers, W = R = 2) against the `redis`
//! crate's `MultiplexedConnection` on one node: throughput and p50/p99
//! latency of SET and GET, at 1 and at 64 concurrent operations.
//!
//! `cargo bench -p anarchoredis --bench quorum_vs_single` prints a table and
//! the ratios to the baseline, measured in the same run on the same machine.
//! Each cell is the median of `ROUNDS` rounds of `ROUND_SECS` each. Nothing
//! here asserts a time: the figures go to BENCHMARKS.md.

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use support::{RedisServer, skip_without_redis};

const ROUNDS: usize = 3;
const ROUND_SECS: f64 = 1.5;
const KEYS: usize = 1000;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Set,
    Get,
}

/// One round's result.
#[derive(Clone, Copy, Debug)]
struct Figures {
    ops_per_sec: f64,
    p50_us: f64,
    p99_us: f64,
}

trait Target: Send + Sync + 'static {
    fn run(&self, op: Op, key: String) -> impl std::future::Future<Output = ()> + Send;
}

struct Baseline(redis::aio::MultiplexedConnection);

impl Target for Baseline {
    async fn run(&self, op: Op, key: String) {
        let mut c = self.0.clone();
        match op {
            Op::Set => {
                let _: () = redis::cmd("SET")
                    .arg(&key)
                    .arg(VALUE)
                    .query_async(&mut c)
                    .await
                    .unwrap();
            }
            Op::Get => {
                let _: Option<String> = redis::cmd("GET")
                    .arg(&key)
                    .query_async(&mut c)
                    .await
                    .unwrap();
            }
        }
    }
}

struct Quorum(anarchoredis::Client);

impl Target for Quorum {
    async fn run(&self, op: Op, key: String) {
        match op {
            Op::Set => self.0.set(&key, VALUE).await.unwrap(),
            Op::Get => {
                let _: Option<String> = self.0.get(&key).await.unwrap();
            }
        }
    }
}

const VALUE: &str = "0123456789abcdef0123456789abcdef";

async fn round<T: Target>(target: Arc<T>, op: Op, concurrency: usize) -> Figures {
    let deadline = Instant::now() + Duration::from_secs_f64(ROUND_SECS);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for t in 0..concurrency {
        let target = target.clone();
        tasks.push(tokio::spawn(async move {
            let mut h = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
            let mut i = t;
            while Instant::now() < deadline {
                let key = format!("bench:{}", i % KEYS);
                let began = Instant::now();
                target.run(op, key).await;
                h.record(began.elapsed().as_micros().max(1) as u64).unwrap();
                i += concurrency;
            }
            h
        }));
    }
    let mut all = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
    for t in tasks {
        all.add(t.await.unwrap()).unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    Figures {
        ops_per_sec: all.len() as f64 / secs,
        p50_us: all.value_at_quantile(0.5) as f64,
        p99_us: all.value_at_quantile(0.99) as f64,
    }
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    xs[xs.len() / 2]
}

async fn measure<T: Target>(target: Arc<T>, op: Op, concurrency: usize) -> (Figures, Vec<f64>) {
    // Warm-up: fill the keys and the pools.
    round(target.clone(), Op::Set, concurrency).await;
    let rounds: Vec<Figures> = {
        let mut v = Vec::new();
        for _ in 0..ROUNDS {
            v.push(round(target.clone(), op, concurrency).await);
        }
        v
    };
    let tput: Vec<f64> = rounds.iter().map(|f| f.ops_per_sec).collect();
    (
        Figures {
            ops_per_sec: median(tput.clone()),
            p50_us: median(rounds.iter().map(|f| f.p50_us).collect()),
            p99_us: median(rounds.iter().map(|f| f.p99_us).collect()),
        },
        tput,
    )
}

fn main() {
    if skip_without_redis("quorum_vs_single benchmark") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let nodes = [
        RedisServer::start(),
        RedisServer::start(),
        RedisServer::start(),
    ];
    rt.block_on(async {
        let single = redis::Client::open(format!("redis://{}/", nodes[0].addr()))
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap();
        let baseline = Arc::new(Baseline(single));
        let mut b = anarchoredis::Client::builder().name("bench").pool_size(64);
        for n in &nodes {
            b = b.node(n.addr());
        }
        let quorum = Arc::new(Quorum(b.build().unwrap()));

        println!(
            "anarchoredis (N=3, W=R=2) vs redis::aio::MultiplexedConnection (1 node); median of {ROUNDS} rounds x {ROUND_SECS}s"
        );
        println!(
            "{:<4} {:>5} | {:>12} {:>9} {:>9} | {:>12} {:>9} {:>9} | {:>10} {:>9}",
            "op", "conc", "base ops/s", "p50 us", "p99 us", "quorum ops/s", "p50 us", "p99 us", "tput ratio", "p50 ratio"
        );
        for op in [Op::Set, Op::Get] {
            for conc in [1usize, 64] {
                let (base, base_rounds) = measure(baseline.clone(), op, conc).await;
                let (ours, our_rounds) = measure(quorum.clone(), op, conc).await;
                println!(
                    "{:<4} {:>5} | {:>12.0} {:>9.0} {:>9.0} | {:>12.0} {:>9.0} {:>9.0} | {:>10.2} {:>9.2}",
                    format!("{op:?}").to_uppercase(),
                    conc,
                    base.ops_per_sec,
                    base.p50_us,
                    base.p99_us,
                    ours.ops_per_sec,
                    ours.p50_us,
                    ours.p99_us,
                    ours.ops_per_sec / base.ops_per_sec,
                    ours.p50_us / base.p50_us,
                );
                println!(
                    "           rounds ops/s: base {:?}  quorum {:?}",
                    base_rounds.iter().map(|x| x.round()).collect::<Vec<_>>(),
                    our_rounds.iter().map(|x| x.round()).collect::<Vec<_>>()
                );
            }
        }
        println!("client metrics: {:?}", quorum.0.metrics());
    });
}
