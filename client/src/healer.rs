//! The anti-entropy healer: a background task that makes every replica of
//! every key converge, even keys nobody reads.
//!
//! A pass SCANs each node for version keys (`anarcho_version:*`) in batches
//! of `anti_entropy_batch`, reads each key found from every reachable node,
//! merges (newest register, slot-wise counter maximum, list union) and
//! repairs the stale replicas with conditional writes. It pauses between
//! batches, which bounds its rate, and reports its work in the client's
//! metrics and in a [`PassReport`].

use std::collections::BTreeSet;
use std::sync::Arc;

use tokio::sync::watch;

use crate::client::Inner;
use crate::connection::Request;
use crate::error::{Certainty, Error, ErrorKind, Result};
use crate::list::merge as merge_lists;
use crate::observer::Purpose;
use crate::pool::NodePool;
use crate::quorum::gather_key;
use crate::replica::{self, WriteAck};
use crate::version::{Kind, VERSION_PREFIX, data_key};

/// What one healer pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Distinct keys examined.
    pub keys_scanned: u64,
    /// Keys on which at least one replica was repaired.
    pub keys_repaired: u64,
    /// Nodes whose SCAN failed during the pass (their keys are examined
    /// again next pass).
    pub unreachable: Vec<String>,
}

/// A running healer. Stop it with [`Healer::stop`]; dropping it also stops
/// it (after the current key).
pub struct Healer {
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Healer {
    pub(crate) fn start(inner: Arc<Inner>) -> Healer {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                run_pass(&inner, &stopped).await;
                let interval = inner.config.anti_entropy_interval;
                tokio::select! {
                    _ = tokio::time::sleep(interval) => {}
                    _ = stopped.changed() => {}
                }
                if *stopped.borrow() {
                    break;
                }
            }
        });
        Healer {
            stop,
            task: Some(task),
        }
    }

    /// Stops the healer and waits for it to finish its current key.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Healer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// One full pass over every node.
pub(crate) async fn pass(inner: &Inner) -> PassReport {
    let (_keep, never) = watch::channel(false);
    run_pass(inner, &never).await
}

async fn run_pass(inner: &Inner, stopped: &watch::Receiver<bool>) -> PassReport {
    let mut report = PassReport::default();
    let mut healed: BTreeSet<Vec<u8>> = BTreeSet::new();
    for node in &inner.nodes {
        let mut cursor = 0u64;
        loop {
            if *stopped.borrow() {
                return report;
            }
            let (next, keys) = match scan(node, cursor, inner.config.anti_entropy_batch).await {
                Ok(r) => r,
                Err(_) => {
                    report.unreachable.push(node.node_name().to_string());
                    break;
                }
            };
            for vkey in keys {
                let Some(key) = data_key(&vkey) else { continue };
                if !healed.insert(key.to_vec()) {
                    continue;
                }
                report.keys_scanned += 1;
                inner.metrics.healer_keys_scanned.incr();
                if let Ok(true) = heal_key(inner, key).await {
                    report.keys_repaired += 1;
                    inner.metrics.healer_keys_repaired.incr();
                }
            }
            if next == 0 {
                break;
            }
            cursor = next;
            tokio::time::sleep(inner.config.anti_entropy_pause).await;
        }
    }
    if report.unreachable.is_empty() {
        inner.metrics.healer_passes.incr();
    }
    report
}

/// `SCAN cursor MATCH anarcho_version:* COUNT batch` on one node.
async fn scan(node: &NodePool, cursor: u64, batch: usize) -> Result<(u64, Vec<Vec<u8>>)> {
    let mut conn = node.checkout().await?;
    let pattern = format!("{VERSION_PREFIX}*");
    let req = Request::new("SCAN")
        .arg(cursor)
        .arg("MATCH")
        .arg(pattern)
        .arg("COUNT")
        .arg(batch);
    let value = conn
        .request(&req, Purpose::Command, node.command_timeout())
        .await?
        .into_value()?;
    let parsed: std::result::Result<(u64, Vec<Vec<u8>>), _> =
        redis::FromRedisValue::from_redis_value(value);
    parsed.map_err(|e| {
        let detail = format!("SCAN: unexpected reply: {e}");
        conn.poison(&detail);
        Error::new(ErrorKind::UnexpectedReply, Certainty::NotApplied, detail)
    })
}

/// Reads `key` from every reachable node and repairs the stale replicas.
/// Returns whether anything was repaired.
async fn heal_key(inner: &Inner, key: &[u8]) -> Result<bool> {
    let all = inner.nodes.len();
    let g = gather_key(&inner.nodes, key, all, |n, k| async move {
        replica::read_register(&n, &k).await
    })
    .await;
    let Some(kind) =
        g.ok.iter()
            .filter_map(|(_, s)| s.version.as_ref())
            .max()
            .map(|v| v.kind)
    else {
        return Ok(false);
    };
    let mut repaired = false;
    match kind {
        Kind::Register => {
            let newest = crate::ops::newest_register(g.ok.iter().map(|(_, s)| s));
            let Some(version) = newest.version.clone() else {
                return Ok(false);
            };
            for (i, s) in &g.ok {
                if s.version.as_ref() != Some(&version) {
                    let r = replica::write_register(
                        &inner.nodes[*i],
                        key,
                        newest.value.as_deref(),
                        &version,
                    )
                    .await;
                    repaired |= count(inner, r);
                }
            }
        }
        Kind::Counter => {
            let g = gather_key(&inner.nodes, key, all, |n, k| async move {
                replica::read_counter(&n, &k).await
            })
            .await;
            let merged = crate::ops::merge_counters(g.ok.iter().map(|(_, s)| s));
            let Some(version) = merged.version.clone() else {
                return Ok(false);
            };
            for (i, s) in &g.ok {
                if s.slots != merged.slots {
                    let r = replica::raise_counter(&inner.nodes[*i], key, &merged.slots, &version)
                        .await;
                    repaired |= count(inner, r);
                }
            }
        }
        Kind::List => {
            let g = gather_key(&inner.nodes, key, all, |n, k| async move {
                replica::read_list(&n, &k).await
            })
            .await;
            let merged = merge_lists(g.ok.iter().map(|(_, s)| s.elements.as_slice()));
            let Some(version) = g.ok.iter().filter_map(|(_, s)| s.version.clone()).max() else {
                return Ok(false);
            };
            for (i, s) in &g.ok {
                if s.elements != merged {
                    let r = replica::merge_list(&inner.nodes[*i], key, &merged, &version).await;
                    repaired |= count(inner, r);
                }
            }
        }
    }
    Ok(repaired)
}

fn count(inner: &Inner, r: Result<WriteAck>) -> bool {
    let applied = matches!(r, Ok(WriteAck::Applied));
    if applied {
        inner.metrics.repairs.incr();
    }
    applied
}
