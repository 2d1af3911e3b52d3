//! Workloads, Jepsen-style: logical processes that each run one operation at
//! a time against the real anarchoredis client, recording every invoke and
//! completion.
//!
//! After an indeterminate outcome (`info`) a process retires, because it can
//! no longer know what it has done, and a fresh process id takes its slot.
//! Arguments are unique per operation (`e-<process>-<n>` for ECHO,
//! `v-<process>-<n>` for SET, `x-<process>-<n>` for RPUSH), so a value seen
//! anywhere names the request it came from. Registers use keys `k0..`,
//! counters `c0..`, lists `l0..`.
//!
//! After the workload's duration (when the nemesis has healed every fault)
//! and a quiescent pause, every client reads every key once more: the final
//! reads that lost writes are judged by.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anarcho_checker::{Event, EventType, Value};
use anarchoredis::{Client, Error};
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::driver::{Failure, Target};
use crate::recorder::{Recorder, as_process, now_ns};
use crate::scenario::{KeyDistribution, OpKind, Workload};
use crate::seeds::derive;

/// Process ids of the final reads start here, far above any worker's.
const FINAL_PROCESS_BASE: u64 = 1 << 40;

/// One client host's share of the workload.
pub struct ClientWorkload {
    /// 0-based index of the client host.
    pub client_index: usize,
    /// How many client hosts there are (for process-id striding).
    pub clients: usize,
    /// The scenario's workload section.
    pub workload: Workload,
    /// When to stop invoking, in simulated time since the start.
    pub duration: Duration,
    /// The run's seed.
    pub seed: u64,
}

/// An operation ready to invoke.
struct Op {
    kind: OpKind,
    key: Option<String>,
    arg: Option<String>,
}

impl ClientWorkload {
    /// Runs every process of this client host to completion, then the final
    /// reads.
    pub async fn run(self, client: Target, recorder: Recorder) {
        let budget = Arc::new(AtomicUsize::new(self.workload.operations));
        let this = Arc::new(self);
        let mut tasks = tokio::task::JoinSet::new();
        for slot in 0..this.workload.processes {
            let (this, client, recorder, budget) = (
                this.clone(),
                client.clone(),
                recorder.clone(),
                budget.clone(),
            );
            tasks.spawn(async move { this.process_slot(slot, client, recorder, budget).await });
        }
        while tasks.join_next().await.is_some() {}
        if this.workload.final_read {
            this.final_reads(&client, &recorder).await;
        }
    }

    async fn process_slot(
        &self,
        slot: usize,
        client: Target,
        recorder: Recorder,
        budget: Arc<AtomicUsize>,
    ) {
        let width = self.workload.processes as u64;
        let stride = width * self.clients as u64;
        let mut process = self.client_index as u64 * width + slot as u64;
        let mut rng = StdRng::seed_from_u64(derive(
            self.seed,
            &[1, self.client_index as u64, slot as u64],
        ));
        let keys = KeyPicker::new(&self.workload);
        let ops = OpPicker::new(&self.workload);
        let mut n: u64 = 0;
        let deadline = self.duration.as_nanos() as u64;
        let pause = self.workload.pause();
        while now_ns() < deadline && take_one(&budget) {
            let kind = ops.pick(&mut rng, n);
            let op = make_op(kind, keys.pick(&mut rng), process, n);
            n += 1;
            if run_op(&client, &recorder, process, &op).await == EventType::Info {
                process += stride;
            }
            tokio::time::sleep(pause).await;
        }
    }

    /// Waits for the quiescent phase, then reads every key once.
    async fn final_reads(&self, client: &Target, recorder: &Recorder) {
        let start = self.duration + self.workload.quiesce;
        let now = Duration::from_nanos(now_ns());
        if start > now {
            tokio::time::sleep(start - now).await;
        }
        let process = FINAL_PROCESS_BASE + self.client_index as u64;
        let mut reads: Vec<OpKind> = Vec::new();
        for kind in self.workload.kinds() {
            let read = match kind {
                OpKind::Get | OpKind::Set | OpKind::Del => Some(OpKind::Get),
                OpKind::Incr | OpKind::ReadCounter => Some(OpKind::ReadCounter),
                OpKind::Rpush | OpKind::Lrange => Some(OpKind::Lrange),
                OpKind::Echo => None,
            };
            if let Some(r) = read
                && !reads.contains(&r)
            {
                reads.push(r);
            }
        }
        for kind in reads {
            for k in 0..self.workload.keys {
                let op = make_op(kind, k, process, 0);
                run_op(client, recorder, process, &op).await;
            }
        }
    }
}

/// Invokes one operation and records its invoke and completion; returns the
/// completion's type.
async fn run_op(client: &Target, recorder: &Recorder, process: u64, op: &Op) -> EventType {
    let mut invoke = Event::new(0, EventType::Invoke, op.kind.name());
    invoke.process = Some(process);
    invoke.key = op.key.clone();
    invoke.value = op.arg.clone().map(Value::Str);
    recorder.record(invoke);

    let outcome = as_process(process, perform(client, op)).await;

    let (ty, value, error) = match outcome {
        Ok(v) => (EventType::Ok, v, None),
        Err(e) if e.indeterminate => (EventType::Info, None, Some(e.message)),
        Err(e) => (EventType::Fail, None, Some(e.message)),
    };
    let mut done = Event::new(0, ty, op.kind.name());
    done.process = Some(process);
    done.key = op.key.clone();
    done.value = value;
    done.error = error;
    done.conn = recorder.last_conn(process);
    recorder.record(done);
    ty
}

fn make_op(kind: OpKind, key_index: usize, process: u64, n: u64) -> Op {
    let key = kind.key_prefix().map(|p| format!("{p}{key_index}"));
    let arg = match kind {
        OpKind::Echo => Some(format!("e-{process}-{n}")),
        OpKind::Set => Some(format!("v-{process}-{n}")),
        OpKind::Rpush => Some(format!("x-{process}-{n}")),
        _ => None,
    };
    Op { kind, key, arg }
}

/// Draws operation kinds: the script in order, or weighted draws.
struct OpPicker {
    script: Vec<OpKind>,
    kinds: Vec<OpKind>,
    weights: Option<WeightedIndex<f64>>,
}

impl OpPicker {
    fn new(w: &Workload) -> Self {
        let weighted: Vec<(OpKind, f64)> =
            w.weighted().into_iter().filter(|(_, x)| *x > 0.0).collect();
        let weights = if w.script.is_empty() {
            // Validated: at least one weight is positive.
            WeightedIndex::new(weighted.iter().map(|(_, x)| *x)).ok()
        } else {
            None
        };
        OpPicker {
            script: w.script.clone(),
            kinds: weighted.into_iter().map(|(k, _)| k).collect(),
            weights,
        }
    }

    fn pick(&self, rng: &mut StdRng, n: u64) -> OpKind {
        match &self.weights {
            None => self.script[(n as usize) % self.script.len()],
            Some(w) => self.kinds[w.sample(rng)],
        }
    }
}

/// Draws key indices by the workload's distribution.
struct KeyPicker {
    keys: usize,
    dist: KeyDistribution,
    zipf: Option<WeightedIndex<f64>>,
}

impl KeyPicker {
    fn new(w: &Workload) -> Self {
        let zipf = match w.key_distribution {
            KeyDistribution::Zipf { exponent } => {
                WeightedIndex::new((0..w.keys).map(|i| 1.0 / ((i + 1) as f64).powf(exponent))).ok()
            }
            _ => None,
        };
        KeyPicker {
            keys: w.keys,
            dist: w.key_distribution,
            zipf,
        }
    }

    fn pick(&self, rng: &mut StdRng) -> usize {
        match (&self.dist, &self.zipf) {
            (KeyDistribution::Zipf { .. }, Some(z)) => z.sample(rng),
            (KeyDistribution::HotKey { fraction }, _) if rng.random_bool(*fraction) => 0,
            _ => rng.random_range(0..self.keys),
        }
    }
}

fn take_one(budget: &AtomicUsize) -> bool {
    budget
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(1))
        .is_ok()
}

/// Runs the operation on the client under test; `Ok(None)` is an
/// acknowledgement without a value.
async fn perform(client: &Target, op: &Op) -> Result<Option<Value>, Failure> {
    match client {
        Target::Anarchoredis(c) => Ok(perform_anarchoredis(c, op).await?),
        Target::RedisRs(c) => {
            let key = op.key.as_deref().unwrap_or_default();
            c.perform(op.kind, key, op.arg.as_deref().unwrap_or_default())
                .await
        }
    }
}

async fn perform_anarchoredis(client: &Client, op: &Op) -> Result<Option<Value>, Error> {
    let key = op.key.as_deref().unwrap_or_default();
    let arg = op.arg.as_deref().unwrap_or_default();
    Ok(Some(match op.kind {
        OpKind::Echo => Value::Str(client.echo(arg).await?),
        OpKind::Get => match client.get::<_, String>(key).await? {
            Some(v) => Value::Str(v),
            None => Value::Nil,
        },
        OpKind::Set => {
            client.set(key, arg).await?;
            Value::Str("OK".into())
        }
        OpKind::Del => {
            client.del(key).await?;
            Value::Str("OK".into())
        }
        OpKind::Incr => Value::Int(client.incr(key).await?),
        OpKind::ReadCounter => match client.get_counter(key).await? {
            Some(n) => Value::Int(n),
            None => Value::Nil,
        },
        OpKind::Rpush => {
            // anarchoredis' RPUSH acknowledges without a length: no value.
            client.rpush(key, arg).await?;
            return Ok(None);
        }
        OpKind::Lrange => Value::List(
            client
                .lrange::<_, String>(key, 0, -1)
                .await?
                .into_iter()
                .map(Value::Str)
                .collect(),
        ),
    }))
}
