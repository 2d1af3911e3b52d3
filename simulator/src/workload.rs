//! Workloads, Jepsen-style: logical processes that each run one operation at
//! a time against the real anarchoredis client, recording every invoke and
//! completion.
//!
//! After an indeterminate outcome (`info`) a process retires, because it can
//! no longer know what it has done, and a fresh process id takes its slot.
//! Arguments are unique per operation (`e-<process>-<n>`, `v-<process>-<n>`),
//! so a value seen anywhere names the request it came from. Registers use
//! keys `k0..`, counters `c0..`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anarcho_checker::{Event, EventType, Value};
use anarchoredis::{Client, Error};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::recorder::{Recorder, as_process, now_ns};
use crate::scenario::{OpKind, Workload};
use crate::seeds::derive;

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
    /// Runs every process of this client host to completion.
    pub async fn run(self, client: Client, recorder: Recorder) {
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
    }

    async fn process_slot(
        &self,
        slot: usize,
        client: Client,
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
        let mut n: u64 = 0;
        let deadline = self.duration.as_nanos() as u64;
        while now_ns() < deadline && take_one(&budget) {
            let op = self.next_op(&mut rng, process, n);
            n += 1;
            let mut invoke = Event::new(0, EventType::Invoke, op.kind.name());
            invoke.process = Some(process);
            invoke.key = op.key.clone();
            invoke.value = op.arg.clone().map(Value::Str);
            recorder.record(invoke);

            let outcome = as_process(process, perform(&client, &op)).await;

            let (ty, value, error) = match outcome {
                Ok(v) => (EventType::Ok, Some(v), None),
                Err(e) if e.is_indeterminate() => (EventType::Info, None, Some(e.to_string())),
                Err(e) => (EventType::Fail, None, Some(e.to_string())),
            };
            let mut done = Event::new(0, ty, op.kind.name());
            done.process = Some(process);
            done.key = op.key;
            done.value = value;
            done.error = error;
            done.conn = recorder.last_conn(process);
            recorder.record(done);
            if ty == EventType::Info {
                process += stride;
            }
            tokio::time::sleep(self.workload.think).await;
        }
    }

    fn next_op(&self, rng: &mut StdRng, process: u64, n: u64) -> Op {
        let w = &self.workload;
        let kind = if w.script.is_empty() {
            let weighted = w.mix.weighted();
            let total: u32 = weighted.iter().map(|(_, w)| w).sum();
            let mut pick = rng.random_range(0..total);
            weighted
                .into_iter()
                .find(|(_, weight)| {
                    if pick < *weight {
                        true
                    } else {
                        pick -= weight;
                        false
                    }
                })
                .map(|(k, _)| k)
                .unwrap_or(OpKind::Echo)
        } else {
            w.script[(n as usize) % w.script.len()]
        };
        // Registers (get/set/del) use `k*` keys and counters (incr) use `c*`
        // keys, so an INCR never meets a string value.
        let prefix = if kind == OpKind::Incr { "c" } else { "k" };
        let key = format!("{prefix}{}", rng.random_range(0..w.keys));
        match kind {
            OpKind::Echo => Op {
                kind,
                key: None,
                arg: Some(format!("e-{process}-{n}")),
            },
            OpKind::Set => Op {
                kind,
                key: Some(key),
                arg: Some(format!("v-{process}-{n}")),
            },
            OpKind::Get | OpKind::Incr | OpKind::Del => Op {
                kind,
                key: Some(key),
                arg: None,
            },
        }
    }
}

fn take_one(budget: &AtomicUsize) -> bool {
    budget
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(1))
        .is_ok()
}

async fn perform(client: &Client, op: &Op) -> Result<Value, Error> {
    let key = op.key.as_deref().unwrap_or_default();
    let arg = op.arg.as_deref().unwrap_or_default();
    Ok(match op.kind {
        OpKind::Echo => Value::Str(client.echo(arg).await?),
        OpKind::Get => match client.get::<_, String>(key).await? {
            Some(v) => Value::Str(v),
            None => Value::Nil,
        },
        OpKind::Set => {
            client.set(key, arg).await?;
            Value::Str("OK".into())
        }
        OpKind::Incr => Value::Int(client.incr(key).await?),
        OpKind::Del => {
            client.del(key).await?;
            Value::Str("OK".into())
        }
    })
}
